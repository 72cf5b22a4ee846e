//! Assignments: an exercise given to one or both partners of a couple on a schedule.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{assignment_pauses, assignments};
use super::DbConnection;
use crate::domain::occurrence::{Cadence, Pause, Schedule, WeekdaySet};

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
    /// active, paused or ended.
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
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

    /// Is this partner slot ("a"/"b") asked to do it?
    pub fn is_for_slot(&self, slot: &str) -> bool {
        self.assignee == "both" || self.assignee == slot
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
