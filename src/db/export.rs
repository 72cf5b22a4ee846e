//! CSV exports, written row by row into any `csv::Writer` (an HTTP stream or a file).
//!
//! Rows are read in keyset-paginated batches (by id), so memory stays flat however large
//! the export. Text written by people goes through [`inert`] so a spreadsheet never runs
//! it; numbers and dates are written as they are. Timestamps are ISO 8601 with the offset
//! of the partner's (or, for sessions, the counselor's) time zone. The columns are
//! documented in the README under "CSV exports". These functions run on a blocking
//! thread; errors are `anyhow` (a stream that fails part-way can only be cut off).

use std::collections::{HashMap, HashSet};
use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use diesel::prelude::*;

use super::couples::CoupleRow;
use super::report::{self, local_day, PracticeRow, SessionReport};
use super::schema::{
    entries, entry_answers, exercise_prompts, exercises, setbacks, therapy_sessions,
};
use super::{assignments, couples as couple_db, DbConnection};
use crate::domain::attention::Thresholds;
use crate::domain::csv_cell::{inert, iso_in_zone};
use crate::domain::exercise::Visibility;
use crate::domain::occurrence;
use crate::domain::report::{self as rules, one_decimal, AssignmentInfo};
use crate::domain::status::EntryStatus;

/// Rows per keyset batch.
pub const BATCH: i64 = 1000;

/// Called with the number of rows written so far, after each batch.
pub type Progress<'a> = &'a mut dyn FnMut(u64);

