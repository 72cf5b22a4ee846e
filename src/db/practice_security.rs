//! The practice's security policy, changed by its admin on the practice page (one row).

use diesel::prelude::*;

use super::schema::practice_security;
use super::DbConnection;

const ROW: i32 = 1;

/// Whether every counselor must sign in with a second factor. A practice without the row
/// yet is a new one, and new practices require it.
pub fn require_two_factor(conn: &mut DbConnection) -> QueryResult<bool> {
    Ok(practice_security::table
        .find(ROW)
        .select(practice_security::require_two_factor)
        .first(conn)
        .optional()?
        .unwrap_or(true))
}

pub fn set_require_two_factor(conn: &mut DbConnection, on: bool) -> QueryResult<()> {
    let now = super::now();
    let updated = diesel::update(practice_security::table.find(ROW))
        .set((
            practice_security::require_two_factor.eq(on),
            practice_security::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(practice_security::table)
            .values((
                practice_security::id.eq(ROW),
                practice_security::require_two_factor.eq(on),
                practice_security::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
