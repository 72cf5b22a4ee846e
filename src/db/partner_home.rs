//! Small reads for the partner's home page that belong to no single table module.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{counselors, couples};
use super::DbConnection;

/// The couple's next booked session at or after `now`: (start in UTC, minutes). The same
/// rule as the counselor's couple page ([`super::therapy_sessions::next_for_couple`]).
pub fn next_session(
    conn: &mut DbConnection,
    couple_id: i32,
    now: NaiveDateTime,
) -> QueryResult<Option<(NaiveDateTime, i32)>> {
    Ok(
        super::therapy_sessions::next_for_couple(conn, couple_id, now)?
            .map(|s| (s.starts_at, s.duration_minutes)),
    )
}

/// The display name of the couple's counselor.
pub fn counselor_name(conn: &mut DbConnection, couple_id: i32) -> QueryResult<String> {
    couples::table
        .inner_join(counselors::table)
        .filter(couples::id.eq(couple_id))
        .select(counselors::display_name)
        .first(conn)
}
