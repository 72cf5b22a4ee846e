//! Entries: a partner's answers to one occurrence of an exercise (or one co-journal post),
//! their earlier versions, the counselor's flag and comments, and the figures the
//! dashboard reads from `partners` (kept up to date here, on submit).
//!
//! Every lookup names the couple; what a viewer may read beyond that is decided by
//! `domain::visibility`.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::exercises::ExerciseRow;
use super::schema::{entries, entry_answers, entry_comments, entry_versions, exercises, partners};
use super::DbConnection;
use crate::domain::exercise::Visibility;
use crate::domain::status::EntryStatus;
use crate::domain::visibility::EntryFacts;
use crate::insert_returning_id;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = entries)]
pub struct EntryRow {
    pub id: i32,
    pub couple_id: i32,
    pub partner_id: i32,
    pub exercise_id: i32,
    pub assignment_id: Option<i32>,
    pub occurrence_date: Option<NaiveDate>,
    pub status: EntryStatus,
    pub visibility: Visibility,
    pub flagged_for_session: bool,
    pub trust_score: Option<i32>,
    pub mood_score: Option<i32>,
    pub version: i32,
    pub submitted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EntryRow {
    pub fn is_submitted(&self) -> bool {
        self.status == EntryStatus::Submitted
    }

    pub fn visibility(&self) -> Visibility {
        self.visibility
    }

    /// The facts the visibility rules need, with the entry's exercise.
    pub fn facts(&self, ex: &ExerciseRow) -> EntryFacts {
        EntryFacts {
            submitted: self.is_submitted(),
            visibility: self.visibility(),
            safety_check: ex.safety_check,
            shared_journal: ex.shared_journal,
            paired_reveal: ex.paired_reveal,
        }
    }

    /// The day the entry is about.
    pub fn day(&self) -> NaiveDate {
        self.occurrence_date
            .unwrap_or_else(|| self.submitted_at.unwrap_or(self.created_at).date())
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = entry_answers)]
pub struct AnswerRow {
    pub entry_id: i32,
    pub prompt_id: i32,
    pub value: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = entry_comments)]
pub struct CommentRow {
    pub id: i32,
    pub entry_id: i32,
    pub counselor_id: i32,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// An entry with its exercise.
pub type WithExercise = (EntryRow, ExerciseRow);

pub fn find_in_couple(
    conn: &mut DbConnection,
    couple_id: i32,
    id: i32,
) -> QueryResult<WithExercise> {
    entries::table
        .inner_join(exercises::table)
        .filter(entries::id.eq(id))
        .filter(entries::couple_id.eq(couple_id))
        .select((EntryRow::as_select(), ExerciseRow::as_select()))
        .first(conn)
}

/// The partner's entry for one occurrence of an assignment, if started.
pub fn for_occurrence(
    conn: &mut DbConnection,
    partner_id: i32,
    assignment_id: i32,
    date: NaiveDate,
) -> QueryResult<Option<EntryRow>> {
    entries::table
        .filter(entries::partner_id.eq(partner_id))
        .filter(entries::assignment_id.eq(assignment_id))
        .filter(entries::occurrence_date.eq(date))
        .order(entries::id.asc())
        .select(EntryRow::as_select())
        .first(conn)
        .optional()
}

/// (assignment, occurrence) pairs this partner has submitted.
pub fn submitted_pairs(
    conn: &mut DbConnection,
    partner_id: i32,
) -> QueryResult<HashSet<(i32, NaiveDate)>> {
    let rows: Vec<(Option<i32>, Option<NaiveDate>)> = entries::table
        .filter(entries::partner_id.eq(partner_id))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(entries::assignment_id.is_not_null())
        .select((entries::assignment_id, entries::occurrence_date))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, d)| Some((a?, d?)))
        .collect())
}

/// (assignment, occurrence) pairs this partner has a draft for.
pub fn draft_pairs(
    conn: &mut DbConnection,
    partner_id: i32,
) -> QueryResult<HashSet<(i32, NaiveDate)>> {
    let rows: Vec<(Option<i32>, Option<NaiveDate>)> = entries::table
        .filter(entries::partner_id.eq(partner_id))
        .filter(entries::status.eq(EntryStatus::Draft))
        .select((entries::assignment_id, entries::occurrence_date))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(a, d)| Some((a?, d?)))
        .collect())
}

pub fn answers(conn: &mut DbConnection, entry_id: i32) -> QueryResult<Vec<(i32, String)>> {
    entry_answers::table
        .filter(entry_answers::entry_id.eq(entry_id))
        .order(entry_answers::prompt_id.asc())
        .select((entry_answers::prompt_id, entry_answers::value))
        .load(conn)
}

pub fn answers_for(conn: &mut DbConnection, entry_ids: &[i32]) -> QueryResult<Vec<AnswerRow>> {
    entry_answers::table
        .filter(entry_answers::entry_id.eq_any(entry_ids))
        .order((
            entry_answers::entry_id.asc(),
            entry_answers::prompt_id.asc(),
        ))
        .select(AnswerRow::as_select())
        .load(conn)
}

