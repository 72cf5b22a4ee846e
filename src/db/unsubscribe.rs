//! One-click unsubscribe tokens for reminder emails. Only the SHA-256 of a token is stored;
//! a token stays usable until it expires (a mail client may POST it more than once), and it
//! can do exactly one thing: turn its partner's reminders off.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{partners, unsubscribe_tokens};
use super::DbConnection;
use crate::auth::token;

/// How long the link in a reminder keeps working.
pub fn validity() -> Duration {
    Duration::days(90)
}

/// Store tokens for many partners at once: `(partner_id, raw token)` pairs.
pub fn create_many(
    conn: &mut DbConnection,
    tokens: &[(i32, String)],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let rows: Vec<_> = tokens
        .iter()
        .map(|(partner_id, raw)| {
            (
                unsubscribe_tokens::token_hash.eq(token::hash(raw)),
                unsubscribe_tokens::partner_id.eq(*partner_id),
                unsubscribe_tokens::created_at.eq(now),
                unsubscribe_tokens::expires_at.eq(now + validity()),
            )
        })
        .collect();
    let mut inserted = 0;
    for chunk in rows.chunks(500) {
        inserted += match conn {
            DbConnection::Pg(c) => diesel::insert_into(unsubscribe_tokens::table)
                .values(chunk)
                .execute(c)?,
            // Plain inserts: the pass already holds SQLite's write lock, and rows are cheap.
            DbConnection::Sqlite(c) => {
                let mut n = 0;
                for row in chunk {
                    n += diesel::insert_into(unsubscribe_tokens::table)
                        .values(row.clone())
                        .execute(c)?;
                }
                n
            }
        };
    }
    Ok(inserted)
}

/// The partner a still-valid token belongs to.
pub fn partner_for(
    conn: &mut DbConnection,
    raw: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<i32>> {
    if !plausible(raw) {
        return Ok(None);
    }
    unsubscribe_tokens::table
        .filter(unsubscribe_tokens::token_hash.eq(token::hash(raw)))
        .filter(unsubscribe_tokens::expires_at.gt(now))
        .select(unsubscribe_tokens::partner_id)
        .first(conn)
        .optional()
}

/// Turn a partner's reminders off. Returns whether they were on.
pub fn turn_off(conn: &mut DbConnection, partner_id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        partners::table
            .find(partner_id)
            .filter(partners::reminders_enabled.eq(true)),
    )
    .set((
        partners::reminders_enabled.eq(false),
        partners::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Drop tokens that expired before `before`.
pub fn purge(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(unsubscribe_tokens::table.filter(unsubscribe_tokens::expires_at.lt(before)))
        .execute(conn)
}

/// Our tokens are 43 URL-safe characters; anything else is not worth a query.
fn plausible(raw: &str) -> bool {
    (20..=100).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
