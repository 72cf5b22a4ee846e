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

/// The time zones most used in the practice (partners and counselors), most used first:
/// the time-zone pickers list them before every other zone.
pub fn common_zones(conn: &mut DbConnection, limit: usize) -> QueryResult<Vec<String>> {
    use super::schema::partners;
    use diesel::dsl::count_star;
    let mut counts: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    let p: Vec<(String, i64)> = partners::table
        .group_by(partners::time_zone)
        .select((partners::time_zone, count_star()))
        .load(conn)?;
    let c: Vec<(String, i64)> = counselors::table
        .group_by(counselors::time_zone)
        .select((counselors::time_zone, count_star()))
        .load(conn)?;
    for (zone, n) in p.into_iter().chain(c) {
        *counts.entry(zone).or_default() += n;
    }
    let mut zones: Vec<(String, i64)> = counts.into_iter().filter(|(z, _)| z != "UTC").collect();
    zones.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(zones.into_iter().take(limit).map(|(z, _)| z).collect())
}
