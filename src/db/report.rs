//! Loading what the session-prep report, the trust chart and the practice summary need.
//!
//! Each loader runs a fixed number of queries whatever the size of the data (no query per
//! entry or per couple) and hands plain facts to `domain::report` (which puts the report
//! together) / `domain::attention`. Everything is scoped: a report loads only if the
//! couple is the counselor's.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;

use super::schema::{
    entries, entry_answers, entry_comments, exercise_prompts, exercises, setbacks, therapy_sessions,
};
use super::{assignments, couples as couple_db, DbConnection};
use crate::db::couples::{CoupleRow, PartnerRow};
use crate::domain::occurrence;
use crate::domain::report::{
    self, AnswerText, AnswerValue, AssignmentInfo, CommentFact, PartnerInfo, Period, PeriodError,
    ReportCouple, ReportFacts, ReportHead, ReportQuery, ScaleEnds, SetbackItem, SubmittedEntry,
    WarnPrompt,
};

mod chart;
mod practice;
pub mod safety;
pub use safety::SafetyItem;

pub use crate::domain::report::{day_start, local_day, SessionReport, TrustChartData};
pub use chart::{couple_trust_chart, trust_chart_for};
pub use practice::{practice_batch, PracticeRow};

/// A setback row, every field (the couple export writes them all).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = setbacks)]
pub struct SetbackRow {
    pub id: i32,
    pub partner_id: i32,
    pub happened_on: NaiveDate,
    pub what_happened: String,
    pub trigger_text: String,
    pub reaction: String,
    pub repair_attempted: bool,
    pub repair_text: String,
    pub severity: i32,
    pub do_differently: String,
    pub visibility: String,
    pub raise_in_session: bool,
    pub created_at: NaiveDateTime,
}

impl From<SetbackRow> for SetbackItem {
    fn from(s: SetbackRow) -> SetbackItem {
        SetbackItem {
            id: s.id,
            partner_id: s.partner_id,
            happened_on: s.happened_on,
            what_happened: s.what_happened,
            repair_attempted: s.repair_attempted,
            repair_text: s.repair_text,
            severity: s.severity,
            raise_in_session: s.raise_in_session,
        }
    }
}

/// The report could not be built from the dates given; the couple is there for the form.
#[derive(Debug, Clone)]
pub enum Loaded {
    Ready(Box<SessionReport>),
    BadPeriod {
        couple: CoupleRow,
        error: PeriodError,
    },
}

pub use super::counselors::time_zone as counselor_tz;

/// Ids of exercises that are private safety checks.
pub fn safety_exercise_ids(conn: &mut DbConnection) -> QueryResult<Vec<i32>> {
    exercises::table
        .filter(exercises::safety_check.eq(true))
        .select(exercises::id)
        .load(conn)
}

/// The exercises a report or export leaves out: the safety checks, unless asked for.
pub fn hidden_exercises(conn: &mut DbConnection, include_safety: bool) -> QueryResult<Vec<i32>> {
    if include_safety {
        Ok(Vec::new())
    } else {
        safety_exercise_ids(conn)
    }
}

pub fn partner_infos(rows: &[PartnerRow]) -> Vec<PartnerInfo> {
    rows.iter()
        .map(|p| PartnerInfo {
            id: p.id,
            slot: p.slot.to_string(),
            name: p.display_name.clone(),
            tz: p.tz(),
        })
        .collect()
}

/// Load the session-prep report for one of this counselor's couples: the period first
/// (it depends on the last session), then the facts for it, put together by
/// [`report::assemble`].
pub fn session_report(
    conn: &mut DbConnection,
    counselor_id: i32,
    couple_id: i32,
    req: &ReportQuery,
    now: DateTime<Utc>,
) -> QueryResult<Loaded> {
    let couple = couple_db::find_for_counselor(conn, counselor_id, couple_id)?;
    let tz = counselor_tz(conn, counselor_id)?;
    let booked = booked_session_starts(conn, couple_id)?;
    let last_session = report::last_session(&booked, now);
    let period = match report::choose_period(
        req.from_date(),
        req.to_date(),
        last_session.map(|t| local_day(t, tz)),
        couple.start_date,
        occurrence::local_date(now, tz),
    ) {
        Ok(p) => p,
        Err(error) => return Ok(Loaded::BadPeriod { couple, error }),
    };
    let facts = report_facts(conn, couple_id, tz, period)?;
    let head = ReportHead {
        couple: ReportCouple {
            id: couple.id,
            label: couple.label,
        },
        counselor_tz: tz,
        period,
        last_session,
        include_safety: req.include_safety,
        booked,
    };
    Ok(Loaded::Ready(Box::new(report::assemble(head, facts, now))))
}

