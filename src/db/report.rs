//! Loading what the session-prep report, the trust chart and the practice summary need.
//!
//! Each loader runs a fixed number of queries whatever the size of the data (no query per
//! entry or per couple) and hands plain facts to `domain::report` / `domain::attention`.
//! Everything is scoped: a report loads only if the couple is the counselor's.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;

use super::schema::{
    counselors, couples, entries, entry_answers, entry_comments, exercise_prompts, exercises,
    setbacks, therapy_sessions,
};
use super::{assignments, couples as couple_db, dashboard as dashboard_db, DbConnection};
use crate::db::couples::{CoupleRow, PartnerRow};
use crate::domain::attention::Thresholds;
use crate::domain::couple::CoupleStatus;
use crate::domain::dashboard;
use crate::domain::occurrence;
use crate::domain::report::{
    self, AssignmentInfo, Completion, EntryFact, PartnerInfo, PartnerRatings, Period, PeriodError,
    WarnComparison, WarnFact, WarnSign,
};
use crate::domain::status::{EntryStatus, SessionStatus};

/// What the counselor asked for: dates as typed (checked here) and the safety-check option.
#[derive(Debug, Clone, Default)]
pub struct ReportRequest {
    pub from: Option<String>,
    pub to: Option<String>,
    /// Show the private safety check. Off unless the counselor asks.
    pub include_safety: bool,
}

/// A setback as the report shows it.
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

/// A booked session.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = therapy_sessions)]
pub struct SessionRow {
    pub id: i32,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub status: String,
}

/// One answer of a flagged entry.
#[derive(Debug, Clone)]
pub struct AnswerText {
    pub label: String,
    pub kind: String,
    pub value: String,
}

/// An entry a partner flagged for the session, with its answers in prompt order.
#[derive(Debug, Clone)]
pub struct FlaggedEntry {
    pub id: i32,
    pub partner_id: i32,
    pub title: String,
    pub date: NaiveDate,
    pub submitted_at: Option<NaiveDateTime>,
    pub visibility: String,
    pub answers: Vec<AnswerText>,
}

/// A comment the counselor wrote on an entry during the period.
#[derive(Debug, Clone)]
pub struct CommentItem {
    pub entry_id: i32,
    pub partner_id: i32,
    pub entry_title: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// Dated trust ratings of both partners, with setbacks and sessions to mark on the axis.
#[derive(Debug, Clone)]
pub struct TrustChartData {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// (partner name, ascending (day, rating) points).
    pub partners: Vec<(String, Vec<(NaiveDate, i32)>)>,
    /// (day, severity).
    pub setbacks: Vec<(NaiveDate, i32)>,
    pub sessions: Vec<NaiveDate>,
}

/// Everything the session-prep page and its CSV show.
#[derive(Debug, Clone)]
pub struct SessionReport {
    pub couple: CoupleRow,
    pub partners: Vec<PartnerInfo>,
    pub counselor_tz: Tz,
    pub period: Period,
    pub previous: Period,
    pub last_session: Option<NaiveDateTime>,
    pub include_safety: bool,
    pub completion: Vec<Completion>,
    pub ratings: Vec<PartnerRatings>,
    pub warnings: Vec<WarnComparison>,
    pub setbacks: Vec<SetbackRow>,
    pub flagged: Vec<FlaggedEntry>,
    pub comments: Vec<CommentItem>,
    /// Booked sessions inside the period.
    pub sessions: Vec<SessionRow>,
}

impl SessionReport {
    pub fn partner_name(&self, id: i32) -> &str {
        self.partners
            .iter()
            .find(|p| p.id == id)
            .map_or("Partner", |p| p.name.as_str())
    }