/// A save of an entry form.
#[derive(Debug, Clone)]
pub struct SaveEntry {
    pub couple_id: i32,
    pub partner_id: i32,
    pub exercise_id: i32,
    pub assignment_id: Option<i32>,
    pub occurrence_date: NaiveDate,
    pub visibility: Visibility,
    pub submit: bool,
    pub answers: Vec<(i32, String)>,
    pub trust: Option<i32>,
    pub mood: Option<i32>,
    /// A private safety check: it does not count as the partner's latest activity (the
    /// dashboard, digest and practice CSV leave it out alike).
    pub safety_check: bool,
}

#[derive(serde::Serialize)]
struct StoredAnswer<'a> {
    prompt_id: i32,
    value: &'a str,
}

/// Create or update an entry with its answers, all in the caller's transaction. Changing a
/// submitted entry first keeps its current answers as an earlier version. A submitted
/// entry never goes back to being a draft.
pub fn save(
    conn: &mut DbConnection,
    existing: Option<&EntryRow>,
    s: &SaveEntry,
) -> QueryResult<i32> {
    let now = super::now();
    let submit = s.submit || existing.is_some_and(EntryRow::is_submitted);
    let status = if submit {
        EntryStatus::Submitted
    } else {
        EntryStatus::Draft
    };
    let id = match existing {
        None => insert_returning_id!(
            conn,
            entries,
            (
                entries::couple_id.eq(s.couple_id),
                entries::partner_id.eq(s.partner_id),
                entries::exercise_id.eq(s.exercise_id),
                entries::assignment_id.eq(s.assignment_id),
                entries::occurrence_date.eq(Some(s.occurrence_date)),
                entries::status.eq(status),
                entries::visibility.eq(s.visibility),
                entries::trust_score.eq(s.trust),
                entries::mood_score.eq(s.mood),
                entries::version.eq(1),
                entries::submitted_at.eq(submit.then_some(now)),
                entries::created_at.eq(now),
                entries::updated_at.eq(now),
            )
        )?,
        Some(e) => {
            let mut version = e.version;
            if e.is_submitted() {
                let old = answers(conn, e.id)?;
                let stored: Vec<StoredAnswer<'_>> = old
                    .iter()
                    .map(|(prompt_id, value)| StoredAnswer {
                        prompt_id: *prompt_id,
                        value,
                    })
                    .collect();
                let json = serde_json::to_string(&stored)
                    .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
                diesel::insert_into(entry_versions::table)
                    .values((
                        entry_versions::entry_id.eq(e.id),
                        entry_versions::version.eq(e.version),
                        entry_versions::answers_json.eq(json),
                        entry_versions::visibility.eq(e.visibility),
                        entry_versions::saved_at.eq(e.updated_at),
                    ))
                    .execute(conn)?;
                version += 1;
            }
            diesel::update(entries::table.find(e.id))
                .set((
                    entries::status.eq(status),
                    entries::visibility.eq(s.visibility),
                    entries::trust_score.eq(s.trust),
                    entries::mood_score.eq(s.mood),
                    entries::version.eq(version),
                    entries::submitted_at.eq(e.submitted_at.or(submit.then_some(now))),
                    entries::updated_at.eq(now),
                ))
                .execute(conn)?;
            diesel::delete(entry_answers::table.filter(entry_answers::entry_id.eq(e.id)))
                .execute(conn)?;
            e.id
        }
    };
    // One row at a time: batch inserts are not available through the multi-backend connection.
    for (prompt_id, value) in &s.answers {
        diesel::insert_into(entry_answers::table)
            .values((
                entry_answers::entry_id.eq(id),
                entry_answers::prompt_id.eq(*prompt_id),
                entry_answers::value.eq(value),
            ))
            .execute(conn)?;
    }
    if submit && !s.safety_check {
        let first_submission = existing.and_then(|e| e.submitted_at);
        note_submission(conn, s.partner_id, now, first_submission, s.trust)?;
    }
    Ok(id)
}

