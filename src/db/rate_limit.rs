//! Fixed-window counters kept in the database, so every Trellis process sees the same.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::rate_limits;
use super::DbConnection;

/// Count one hit against `key`; `Ok(false)` once more than `limit` hits fall in the window.
/// Call inside a write transaction.
pub fn hit(
    conn: &mut DbConnection,
    key: &str,
    limit: i32,
    window: Duration,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let current: Option<(NaiveDateTime, i32)> = rate_limits::table
        .find(key)
        .select((rate_limits::window_start, rate_limits::hits))
        .first(conn)
        .optional()?;
    match current {
        Some((start, hits)) if now - start < window => {
            diesel::update(rate_limits::table.find(key))
                .set(rate_limits::hits.eq(hits + 1))
                .execute(conn)?;
            Ok(hits < limit)
        }
        Some(_) => {
            diesel::update(rate_limits::table.find(key))
                .set((rate_limits::window_start.eq(now), rate_limits::hits.eq(1)))
                .execute(conn)?;
            Ok(limit >= 1)
        }
        None => {
            diesel::insert_into(rate_limits::table)
                .values((
                    rate_limits::key.eq(key),
                    rate_limits::window_start.eq(now),
                    rate_limits::hits.eq(1),
                ))
                .execute(conn)?;
            Ok(limit >= 1)
        }
    }
}

/// Is `key` over its limit, without counting a hit?
pub fn is_blocked(
    conn: &mut DbConnection,
    key: &str,
    limit: i32,
    window: Duration,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let current: Option<(NaiveDateTime, i32)> = rate_limits::table
        .find(key)
        .select((rate_limits::window_start, rate_limits::hits))
        .first(conn)
        .optional()?;
    Ok(matches!(current, Some((start, hits)) if now - start < window && hits >= limit))
}

pub fn clear(conn: &mut DbConnection, key: &str) -> QueryResult<usize> {
    diesel::delete(rate_limits::table.find(key)).execute(conn)
}