fn iso(t: NaiveDateTime, tz: Tz) -> String {
    iso_in_zone(t.and_utc(), tz)
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// id, partner, exercise, occurrence date, visibility, flagged, submitted at.
type EntryKey = (
    i32,
    i32,
    i32,
    Option<NaiveDate>,
    String,
    bool,
    Option<NaiveDateTime>,
);

pub const COUPLE_HEADER: [&str; 14] = [
    "record_type",
    "record_id",
    "couple_id",
    "partner",
    "partner_slot",
    "source",
    "date",
    "timestamp",
    "status",
    "visibility",
    "flagged",
    "field",
    "field_kind",
    "value",
];

struct PromptInfo {
    position: i32,
    label: String,
    kind: String,
}

/// Every submitted entry of the couple with its answers (one row per answer), then its
/// setbacks (one row per field), then its sessions. Returns the number of rows written.
pub fn couple_csv<W: Write>(
    conn: &mut DbConnection,
    couple: &CoupleRow,
    counselor_tz: Tz,
    include_safety: bool,
    out: &mut csv::Writer<W>,
    progress: Progress<'_>,
) -> anyhow::Result<u64> {
    out.write_record(COUPLE_HEADER)?;
    let partners = couple_db::partners_of(conn, couple.id)?;
    let partner: HashMap<i32, (String, String, Tz)> = partners
        .iter()
        .map(|p| (p.id, (p.display_name.clone(), p.slot.to_string(), p.tz())))
        .collect();
    let hidden = if include_safety {
        Vec::new()
    } else {
        report::safety_exercise_ids(conn)?
    };
    let used = entries::table
        .filter(entries::couple_id.eq(couple.id))
        .select(entries::exercise_id)
        .distinct();
    let titles: HashMap<i32, String> = exercises::table
        .filter(exercises::id.eq_any(used))
        .select((exercises::id, exercises::title))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect();
    let used = entries::table
        .filter(entries::couple_id.eq(couple.id))
        .select(entries::exercise_id)
        .distinct();
    let prompts: HashMap<i32, PromptInfo> = exercise_prompts::table
        .filter(exercise_prompts::exercise_id.eq_any(used))
        .select((
            exercise_prompts::id,
            exercise_prompts::position,
            exercise_prompts::label,
            exercise_prompts::kind,
        ))
        .load::<(i32, i32, String, String)>(conn)?
        .into_iter()
        .map(|(id, position, label, kind)| {
            (
                id,
                PromptInfo {
                    position,
                    label,
                    kind,
                },
            )
        })
        .collect();
    let couple_id = couple.id.to_string();
    let unknown = (String::new(), String::new(), chrono_tz::UTC);
    let mut rows: u64 = 0;
    let mut after = 0;
    loop {
        let mut q = entries::table
            .filter(entries::couple_id.eq(couple.id))
            .filter(entries::id.gt(after))
            .filter(entries::status.eq(EntryStatus::Submitted))
            .order(entries::id.asc())
            .limit(BATCH)
            .select((
                entries::id,
                entries::partner_id,
                entries::exercise_id,
                entries::occurrence_date,
                entries::visibility,
                entries::flagged_for_session,
                entries::submitted_at,
            ))
            .into_boxed();
        if !hidden.is_empty() {
            q = q.filter(diesel::dsl::not(entries::exercise_id.eq_any(&hidden)));
        }
        let batch: Vec<EntryKey> = q.load(conn)?;
        let Some(last) = batch.last() else { break };
        after = last.0;
        let ids: Vec<i32> = batch.iter().map(|e| e.0).collect();
        let mut answers: Vec<(i32, i32, String)> = entry_answers::table
            .filter(entry_answers::entry_id.eq_any(&ids))
            .select((
                entry_answers::entry_id,
                entry_answers::prompt_id,
                entry_answers::value,
            ))
            .load(conn)?;
        answers.sort_by_key(|a| (a.0, prompts.get(&a.1).map_or(i32::MAX, |p| p.position), a.1));
        let mut next = 0;
        for e in &batch {
            let (name, slot, tz) = partner.get(&e.1).unwrap_or(&unknown);
            let id = e.0.to_string();
            let date =
                e.3.or_else(|| e.6.map(|t| local_day(t, *tz)))
                    .map(|d| d.to_string())
                    .unwrap_or_default();
            let at = e.6.map(|t| iso(t, *tz)).unwrap_or_default();
            let title = titles.get(&e.2).map_or("", String::as_str);
            let (name, title) = (inert(name), inert(title));
            while next < answers.len() && answers[next].0 < e.0 {
                next += 1;
            }
            while next < answers.len() && answers[next].0 == e.0 {
                let a = &answers[next];
                let (label, kind) = prompts
                    .get(&a.1)
                    .map_or(("", ""), |p| (p.label.as_str(), p.kind.as_str()));
                out.write_record([
                    "answer",
                    &id,
                    &couple_id,
                    &name,
                    slot,
                    &title,
                    &date,
                    &at,
                    EntryStatus::Submitted.as_str(),
                    &e.4,
                    yes_no(e.5),
                    &inert(label),
                    kind,
                    &inert(&a.2),
                ])?;
                rows += 1;
                next += 1;
            }
        }
        progress(rows);
    }

    let mut after = 0;
    loop {
        let batch: Vec<report::SetbackRow> = setbacks::table
            .filter(setbacks::couple_id.eq(couple.id))
            .filter(setbacks::id.gt(after))
            .order(setbacks::id.asc())
            .limit(BATCH)
            .select(report::SetbackRow::as_select())
            .load(conn)?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for s in &batch {
            let (name, slot, tz) = partner.get(&s.partner_id).unwrap_or(&unknown);
            let (id, date, at) = (
                s.id.to_string(),
                s.happened_on.to_string(),
                iso(s.created_at, *tz),
            );
            let severity = s.severity.to_string();
            let fields: [(&str, &str, &str); 7] = [
                ("what_happened", "long_text", &inert(&s.what_happened)),
                ("trigger", "long_text", &inert(&s.trigger_text)),
                ("reaction", "long_text", &inert(&s.reaction)),
                ("repair_attempted", "yes_no", yes_no(s.repair_attempted)),
                ("repair", "long_text", &inert(&s.repair_text)),
                ("severity", "scale", &severity),
                ("do_differently", "long_text", &inert(&s.do_differently)),
            ];
            for (field, kind, value) in fields {
                out.write_record([
                    "setback",
                    &id,
                    &couple_id,
                    &inert(name),
                    slot,
                    "Setback",
                    &date,
                    &at,
                    "",
                    &s.visibility,
                    yes_no(s.raise_in_session),
                    field,
                    kind,
                    value,
                ])?;
                rows += 1;
            }
        }
        progress(rows);
    }

    let sessions: Vec<(i32, NaiveDateTime, i32, String, String)> = therapy_sessions::table
        .filter(therapy_sessions::couple_id.eq(couple.id))
        .order(therapy_sessions::starts_at.asc())
        .select((
            therapy_sessions::id,
            therapy_sessions::starts_at,
            therapy_sessions::duration_minutes,
            therapy_sessions::status,
            therapy_sessions::note,
        ))
        .load(conn)?;
    for (id, starts_at, minutes, status, note) in &sessions {
        let (id, date, at) = (
            id.to_string(),
            local_day(*starts_at, counselor_tz).to_string(),
            iso(*starts_at, counselor_tz),
        );
        let minutes = minutes.to_string();
        for (field, kind, value) in [
            ("duration_minutes", "scale", minutes.as_str()),
            ("note", "long_text", &inert(note)),
        ] {
            out.write_record([
                "session",
                &id,
                &couple_id,
                "",
                "",
                "Session",
                &date,
                &at,
                status,
                Visibility::CounselorOnly.as_str(),
                "no",
                field,
                kind,
                value,
            ])?;
            rows += 1;
        }
    }
    progress(rows);
    out.flush().context("Failed to write the CSV")?;
    Ok(rows)
}

pub const COMPLETION_HEADER: [&str; 14] = [
    "couple_id",
    "couple",
    "assignment_id",
    "exercise",
    "cadence",
    "partner",
    "partner_slot",
    "iso_week",
    "week_start",
    "week_end",
    "owed",
    "made",
    "missed",
    "missed_dates",
];

/// One row per partner per assignment per ISO week, from each assignment's start to today
/// (or its end). Weeks in which nothing was owed are left out.
pub fn completion_csv<W: Write>(
    conn: &mut DbConnection,
    couple: &CoupleRow,
    include_safety: bool,
    now: DateTime<Utc>,
    out: &mut csv::Writer<W>,
    progress: Progress<'_>,
) -> anyhow::Result<u64> {
    out.write_record(COMPLETION_HEADER)?;
    let partners = report::partner_infos(&couple_db::partners_of(conn, couple.id)?);
    let hidden = if include_safety {
        Vec::new()
    } else {
        report::safety_exercise_ids(conn)?
    };
    let rows_a: Vec<_> = assignments::for_couple(conn, couple.id)?
        .into_iter()
        .filter(|a| !hidden.contains(&a.exercise_id))
        .collect();
    let ids: Vec<i32> = rows_a.iter().map(|a| a.id).collect();
    let pauses = assignments::pauses_for(conn, &ids)?;
    let exercise_ids: Vec<i32> = rows_a.iter().map(|a| a.exercise_id).collect();
    let titles: HashMap<i32, String> = exercises::table
        .filter(exercises::id.eq_any(&exercise_ids))
        .select((exercises::id, exercises::title))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect();
    let (couple_id, label) = (couple.id.to_string(), inert(&couple.label).into_owned());
    let mut rows = 0;
    for a in &rows_a {
        let info = AssignmentInfo {
            id: a.id,
            title: titles.get(&a.exercise_id).cloned().unwrap_or_default(),
            assignee: a.assignee.clone(),
            schedule: a.schedule(&pauses),
        };
        // One assignment's dates at a time: bounded by its own history.
        let made: Vec<(i32, Option<NaiveDate>)> = entries::table
            .filter(entries::assignment_id.eq(a.id))
            .filter(entries::status.eq(EntryStatus::Submitted))
            .select((entries::partner_id, entries::occurrence_date))
            .load(conn)?;
        for p in partners.iter().filter(|p| info.is_for(p)) {
            let dates: HashSet<NaiveDate> = made
                .iter()
                .filter(|m| m.0 == p.id)
                .filter_map(|m| m.1)
                .collect();
            let today = occurrence::local_date(now, p.tz);
            let to = a.end_date.map_or(today, |e| e.min(today));
            let (assignment_id, title) = (a.id.to_string(), inert(&info.title));
            let cadence = info.schedule.describe();
            for w in rules::completion_by_week(p, &info, &dates, a.start_date, to, now) {
                let missed: Vec<String> = w.missed.iter().map(NaiveDate::to_string).collect();
                out.write_record([
                    couple_id.as_str(),
                    &label,
                    &assignment_id,
                    &title,
                    &cadence,
                    &inert(&p.name),
                    &p.slot,
                    &w.week,
                    &w.week_start.to_string(),
                    &w.week_end.to_string(),
                    &w.owed.to_string(),
                    &w.made.to_string(),
                    &w.missed.len().to_string(),
                    &missed.join(";"),
                ])?;
                rows += 1;
            }
        }
        progress(rows);
    }
    out.flush().context("Failed to write the CSV")?;
    Ok(rows)
}

pub const PRACTICE_HEADER: [&str; 32] = [
    "couple_id",
    "couple",
    "status",
    "start_date",
    "counselor",
    "counselor_email",
    "partner_a",
    "partner_a_entries_made",
    "partner_a_entries_owed",
    "partner_a_overdue",
    "partner_a_days_since_last_entry",
    "partner_a_latest_trust",
    "partner_a_trust_change",
    "partner_b",
    "partner_b_entries_made",
    "partner_b_entries_owed",
    "partner_b_overdue",
    "partner_b_days_since_last_entry",
    "partner_b_latest_trust",
    "partner_b_trust_change",
    "last_session_at",
    "next_session_at",
    "latest_setback_on",
    "latest_setback_severity",
    "severe_setback_since_last_session",
    "flag_severe_setback",
    "flag_trust_drop",
    "flag_trust_gap",
    "flag_silence",
    "flag_overdue",
    "attention_score",
    "attention_reasons",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn practice_row<W: Write>(s: &PracticeRow, tz: Tz, out: &mut csv::Writer<W>) -> anyhow::Result<()> {
    use crate::domain::attention::Flag;
    let d = &s.summary;
    let mut cells: Vec<String> = vec![
        s.couple.id.to_string(),
        inert(&s.couple.label).into_owned(),
        s.couple.status.to_string(),
        s.couple.start_date.to_string(),
        inert(&s.counselor_name).into_owned(),
        inert(&s.counselor_email).into_owned(),
    ];
    for i in 0..2 {
        match d.partners.get(i) {
            Some(p) => cells.extend([
                inert(&p.name).into_owned(),
                p.completion.made.to_string(),
                p.completion.owed.to_string(),
                p.completion.overdue.to_string(),
                opt(p.days_since_last_entry),
                opt(p.latest_trust),
                opt(p.trust_change),
            ]),
            None => cells.extend(std::iter::repeat_n(String::new(), 7)),
        }
    }
    cells.push(opt(d.last_session.map(|t| iso(t, tz))));
    cells.push(opt(d.next_session.map(|t| iso(t, tz))));
    cells.push(opt(d.latest_setback.as_ref().map(|s| s.happened_on)));
    cells.push(opt(d.latest_setback.as_ref().map(|s| s.severity)));
    cells.push(opt(d.severe_since_last_session));
    for f in Flag::ALL {
        cells.push(yes_no(d.has_flag(f)).to_string());
    }
    cells.push(d.score.to_string());
    let reasons: Vec<&str> = d.flags.iter().map(|r| r.reason.as_str()).collect();
    cells.push(inert(&reasons.join(" ")).into_owned());
    out.write_record(&cells)?;
    Ok(())
}

/// One row per couple (all of the practice, or one counselor's caseload) with the
/// dashboard's figures and attention flags; batches of [`BATCH`] couples.
#[expect(clippy::too_many_arguments)]
pub fn practice_csv<W: Write>(
    conn: &mut DbConnection,
    counselor: Option<i32>,
    tz: Tz,
    thresholds: &Thresholds,
    include_safety: bool,
    now: DateTime<Utc>,
    out: &mut csv::Writer<W>,
    progress: Progress<'_>,
) -> anyhow::Result<u64> {
    out.write_record(PRACTICE_HEADER)?;
    let mut rows = 0;
    let mut after = 0;
    loop {
        let batch = report::practice_batch(
            conn,
            counselor,
            after,
            BATCH,
            thresholds,
            include_safety,
            now,
        )?;
        let Some(last) = batch.last() else { break };
        after = last.couple.id;
        for s in &batch {
            practice_row(s, tz, out)?;
            rows += 1;
        }
        progress(rows);
    }
    out.flush().context("Failed to write the CSV")?;
    Ok(rows)
}

pub const REPORT_HEADER: [&str; 8] = [
    "section",
    "partner",
    "item",
    "date",
    "value",
    "previous_value",
    "change",
    "detail",
];

/// The session-prep report as CSV: one row per figure, section by section.
pub fn report_csv<W: Write>(r: &SessionReport, out: &mut csv::Writer<W>) -> anyhow::Result<()> {
    out.write_record(REPORT_HEADER)?;
    let tz = r.counselor_tz;
    let row = |out: &mut csv::Writer<W>, cells: [&str; 8]| out.write_record(cells);
    row(
        out,
        [
            "period",
            "",
            "from",
            &r.period.from.to_string(),
            "",
            &r.previous.from.to_string(),
            "",
            "previous period in previous_value",
        ],
    )?;
    row(
        out,
        [
            "period",
            "",
            "to",
            &r.period.to.to_string(),
            "",
            &r.previous.to.to_string(),
            "",
            "",
        ],
    )?;
    if let Some(t) = r.last_session {
        row(
            out,
            [
                "period",
                "",
                "last_session",
                &local_day(t, tz).to_string(),
                &iso(t, tz),
                "",
                "",
                "",
            ],
        )?;
    }
    for c in &r.completion {
        let missed: Vec<String> = c.missed.iter().map(NaiveDate::to_string).collect();
        let name = inert(r.partner_name(c.partner_id));
        let title = inert(&c.title);
        row(
            out,
            [
                "completion",
                &name,
                &title,
                "",
                &c.made.to_string(),
                &c.owed.to_string(),
                "",
                &format!("missed {}: {}", c.missed.len(), missed.join(";")),
            ],
        )?;
    }
    for pr in &r.ratings {
        let name = inert(r.partner_name(pr.partner_id));
        for (item, s) in [("trust_average", &pr.trust), ("mood_average", &pr.mood)] {
            row(
                out,
                [
                    "ratings",
                    &name,
                    item,
                    "",
                    &opt(s.average.map(|v| format!("{v:.2}"))),
                    "",
                    "",
                    &format!(
                        "{} ratings, min {}, max {}",
                        s.count,
                        opt(s.min),
                        opt(s.max)
                    ),
                ],
            )?;
        }
        for (d, v) in &pr.trust_points {
            row(
                out,
                [
                    "trust",
                    &name,
                    "trust",
                    &d.to_string(),
                    &v.to_string(),
                    "",
                    "",
                    "",
                ],
            )?;
        }
    }
    for w in &r.warnings {
        let name = inert(r.partner_name(w.partner_id));
        row(
            out,
            [
                "warning_sign",
                &name,
                w.sign.metric(),
                "",
                &opt(w.current.average.map(|v| format!("{v:.2}"))),
                &opt(w.previous.average.map(|v| format!("{v:.2}"))),
                &opt(w.change().map(|v| format!("{v:.2}"))),
                &format!(
                    "{}: {} now, {} before ({} and {} ratings)",
                    w.sign.label(),
                    one_decimal(w.current.average),
                    one_decimal(w.previous.average),
                    w.current.count,
                    w.previous.count
                ),
            ],
        )?;
    }
    for s in &r.setbacks {
        let name = inert(r.partner_name(s.partner_id));
        row(
            out,
            [
                "setback",
                &name,
                &inert(&s.what_happened),
                &s.happened_on.to_string(),
                &s.severity.to_string(),
                "",
                "",
                &format!("repair attempted: {}", yes_no(s.repair_attempted)),
            ],
        )?;
    }
    for f in &r.flagged {
        let name = inert(r.partner_name(f.partner_id));
        for a in &f.answers {
            row(
                out,
                [
                    "flagged_entry",
                    &name,
                    &inert(&f.title),
                    &f.date.to_string(),
                    &inert(&a.value),
                    "",
                    "",
                    &inert(&a.label),
                ],
            )?;
        }
    }
    for c in &r.comments {
        let name = inert(r.partner_name(c.partner_id));
        row(
            out,
            [
                "comment",
                &name,
                &inert(&c.entry_title),
                &local_day(c.created_at, tz).to_string(),
                &inert(&c.body),
                "",
                "",
                &iso(c.created_at, tz),
            ],
        )?;
    }
    out.flush().context("Failed to write the CSV")?;
    Ok(())
}
