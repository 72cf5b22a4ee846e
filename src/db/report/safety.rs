//! The session-prep report's counselor-only part: the private safety checks submitted in
//! the period, with their answers and any alert they raised. Never part of the joint
//! sections (see `report_facts`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::alerts::AlertRow;
use crate::db::schema::{entries, exercises, partners, safety_alerts};
use crate::db::DbConnection;
use crate::domain::report::Period;
use crate::domain::status::EntryStatus;

/// One safety check in the period.
#[derive(Debug, Clone)]
pub struct SafetyItem {
    pub entry_id: i32,
    pub exercise_id: i32,
    pub partner_name: String,
    pub submitted_at: Option<NaiveDateTime>,
    pub answers: Vec<(i32, String)>,
    pub alerts: Vec<AlertRow>,
}

/// The couple's submitted safety checks dated in `period`, oldest first (couple already
/// scoped to its counselor).
pub fn safety_in_period(
    conn: &mut DbConnection,
    couple_id: i32,
    period: Period,
) -> QueryResult<Vec<SafetyItem>> {
    let rows: Vec<(i32, i32, String, Option<NaiveDateTime>)> = entries::table
        .inner_join(exercises::table)
        .inner_join(partners::table)
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(exercises::safety_check.eq(true))
        .filter(entries::occurrence_date.ge(period.from))
        .filter(entries::occurrence_date.le(period.to))
        .order((entries::occurrence_date.asc(), entries::id.asc()))
        .select((
            entries::id,
            entries::exercise_id,
            partners::display_name,
            entries::submitted_at,
        ))
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let answers = crate::db::entries::answers_for(conn, &ids)?;
    let alerts: Vec<AlertRow> = safety_alerts::table
        .filter(safety_alerts::entry_id.eq_any(&ids))
        .order(safety_alerts::id.asc())
        .select(AlertRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(entry_id, exercise_id, partner_name, submitted_at)| SafetyItem {
                entry_id,
                exercise_id,
                partner_name,
                submitted_at,
                answers: answers
                    .iter()
                    .filter(|a| a.entry_id == entry_id)
                    .map(|a| (a.prompt_id, a.value.clone()))
                    .collect(),
                alerts: alerts
                    .iter()
                    .filter(|a| a.entry_id == entry_id)
                    .cloned()
                    .collect(),
            },
        )
        .collect())
}
