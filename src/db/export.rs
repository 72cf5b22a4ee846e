//! The queries behind the CSV exports (`crate::export` writes the CSV). Rows are read in
//! keyset-paginated batches (by id), so memory stays flat however large the export.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::report::SetbackRow;
use super::schema::{
    entries, entry_answers, exercise_prompts, exercises, setbacks, therapy_sessions,
};
use super::DbConnection;

/// A submitted entry as the couple export writes it.
#[derive(Debug, Clone, Queryable)]
pub struct ExportEntry {
    pub id: i32,
    pub partner_id: i32,
    pub exercise_id: i32,
    pub occurrence_date: Option<NaiveDate>,
    pub visibility: String,
    pub flagged: bool,
    pub submitted_at: Option<NaiveDateTime>,
}

/// A prompt of an exercise the couple has written entries for.
#[derive(Debug, Clone, Queryable)]
pub struct PromptInfo {
    pub id: i32,
    pub position: i32,
    pub label: String,
    pub kind: String,
}

/// One answer of an entry.
#[derive(Debug, Clone, Queryable)]
pub struct AnswerRow {
    pub entry_id: i32,
    pub prompt_id: i32,
    pub value: String,
}

/// A session as the couple export writes it.
#[derive(Debug, Clone, Queryable)]
pub struct ExportSession {
    pub id: i32,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub status: String,
    pub note: String,
}

/// Titles of the exercises the couple has written entries for.
pub fn titles_used_by_couple(
    conn: &mut DbConnection,
    couple_id: i32,
) -> QueryResult<HashMap<i32, String>> {
    let used = entries::table
        .filter(entries::couple_id.eq(couple_id))
        .select(entries::exercise_id)
        .distinct();
    Ok(exercises::table
        .filter(exercises::id.eq_any(used))
        .select((exercises::id, exercises::title))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}

/// Prompts of the exercises the couple has written entries for, by prompt id.
pub fn prompts_used_by_couple(
    conn: &mut DbConnection,
    couple_id: i32,
) -> QueryResult<HashMap<i32, PromptInfo>> {
    let used = entries::table
        .filter(entries::couple_id.eq(couple_id))
        .select(entries::exercise_id)
        .distinct();
    Ok(exercise_prompts::table
        .filter(exercise_prompts::exercise_id.eq_any(used))
        .select((
            exercise_prompts::id,
            exercise_prompts::position,
            exercise_prompts::label,
            exercise_prompts::kind,
        ))
        .load::<PromptInfo>(conn)?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// Titles of the given exercises.
pub fn exercise_titles(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<HashMap<i32, String>> {
    Ok(exercises::table
        .filter(exercises::id.eq_any(ids))
        .select((exercises::id, exercises::title))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect())
}

/// The couple's submitted entries with ids above `after`, ascending, at most `limit`,
/// leaving out the `hidden` exercises.
pub fn submitted_entry_batch(
    conn: &mut DbConnection,
    couple_id: i32,
    after: i32,
    limit: i64,
    hidden: &[i32],
) -> QueryResult<Vec<ExportEntry>> {
    let mut q = entries::table
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::id.gt(after))
        .filter(entries::status.eq("submitted"))
        .order(entries::id.asc())
        .limit(limit)
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
        q = q.filter(diesel::dsl::not(entries::exercise_id.eq_any(hidden)));
    }
    q.load(conn)
}

/// Every answer of the given entries (in no particular order).
pub fn answers_of(conn: &mut DbConnection, entry_ids: &[i32]) -> QueryResult<Vec<AnswerRow>> {
    entry_answers::table
        .filter(entry_answers::entry_id.eq_any(entry_ids))
        .select((
            entry_answers::entry_id,
            entry_answers::prompt_id,
            entry_answers::value,
        ))
        .load(conn)
}

/// The couple's setbacks with ids above `after`, ascending, at most `limit`.
pub fn setback_batch(
    conn: &mut DbConnection,
    couple_id: i32,
    after: i32,
    limit: i64,
) -> QueryResult<Vec<SetbackRow>> {
    setbacks::table
        .filter(setbacks::couple_id.eq(couple_id))
        .filter(setbacks::id.gt(after))
        .order(setbacks::id.asc())
        .limit(limit)
        .select(SetbackRow::as_select())
        .load(conn)
}

/// Every session of the couple, oldest first.
pub fn sessions_of(conn: &mut DbConnection, couple_id: i32) -> QueryResult<Vec<ExportSession>> {
    therapy_sessions::table
        .filter(therapy_sessions::couple_id.eq(couple_id))
        .order(therapy_sessions::starts_at.asc())
        .select((
            therapy_sessions::id,
            therapy_sessions::starts_at,
            therapy_sessions::duration_minutes,
            therapy_sessions::status,
            therapy_sessions::note,
        ))
        .load(conn)
}

/// (partner, occurrence date) of every submitted entry for one assignment.
pub fn made_for_assignment(
    conn: &mut DbConnection,
    assignment_id: i32,
) -> QueryResult<Vec<(i32, Option<NaiveDate>)>> {
    entries::table
        .filter(entries::assignment_id.eq(assignment_id))
        .filter(entries::status.eq("submitted"))
        .select((entries::partner_id, entries::occurrence_date))
        .load(conn)
}
