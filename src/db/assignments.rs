//! Assignments: an exercise given to one or both partners of a couple on a schedule.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{assignment_pauses, assignments, exercises};
use super::DbConnection;
use crate::domain::assignment_form::ValidAssignment;
use crate::domain::couple::Slot;
use crate::domain::occurrence::{Cadence, Pause, Schedule, WeekdaySet};
use crate::domain::status::AssignmentStatus;
use crate::insert_returning_id;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assignments)]
pub struct AssignmentRow {
    pub id: i32,
    pub couple_id: i32,
    pub exercise_id: i32,
    /// "both", "a" or "b" (partner slot).
    pub assignee: String,
    /// Cadence code: once, daily, weekdays, weekly, every_n.
    pub cadence: String,
    pub weekdays: i32,
    pub interval_days: i32,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub note: String,
    pub reminders: bool,
    pub status: AssignmentStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The discreet title of a safety check ("" = the default).
    pub partner_title: String,
    /// The assignment this one continues after a change to its schedule or partner.
    pub replaces_id: Option<i32>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assignment_pauses)]
pub struct PauseRow {
    pub id: i32,
    pub assignment_id: i32,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

impl AssignmentRow {
    pub fn cadence(&self) -> Cadence {
        match self.cadence.as_str() {
            "once" => Cadence::Once {
                due: self.due_date.unwrap_or(self.start_date),
            },
            "weekdays" => Cadence::Weekdays(WeekdaySet(self.weekdays.clamp(0, 127) as u8)),
            "weekly" => Cadence::Weekly,
            "every_n" => Cadence::EveryNDays(self.interval_days.max(0) as u32),
            _ => Cadence::Daily,
        }
    }

    /// The schedule with its pauses. An ended assignment owes nothing after its end.
    pub fn schedule(&self, pauses: &[PauseRow]) -> Schedule {
        Schedule {
            cadence: self.cadence(),
            start: self.start_date,
            end: self.end_date,
            pauses: pauses
                .iter()
                .filter(|p| p.assignment_id == self.id)
                .map(|p| Pause {
                    start: p.start_date,
                    end: p.end_date,
                })
                .collect(),
        }
    }

    /// Is this partner slot asked to do it?
    pub fn is_for_slot(&self, slot: &Slot) -> bool {
        self.assignee == "both" || self.assignee == slot.as_str()
    }
}

/// Assignments of one couple (all statuses), oldest first.
pub fn for_couple(conn: &mut DbConnection, couple_id: i32) -> QueryResult<Vec<AssignmentRow>> {
    assignments::table
        .filter(assignments::couple_id.eq(couple_id))
        .order(assignments::id.asc())
        .select(AssignmentRow::as_select())
        .load(conn)
}

/// Assignments of many couples at once (dashboard: one query, not one per couple).
pub fn for_couples(conn: &mut DbConnection, couple_ids: &[i32]) -> QueryResult<Vec<AssignmentRow>> {
    assignments::table
        .filter(assignments::couple_id.eq_any(couple_ids))
        .order(assignments::id.asc())
        .select(AssignmentRow::as_select())
        .load(conn)
}

/// Pauses of the given assignments.
pub fn pauses_for(conn: &mut DbConnection, assignment_ids: &[i32]) -> QueryResult<Vec<PauseRow>> {
    assignment_pauses::table
        .filter(assignment_pauses::assignment_id.eq_any(assignment_ids))
        .select(PauseRow::as_select())
        .load(conn)
}

/// One assignment, only if it belongs to this couple.
pub fn find_in_couple(
    conn: &mut DbConnection,
    couple_id: i32,
    id: i32,
) -> QueryResult<AssignmentRow> {
    assignments::table
        .find(id)
        .filter(assignments::couple_id.eq(couple_id))
        .select(AssignmentRow::as_select())
        .first(conn)
}

/// Create an assignment; returns its id. Call inside a write transaction.
pub fn create(conn: &mut DbConnection, couple_id: i32, v: &ValidAssignment) -> QueryResult<i32> {
    let now = super::now();
    let (weekdays, interval_days, due_date) = v.cadence_columns();
    insert_returning_id!(
        conn,
        assignments,
        (
            assignments::couple_id.eq(couple_id),
            assignments::exercise_id.eq(v.exercise_id),
            assignments::assignee.eq(v.assignee.as_str()),
            assignments::cadence.eq(v.cadence.code()),
            assignments::weekdays.eq(weekdays),
            assignments::interval_days.eq(interval_days),
            assignments::start_date.eq(v.start_date),
            assignments::end_date.eq(v.end_date),
            assignments::due_date.eq(due_date),
            assignments::note.eq(&v.note),
            assignments::reminders.eq(v.reminders),
            assignments::status.eq(AssignmentStatus::Active),
            assignments::created_at.eq(now),
            assignments::updated_at.eq(now),
            assignments::partner_title.eq(&v.partner_title),
        )
    )
}

/// What a status change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    Done,
    /// The assignment was not in a state that allows this (e.g. resuming an active one).
    NotApplicable,
}

