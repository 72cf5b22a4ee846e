//! What the counselor's morning digest says about their couples. A simple stand-in for the
//! dashboard's aggregation (same rules, `domain::attention::evaluate`, fewer figures: no
//! overdue counts), to be swapped for it when both are merged.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::config::Settings;
use crate::db::schema::{couples, partners, setbacks, therapy_sessions};
use crate::db::DbConnection;
use crate::domain::attention::{evaluate, CoupleFigures, PartnerFigures};

/// Active couples of this counselor with at least one attention flag: (the counselor's
/// label for the couple, flag labels). Four queries, whatever the caseload.
pub fn digest_attention(
    conn: &mut DbConnection,
    settings: &Settings,
    counselor_id: i32,
    now: DateTime<Utc>,
) -> QueryResult<Vec<(String, Vec<String>)>> {
    let now_naive = now.naive_utc();
    let couple_rows: Vec<(i32, String, NaiveDate)> = couples::table
        .filter(couples::counselor_id.eq(counselor_id))
        .filter(couples::status.eq("active"))
        .order(couples::label.asc())
        .select((couples::id, couples::label, couples::start_date))
        .load(conn)?;
    let ids: Vec<i32> = couple_rows.iter().map(|c| c.0).collect();
    type PartnerFigs = (i32, String, Option<i32>, Option<i32>, Option<NaiveDateTime>);
    let partner_rows: Vec<PartnerFigs> = partners::table
        .filter(partners::couple_id.eq_any(&ids))
        .order((partners::couple_id.asc(), partners::slot.asc()))
        .select((
            partners::couple_id,
            partners::display_name,
            partners::latest_trust,
            partners::previous_trust,
            partners::last_entry_at,
        ))
        .load(conn)?;
    // The last session that has started, per couple.
    let past: Vec<(i32, Option<NaiveDateTime>)> = therapy_sessions::table
        .filter(therapy_sessions::counselor_id.eq(counselor_id))
        .filter(therapy_sessions::starts_at.le(now_naive))
        .filter(therapy_sessions::status.ne("cancelled"))
        .group_by(therapy_sessions::couple_id)
        .select((
            therapy_sessions::couple_id,
            diesel::dsl::max(therapy_sessions::starts_at),
        ))
        .load(conn)?;
    let last_session: HashMap<i32, NaiveDateTime> = past
        .into_iter()
        .filter_map(|(c, t)| Some((c, t?)))
        .collect();
    let setback_rows: Vec<(i32, i32, NaiveDateTime)> = setbacks::table
        .filter(setbacks::couple_id.eq_any(&ids))
        .select((
            setbacks::couple_id,
            setbacks::severity,
            setbacks::created_at,
        ))
        .load(conn)?;

    let mut figures: HashMap<i32, CoupleFigures> = HashMap::new();
    let start: HashMap<i32, NaiveDate> = couple_rows.iter().map(|c| (c.0, c.2)).collect();
    for (couple_id, name, latest, previous, last_entry) in partner_rows {
        let days_in_work = start
            .get(&couple_id)
            .map_or(0, |d| (now_naive.date() - *d).num_days().max(0));
        figures
            .entry(couple_id)
            .or_default()
            .partners
            .push(PartnerFigures {
                name: name.split_whitespace().next().unwrap_or("").to_string(),
                latest_trust: latest,
                previous_trust: previous,
                days_since_last_entry: last_entry.map(|t| (now_naive - t).num_days().max(0)),
                days_in_work,
                overdue: 0,
            });
    }
    for (couple_id, severity, created) in setback_rows {
        if last_session.get(&couple_id).is_some_and(|s| created < *s) {
            continue;
        }
        let f = figures.entry(couple_id).or_default();
        f.max_setback_severity = Some(f.max_setback_severity.unwrap_or(0).max(severity));
    }
    let thresholds = settings.thresholds();
    Ok(couple_rows
        .into_iter()
        .filter_map(|(id, label, _)| {
            let raised = evaluate(figures.get(&id)?, &thresholds);
            (!raised.is_empty()).then(|| {
                (
                    label,
                    raised.iter().map(|r| r.flag.label().to_string()).collect(),
                )
            })
        })
        .collect())
}
