//! The dashboard's reads: a fixed number of queries whatever the caseload size, each one
//! over all of the couples at once. The figures are computed in
//! [`crate::domain::dashboard`]. The same loader serves the counselor's dashboard, the
//! counselor digest e-mail and the practice-summary CSV, so they cannot disagree.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, Utc};
use diesel::dsl::max;
use diesel::prelude::*;

use super::schema::{couples, entries, safety_alerts, setbacks};
use super::{assignments, couples as couple_rows, therapy_sessions, DbConnection};
use crate::domain::couple::CoupleStatus;
use crate::domain::dashboard::{
    AssignmentIn, CoupleIn, Loaded, PartnerIn, SetbackIn, Submitted, TrustPoint, SPARK_DAYS,
    WINDOW_DAYS,
};
use crate::domain::status::EntryStatus;

/// What a counselor's dashboard was computed from: each active couple's id and
/// `data_version` (bumped by triggers on every change the dashboard shows), ascending by id.
pub type Stamp = Vec<(i32, i64)>;

/// The stamp of this counselor's active couples: one index-only read.
pub fn stamp(conn: &mut DbConnection, counselor_id: i32) -> QueryResult<Stamp> {
    couples::table
        .filter(couples::counselor_id.eq(counselor_id))
        .filter(couples::status.eq(CoupleStatus::Active))
        .order(couples::id.asc())
        .select((couples::id, couples::data_version))
        .load(conn)
}

/// Load everything the dashboard shows for this counselor's active couples.
/// `severe_min` is the severity at which a setback raises a flag. The private safety check
/// counts nowhere here (not in entries made or owed, nor the last entry), exactly as in the
/// practice CSV without `include_safety`: its answers reach the counselor as alerts.
pub fn load(
    conn: &mut DbConnection,
    counselor_id: i32,
    now: DateTime<Utc>,
    severe_min: i32,
) -> QueryResult<Loaded> {
    let couple_rows: Vec<(i32, String, NaiveDate)> = couples::table
        .filter(couples::counselor_id.eq(counselor_id))
        .filter(couples::status.eq(CoupleStatus::Active))
        .select((couples::id, couples::label, couples::start_date))
        .load(conn)?;
    let couples = couple_rows
        .into_iter()
        .map(|(id, label, start_date)| CoupleIn {
            id,
            label,
            start_date,
            active: true,
        })
        .collect();
    let hidden = super::report::safety_exercise_ids(conn)?;
    load_for(conn, couples, now, severe_min, &hidden)
}

