//! The figures of a couple's trust chart, for the couple page and anywhere else one is drawn.

use chrono::NaiveDate;
use chrono_tz::Tz;
use diesel::prelude::*;

use super::{booked_session_starts, counselor_tz, partner_infos};
use crate::db::schema::{entries, exercise_prompts, exercises, setbacks};
use crate::db::{couples as couple_db, DbConnection};
use crate::domain::exercise::Metric;
use crate::domain::report::{self, ExerciseTrustRow, PartnerInfo, Period, TrustChartData};

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
    let ratings: Vec<ExerciseTrustRow> = entries::table
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
            entries::exercise_id,
            (
                entries::partner_id,
                entries::occurrence_date,
                entries::submitted_at,
                entries::trust_score,
            ),
        ))
        .load(conn)?;
    let names = series_names(conn, &ratings)?;
    let setback_days: Vec<(NaiveDate, i32)> = setbacks::table
        .filter(setbacks::couple_id.eq(couple_id))
        .filter(setbacks::happened_on.between(from, to))
        .order(setbacks::happened_on.asc())
        .select((setbacks::happened_on, setbacks::severity))
        .load(conn)?;
    let sessions = booked_session_starts(conn, couple_id)?;
    Ok(report::trust_chart_by_exercise(
        Period { from, to },
        partners,
        &ratings,
        &names,
        setback_days,
        &sessions,
        tz,
    )
    .fitted())
}

/// Each rated exercise's series label: its title and its trust question, e.g.
/// "Daily check-in: Trust today".
fn series_names(
    conn: &mut DbConnection,
    ratings: &[ExerciseTrustRow],
) -> QueryResult<Vec<(i32, String)>> {
    let mut ids: Vec<i32> = ratings.iter().map(|r| r.0).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let titles: Vec<(i32, String)> = exercises::table
        .filter(exercises::id.eq_any(&ids))
        .select((exercises::id, exercises::title))
        .load(conn)?;
    let questions: Vec<(i32, String)> = exercise_prompts::table
        .filter(exercise_prompts::exercise_id.eq_any(&ids))
        .filter(exercise_prompts::metric.eq(Metric::Trust.as_str()))
        .select((exercise_prompts::exercise_id, exercise_prompts::label))
        .load(conn)?;
    Ok(titles
        .into_iter()
        .map(|(id, title)| match questions.iter().find(|q| q.0 == id) {
            Some((_, q)) => (id, format!("{title}: {q}")),
            None => (id, title),
        })
        .collect())
}
