//! Single-use links for counselors: "reset your password" and "set your password" for a
//! new counselor's invitation. Only the token's hash is stored; a link is spent by the
//! POST that sets the password, never by opening it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::password_tokens;
use super::DbConnection;
use crate::domain::status::PasswordTokenPurpose;

pub fn create(
    conn: &mut DbConnection,
    token_hash: &str,
    counselor_id: i32,
    purpose: PasswordTokenPurpose,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(password_tokens::table)
        .values((
            password_tokens::token_hash.eq(token_hash),
            password_tokens::counselor_id.eq(counselor_id),
            password_tokens::purpose.eq(purpose),
            password_tokens::created_at.eq(super::now()),
            password_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The counselor a live, unused link is for.
pub fn live(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(i32, PasswordTokenPurpose)>> {
    password_tokens::table
        .filter(password_tokens::token_hash.eq(token_hash))
        .filter(password_tokens::used_at.is_null())
        .filter(password_tokens::expires_at.gt(now))
        .select((password_tokens::counselor_id, password_tokens::purpose))
        .first(conn)
        .optional()
}

/// Spend the link: `Ok(Some(counselor))` for the one request that gets it.
pub fn consume(
    conn: &mut DbConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(i32, PasswordTokenPurpose)>> {
    let Some(found) = live(conn, token_hash, now)? else {
        return Ok(None);
    };
    let n = diesel::update(
        password_tokens::table
            .filter(password_tokens::token_hash.eq(token_hash))
            .filter(password_tokens::used_at.is_null()),
    )
    .set(password_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok((n == 1).then_some(found))
}

/// Spend every open link of this counselor (after a password change).
pub fn revoke_all(
    conn: &mut DbConnection,
    counselor_id: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        password_tokens::table
            .filter(password_tokens::counselor_id.eq(counselor_id))
            .filter(password_tokens::used_at.is_null()),
    )
    .set(password_tokens::used_at.eq(Some(now)))
    .execute(conn)
}
