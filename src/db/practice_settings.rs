//! Practice-wide texts the admin sets: the crisis resources partners read and the address
//! "Leave quickly" goes to. Rows are (name, value); a missing row means the default.

use diesel::prelude::*;

use super::schema::practice_settings;
use super::DbConnection;
use crate::domain::safety::SafetySettings;

const CRISIS_TEXT: &str = "crisis_text";
const EXIT_URL: &str = "exit_url";

/// The practice's safety settings (empty strings where the default applies).
pub fn safety(conn: &mut DbConnection) -> QueryResult<SafetySettings> {
    let rows: Vec<(String, String)> = practice_settings::table
        .filter(practice_settings::name.eq_any([CRISIS_TEXT, EXIT_URL]))
        .select((practice_settings::name, practice_settings::value))
        .load(conn)?;
    let get = |k: &str| {
        rows.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    Ok(SafetySettings {
        crisis_text: get(CRISIS_TEXT),
        exit_url: get(EXIT_URL),
    })
}

/// Store the practice's safety settings (in the caller's transaction).
pub fn set_safety(conn: &mut DbConnection, s: &SafetySettings) -> QueryResult<()> {
    let now = super::now();
    for (name, value) in [(CRISIS_TEXT, &s.crisis_text), (EXIT_URL, &s.exit_url)] {
        diesel::delete(practice_settings::table.filter(practice_settings::name.eq(name)))
            .execute(conn)?;
        diesel::insert_into(practice_settings::table)
            .values((
                practice_settings::name.eq(name),
                practice_settings::value.eq(value),
                practice_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
