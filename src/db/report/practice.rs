//! The practice summary's figures: the dashboard's own, per batch of couples.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::hidden_exercises;
use crate::db::couples::CoupleRow;
use crate::db::schema::{counselors, couples, entries};
use crate::db::{dashboard as dashboard_db, DbConnection};
use crate::domain::attention::Thresholds;
use crate::domain::couple::CoupleStatus;
use crate::domain::dashboard;

/// One couple's line in the practice summary: the dashboard's own figures and flags.
#[derive(Debug, Clone)]
pub struct PracticeRow {
    pub couple: CoupleRow,
    pub counselor_name: String,
    pub counselor_email: String,
    pub summary: dashboard::CoupleSummary,
}

/// Practice-summary figures for a batch of couples (ids ascending, after `after_id`, at most
/// `limit`), optionally only one counselor's: the dashboard's loader and figures
/// (`db::dashboard::load_for` + `domain::dashboard::summarize`), so the CSV says what the
/// dashboard says. A fixed number of queries per batch, whatever its size.
pub fn practice_batch(
    conn: &mut DbConnection,
    counselor: Option<i32>,
    after_id: i32,
    limit: i64,
    thresholds: &Thresholds,
    include_safety: bool,
    now: DateTime<Utc>,
) -> QueryResult<Vec<PracticeRow>> {
    let mut q = couples::table
        .inner_join(counselors::table)
        .filter(couples::id.gt(after_id))
        .order(couples::id.asc())
        .limit(limit)
        .select((
            CoupleRow::as_select(),
            counselors::display_name,
            counselors::email,
        ))
        .into_boxed();
    if let Some(c) = counselor {
        q = q.filter(couples::counselor_id.eq(c));
    }
    let batch: Vec<(CoupleRow, String, String)> = q.load(conn)?;
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let hidden = hidden_exercises(conn, include_safety)?;
    let couples_in = batch
        .iter()
        .map(|(c, _, _)| dashboard::CoupleIn {
            id: c.id,
            label: c.label.clone(),
            start_date: c.start_date,
            active: c.status == CoupleStatus::Active,
        })
        .collect();
    let mut loaded = dashboard_db::load_for(
        conn,
        couples_in,
        now,
        thresholds.severe_setback_min,
        &hidden,
    )?;
    // From the entries themselves: without `include_safety` the safety check counts nowhere
    // (as on the dashboard, whose stored figure never counts it); with it, it counts here.
    {
        let ids: Vec<i32> = batch.iter().map(|b| b.0.id).collect();
        let last = last_entry_without(conn, &ids, &hidden)?;
        for p in &mut loaded.partners {
            p.last_entry_at = last.get(&p.id).copied().flatten();
        }
    }
    let mut by_id: HashMap<i32, dashboard::CoupleSummary> =
        dashboard::summarize(&loaded, thresholds, now)
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    Ok(batch
        .into_iter()
        .filter_map(|(couple, counselor_name, counselor_email)| {
            let summary = by_id.remove(&couple.id)?;
            Some(PracticeRow {
                couple,
                counselor_name,
                counselor_email,
                summary,
            })
        })
        .collect())
}

/// Each partner's last submitted entry in these couples, not counting the `hidden`
/// exercises (the stored `partners.last_entry_at` never counts the safety check).
fn last_entry_without(
    conn: &mut DbConnection,
    couple_ids: &[i32],
    hidden: &[i32],
) -> QueryResult<HashMap<i32, Option<NaiveDateTime>>> {
    // No id is negative: an empty list still makes a valid NOT IN.
    let hidden: Vec<i32> = if hidden.is_empty() {
        vec![-1]
    } else {
        hidden.to_vec()
    };
    Ok(entries::table
        .filter(entries::couple_id.eq_any(couple_ids))
        .filter(entries::status.eq("submitted"))
        .filter(diesel::dsl::not(entries::exercise_id.eq_any(hidden)))
        .group_by(entries::partner_id)
        .select((entries::partner_id, diesel::dsl::max(entries::submitted_at)))
        .load::<(i32, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .collect())
}
