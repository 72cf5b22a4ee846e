//! The bulk reads one planning pass needs: a fixed number of queries however many partners
//! there are, so a pass over 10,000 partners stays well under a second.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::assignments::{AssignmentRow, PauseRow};
use crate::db::counselors::CounselorRow;
use crate::db::couples::PartnerRow;
use crate::db::schema::{
    assignment_pauses, assignments, counselors, couples, entries, exercises, partners,
    therapy_sessions,
};
use crate::db::DbConnection;
use crate::domain::couple::CoupleStatus;
use crate::domain::exercise::Visibility;
use crate::domain::status::{AssignmentStatus, EntryStatus, SessionStatus};

/// A booked session in the planning window.
#[derive(Debug, Clone, Queryable)]
pub struct SessionRow {
    pub id: i32,
    pub couple_id: i32,
    pub counselor_id: i32,
    pub starts_at: NaiveDateTime,
}

/// Everything a pass plans from.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Couples that are not closed: id -> (counselor id, label, status).
    pub couples: HashMap<i32, (i32, String, CoupleStatus)>,
    /// Partners of active couples with reminders on, by couple.
    pub partners: HashMap<i32, Vec<PartnerRow>>,
    /// Active assignments with reminders on, of active couples.
    pub assignments: Vec<AssignmentRow>,
    pub pauses: Vec<PauseRow>,
    /// (assignment, partner, occurrence date) already submitted.
    pub submitted: HashSet<(i32, i32, NaiveDate)>,
    /// Booked sessions from a day ago to 37 hours ahead.
    pub sessions: Vec<SessionRow>,
    pub counselors: Vec<CounselorRow>,
    /// Exercises of the active assignments: id -> (title, is the private safety check).
    pub exercises: HashMap<i32, (String, bool)>,
    /// Partner -> their latest submission in the last day that the other partner may be
    /// told of (shared, never the safety check): the "something new" notice.
    pub shared_at: HashMap<i32, NaiveDateTime>,
}

/// Nine queries, whatever the size of the practice.
pub fn snapshot(conn: &mut DbConnection, now: DateTime<Utc>) -> QueryResult<Snapshot> {
    let now_naive = now.naive_utc();
    let couple_rows: Vec<(i32, i32, String, CoupleStatus)> = couples::table
        .filter(couples::status.ne(CoupleStatus::Closed))
        .select((
            couples::id,
            couples::counselor_id,
            couples::label,
            couples::status,
        ))
        .load(conn)?;
    let partner_rows: Vec<PartnerRow> = partners::table
        .inner_join(couples::table)
        .filter(couples::status.eq(CoupleStatus::Active))
        .filter(partners::reminders_enabled.eq(true))
        .select(PartnerRow::as_select())
        .load(conn)?;
    let assignment_rows: Vec<AssignmentRow> = assignments::table
        .inner_join(couples::table)
        .filter(couples::status.eq(CoupleStatus::Active))
        .filter(assignments::status.eq(AssignmentStatus::Active))
        .filter(assignments::reminders.eq(true))
        .select(AssignmentRow::as_select())
        .load(conn)?;
    let pauses: Vec<PauseRow> = assignment_pauses::table
        .inner_join(assignments::table.inner_join(couples::table))
        .filter(couples::status.eq(CoupleStatus::Active))
        .filter(assignments::status.eq(AssignmentStatus::Active))
        .select(PauseRow::as_select())
        .load(conn)?;
    // Local dates run up to a day either side of UTC; three days back covers the oldest
    // occurrence whose overdue nudge may still be due.
    let oldest = now_naive.date() - Duration::days(4);
    let submitted: Vec<(Option<i32>, i32, Option<NaiveDate>)> = entries::table
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(entries::assignment_id.is_not_null())
        .filter(entries::occurrence_date.ge(oldest))
        .select((
            entries::assignment_id,
            entries::partner_id,
            entries::occurrence_date,
        ))
        .load(conn)?;
    let sessions: Vec<SessionRow> = therapy_sessions::table
        .filter(therapy_sessions::status.eq(SessionStatus::Booked))
        .filter(therapy_sessions::starts_at.gt(now_naive - Duration::hours(24)))
        .filter(therapy_sessions::starts_at.le(now_naive + Duration::hours(37)))
        .select((
            therapy_sessions::id,
            therapy_sessions::couple_id,
            therapy_sessions::counselor_id,
            therapy_sessions::starts_at,
        ))
        .load(conn)?;
    let counselor_rows: Vec<CounselorRow> = counselors::table
        .filter(counselors::active.eq(true))
        .select(CounselorRow::as_select())
        .load(conn)?;

    let exercise_ids: HashSet<i32> = assignment_rows.iter().map(|a| a.exercise_id).collect();
    let exercise_ids: Vec<i32> = exercise_ids.into_iter().collect();
    let exercise_rows: Vec<(i32, String, bool)> = if exercise_ids.is_empty() {
        Vec::new()
    } else {
        exercises::table
            .filter(exercises::id.eq_any(&exercise_ids))
            .select((exercises::id, exercises::title, exercises::safety_check))
            .load(conn)?
    };
    let shared_rows: Vec<(i32, Option<NaiveDateTime>)> = entries::table
        .inner_join(exercises::table)
        .filter(entries::status.eq(EntryStatus::Submitted))
        .filter(entries::submitted_at.ge(now_naive - Duration::hours(26)))
        .filter(exercises::safety_check.eq(false))
        .filter(
            entries::visibility
                .eq(Visibility::CounselorAndPartner)
                .or(exercises::shared_journal.eq(true)),
        )
        .select((entries::partner_id, entries::submitted_at))
        .load(conn)?;
    let mut shared_at: HashMap<i32, NaiveDateTime> = HashMap::new();
    for (partner, at) in shared_rows {
        if let Some(at) = at {
            let latest = shared_at.entry(partner).or_insert(at);
            *latest = (*latest).max(at);
        }
    }

    let mut partners_by_couple: HashMap<i32, Vec<PartnerRow>> = HashMap::new();
    for p in partner_rows {
        partners_by_couple.entry(p.couple_id).or_default().push(p);
    }
    Ok(Snapshot {
        couples: couple_rows
            .into_iter()
            .map(|(id, counselor, label, status)| (id, (counselor, label, status)))
            .collect(),
        partners: partners_by_couple,
        assignments: assignment_rows,
        pauses,
        submitted: submitted
            .into_iter()
            .filter_map(|(a, p, d)| Some((a?, p, d?)))
            .collect(),
        sessions,
        counselors: counselor_rows,
        exercises: exercise_rows
            .into_iter()
            .map(|(id, title, safety)| (id, (title, safety)))
            .collect(),
        shared_at,
    })
}
