//! Small reads for the partner's home page that belong to no single table module.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{counselors, couples, therapy_sessions};
use super::DbConnection;

/// The couple's next booked session after `now`: (start in UTC, minutes).
pub fn next_session(
    conn: &mut DbConnection,
    couple_id: i32,
    now: NaiveDateTime,
) -> QueryResult<Option<(NaiveDateTime, i32)>> {
    therapy_sessions::table
        .filter(therapy_sessions::couple_id.eq(couple_id))
        .filter(therapy_sessions::status.eq("booked"))
        .filter(therapy_sessions::starts_at.gt(now))
        .order(therapy_sessions::starts_at.asc())
        .select((
            therapy_sessions::starts_at,
            therapy_sessions::duration_minutes,
        ))
        .first(conn)
        .optional()
}

/// The display name of the couple's counselor.
pub fn counselor_name(conn: &mut DbConnection, couple_id: i32) -> QueryResult<String> {
    couples::table
        .inner_join(counselors::table)
        .filter(couples::id.eq(couple_id))
        .select(counselors::display_name)
        .first(conn)
}