/// Pause from `today` on: nothing is owed until it is resumed.
pub fn pause(conn: &mut DbConnection, a: &AssignmentRow, today: NaiveDate) -> QueryResult<Changed> {
    if a.status != AssignmentStatus::Active {
        return Ok(Changed::NotApplicable);
    }
    diesel::insert_into(assignment_pauses::table)
        .values((
            assignment_pauses::assignment_id.eq(a.id),
            assignment_pauses::start_date.eq(today),
        ))
        .execute(conn)?;
    set_status(conn, a.id, AssignmentStatus::Paused)
}

/// Resume: the open pause ends yesterday, so today is owed again.
pub fn resume(
    conn: &mut DbConnection,
    a: &AssignmentRow,
    today: NaiveDate,
) -> QueryResult<Changed> {
    if a.status != AssignmentStatus::Paused {
        return Ok(Changed::NotApplicable);
    }
    let yesterday = today.pred_opt().unwrap_or(today);
    diesel::update(
        assignment_pauses::table
            .filter(assignment_pauses::assignment_id.eq(a.id))
            .filter(assignment_pauses::end_date.is_null()),
    )
    .set(assignment_pauses::end_date.eq(yesterday))
    .execute(conn)?;
    set_status(conn, a.id, AssignmentStatus::Active)
}

/// End: nothing is owed after today. Open pauses are closed too.
pub fn end(conn: &mut DbConnection, a: &AssignmentRow, today: NaiveDate) -> QueryResult<Changed> {
    if a.status == AssignmentStatus::Ended {
        return Ok(Changed::NotApplicable);
    }
    let end = a.end_date.map_or(today, |e| e.min(today));
    diesel::update(
        assignment_pauses::table
            .filter(assignment_pauses::assignment_id.eq(a.id))
            .filter(assignment_pauses::end_date.is_null()),
    )
    .set(assignment_pauses::end_date.eq(end))
    .execute(conn)?;
    diesel::update(assignments::table.find(a.id))
        .set(assignments::end_date.eq(end))
        .execute(conn)?;
    set_status(conn, a.id, AssignmentStatus::Ended)
}

fn set_status(conn: &mut DbConnection, id: i32, status: AssignmentStatus) -> QueryResult<Changed> {
    diesel::update(assignments::table.find(id))
        .set((
            assignments::status.eq(status),
            assignments::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(Changed::Done)
}

/// Titles of the given exercises, for listing assignments.
pub fn exercise_titles(
    conn: &mut DbConnection,
    exercise_ids: &[i32],
) -> QueryResult<Vec<(i32, String, bool)>> {
    exercises::table
        .filter(exercises::id.eq_any(exercise_ids))
        .select((exercises::id, exercises::title, exercises::safety_check))
        .load(conn)
}
