//! Single-use sign-in links for partners. Only the SHA-256 of a token is stored; a token is
//! used up by one conditional UPDATE, so two clicks racing cannot both sign in.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::sign_in_tokens;
use super::DbConnection;
use crate::auth::token;
use crate::domain::status::TokenPurpose;

/// Create a token for a partner and return the raw value (to put in the link only).
pub fn create(
    conn: &mut DbConnection,
    partner_id: i32,
    purpose: TokenPurpose,
    valid_for: Duration,
) -> QueryResult<String> {
    let raw = token::generate();
    let now = super::now();
    diesel::insert_into(sign_in_tokens::table)
        .values((
            sign_in_tokens::token_hash.eq(token::hash(&raw)),
            sign_in_tokens::partner_id.eq(partner_id),
            sign_in_tokens::purpose.eq(purpose),
            sign_in_tokens::created_at.eq(now),
            sign_in_tokens::expires_at.eq(now + valid_for),
        ))
        .execute(conn)?;
    Ok(raw)
}

/// The partner a still-usable token belongs to (no change made).
pub fn peek(conn: &mut DbConnection, raw: &str, now: NaiveDateTime) -> QueryResult<Option<i32>> {
    if !plausible(raw) {
        return Ok(None);
    }
    sign_in_tokens::table
        .filter(sign_in_tokens::token_hash.eq(token::hash(raw)))
        .filter(sign_in_tokens::used_at.is_null())
        .filter(sign_in_tokens::expires_at.gt(now))
        .select(sign_in_tokens::partner_id)
        .first(conn)
        .optional()
}

/// Use a token up; the partner it signs in, or `None` if it was unknown, used or expired.
pub fn consume(conn: &mut DbConnection, raw: &str, now: NaiveDateTime) -> QueryResult<Option<i32>> {
    let Some(partner_id) = peek(conn, raw, now)? else {
        return Ok(None);
    };
    let hash = token::hash(raw);
    let changed = diesel::update(
        sign_in_tokens::table
            .filter(sign_in_tokens::token_hash.eq(&hash))
            .filter(sign_in_tokens::used_at.is_null())
            .filter(sign_in_tokens::expires_at.gt(now)),
    )
    .set(sign_in_tokens::used_at.eq(now))
    .execute(conn)?;
    Ok((changed == 1).then_some(partner_id))
}

/// Drop tokens that expired before `before`.
pub fn purge(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sign_in_tokens::table.filter(sign_in_tokens::expires_at.lt(before)))
        .execute(conn)
}

/// Our tokens are 43 URL-safe characters; anything else is not worth a query.
fn plausible(raw: &str) -> bool {
    (20..=100).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
