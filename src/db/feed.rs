//! The reads behind a partner's "what changed" feed: five small queries, each scoped to the
//! partner's couple and a recent window, never touching the private safety check. The
//! visibility rules themselves are applied by `domain::feed`.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{entries, entry_comments, exercises, promise_ratings, setbacks};
use super::DbConnection;
use crate::domain::exercise::Visibility;
use crate::domain::feed::{self, FeedItem, OtherEntry};
use crate::domain::status::EntryStatus;
use crate::domain::visibility::EntryFacts;

type EntryLine = (
    i32,
    Option<i32>,
    Option<NaiveDate>,
    Visibility,
    Option<NaiveDateTime>,
    String,
    bool,
    bool,
);

/// The reader's own entry for an occurrence: (id, assignment, day, submitted at).
type MineLine = (i32, Option<i32>, Option<NaiveDate>, Option<NaiveDateTime>);

/// Everything that changed for `reader_id` since `since`, before arranging.
pub fn candidates(
    conn: &mut DbConnection,
    couple_id: i32,
    reader_id: i32,
    other_id: i32,
    since: NaiveDateTime,
) -> QueryResult<Vec<FeedItem>> {
    let mut items = Vec::new();

    // The other partner's submitted entries (never the safety check).
    let theirs: Vec<EntryLine> = entries::table
        .inner_join(exercises::table)
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::partner_id.eq(other_id))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(entries::submitted_at.ge(since))
        .filter(exercises::safety_check.eq(false))
        .select((
            entries::id,
            entries::assignment_id,
            entries::occurrence_date,
            entries::visibility,
            entries::submitted_at,
            exercises::title,
            exercises::shared_journal,
            exercises::paired_reveal,
        ))
        .load(conn)?;
    // The reader's own submitted entries for the same occurrences (paired reveal).
    let assignment_ids: Vec<i32> = theirs.iter().filter_map(|e| e.1).collect();
    let mine: Vec<MineLine> = if assignment_ids.is_empty() {
        Vec::new()
    } else {
        entries::table
            .filter(entries::partner_id.eq(reader_id))
            .filter(entries::status.eq(EntryStatus::Submitted))
            .filter(entries::assignment_id.eq_any(&assignment_ids))
            .select((
                entries::id,
                entries::assignment_id,
                entries::occurrence_date,
                entries::submitted_at,
            ))
            .load(conn)?
    };
    let pairs: HashMap<(i32, NaiveDate), (i32, Option<NaiveDateTime>)> = mine
        .into_iter()
        .filter_map(|(id, a, d, at)| Some(((a?, d?), (id, at))))
        .collect();
    for (id, a, d, visibility, submitted_at, title, journal, paired) in theirs {
        let reader_pair = match (a, d) {
            (Some(a), Some(d)) => pairs.get(&(a, d)).copied(),
            _ => None,
        };
        items.extend(feed::from_other_entry(&OtherEntry {
            id,
            title,
            facts: EntryFacts {
                submitted: true,
                visibility,
                safety_check: false,
                shared_journal: journal,
                paired_reveal: paired,
            },
            submitted_at,
            reader_pair,
        }));
    }

    // The counselor's notes on the reader's own entries.
    let comments: Vec<(i32, String, bool, NaiveDateTime)> = entry_comments::table
        .inner_join(entries::table.inner_join(exercises::table))
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::partner_id.eq(reader_id))
        .filter(entry_comments::created_at.ge(since))
        .filter(exercises::safety_check.eq(false))
        .select((
            entries::id,
            exercises::title,
            exercises::safety_check,
            entry_comments::created_at,
        ))
        .load(conn)?;
    items.extend(
        comments
            .iter()
            .filter_map(|(id, title, safety, at)| feed::from_comment(*id, title, *safety, *at)),
    );

    // Ratings of the reader's promises.
    let ratings: Vec<(i32, NaiveDateTime)> = promise_ratings::table
        .inner_join(entries::table)
        .filter(promise_ratings::couple_id.eq(couple_id))
        .filter(entries::partner_id.eq(reader_id))
        .filter(promise_ratings::rater_id.eq(other_id))
        .filter(promise_ratings::rated_at.ge(since))
        .select((promise_ratings::entry_id, promise_ratings::rated_at))
        .load(conn)?;
    items.extend(ratings.into_iter().map(|(id, at)| FeedItem {
        kind: feed::FeedKind::PromiseRated,
        at,
        target_id: id,
    }));

    // The other partner's setback notes (only shared ones pass).
    let notes: Vec<(i32, Visibility, NaiveDateTime)> = setbacks::table
        .filter(setbacks::couple_id.eq(couple_id))
        .filter(setbacks::partner_id.eq(other_id))
        .filter(setbacks::created_at.ge(since))
        .select((setbacks::id, setbacks::visibility, setbacks::created_at))
        .load(conn)?;
    items.extend(
        notes
            .into_iter()
            .filter_map(|(id, v, at)| feed::from_setback(id, v, at)),
    );
    Ok(items)
}
