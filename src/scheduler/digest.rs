//! What the counselor's morning digest says about their couples: the dashboard's own
//! figures and flags, so the two never disagree.

use chrono::{DateTime, Utc};
use diesel::QueryResult;

use crate::config::Settings;
use crate::db::DbConnection;

/// Active couples of this counselor with at least one attention flag: (the counselor's
/// label for the couple, flag labels). The same figures and rules as the dashboard
/// (`db::dashboard::load` + `domain::dashboard::summarize`), so the digest and the
/// dashboard never disagree; a fixed number of queries whatever the caseload.
pub fn digest_attention(
    conn: &mut DbConnection,
    settings: &Settings,
    counselor_id: i32,
    now: DateTime<Utc>,
) -> QueryResult<Vec<(String, Vec<String>)>> {
    let thresholds = settings.thresholds();
    let loaded =
        crate::db::dashboard::load(conn, counselor_id, now, thresholds.severe_setback_min)?;
    let mut rows = crate::domain::dashboard::summarize(&loaded, &thresholds, now);
    rows.retain(|r| !r.flags.is_empty());
    Ok(rows
        .into_iter()
        .map(|r| {
            let labels = r.flags.iter().map(|f| f.flag.label().to_string()).collect();
            (r.label, labels)
        })
        .collect())
}
