//! Promises (entries of the built-in promise tracker) with their due dates and ratings.
//! Every read names the couple; what a viewer may see of a rating is decided by
//! `domain::promise` and `domain::visibility`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{entries, entry_answers, exercise_prompts, exercises, promise_ratings};
use super::DbConnection;
use crate::domain::exercise::Visibility;
use crate::domain::promise::{NewRating, PromiseFacts, PromiseLine, PromiseOutcome, PROMISE_SLUG};
use crate::domain::status::EntryStatus;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = promise_ratings)]
pub struct RatingRow {
    pub id: i32,
    pub couple_id: i32,
    pub entry_id: i32,
    pub rater_id: i32,
    pub outcome: PromiseOutcome,
    pub note: String,
    pub note_visibility: Visibility,
    pub rated_at: NaiveDateTime,
}

/// One submitted promise of a couple, with its rating if given.
#[derive(Debug, Clone)]
pub struct PromiseRow {
    pub entry_id: i32,
    pub promiser_id: i32,
    pub text: String,
    pub due: Option<NaiveDate>,
    pub made_at: NaiveDateTime,
    pub visibility: Visibility,
    pub rating: Option<RatingRow>,
}

impl PromiseRow {
    pub fn facts(&self) -> PromiseFacts {
        PromiseFacts {
            promiser_id: self.promiser_id,
            due: self.due,
            submitted: true,
            shared: self.visibility == Visibility::CounselorAndPartner,
            rated: self.rating.is_some(),
        }
    }

    pub fn line(&self) -> PromiseLine {
        PromiseLine {
            made_on: self.made_at.date(),
            due: self.due,
            outcome: self.rating.as_ref().map(|r| r.outcome),
        }
    }
}

/// The couple's submitted promises, newest first, made on or after `since` (all if None).
pub fn for_couple(
    conn: &mut DbConnection,
    couple_id: i32,
    since: Option<NaiveDateTime>,
) -> QueryResult<Vec<PromiseRow>> {
    let mut q = entries::table
        .inner_join(exercises::table)
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(exercises::slug.eq(PROMISE_SLUG))
        .select((
            entries::id,
            entries::partner_id,
            entries::submitted_at,
            entries::created_at,
            entries::visibility,
        ))
        .order((entries::submitted_at.desc(), entries::id.desc()))
        .into_boxed();
    if let Some(since) = since {
        q = q.filter(entries::submitted_at.ge(since));
    }
    let rows: Vec<(i32, i32, Option<NaiveDateTime>, NaiveDateTime, Visibility)> = q.load(conn)?;
    complete(conn, rows)
}

/// One promise of the couple, if `entry_id` is one.
pub fn find_in_couple(
    conn: &mut DbConnection,
    couple_id: i32,
    entry_id: i32,
) -> QueryResult<Option<PromiseRow>> {
    let rows: Vec<(i32, i32, Option<NaiveDateTime>, NaiveDateTime, Visibility)> = entries::table
        .inner_join(exercises::table)
        .filter(entries::id.eq(entry_id))
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(exercises::slug.eq(PROMISE_SLUG))
        .select((
            entries::id,
            entries::partner_id,
            entries::submitted_at,
            entries::created_at,
            entries::visibility,
        ))
        .load(conn)?;
    Ok(complete(conn, rows)?.into_iter().next())
}

/// Add the promise text, due date and rating to each row (three queries).
fn complete(
    conn: &mut DbConnection,
    rows: Vec<(i32, i32, Option<NaiveDateTime>, NaiveDateTime, Visibility)>,
) -> QueryResult<Vec<PromiseRow>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let answers: Vec<(i32, String, String)> = entry_answers::table
        .inner_join(exercise_prompts::table)
        .filter(entry_answers::entry_id.eq_any(&ids))
        .select((
            entry_answers::entry_id,
            exercise_prompts::kind,
            entry_answers::value,
        ))
        .load(conn)?;
    let ratings: Vec<RatingRow> = promise_ratings::table
        .filter(promise_ratings::entry_id.eq_any(&ids))
        .select(RatingRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, promiser_id, submitted_at, created_at, visibility)| {
            let of = |kind: &str| {
                answers
                    .iter()
                    .find(|(e, k, _)| *e == id && k == kind)
                    .map(|(_, _, v)| v.clone())
            };
            PromiseRow {
                entry_id: id,
                promiser_id,
                text: of("short_text").unwrap_or_default(),
                due: of("date").and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok()),
                made_at: submitted_at.unwrap_or(created_at),
                visibility,
                rating: ratings.iter().find(|r| r.entry_id == id).cloned(),
            }
        })
        .collect())
}

/// Store a rating (the caller has checked `domain::promise::may_rate` in this transaction;
/// the unique index on `entry_id` refuses a second one).
pub fn insert_rating(
    conn: &mut DbConnection,
    couple_id: i32,
    entry_id: i32,
    rater_id: i32,
    r: &NewRating,
) -> QueryResult<usize> {
    diesel::insert_into(promise_ratings::table)
        .values((
            promise_ratings::couple_id.eq(couple_id),
            promise_ratings::entry_id.eq(entry_id),
            promise_ratings::rater_id.eq(rater_id),
            promise_ratings::outcome.eq(r.outcome),
            promise_ratings::note.eq(&r.note),
            promise_ratings::note_visibility.eq(r.note_visibility),
            promise_ratings::rated_at.eq(super::now()),
        ))
        .execute(conn)
}