/// Load the dashboard's inputs for the given couples (any status). Assignments of the
/// exercises in `hidden_exercises`, and entries for them, are left out (the private safety
/// check in exports that did not ask for it).
pub fn load_for(
    conn: &mut DbConnection,
    couples: Vec<CoupleIn>,
    now: DateTime<Utc>,
    severe_min: i32,
    hidden_exercises: &[i32],
) -> QueryResult<Loaded> {
    let now_naive = now.naive_utc();
    if couples.is_empty() {
        return Ok(Loaded::default());
    }
    let ids: Vec<i32> = couples.iter().map(|c| c.id).collect();

    // 2. Partners.
    let partners = couple_rows::partners_of_couples(conn, &ids)?;

    // 3-4. Assignments (not ended long ago) and their pauses.
    let utc_today = now_naive.date();
    // Any partner's local today is within a day of UTC's; the window reaches back further.
    let window_start = utc_today
        .checked_sub_days(Days::new(WINDOW_DAYS + 1))
        .unwrap_or(utc_today);
    let window_end = utc_today.succ_opt().unwrap_or(utc_today);
    let assignment_rows: Vec<_> = assignments::for_couples(conn, &ids)?
        .into_iter()
        .filter(|a| a.end_date.is_none_or(|e| e >= window_start))
        .filter(|a| !hidden_exercises.contains(&a.exercise_id))
        .collect();
    let assignment_ids: Vec<i32> = assignment_rows.iter().map(|a| a.id).collect();
    let pauses = if assignment_ids.is_empty() {
        Vec::new()
    } else {
        assignments::pauses_for(conn, &assignment_ids)?
    };

    // 5. Submitted entries in the window (covering index on couple, date).
    let submitted: Vec<(i32, Option<i32>, Option<NaiveDate>)> = entries::table
        .filter(entries::couple_id.eq_any(&ids))
        .filter(entries::occurrence_date.ge(window_start))
        .filter(entries::occurrence_date.le(window_end))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(entries::assignment_id.is_not_null())
        .select((
            entries::partner_id,
            entries::assignment_id,
            entries::occurrence_date,
        ))
        .load(conn)?;

    let counted: HashSet<i32> = assignment_ids.iter().copied().collect();

    // 6. Trust ratings for the sparkline.
    let spark_from = utc_today
        .checked_sub_days(Days::new(SPARK_DAYS))
        .unwrap_or(utc_today);
    let trust: Vec<TrustPoint> = entries::table
        .filter(entries::couple_id.eq_any(&ids))
        .filter(entries::occurrence_date.ge(spark_from))
        .filter(entries::occurrence_date.le(window_end))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(entries::trust_score.is_not_null())
        .select((
            entries::partner_id,
            entries::exercise_id,
            entries::occurrence_date,
            entries::trust_score,
        ))
        .load::<(i32, i32, Option<NaiveDate>, Option<i32>)>(conn)?
        .into_iter()
        .filter(|t| !hidden_exercises.contains(&t.1))
        .filter_map(|(partner_id, _, date, score)| {
            Some(TrustPoint {
                partner_id,
                date: date?,
                score: score?,
            })
        })
        .collect();

    // 7-8. Last and next sessions.
    let last_session: HashMap<_, _> = therapy_sessions::last_started(conn, &ids, now_naive)?
        .into_iter()
        .filter_map(|(c, t)| Some((c, t?)))
        .collect();
    let next_session: HashMap<_, _> = therapy_sessions::next_starts(conn, &ids, now_naive)?
        .into_iter()
        .filter_map(|(c, t)| Some((c, t?)))
        .collect();

    // 9-10. The latest setback of each couple.
    let latest_ids: Vec<i32> = setbacks::table
        .filter(setbacks::couple_id.eq_any(&ids))
        .group_by(setbacks::couple_id)
        .select(max(setbacks::id))
        .load::<Option<i32>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    let setback_cols = (
        setbacks::couple_id,
        setbacks::severity,
        setbacks::happened_on,
        setbacks::created_at,
    );
    let to_setback = |(couple_id, severity, happened_on, created_at): (
        i32,
        i32,
        NaiveDate,
        chrono::NaiveDateTime,
    )| SetbackIn {
        couple_id,
        severity,
        happened_on,
        created_at,
    };
    let latest_setback: HashMap<i32, SetbackIn> = if latest_ids.is_empty() {
        HashMap::new()
    } else {
        setbacks::table
            .filter(setbacks::id.eq_any(&latest_ids))
            .select(setback_cols)
            .load(conn)?
            .into_iter()
            .map(to_setback)
            .map(|s: SetbackIn| (s.couple_id, s))
            .collect()
    };

    // 11. Severe setbacks since the earliest "last session" among these couples (or the
    // earliest start for couples never seen); the per-couple cut is made in domain code.
    let earliest_start = couples
        .iter()
        .filter(|c| !last_session.contains_key(&c.id))
        .map(|c| c.start_date.and_hms_opt(0, 0, 0).unwrap_or_default())
        .min();
    let earliest_last = last_session.values().min().copied();
    let cutoff = match (earliest_start, earliest_last) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => now_naive,
    };
    let severe_setbacks: Vec<SetbackIn> = setbacks::table
        .filter(setbacks::couple_id.eq_any(&ids))
        .filter(setbacks::severity.ge(severe_min.max(1)))
        .filter(setbacks::created_at.ge(cutoff))
        .select(setback_cols)
        .load(conn)?
        .into_iter()
        .map(to_setback)
        .collect();

    // 12. Open safety alerts.
    let open_alerts = open_alerts_by_couple(conn, &ids)?;

    Ok(Loaded {
        couples,
        partners: partners
            .iter()
            .map(|p| PartnerIn {
                id: p.id,
                couple_id: p.couple_id,
                slot: p.slot(),
                name: p.display_name.clone(),
                tz: p.tz(),
                last_entry_at: p.last_entry_at,
                latest_trust: p.latest_trust,
                previous_trust: p.previous_trust,
            })
            .collect(),
        assignments: assignment_rows
            .iter()
            .map(|a| AssignmentIn {
                id: a.id,
                couple_id: a.couple_id,
                assignee: a.assignee.clone(),
                schedule: a.schedule(&pauses),
            })
            .collect(),
        submitted: submitted
            .into_iter()
            .filter_map(|(partner_id, assignment_id, date)| {
                Some(Submitted {
                    partner_id,
                    assignment_id: assignment_id.filter(|a| counted.contains(a))?,
                    date: date?,
                })
            })
            .collect(),
        trust,
        last_session,
        next_session,
        latest_setback,
        severe_setbacks,
        open_alerts,
    })
}

/// Open safety alerts per couple, for the triage (couples without any are left out).
///
/// The one place the triage learns about safety alerts: each couple's alerts not yet
/// acknowledged. Raising or acknowledging one bumps the couple's `data_version` (a trigger),
/// so the cached dashboard is recomputed.
pub fn open_alerts_by_couple(
    conn: &mut DbConnection,
    couple_ids: &[i32],
) -> QueryResult<HashMap<i32, u32>> {
    let rows: Vec<(i32, i64)> = safety_alerts::table
        .filter(safety_alerts::couple_id.eq_any(couple_ids))
        .filter(safety_alerts::acknowledged_at.is_null())
        .group_by(safety_alerts::couple_id)
        .select((safety_alerts::couple_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(couple, n)| (couple, u32::try_from(n).unwrap_or(u32::MAX)))
        .collect())
}

/// Submitted entries of one couple in the window, for the couple page's completion figures.
pub fn submitted_for_couple(
    conn: &mut DbConnection,
    couple_id: i32,
    now: DateTime<Utc>,
) -> QueryResult<Vec<Submitted>> {
    let utc_today = now.naive_utc().date();
    let from = utc_today
        .checked_sub_days(Days::new(WINDOW_DAYS + 1))
        .unwrap_or(utc_today);
    let to = utc_today.succ_opt().unwrap_or(utc_today);
    let rows: Vec<(i32, Option<i32>, Option<NaiveDate>)> = entries::table
        .filter(entries::couple_id.eq(couple_id))
        .filter(entries::occurrence_date.ge(from))
        .filter(entries::occurrence_date.le(to))
        .filter(entries::status.eq(EntryStatus::Submitted))
        .select((
            entries::partner_id,
            entries::assignment_id,
            entries::occurrence_date,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(partner_id, assignment_id, date)| {
            Some(Submitted {
                partner_id,
                assignment_id: assignment_id?,
                date: date?,
            })
        })
        .collect())
}