    pub fn chart(&self) -> TrustChartData {
        TrustChartData {
            from: self.period.from,
            to: self.period.to,
            partners: self
                .partners
                .iter()
                .map(|p| {
                    let points = self
                        .ratings
                        .iter()
                        .find(|r| r.partner_id == p.id)
                        .map(|r| r.trust_points.clone())
                        .unwrap_or_default();
                    (p.name.clone(), points)
                })
                .collect(),
            setbacks: self
                .setbacks
                .iter()
                .map(|s| (s.happened_on, s.severity))
                .collect(),
            sessions: self
                .sessions
                .iter()
                .map(|s| local_day(s.starts_at, self.counselor_tz))
                .collect(),
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

/// The calendar day of a stored UTC time in `tz`.
pub fn local_day(t: NaiveDateTime, tz: Tz) -> NaiveDate {
    occurrence::local_date(t.and_utc(), tz)
}

/// The first instant of local day `d` in `tz`, as stored (naive UTC).
pub fn day_start(d: NaiveDate, tz: Tz) -> NaiveDateTime {
    let before = d.pred_opt().unwrap_or(d);
    occurrence::due_instant(before, tz).naive_utc()
}

pub use super::counselors::time_zone as counselor_tz;

/// Ids of exercises that are private safety checks.
pub fn safety_exercise_ids(conn: &mut DbConnection) -> QueryResult<Vec<i32>> {
    exercises::table
        .filter(exercises::safety_check.eq(true))
        .select(exercises::id)
        .load(conn)
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

/// A submitted entry as loaded for the report.
struct LoadedEntry {
    fact: EntryFact,
    exercise_id: i32,
    flagged: bool,
    submitted_at: Option<NaiveDateTime>,
    visibility: String,
}

/// Submitted entries of a couple dated within `span`: by occurrence date, or (for entries
/// not tied to a date) by the partner's local day of submission.
fn submitted_entries(
    conn: &mut DbConnection,
    couple_id: i32,
    span: Period,
    partners: &[PartnerInfo],
    hidden_exercises: &[i32],
) -> QueryResult<Vec<LoadedEntry>> {
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
        .filter(entries::status.eq(EntryStatus::Submitted))
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
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(entries::submitted_at.between(lo, hi))
        .select(columns)
        .load(conn)?;
    let tz_of = |pid: i32| {
        partners
            .iter()
            .find(|p| p.id == pid)
            .map_or(chrono_tz::UTC, |p| p.tz)
    };
    Ok(dated
        .into_iter()
        .chain(undated)
        .filter(|t| !hidden_exercises.contains(&t.2))
        .filter_map(|t| {
            let date = match (t.4, t.8) {
                (Some(d), _) => d,
                (None, Some(at)) => local_day(at, tz_of(t.1)),
                (None, None) => return None,
            };
            span.contains(date).then_some(LoadedEntry {
                fact: EntryFact {
                    id: t.0,
                    partner_id: t.1,
                    assignment_id: t.3,
                    date,
                    trust: t.5,
                    mood: t.6,
                },
                exercise_id: t.2,
                flagged: t.7,
                submitted_at: t.8,
                visibility: t.9,
            })
        })
        .collect())
}

fn exercise_titles(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<HashMap<i32, String>> {
    let rows: Vec<(i32, String)> = exercises::table
        .filter(exercises::id.eq_any(ids))
        .select((exercises::id, exercises::title))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Load the session-prep report for one of this counselor's couples.
pub fn session_report(
    conn: &mut DbConnection,
    counselor_id: i32,
    couple_id: i32,
    req: &ReportRequest,
    now: DateTime<Utc>,
) -> QueryResult<Loaded> {
    let couple = couple_db::find_for_counselor(conn, counselor_id, couple_id)?;
    let tz = counselor_tz(conn, counselor_id)?;
    let today = occurrence::local_date(now, tz);
    let sessions: Vec<SessionRow> = therapy_sessions::table
        .filter(therapy_sessions::couple_id.eq(couple_id))
        .filter(therapy_sessions::status.eq(SessionStatus::Booked))
        .order(therapy_sessions::starts_at.asc())
        .select(SessionRow::as_select())
        .load(conn)?;
    let now_naive = now.naive_utc();
    let last_session = sessions
        .iter()
        .rev()
        .find(|s| s.starts_at <= now_naive)
        .map(|s| s.starts_at);
    let period = match report::choose_period(
        req.from.as_deref(),
        req.to.as_deref(),
        last_session.map(|t| local_day(t, tz)),
        couple.start_date,
        today,
    ) {
        Ok(p) => p,
        Err(error) => return Ok(Loaded::BadPeriod { couple, error }),
    };
    let previous = period.previous();
    let partners = partner_infos(&couple_db::partners_of(conn, couple_id)?);
    let hidden = if req.include_safety {
        Vec::new()
    } else {
        safety_exercise_ids(conn)?
    };

    let assignment_rows: Vec<_> = assignments::for_couple(conn, couple_id)?
        .into_iter()
        .filter(|a| !hidden.contains(&a.exercise_id))
        .collect();
    let ids: Vec<i32> = assignment_rows.iter().map(|a| a.id).collect();
    let pauses = assignments::pauses_for(conn, &ids)?;

    let span = Period {
        from: previous.from,
        to: period.to,
    };
    let loaded = submitted_entries(conn, couple_id, span, &partners, &hidden)?;
    let mut exercise_ids: Vec<i32> = assignment_rows.iter().map(|a| a.exercise_id).collect();
    exercise_ids.extend(loaded.iter().filter(|e| e.flagged).map(|e| e.exercise_id));
    let titles = exercise_titles(conn, &exercise_ids)?;
    let title = |id: i32| titles.get(&id).cloned().unwrap_or_default();
    let assignment_infos: Vec<AssignmentInfo> = assignment_rows
        .iter()
        .map(|a| AssignmentInfo {
            id: a.id,
            title: title(a.exercise_id),
            assignee: a.assignee.clone(),
            schedule: a.schedule(&pauses),
        })
        .collect();

    // Warning signs: answers to prompts carrying a warn_* metric, both periods.
    let warn_prompts: Vec<(i32, i32, Option<String>)> = exercise_prompts::table
        .filter(exercise_prompts::metric.like("warn_%"))
        .select((
            exercise_prompts::id,
            exercise_prompts::exercise_id,
            exercise_prompts::metric,
        ))
        .load(conn)?;
    let warn_exercises: HashSet<i32> = warn_prompts.iter().map(|p| p.1).collect();
    let warn_entry_ids: Vec<i32> = loaded
        .iter()
        .filter(|e| warn_exercises.contains(&e.exercise_id))
        .map(|e| e.fact.id)
        .collect();
    let warn_prompt_ids: Vec<i32> = warn_prompts.iter().map(|p| p.0).collect();
    let warn_answers: Vec<(i32, i32, String)> = if warn_entry_ids.is_empty() {
        Vec::new()
    } else {
        entry_answers::table
            .filter(entry_answers::entry_id.eq_any(&warn_entry_ids))
            .filter(entry_answers::prompt_id.eq_any(&warn_prompt_ids))
            .select((
                entry_answers::entry_id,
                entry_answers::prompt_id,
                entry_answers::value,
            ))
            .load(conn)?
    };
    let by_entry: HashMap<i32, &EntryFact> = loaded.iter().map(|e| (e.fact.id, &e.fact)).collect();
    let sign_of: HashMap<i32, WarnSign> = warn_prompts
        .iter()
        .filter_map(|(id, _, m)| Some((*id, WarnSign::from_metric(m.as_deref()?)?)))
        .collect();
    let warn_facts: Vec<WarnFact> = warn_answers
        .iter()
        .filter_map(|(entry_id, prompt_id, value)| {
            let e = by_entry.get(entry_id)?;
            Some(WarnFact {
                partner_id: e.partner_id,
                date: e.date,
                sign: *sign_of.get(prompt_id)?,
                value: value.trim().parse().ok()?,
            })
        })
        .collect();

    // Entries flagged for the session, with their answers.
    let flagged_loaded: Vec<&LoadedEntry> = loaded
        .iter()
        .filter(|e| e.flagged && period.contains(e.fact.date))
        .collect();
    let flagged_ids: Vec<i32> = flagged_loaded.iter().map(|e| e.fact.id).collect();
    let flagged_answers: Vec<(i32, String, String, String)> = if flagged_ids.is_empty() {
        Vec::new()
    } else {
        entry_answers::table
            .inner_join(
                exercise_prompts::table.on(exercise_prompts::id.eq(entry_answers::prompt_id)),
            )
            .filter(entry_answers::entry_id.eq_any(&flagged_ids))
            .order((entry_answers::entry_id, exercise_prompts::position))
            .select((
                entry_answers::entry_id,
                exercise_prompts::label,
                exercise_prompts::kind,
                entry_answers::value,
            ))
            .load(conn)?
    };
    let mut flagged: Vec<FlaggedEntry> = flagged_loaded
        .iter()
        .map(|e| FlaggedEntry {
            id: e.fact.id,
            partner_id: e.fact.partner_id,
            title: title(e.exercise_id),
            date: e.fact.date,
            submitted_at: e.submitted_at,
            visibility: e.visibility.clone(),
            answers: flagged_answers
                .iter()
                .filter(|a| a.0 == e.fact.id)
                .map(|a| AnswerText {
                    label: a.1.clone(),
                    kind: a.2.clone(),
                    value: a.3.clone(),
                })
                .collect(),
        })
        .collect();
    flagged.sort_by_key(|f| (f.date, f.id));

    let setback_rows: Vec<SetbackRow> = setbacks::table
        .filter(setbacks::couple_id.eq(couple_id))
        .filter(setbacks::happened_on.between(period.from, period.to))
        .order((setbacks::happened_on.asc(), setbacks::id.asc()))
        .select(SetbackRow::as_select())
        .load(conn)?;

    let (start, end) = (
        day_start(period.from, tz),
        day_start(period.to.succ_opt().unwrap_or(period.to), tz),
    );
    let comment_rows: Vec<(i32, i32, i32, String, NaiveDateTime)> = entry_comments::table
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
        .load(conn)?;
    let comment_exercises: Vec<i32> = comment_rows.iter().map(|c| c.2).collect();
    let comment_titles = exercise_titles(conn, &comment_exercises)?;
    let comments = comment_rows
        .into_iter()
        .filter(|c| !hidden.contains(&c.2))
        .map(|c| CommentItem {
            entry_id: c.0,
            partner_id: c.1,
            entry_title: comment_titles.get(&c.2).cloned().unwrap_or_default(),
            body: c.3,
            created_at: c.4,
        })
        .collect();

    let facts: Vec<EntryFact> = loaded.iter().map(|e| e.fact.clone()).collect();
    let current: Vec<EntryFact> = facts
        .iter()
        .filter(|f| period.contains(f.date))
        .cloned()
        .collect();
    let sessions_in_period = sessions
        .into_iter()
        .filter(|s| period.contains(local_day(s.starts_at, tz)))
        .collect();
    Ok(Loaded::Ready(Box::new(SessionReport {
        completion: report::completion(&partners, &assignment_infos, &current, period, now),
        ratings: report::ratings(&partners, &current, period),
        warnings: report::warning_signs(&partners, &warn_facts, period),
        couple,
        partners,
        counselor_tz: tz,
        period,
        previous,
        last_session,
        include_safety: req.include_safety,
        setbacks: setback_rows,
        flagged,
        comments,
        sessions: sessions_in_period,
    })))
}

/// Trust over `[from, to]` for one of this counselor's couples, for the couple page and
/// anywhere else a chart is drawn. Four queries.
pub fn couple_trust_chart(
    conn: &mut DbConnection,
    counselor_id: i32,
    couple_id: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<TrustChartData> {
    let couple = couple_db::find_for_counselor(conn, counselor_id, couple_id)?;
    let tz = counselor_tz(conn, counselor_id)?;
    let partners = partner_infos(&couple_db::partners_of(conn, couple.id)?);
    trust_chart_for(conn, couple.id, &partners, tz, from, to)
}

/// partner, occurrence date, submitted at, trust.
type TrustPoint = (i32, Option<NaiveDate>, Option<NaiveDateTime>, Option<i32>);

/// [`couple_trust_chart`] without the ownership check, for callers that already made it.
pub fn trust_chart_for(
    conn: &mut DbConnection,
    couple_id: i32,
    partners: &[PartnerInfo],
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<TrustChartData> {
    let span = Period { from, to };
    let points: Vec<TrustPoint> = entries::table
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(entries::trust_score.is_not_null())
        .filter(
            entries::occurrence_date
                .between(from, to)
                .or(entries::occurrence_date.is_null()),
        )
        .order(entries::id.asc())
        .select((
            entries::partner_id,
            entries::occurrence_date,
            entries::submitted_at,
            entries::trust_score,
        ))
        .load(conn)?;
    let setback_days: Vec<(NaiveDate, i32)> = setbacks::table
        .filter(setbacks::couple_id.eq(couple_id))
        .filter(setbacks::happened_on.between(from, to))
        .order(setbacks::happened_on.asc())
        .select((setbacks::happened_on, setbacks::severity))
        .load(conn)?;
    let session_times: Vec<NaiveDateTime> = therapy_sessions::table
        .filter(therapy_sessions::couple_id.eq(couple_id))
        .filter(therapy_sessions::status.eq(SessionStatus::Booked))
        .order(therapy_sessions::starts_at.asc())
        .select(therapy_sessions::starts_at)
        .load(conn)?;
    let series = partners
        .iter()
        .map(|p| {
            let mut mine: Vec<(NaiveDate, i32)> = points
                .iter()
                .filter(|r| r.0 == p.id)
                .filter_map(|r| {
                    let day = r.1.or_else(|| r.2.map(|t| local_day(t, p.tz)))?;
                    span.contains(day).then_some((day, r.3?))
                })
                .collect();
            mine.sort_by_key(|(d, _)| *d);
            (p.name.clone(), mine)
        })
        .collect();
    Ok(TrustChartData {
        from,
        to,
        partners: series,
        setbacks: setback_days,
        sessions: session_times
            .into_iter()
            .map(|t| local_day(t, tz))
            .filter(|d| span.contains(*d))
            .collect(),
    })
}

/// One couple's line in the practice summary: the dashboard's own figures and flags.
#[derive(Debug, Clone)]
pub struct PracticeRow {
    pub couple: CoupleRow,
    pub counselor_name: String,
    pub counselor_email: String,
    pub summary: dashboard::CoupleSummary,
}

/// Practice-summary figures for a batch of couples (ids ascending, after `after_id`, at most
/// `limit`), optionally only one counselor's: the dashboard's loader and figures
/// (`db::dashboard::load_for` + `domain::dashboard::summarize`), so the CSV says what the
/// dashboard says. A fixed number of queries per batch, whatever its size.
pub fn practice_batch(
    conn: &mut DbConnection,
    counselor: Option<i32>,
    after_id: i32,
    limit: i64,
    thresholds: &Thresholds,
    include_safety: bool,
    now: DateTime<Utc>,
) -> QueryResult<Vec<PracticeRow>> {
    let mut q = couples::table
        .inner_join(counselors::table)
        .filter(couples::id.gt(after_id))
        .order(couples::id.asc())
        .limit(limit)
        .select((
            CoupleRow::as_select(),
            counselors::display_name,
            counselors::email,
        ))
        .into_boxed();
    if let Some(c) = counselor {
        q = q.filter(couples::counselor_id.eq(c));
    }
    let batch: Vec<(CoupleRow, String, String)> = q.load(conn)?;
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let hidden = if include_safety {
        Vec::new()
    } else {
        safety_exercise_ids(conn)?
    };
    let couples_in = batch
        .iter()
        .map(|(c, _, _)| dashboard::CoupleIn {
            id: c.id,
            label: c.label.clone(),
            start_date: c.start_date,
            active: c.status == CoupleStatus::Active,
        })
        .collect();
    let mut loaded = dashboard_db::load_for(
        conn,
        couples_in,
        now,
        thresholds.severe_setback_min,
        &hidden,
    )?;
    if !hidden.is_empty() {
        // A partner's last entry, not counting the hidden exercises: the stored figure
        // would tell when the safety check was last written.
        let ids: Vec<i32> = batch.iter().map(|b| b.0.id).collect();
        let last: HashMap<i32, Option<NaiveDateTime>> = entries::table
            .filter(entries::couple_id.eq_any(&ids))
            .filter(entries::status.eq(EntryStatus::Submitted))
            .filter(diesel::dsl::not(entries::exercise_id.eq_any(&hidden)))
            .group_by(entries::partner_id)
            .select((entries::partner_id, diesel::dsl::max(entries::submitted_at)))
            .load::<(i32, Option<NaiveDateTime>)>(conn)?
            .into_iter()
            .collect();
        for p in &mut loaded.partners {
            p.last_entry_at = last.get(&p.id).copied().flatten();
        }
    }
    let mut by_id: HashMap<i32, dashboard::CoupleSummary> =
        dashboard::summarize(&loaded, thresholds, now)
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    Ok(batch
        .into_iter()
        .filter_map(|(couple, counselor_name, counselor_email)| {
            let summary = by_id.remove(&couple.id)?;
            Some(PracticeRow {
                couple,
                counselor_name,
                counselor_email,
                summary,
            })
        })
        .collect())
}
