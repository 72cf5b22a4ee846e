//! Form-once tokens: a form that creates something carries one; the first submission
//! stores it inside the same transaction, a second finds it taken.

use diesel::prelude::*;

use super::schema::form_submissions;
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
