//! The practice's own settings, changed by its admin on the practice page (one row).

use diesel::prelude::*;

use super::schema::practice_settings;
use super::DbConnection;

const ROW: i32 = 1;

/// Whether every counselor must sign in with a second factor. A practice without the row
/// yet is a new one, and new practices require it.
pub fn require_two_factor(conn: &mut DbConnection) -> QueryResult<bool> {
    Ok(practice_settings::table
        .find(ROW)
        .select(practice_settings::require_two_factor)
        .first(conn)
        .optional()?
        .unwrap_or(true))
}

pub fn set_require_two_factor(conn: &mut DbConnection, on: bool) -> QueryResult<()> {
    let now = super::now();
    let updated = diesel::update(practice_settings::table.find(ROW))
        .set((
            practice_settings::require_two_factor.eq(on),
            practice_settings::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(practice_settings::table)
            .values((
                practice_settings::id.eq(ROW),
                practice_settings::require_two_factor.eq(on),
                practice_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
