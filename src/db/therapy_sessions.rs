//! Therapy sessions booked for a couple. Times are stored in UTC; forms and pages show them
//! in the counselor's time zone.

use chrono::NaiveDateTime;
use diesel::dsl::{self, max, min};
use diesel::prelude::*;

use super::schema::therapy_sessions;
use super::DbConnection;
use crate::domain::session_form::ValidSession;
use crate::domain::status::SessionStatus;
use crate::insert_returning_id;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = therapy_sessions)]
pub struct SessionRow {
    pub id: i32,
    pub couple_id: i32,
    pub counselor_id: i32,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub status: SessionStatus,
    pub note: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SessionRow {
    pub fn is_booked(&self) -> bool {
        self.status == SessionStatus::Booked
    }
}

pub fn create(
    conn: &mut DbConnection,
    couple_id: i32,
    counselor_id: i32,
    v: &ValidSession,
) -> QueryResult<i32> {
    let now = super::now();
    insert_returning_id!(
        conn,
        therapy_sessions,
        (
            therapy_sessions::couple_id.eq(couple_id),
            therapy_sessions::counselor_id.eq(counselor_id),
            therapy_sessions::starts_at.eq(v.starts_at),
            therapy_sessions::duration_minutes.eq(v.duration_minutes),
            therapy_sessions::status.eq(SessionStatus::Booked),
            therapy_sessions::note.eq(&v.note),
            therapy_sessions::created_at.eq(now),
            therapy_sessions::updated_at.eq(now),
        )
    )
}

/// Move a session (new time, length or note).
pub fn update(conn: &mut DbConnection, id: i32, v: &ValidSession) -> QueryResult<usize> {
    diesel::update(therapy_sessions::table.find(id))
        .set((
            therapy_sessions::starts_at.eq(v.starts_at),
            therapy_sessions::duration_minutes.eq(v.duration_minutes),
            therapy_sessions::note.eq(&v.note),
            therapy_sessions::updated_at.eq(super::now()),
        ))
        .execute(conn)
}

pub fn cancel(conn: &mut DbConnection, id: i32) -> QueryResult<usize> {
    diesel::update(therapy_sessions::table.find(id))
        .set((
            therapy_sessions::status.eq(SessionStatus::Cancelled),
            therapy_sessions::updated_at.eq(super::now()),
        ))
        .execute(conn)
}

/// One session, only if it belongs to this couple.
pub fn find_in_couple(conn: &mut DbConnection, couple_id: i32, id: i32) -> QueryResult<SessionRow> {
    therapy_sessions::table
        .find(id)
        .filter(therapy_sessions::couple_id.eq(couple_id))
        .select(SessionRow::as_select())
        .first(conn)
}

/// The couple's sessions, latest first, at most `limit`.
pub fn for_couple(
    conn: &mut DbConnection,
    couple_id: i32,
    limit: i64,
) -> QueryResult<Vec<SessionRow>> {
    therapy_sessions::table
        .filter(therapy_sessions::couple_id.eq(couple_id))
        .order(therapy_sessions::starts_at.desc())
        .limit(limit)
        .select(SessionRow::as_select())
        .load(conn)
}

/// A booked session that is still to come at `now`: the one rule for "next session", used
/// by the couple page, the partner's home page and the dashboard.
///
/// The boundary is inclusive (`starts_at >= now`): a session starting this very minute has
/// not happened yet, and is the one the couple should be walking into, so it is still
/// "next" rather than vanishing from every page at its start time. (Sessions are booked to
/// the minute, and `now` carries seconds, so in practice this only matters for the
/// second a session starts; `last_started` uses `<=` and may count that second too.)
pub type Upcoming = dsl::And<
    dsl::Eq<therapy_sessions::status, SessionStatus>,
    dsl::GtEq<therapy_sessions::starts_at, NaiveDateTime>,
>;

pub fn upcoming(now: NaiveDateTime) -> Upcoming {
    therapy_sessions::status
        .eq(SessionStatus::Booked)
        .and(therapy_sessions::starts_at.ge(now))
}

/// The next booked session of the couple that has not started yet (see [`upcoming`]).
pub fn next_for_couple(
    conn: &mut DbConnection,
    couple_id: i32,
    now: NaiveDateTime,
) -> QueryResult<Option<SessionRow>> {
    therapy_sessions::table
        .filter(therapy_sessions::couple_id.eq(couple_id))
        .filter(upcoming(now))
        .order(therapy_sessions::starts_at.asc())
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

/// Per couple: start of the latest booked session that has begun.
pub fn last_started(
    conn: &mut DbConnection,
    couple_ids: &[i32],
    now: NaiveDateTime,
) -> QueryResult<Vec<(i32, Option<NaiveDateTime>)>> {
    therapy_sessions::table
        .filter(therapy_sessions::couple_id.eq_any(couple_ids))
        .filter(therapy_sessions::status.eq(SessionStatus::Booked))
        .filter(therapy_sessions::starts_at.le(now))
        .group_by(therapy_sessions::couple_id)
        .select((
            therapy_sessions::couple_id,
            max(therapy_sessions::starts_at),
        ))
        .load(conn)
}

/// Per couple: start of the next booked session (see [`upcoming`]).
pub fn next_starts(
    conn: &mut DbConnection,
    couple_ids: &[i32],
    now: NaiveDateTime,
) -> QueryResult<Vec<(i32, Option<NaiveDateTime>)>> {
    therapy_sessions::table
        .filter(therapy_sessions::couple_id.eq_any(couple_ids))
        .filter(upcoming(now))
        .group_by(therapy_sessions::couple_id)
        .select((
            therapy_sessions::couple_id,
            min(therapy_sessions::starts_at),
        ))
        .load(conn)
}
