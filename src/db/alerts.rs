//! Clinical safety alerts: raised with the submission that carries a concerning answer,
//! acknowledged by the couple's counselor, escalated to the practice admin by the scheduler.
//! An alert belongs to whoever is the couple's counselor now (joined through `couples`).
//! The partner side never reads this table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{counselors, couples, partners, safety_alerts};
use super::DbConnection;
use crate::domain::couple::CoupleStatus;
use crate::domain::safety::{Acknowledgement, AlertAction};
use crate::insert_returning_id;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = safety_alerts)]
pub struct AlertRow {
    pub id: i32,
    pub couple_id: i32,
    pub partner_id: i32,
    pub entry_id: i32,
    pub raised_at: NaiveDateTime,
    pub escalated_at: Option<NaiveDateTime>,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<i32>,
    pub action_taken: Option<AlertAction>,
    pub note: String,
}

impl AlertRow {
    pub fn is_open(&self) -> bool {
        self.acknowledged_at.is_none()
    }
}

/// An alert with the names a list shows: the counselor's label for the couple, the
/// partner's name, and the couple's status (an alert of a paused or closed couple still
/// shows).
#[derive(Debug, Clone)]
pub struct AlertListRow {
    pub alert: AlertRow,
    pub couple_label: String,
    pub couple_status: CoupleStatus,
    pub partner_name: String,
    /// The couple's counselor (name, email): the practice-wide list names them.
    pub counselor: (String, String),
}

/// Raise an alert for a submitted entry (in the submission's transaction).
pub fn raise(
    conn: &mut DbConnection,
    couple_id: i32,
    partner_id: i32,
    entry_id: i32,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    insert_returning_id!(
        conn,
        safety_alerts,
        (
            safety_alerts::couple_id.eq(couple_id),
            safety_alerts::partner_id.eq(partner_id),
            safety_alerts::entry_id.eq(entry_id),
            safety_alerts::raised_at.eq(now),
        )
    )
}

/// Whether an alert for this entry is still open.
pub fn open_for_entry(conn: &mut DbConnection, entry_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        safety_alerts::table
            .filter(safety_alerts::entry_id.eq(entry_id))
            .filter(safety_alerts::acknowledged_at.is_null()),
    ))
    .get_result(conn)
}

/// Whether any alert (open or not) was raised by this entry.
pub fn any_for_entry(conn: &mut DbConnection, entry_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        safety_alerts::table.filter(safety_alerts::entry_id.eq(entry_id)),
    ))
    .get_result(conn)
}

/// Open alerts per couple of this counselor: (couple id, open alerts, oldest raised at),
/// oldest first. Couples of every status count: an alert does not wait for a resumed couple.
pub fn open_counts_for_counselor(
    conn: &mut DbConnection,
    counselor_id: i32,
) -> QueryResult<Vec<(i32, i64, NaiveDateTime)>> {
    let rows: Vec<(i32, i64, Option<NaiveDateTime>)> = safety_alerts::table
        .inner_join(couples::table)
        .filter(couples::counselor_id.eq(counselor_id))
        .filter(safety_alerts::acknowledged_at.is_null())
        .group_by(safety_alerts::couple_id)
        .select((
            safety_alerts::couple_id,
            diesel::dsl::count_star(),
            diesel::dsl::min(safety_alerts::raised_at),
        ))
        .load(conn)?;
    let mut out: Vec<(i32, i64, NaiveDateTime)> = rows
        .into_iter()
        .filter_map(|(c, n, t)| Some((c, n, t?)))
        .collect();
    out.sort_by_key(|(c, _, t)| (*t, *c));
    Ok(out)
}

/// How many alerts of this counselor's couples are open.
pub fn open_count_for_counselor(conn: &mut DbConnection, counselor_id: i32) -> QueryResult<i64> {
    safety_alerts::table
        .inner_join(couples::table)
        .filter(couples::counselor_id.eq(counselor_id))
        .filter(safety_alerts::acknowledged_at.is_null())
        .count()
        .get_result(conn)
}

type ListTuple = (AlertRow, String, CoupleStatus, String, String, String);