/// Keep the dashboard's figures on `partners` current. `earlier` is when an edited entry
/// was first submitted (its trust rating replaces, rather than follows, the latest one).
fn note_submission(
    conn: &mut DbConnection,
    partner_id: i32,
    now: NaiveDateTime,
    earlier: Option<NaiveDateTime>,
    trust: Option<i32>,
) -> QueryResult<()> {
    let target = partners::table.find(partner_id);
    match earlier {
        None => {
            diesel::update(target)
                .set((
                    partners::last_entry_at.eq(now),
                    partners::updated_at.eq(now),
                ))
                .execute(conn)?;
            if let Some(t) = trust {
                diesel::update(partners::table.find(partner_id))
                    .set((
                        partners::previous_trust.eq(partners::latest_trust),
                        partners::latest_trust.eq(t),
                        partners::latest_trust_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
        Some(first) => {
            if let Some(t) = trust {
                diesel::update(target.filter(partners::latest_trust_at.eq(first)))
                    .set(partners::latest_trust.eq(t))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// How many earlier versions an entry has kept.
pub fn version_count(conn: &mut DbConnection, entry_id: i32) -> QueryResult<i64> {
    entry_versions::table
        .filter(entry_versions::entry_id.eq(entry_id))
        .count()
        .get_result(conn)
}

/// A partner's own entries, drafts included, newest first.
pub fn own(conn: &mut DbConnection, partner_id: i32, limit: i64) -> QueryResult<Vec<WithExercise>> {
    entries::table
        .inner_join(exercises::table)
        .filter(entries::partner_id.eq(partner_id))
        .order((entries::updated_at.desc(), entries::id.desc()))
        .limit(limit)
        .select((EntryRow::as_select(), ExerciseRow::as_select()))
        .load(conn)
}

/// The other partner's submitted entries that may be shared with this one: shared
/// visibility, never the safety check, never the journal (shown on its own page). The
/// caller still applies the paired-reveal rule.
pub fn shared_by(
    conn: &mut DbConnection,
    couple_id: i32,
    author_id: i32,
    limit: i64,
) -> QueryResult<Vec<WithExercise>> {
    entries::table
        .inner_join(exercises::table)
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::partner_id.eq(author_id))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(entries::visibility.eq(Visibility::CounselorAndPartner))
        .filter(exercises::safety_check.eq(false))
        .filter(exercises::shared_journal.eq(false))
        .order((entries::submitted_at.desc(), entries::id.desc()))
        .limit(limit)
        .select((EntryRow::as_select(), ExerciseRow::as_select()))
        .load(conn)
}

/// The couple's co-journal, newest first.
pub fn journal(
    conn: &mut DbConnection,
    couple_id: i32,
    limit: i64,
) -> QueryResult<Vec<WithExercise>> {
    entries::table
        .inner_join(exercises::table)
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(exercises::shared_journal.eq(true))
        .filter(exercises::safety_check.eq(false))
        .order((entries::submitted_at.desc(), entries::id.desc()))
        .limit(limit)
        .select((EntryRow::as_select(), ExerciseRow::as_select()))
        .load(conn)
}

/// Filters for the counselor's timeline.
#[derive(Debug, Clone, Default)]
pub struct TimelineFilter {
    pub partner_id: Option<i32>,
    pub exercise_id: Option<i32>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub flagged_only: bool,
}

/// Submitted entries of a couple for the counselor, newest first (couple already scoped).
pub fn timeline(
    conn: &mut DbConnection,
    couple_id: i32,
    f: &TimelineFilter,
    limit: i64,
) -> QueryResult<Vec<WithExercise>> {
    let mut q = entries::table
        .inner_join(exercises::table)
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .order((
            entries::occurrence_date.desc(),
            entries::submitted_at.desc(),
        ))
        .limit(limit)
        .select((EntryRow::as_select(), ExerciseRow::as_select()))
        .into_boxed();
    if let Some(p) = f.partner_id {
        q = q.filter(entries::partner_id.eq(p));
    }
    if let Some(x) = f.exercise_id {
        q = q.filter(entries::exercise_id.eq(x));
    }
    if let Some(from) = f.from {
        q = q.filter(entries::occurrence_date.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(entries::occurrence_date.le(to));
    }
    if f.flagged_only {
        q = q.filter(entries::flagged_for_session.eq(true));
    }
    q.load(conn)
}

/// Exercises the couple has submitted entries for (timeline filter choices).
pub fn exercises_used(conn: &mut DbConnection, couple_id: i32) -> QueryResult<Vec<(i32, String)>> {
    entries::table
        .inner_join(exercises::table)
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .select((exercises::id, exercises::title))
        .distinct()
        .order(exercises::title.asc())
        .load(conn)
}

pub fn set_flag(conn: &mut DbConnection, entry_id: i32, flagged: bool) -> QueryResult<usize> {
    diesel::update(entries::table.find(entry_id))
        .set(entries::flagged_for_session.eq(flagged))
        .execute(conn)
}

pub fn add_comment(
    conn: &mut DbConnection,
    entry_id: i32,
    counselor_id: i32,
    body: &str,
) -> QueryResult<i32> {
    insert_returning_id!(
        conn,
        entry_comments,
        (
            entry_comments::entry_id.eq(entry_id),
            entry_comments::counselor_id.eq(counselor_id),
            entry_comments::body.eq(body),
            entry_comments::created_at.eq(super::now()),
        )
    )
}

pub fn comments_for(conn: &mut DbConnection, entry_ids: &[i32]) -> QueryResult<Vec<CommentRow>> {
    entry_comments::table
        .filter(entry_comments::entry_id.eq_any(entry_ids))
        .order(entry_comments::id.asc())
        .select(CommentRow::as_select())
        .load(conn)
}
