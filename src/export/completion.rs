//! Weekly completion of one couple: one row per partner per assignment per ISO week.

use std::collections::HashSet;
use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};

use super::{Progress, Source};
use crate::db::assignments::{self, AssignmentRow};
use crate::db::couples::CoupleRow;
use crate::db::report::{hidden_exercises, partner_infos};
use crate::db::{couples as couple_db, export as q};
use crate::domain::csv_cell::inert;
use crate::domain::occurrence;
use crate::domain::report::{completion_by_week, AssignmentInfo, PartnerInfo};

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
pub fn completion_csv<S: Source, W: Write>(
    src: &mut S,
    couple: &CoupleRow,
    include_safety: bool,
    now: DateTime<Utc>,
    out: &mut csv::Writer<W>,
    progress: Progress<'_>,
) -> anyhow::Result<u64> {
    out.write_record(COMPLETION_HEADER)?;
    let (partners, rows_a, pauses, titles) = src.read(|conn| {
        let partners = partner_infos(&couple_db::partners_of(conn, couple.id)?);
        let hidden = hidden_exercises(conn, include_safety)?;
        let rows_a: Vec<AssignmentRow> = assignments::for_couple(conn, couple.id)?
            .into_iter()
            .filter(|a| !hidden.contains(&a.exercise_id))
            .collect();
        let ids: Vec<i32> = rows_a.iter().map(|a| a.id).collect();
        let pauses = assignments::pauses_for(conn, &ids)?;
        let exercise_ids: Vec<i32> = rows_a.iter().map(|a| a.exercise_id).collect();
        let titles = q::exercise_titles(conn, &exercise_ids)?;
        Ok((partners, rows_a, pauses, titles))
    })?;
    let couple_cells = [couple.id.to_string(), inert(&couple.label).into_owned()];
    let mut rows = 0;
    for a in &rows_a {
        let info = AssignmentInfo {
            id: a.id,
            title: titles.get(&a.exercise_id).cloned().unwrap_or_default(),
            assignee: a.assignee.clone(),
            schedule: a.schedule(&pauses),
        };
        // One assignment's dates at a time: bounded by its own history.
        let made = src.read(|conn| Ok(q::made_for_assignment(conn, a.id)?))?;
        for p in partners.iter().filter(|p| info.is_for(p)) {
            let dates: HashSet<NaiveDate> = made
                .iter()
                .filter(|m| m.0 == p.id)
                .filter_map(|m| m.1)
                .collect();
            let today = occurrence::local_date(now, p.tz);
            let to = a.end_date.map_or(today, |e| e.min(today));
            rows += write_weeks(&couple_cells, a, &info, p, &dates, to, now, out)?;
        }
        progress(rows);
    }
    out.flush().context("Failed to write the CSV")?;
    Ok(rows)
}

/// One partner's weeks of one assignment, from its start to `to`.
#[expect(clippy::too_many_arguments)]
fn write_weeks<W: Write>(
    couple_cells: &[String; 2],
    a: &AssignmentRow,
    info: &AssignmentInfo,
    p: &PartnerInfo,
    dates: &HashSet<NaiveDate>,
    to: NaiveDate,
    now: DateTime<Utc>,
    out: &mut csv::Writer<W>,
) -> anyhow::Result<u64> {
    let (assignment_id, title) = (a.id.to_string(), inert(&info.title));
    let cadence = info.schedule.describe();
    let mut rows = 0;
    for w in completion_by_week(p, info, dates, a.start_date, to, now) {
        let missed: Vec<String> = w.missed.iter().map(NaiveDate::to_string).collect();
        out.write_record([
            couple_cells[0].as_str(),
            &couple_cells[1],
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
    Ok(rows)
}