fn to_list_row((alert, label, status, partner, cname, cemail): ListTuple) -> AlertListRow {
    AlertListRow {
        alert,
        couple_label: label,
        couple_status: status,
        partner_name: partner,
        counselor: (cname, cemail),
    }
}

/// Open alerts, oldest first: this counselor's couples only, or (`None`) the whole
/// practice's, for the practice admin.
pub fn open_list(
    conn: &mut DbConnection,
    counselor_id: Option<i32>,
) -> QueryResult<Vec<AlertListRow>> {
    let mut q = safety_alerts::table
        .inner_join(couples::table.inner_join(counselors::table))
        .inner_join(partners::table)
        .filter(safety_alerts::acknowledged_at.is_null())
        .order((safety_alerts::raised_at.asc(), safety_alerts::id.asc()))
        .select((
            AlertRow::as_select(),
            couples::label,
            couples::status,
            partners::display_name,
            counselors::display_name,
            counselors::email,
        ))
        .into_boxed();
    if let Some(c) = counselor_id {
        q = q.filter(couples::counselor_id.eq(c));
    }
    Ok(q.load::<ListTuple>(conn)?
        .into_iter()
        .map(to_list_row)
        .collect())
}

/// Every alert of one couple (already scoped to its counselor), newest first: the couple's
/// record keeps acknowledged alerts.
pub fn for_couple(conn: &mut DbConnection, couple_id: i32) -> QueryResult<Vec<AlertRow>> {
    safety_alerts::table
        .filter(safety_alerts::couple_id.eq(couple_id))
        .order((safety_alerts::raised_at.desc(), safety_alerts::id.desc()))
        .select(AlertRow::as_select())
        .load(conn)
}

/// One alert of this couple (already scoped to its counselor).
pub fn find_in_couple(
    conn: &mut DbConnection,
    couple_id: i32,
    alert_id: i32,
) -> QueryResult<AlertRow> {
    safety_alerts::table
        .filter(safety_alerts::id.eq(alert_id))
        .filter(safety_alerts::couple_id.eq(couple_id))
        .select(AlertRow::as_select())
        .first(conn)
}

/// Record what the counselor did. Only an open alert changes: acknowledging twice records
/// once (the answer is false the second time).
pub fn acknowledge(
    conn: &mut DbConnection,
    couple_id: i32,
    alert_id: i32,
    counselor_id: i32,
    ack: &Acknowledgement,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        safety_alerts::table
            .filter(safety_alerts::id.eq(alert_id))
            .filter(safety_alerts::couple_id.eq(couple_id))
            .filter(safety_alerts::acknowledged_at.is_null()),
    )
    .set((
        safety_alerts::acknowledged_at.eq(now),
        safety_alerts::acknowledged_by.eq(counselor_id),
        safety_alerts::action_taken.eq(ack.action),
        safety_alerts::note.eq(&ack.note),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Open, not yet escalated alerts raised at or before `cutoff`: (alert id, couple id).
pub fn due_for_escalation(
    conn: &mut DbConnection,
    cutoff: NaiveDateTime,
) -> QueryResult<Vec<(i32, i32, NaiveDateTime)>> {
    safety_alerts::table
        .filter(safety_alerts::acknowledged_at.is_null())
        .filter(safety_alerts::escalated_at.is_null())
        .filter(safety_alerts::raised_at.le(cutoff))
        .order(safety_alerts::id.asc())
        .select((
            safety_alerts::id,
            safety_alerts::couple_id,
            safety_alerts::raised_at,
        ))
        .load(conn)
}

/// Mark an alert escalated; false if another process did first or it was acknowledged since.
pub fn mark_escalated(
    conn: &mut DbConnection,
    alert_id: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        safety_alerts::table
            .filter(safety_alerts::id.eq(alert_id))
            .filter(safety_alerts::escalated_at.is_null())
            .filter(safety_alerts::acknowledged_at.is_null()),
    )
    .set(safety_alerts::escalated_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Active practice admins: (id, email, display name).
pub fn admins(conn: &mut DbConnection) -> QueryResult<Vec<(i32, String, String)>> {
    counselors::table
        .filter(counselors::is_admin.eq(true))
        .filter(counselors::active.eq(true))
        .order(counselors::id.asc())
        .select((counselors::id, counselors::email, counselors::display_name))
        .load(conn)
}
