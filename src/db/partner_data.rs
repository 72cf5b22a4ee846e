//! What a partner may take away: their own entries (never the private safety check, which
//! is the counselor's alone), their setback notes, the counselor's comments they were shown,
//! and the ratings of their promises. Scoped by the partner and their couple.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{entries, entry_answers, entry_comments, exercise_prompts, exercises};
use super::DbConnection;
use crate::domain::exercise::Visibility;
use crate::domain::status::EntryStatus;

/// One answer of one of the partner's own entries.
#[derive(Debug, Clone, Queryable)]
pub struct OwnAnswer {
    pub entry_id: i32,
    pub title: String,
    pub journal: bool,
    pub occurrence_date: Option<NaiveDate>,
    pub status: EntryStatus,
    pub visibility: Visibility,
    pub submitted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub label: String,
    pub kind: String,
    pub value: String,
}

/// Every answer of the partner's own entries, oldest entry first (safety check left out).
pub fn own_answers(
    conn: &mut DbConnection,
    couple_id: i32,
    partner_id: i32,
) -> QueryResult<Vec<OwnAnswer>> {
    entry_answers::table
        .inner_join(entries::table.inner_join(exercises::table))
        .inner_join(exercise_prompts::table)
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::partner_id.eq(partner_id))
        .filter(exercises::safety_check.eq(false))
        .order((entries::id.asc(), exercise_prompts::position.asc()))
        .select((
            entries::id,
            exercises::title,
            exercises::shared_journal,
            entries::occurrence_date,
            entries::status,
            entries::visibility,
            entries::submitted_at,
            entries::created_at,
            exercise_prompts::label,
            exercise_prompts::kind,
            entry_answers::value,
        ))
        .load(conn)
}

/// The counselor's comments on the partner's own entries (shown to them on each entry),
/// never on the safety check: (entry id, comment, written at).
pub fn own_comments(
    conn: &mut DbConnection,
    couple_id: i32,
    partner_id: i32,
) -> QueryResult<Vec<(i32, String, NaiveDateTime)>> {
    entry_comments::table
        .inner_join(entries::table.inner_join(exercises::table))
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::partner_id.eq(partner_id))
        .filter(exercises::safety_check.eq(false))
        .order(entry_comments::id.asc())
        .select((
            entry_comments::entry_id,
            entry_comments::body,
            entry_comments::created_at,
        ))
        .load(conn)
}

/// A submitted trust rating with what the visibility rules need.
#[derive(Debug, Clone, Queryable)]
pub struct TrustPoint {
    pub entry_id: i32,
    pub assignment_id: Option<i32>,
    pub day: Option<NaiveDate>,
    pub visibility: Visibility,
    pub trust: Option<i32>,
    pub paired_reveal: bool,
    pub shared_journal: bool,
}

/// A partner's submitted trust ratings on or after `from` (never the safety check).
pub fn trust_points(
    conn: &mut DbConnection,
    couple_id: i32,
    partner_id: i32,
    from: NaiveDate,
) -> QueryResult<Vec<TrustPoint>> {
    entries::table
        .inner_join(exercises::table)
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::partner_id.eq(partner_id))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(entries::trust_score.is_not_null())
        .filter(entries::occurrence_date.ge(from))
        .filter(exercises::safety_check.eq(false))
        .order(entries::occurrence_date.asc())
        .select((
            entries::id,
            entries::assignment_id,
            entries::occurrence_date,
            entries::visibility,
            entries::trust_score,
            exercises::paired_reveal,
            exercises::shared_journal,
        ))
        .load(conn)
}