/// Everything the report shows over `period` and the one before it (for comparison). These
/// are the sections a joint session may see: the private safety check never counts in them,
/// even when the counselor asks for it (it then has its own counselor-only section,
/// [`safety::safety_in_period`]).
fn report_facts(
    conn: &mut DbConnection,
    couple_id: i32,
    tz: Tz,
    period: Period,
) -> QueryResult<ReportFacts> {
    let span = Period {
        from: period.previous().from,
        to: period.to,
    };
    let partners = partner_infos(&couple_db::partners_of(conn, couple_id)?);
    let hidden = hidden_exercises(conn, false)?;
    let entries = report::date_entries(
        submitted_entries(conn, couple_id, span)?,
        &partners,
        span,
        &hidden,
    );
    let warn_prompts = warn_prompts(conn)?;
    let warn_prompt_ids: Vec<i32> = warn_prompts.iter().map(|p| p.id).collect();
    let warn_entries = report::warn_entry_ids(&entries, &warn_prompts);
    let warn_answers = answers_to(conn, &warn_entries, &warn_prompt_ids)?;
    let flagged_ids: Vec<i32> = report::flagged_in(&entries, period)
        .map(|e| e.fact.id)
        .collect();
    let flagged_answers = answer_texts(conn, &flagged_ids)?;
    let comments = comments_during(conn, couple_id, period, tz)?;

    let rows: Vec<_> = assignments::for_couple(conn, couple_id)?
        .into_iter()
        .filter(|a| !hidden.contains(&a.exercise_id))
        .collect();
    let ids: Vec<i32> = rows.iter().map(|a| a.id).collect();
    let pauses = assignments::pauses_for(conn, &ids)?;
    let mut exercise_ids: Vec<i32> = rows.iter().map(|a| a.exercise_id).collect();
    exercise_ids.extend(report::flagged_in(&entries, period).map(|e| e.exercise_id));
    exercise_ids.extend(comments.iter().map(|c| c.exercise_id));
    let titles = super::export::exercise_titles(conn, &exercise_ids)?;
    let assignments = rows
        .iter()
        .map(|a| AssignmentInfo {
            id: a.id,
            title: titles.get(&a.exercise_id).cloned().unwrap_or_default(),
            assignee: a.assignee.clone(),
            schedule: a.schedule(&pauses),
        })
        .collect();
    Ok(ReportFacts {
        partners,
        assignments,
        entries,
        warn_prompts,
        warn_answers,
        flagged_answers,
        setbacks: setbacks_in(conn, couple_id, period)?,
        comments,
        titles,
        hidden,
    })
}

/// Start times of the couple's booked sessions, oldest first.
pub fn booked_session_starts(
    conn: &mut DbConnection,
    couple_id: i32,
) -> QueryResult<Vec<NaiveDateTime>> {
    therapy_sessions::table
        .filter(therapy_sessions::couple_id.eq(couple_id))
        .filter(therapy_sessions::status.eq("booked"))
        .order(therapy_sessions::starts_at.asc())
        .select(therapy_sessions::starts_at)
        .load(conn)
}

type EntryTuple = (
    i32,
    i32,
    i32,
    Option<i32>,
    Option<NaiveDate>,
    Option<i32>,
    Option<i32>,
    bool,
    Option<NaiveDateTime>,
    String,
);

/// Submitted entries of a couple that may be dated within `span`: by occurrence date, or
/// (not tied to a date) sent within a day of it ([`report::date_entries`] decides).
pub fn submitted_entries(
    conn: &mut DbConnection,
    couple_id: i32,
    span: Period,
) -> QueryResult<Vec<SubmittedEntry>> {
    let columns = (
        entries::id,
        entries::partner_id,
        entries::exercise_id,
        entries::assignment_id,
        entries::occurrence_date,
        entries::trust_score,
        entries::mood_score,
        entries::flagged_for_session,
        entries::submitted_at,
        entries::visibility,
    );
    let dated: Vec<EntryTuple> = entries::table
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::occurrence_date.between(span.from, span.to))
        .filter(entries::status.eq("submitted"))
        .select(columns)
        .load(conn)?;
    // Time zones reach at most 14 hours either side of UTC: a day's margin covers them.
    let lo = span
        .from
        .pred_opt()
        .unwrap_or(span.from)
        .and_time(chrono::NaiveTime::MIN);
    let hi = span
        .to
        .checked_add_days(Days::new(2))
        .unwrap_or(span.to)
        .and_time(chrono::NaiveTime::MIN);
    let undated: Vec<EntryTuple> = entries::table
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::occurrence_date.is_null())
        .filter(entries::status.eq("submitted"))
        .filter(entries::submitted_at.between(lo, hi))
        .select(columns)
        .load(conn)?;
    Ok(dated
        .into_iter()
        .chain(undated)
        .map(|t| SubmittedEntry {
            id: t.0,
            partner_id: t.1,
            exercise_id: t.2,
            assignment_id: t.3,
            occurrence_date: t.4,
            trust: t.5,
            mood: t.6,
            flagged: t.7,
            submitted_at: t.8,
            visibility: t.9,
        })
        .collect())
}

