//! Sign-in throttles kept in the database, so every server sees the same failures: one
//! row per key (`address:...` or `account:...`), with the wait it imposes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::login_throttles;
use super::DbConnection;
use crate::domain::throttle::{Policy, State};

pub fn state(conn: &mut DbConnection, key: &str) -> QueryResult<Option<State>> {
    Ok(login_throttles::table
        .find(key)
        .select((
            login_throttles::failures,
            login_throttles::first_failure_at,
            login_throttles::blocked_until,
        ))
        .first::<(i32, NaiveDateTime, NaiveDateTime)>(conn)
        .optional()?
        .map(|(failures, first_failure_at, blocked_until)| State {
            failures,
            first_failure_at,
            blocked_until,
        }))
}

/// The longest wait left on any of `keys` at `now`, in seconds.
pub fn wait_left(
    conn: &mut DbConnection,
    keys: &[String],
    now: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    let mut longest = None;
    for key in keys {
        let left = crate::domain::throttle::wait_left(state(conn, key)?, now);
        longest = longest.max(left);
    }
    Ok(longest)
}

/// Count one failure against `key`. Call inside a write transaction.
pub fn fail(
    conn: &mut DbConnection,
    key: &str,
    policy: &Policy,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let current = state(conn, key)?;
    let next = policy.after_failure(current, now);
    let values = (
        login_throttles::failures.eq(next.failures),
        login_throttles::first_failure_at.eq(next.first_failure_at),
        login_throttles::blocked_until.eq(next.blocked_until),
    );
    if current.is_some() {
        diesel::update(login_throttles::table.find(key))
            .set(values)
            .execute(conn)?;
    } else {
        diesel::insert_into(login_throttles::table)
            .values((login_throttles::key.eq(key), values.0, values.1, values.2))
            .execute(conn)?;
    }
    Ok(())
}

pub fn clear(conn: &mut DbConnection, key: &str) -> QueryResult<usize> {
    diesel::delete(login_throttles::table.find(key)).execute(conn)
}

/// Forget rows whose failures are all older than `before` and whose wait is over.
pub fn purge(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        login_throttles::table
            .filter(login_throttles::first_failure_at.lt(before))
            .filter(login_throttles::blocked_until.lt(before)),
    )
    .execute(conn)
}
