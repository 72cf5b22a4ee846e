//! Changing a running assignment: in place, or by ending it and continuing it as a new
//! row (see `domain::assignment_edit`), and the history of every change. Each function
//! runs inside the caller's write transaction, after the couple was checked to be the
//! counselor's.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::assignments::AssignmentRow;
use super::schema::{assignment_changes, assignment_pauses, assignments, entries};
use super::DbConnection;
use crate::domain::assignment_form::ValidAssignment;
use crate::domain::occurrence::Pause;
use crate::domain::status::AssignmentStatus;
use crate::insert_returning_id;

/// One change in an assignment's history.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assignment_changes)]
pub struct ChangeRow {
    pub id: i32,
    pub assignment_id: i32,
    pub counselor_id: i32,
    pub effective_from: NaiveDate,
    pub summary: String,
    pub created_at: NaiveDateTime,
}

/// Write the new settings over the assignment's row (nothing owed in the past differs).
pub fn update_in_place(conn: &mut DbConnection, id: i32, v: &ValidAssignment) -> QueryResult<()> {
    let (weekdays, interval_days, due_date) = v.cadence_columns();
    diesel::update(assignments::table.find(id))
        .set((
            assignments::assignee.eq(v.assignee.as_str()),
            assignments::cadence.eq(v.cadence.code()),
            assignments::weekdays.eq(weekdays),
            assignments::interval_days.eq(interval_days),
            assignments::start_date.eq(v.start_date),
            assignments::end_date.eq(v.end_date),
            assignments::due_date.eq(due_date),
            assignments::note.eq(&v.note),
            assignments::reminders.eq(v.reminders),
            assignments::updated_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// End `old` the day before `effective` and continue it as a new row with `v` (whose
/// start is the continuation's first day). A paused assignment stays paused. Entries
/// already written for dates from `effective` on move with it. Returns the new row's id.
pub fn continue_as(
    conn: &mut DbConnection,
    old: &AssignmentRow,
    v: &ValidAssignment,
    effective: NaiveDate,
) -> QueryResult<i32> {
    let last = effective.pred_opt().unwrap_or(effective);
    let now = super::now();
    diesel::update(
        assignment_pauses::table
            .filter(assignment_pauses::assignment_id.eq(old.id))
            .filter(assignment_pauses::end_date.is_null()),
    )
    .set(assignment_pauses::end_date.eq(last))
    .execute(conn)?;
    diesel::update(assignments::table.find(old.id))
        .set((
            assignments::end_date.eq(last),
            assignments::status.eq(AssignmentStatus::Ended),
            assignments::updated_at.eq(now),
        ))
        .execute(conn)?;
    let (weekdays, interval_days, due_date) = v.cadence_columns();
    let id = insert_returning_id!(
        conn,
        assignments,
        (
            assignments::couple_id.eq(old.couple_id),
            assignments::exercise_id.eq(old.exercise_id),
            assignments::assignee.eq(v.assignee.as_str()),
            assignments::cadence.eq(v.cadence.code()),
            assignments::weekdays.eq(weekdays),
            assignments::interval_days.eq(interval_days),
            assignments::start_date.eq(v.start_date),
            assignments::end_date.eq(v.end_date),
            assignments::due_date.eq(due_date),
            assignments::note.eq(&v.note),
            assignments::reminders.eq(v.reminders),
            assignments::status.eq(old.status),
            assignments::created_at.eq(now),
            assignments::updated_at.eq(now),
            assignments::replaces_id.eq(Some(old.id)),
        )
    )?;
    if old.status == AssignmentStatus::Paused {
        add_pause(
            conn,
            id,
            &Pause {
                start: effective,
                end: None,
            },
        )?;
    }
    diesel::update(
        entries::table
            .filter(entries::assignment_id.eq(old.id))
            .filter(entries::occurrence_date.ge(effective)),
    )
    .set(entries::assignment_id.eq(id))
    .execute(conn)?;
    Ok(id)
}

/// A stretch with nothing owed (a back-dated start that owes from today).
pub fn add_pause(conn: &mut DbConnection, assignment_id: i32, p: &Pause) -> QueryResult<()> {
    diesel::insert_into(assignment_pauses::table)
        .values((
            assignment_pauses::assignment_id.eq(assignment_id),
            assignment_pauses::start_date.eq(p.start),
            assignment_pauses::end_date.eq(p.end),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Keep a change in the assignment's history.
pub fn record(
    conn: &mut DbConnection,
    assignment_id: i32,
    counselor_id: i32,
    effective_from: NaiveDate,
    summary: &str,
) -> QueryResult<()> {
    diesel::insert_into(assignment_changes::table)
        .values((
            assignment_changes::assignment_id.eq(assignment_id),
            assignment_changes::counselor_id.eq(counselor_id),
            assignment_changes::effective_from.eq(effective_from),
            assignment_changes::summary.eq(summary),
            assignment_changes::created_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The changes of these assignments, oldest first.
pub fn for_assignments(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<ChangeRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    assignment_changes::table
        .filter(assignment_changes::assignment_id.eq_any(ids))
        .order(assignment_changes::id.asc())
        .select(ChangeRow::as_select())
        .load(conn)
}