/// Prompts that carry a warning-sign metric.
pub fn warn_prompts(conn: &mut DbConnection) -> QueryResult<Vec<WarnPrompt>> {
    Ok(exercise_prompts::table
        .filter(exercise_prompts::metric.like("warn_%"))
        .select((
            exercise_prompts::id,
            exercise_prompts::exercise_id,
            exercise_prompts::metric,
        ))
        .load::<(i32, i32, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, exercise_id, metric)| WarnPrompt {
            id,
            exercise_id,
            metric,
        })
        .collect())
}

/// Answers of these entries to these prompts.
pub fn answers_to(
    conn: &mut DbConnection,
    entry_ids: &[i32],
    prompt_ids: &[i32],
) -> QueryResult<Vec<AnswerValue>> {
    if entry_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(entry_answers::table
        .filter(entry_answers::entry_id.eq_any(entry_ids))
        .filter(entry_answers::prompt_id.eq_any(prompt_ids))
        .select((
            entry_answers::entry_id,
            entry_answers::prompt_id,
            entry_answers::value,
        ))
        .load::<(i32, i32, String)>(conn)?
        .into_iter()
        .map(|(entry_id, prompt_id, value)| AnswerValue {
            entry_id,
            prompt_id,
            value,
        })
        .collect())
}

/// An answer row with its prompt's label, kind and scale.
type AnswerTuple = (
    i32,
    String,
    String,
    String,
    (Option<i32>, Option<i32>, Option<String>, Option<String>),
);

/// (entry id, answer with its prompt's label and kind) of these entries, by entry then
/// prompt position.
pub fn answer_texts(
    conn: &mut DbConnection,
    entry_ids: &[i32],
) -> QueryResult<Vec<(i32, AnswerText)>> {
    if entry_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(entry_answers::table
        .inner_join(exercise_prompts::table.on(exercise_prompts::id.eq(entry_answers::prompt_id)))
        .filter(entry_answers::entry_id.eq_any(entry_ids))
        .order((entry_answers::entry_id, exercise_prompts::position))
        .select((
            entry_answers::entry_id,
            exercise_prompts::label,
            exercise_prompts::kind,
            entry_answers::value,
            (
                exercise_prompts::scale_min,
                exercise_prompts::scale_max,
                exercise_prompts::scale_low_label,
                exercise_prompts::scale_high_label,
            ),
        ))
        .load::<AnswerTuple>(conn)?
        .into_iter()
        .map(|(id, label, kind, value, (min, max, low, high))| {
            let scale = match (min, max) {
                // Only number scales have both ends.
                (Some(min), Some(max)) => Some(ScaleEnds {
                    min,
                    max,
                    low_label: low.unwrap_or_default(),
                    high_label: high.unwrap_or_default(),
                }),
                _ => None,
            };
            (
                id,
                AnswerText {
                    label,
                    kind,
                    value,
                    scale,
                },
            )
        })
        .collect())
}

/// The couple's setbacks that happened in the period, by day then id.
pub fn setbacks_in(
    conn: &mut DbConnection,
    couple_id: i32,
    period: Period,
) -> QueryResult<Vec<SetbackItem>> {
    Ok(setbacks::table
        .filter(setbacks::couple_id.eq(couple_id))
        .filter(setbacks::happened_on.between(period.from, period.to))
        .order((setbacks::happened_on.asc(), setbacks::id.asc()))
        .select(SetbackRow::as_select())
        .load(conn)?
        .into_iter()
        .map(SetbackItem::from)
        .collect())
}

/// Comments on the couple's entries written during the period's local days in `tz`.
pub fn comments_during(
    conn: &mut DbConnection,
    couple_id: i32,
    period: Period,
    tz: Tz,
) -> QueryResult<Vec<CommentFact>> {
    let (start, end) = (
        day_start(period.from, tz),
        day_start(period.to.succ_opt().unwrap_or(period.to), tz),
    );
    Ok(entry_comments::table
        .inner_join(entries::table)
        .filter(entries::couple_id.eq(couple_id))
        .filter(entry_comments::created_at.ge(start))
        .filter(entry_comments::created_at.lt(end))
        .order((entry_comments::created_at.asc(), entry_comments::id.asc()))
        .select((
            entry_comments::entry_id,
            entries::partner_id,
            entries::exercise_id,
            entry_comments::body,
            entry_comments::created_at,
        ))
        .load::<(i32, i32, i32, String, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|c| CommentFact {
            entry_id: c.0,
            partner_id: c.1,
            exercise_id: c.2,
            body: c.3,
            created_at: c.4,
        })
        .collect())
}
