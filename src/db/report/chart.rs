//! The figures of a couple's trust chart, for the couple page and anywhere else one is drawn.

use chrono::NaiveDate;
use chrono_tz::Tz;
use diesel::prelude::*;

use super::{booked_session_starts, counselor_tz, partner_infos};
use crate::db::schema::{entries, setbacks};
use crate::db::{couples as couple_db, DbConnection};
use crate::domain::report::{self, PartnerInfo, Period, TrustChartData, TrustRow};

/// Trust over `[from, to]` for one of this counselor's couples, for the couple page and
/// anywhere else a chart is drawn. Four queries.
pub fn couple_trust_chart(
    conn: &mut DbConnection,
    counselor_id: i32,
    couple_id: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<TrustChartData> {
    let couple = couple_db::find_for_counselor(conn, counselor_id, couple_id)?;
    let tz = counselor_tz(conn, counselor_id)?;
    let partners = partner_infos(&couple_db::partners_of(conn, couple.id)?);
    trust_chart_for(conn, couple.id, &partners, tz, from, to)
}

/// [`couple_trust_chart`] without the ownership check, for callers that already made it.
pub fn trust_chart_for(
    conn: &mut DbConnection,
    couple_id: i32,
    partners: &[PartnerInfo],
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<TrustChartData> {
    let ratings: Vec<TrustRow> = entries::table
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::status.eq("submitted"))
        .filter(entries::trust_score.is_not_null())
        .filter(
            entries::occurrence_date
                .between(from, to)
                .or(entries::occurrence_date.is_null()),
        )
        .order(entries::id.asc())
        .select((
            entries::partner_id,
            entries::occurrence_date,
            entries::submitted_at,
            entries::trust_score,
        ))
        .load(conn)?;
    let setback_days: Vec<(NaiveDate, i32)> = setbacks::table
        .filter(setbacks::couple_id.eq(couple_id))
        .filter(setbacks::happened_on.between(from, to))
        .order(setbacks::happened_on.asc())
        .select((setbacks::happened_on, setbacks::severity))
        .load(conn)?;
    let sessions = booked_session_starts(conn, couple_id)?;
    Ok(report::trust_chart(
        Period { from, to },
        partners,
        &ratings,
        setback_days,
        &sessions,
        tz,
    ))
}
