//! Form-once tokens: a form that creates something carries one; the first submission
//! stores it inside the same transaction, a second finds it taken. Also the shared secret
//! that signs the pre-sign-in CSRF cookie.

use diesel::prelude::*;

use super::schema::{form_submissions, server_secrets};
use super::DbConnection;

/// Claim a token. `Ok(false)` when this form was already submitted.
pub fn claim(conn: &mut DbConnection, token: &str) -> QueryResult<bool> {
    if token.is_empty() || token.len() > 100 {
        return Ok(false);
    }
    let taken: bool = diesel::select(diesel::dsl::exists(
        form_submissions::table.filter(form_submissions::token.eq(token)),
    ))
    .get_result(conn)?;
    if taken {
        return Ok(false);
    }
    diesel::insert_into(form_submissions::table)
        .values((
            form_submissions::token.eq(token),
            form_submissions::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Forget tokens older than a day (a form is not kept open that long).
pub fn purge(conn: &mut DbConnection, before: chrono::NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(form_submissions::table.filter(form_submissions::created_at.lt(before)))
        .execute(conn)
}

/// The secret named `name` that every server process on this database shares: the stored
/// one, or `fresh` stored now if there is none yet (when two processes start at once, the
/// first insert wins and both read it back).
pub fn shared_secret(conn: &mut DbConnection, name: &str, fresh: &str) -> QueryResult<String> {
    let row = (
        server_secrets::name.eq(name),
        server_secrets::value.eq(fresh),
        server_secrets::created_at.eq(super::now()),
    );
    match conn {
        DbConnection::Pg(c) => diesel::insert_into(server_secrets::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(server_secrets::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    server_secrets::table
        .find(name)
        .select(server_secrets::value)
        .first(conn)
}
