//! The email outbox: messages waiting to be delivered, and the record of every attempt.
//!
//! Rows are written in the same transaction as the change that causes them ([`enqueue`]).
//! Workers take a batch with [`claim_due`], which leases the rows to one owner for a while so
//! several servers never send the same row at once, then report each outcome with
//! [`mark_sent`], [`mark_retry`] or [`mark_failed`] (or [`record`] with any [`Outcome`]).
//! A worker that dies simply lets its lease run out and another worker takes the rows over.
//!
//! A row whose server could not be reached goes back as it was ([`Outcome::Unreachable`]):
//! same due time, no attempt used up. Only an answer from the server counts as an attempt.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{email_attempts, email_outbox};
use super::DbConnection;
use crate::domain::status::OutboxStatus;
use crate::insert_returning_id;

/// `last_error` of an expired row: the link it carries ran out before it could go.
pub const LINK_EXPIRED: &str = "link expired before delivery";

/// A whole outbox row, body included; only the worker needs this.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_outbox)]
pub struct OutboxRow {
    pub id: i32,
    pub dedupe_key: Option<String>,
    pub kind: String,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub unsubscribe_url: Option<String>,
    pub partner_id: Option<i32>,
    pub counselor_id: Option<i32>,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub lease_owner: Option<String>,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
}

/// What the admin page shows of a row: never the subject or the body.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_outbox)]
pub struct OutboxSummary {
    pub id: i32,
    pub kind: String,
    pub to_address: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// Its text was removed after delivery (or final failure): it cannot be retried.
    pub content_removed: bool,
}

/// A message to deliver. Status and attempt count start from the table's defaults.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = email_outbox)]
pub struct NewOutboxMessage {
    /// When set, at most one row ever carries this key (e.g. `reminder:42:2026-11-23`).
    pub dedupe_key: Option<String>,
    /// What sort of message this is (`reminder`, `digest`, `sign-in`, `test`...).
    pub kind: String,
    pub to_address: String,
    pub to_name: String,
    /// Must not reveal what the message is about beyond "something is waiting".
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// A one-click unsubscribe address, sent as `List-Unsubscribe`.
    pub unsubscribe_url: Option<String>,
    pub partner_id: Option<i32>,
    pub counselor_id: Option<i32>,
    /// Not before this time (UTC).
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    /// The link inside stops working at this time (UTC): not sent after it.
    pub expires_at: Option<NaiveDateTime>,
}

impl NewOutboxMessage {
    /// A message due at `now` with no dedupe key, unsubscribe link or owner ids.
    pub fn new(
        kind: &str,
        to_address: &str,
        to_name: &str,
        subject: &str,
        body_text: String,
        body_html: String,
        now: NaiveDateTime,
    ) -> NewOutboxMessage {
        NewOutboxMessage {
            dedupe_key: None,
            kind: kind.to_string(),
            to_address: to_address.to_string(),
            to_name: to_name.to_string(),
            subject: subject.to_string(),
            body_text,
            body_html,
            unsubscribe_url: None,
            partner_id: None,
            counselor_id: None,
            next_attempt_at: now,
            created_at: now,
            expires_at: None,
        }
    }
}

/// Queue a message. Returns its id, or `None` when a row with the same `dedupe_key`
/// already exists (the message was queued before; nothing is written).
pub fn enqueue(conn: &mut DbConnection, new: &NewOutboxMessage) -> QueryResult<Option<i32>> {
    match conn {
        // Two servers may plan the same reminder at once: let the unique index decide.
        DbConnection::Pg(c) => diesel::insert_into(email_outbox::table)
            .values(new)
            .on_conflict_do_nothing()
            .returning(email_outbox::id)
            .get_result::<i32>(c)
            .optional(),
        // The caller's immediate transaction holds the write lock, so check-then-insert
        // cannot race.
        DbConnection::Sqlite(_) => {
            if let Some(key) = &new.dedupe_key {
                let taken: bool = diesel::select(diesel::dsl::exists(
                    email_outbox::table.filter(email_outbox::dedupe_key.eq(key)),
                ))
                .get_result(conn)?;
                if taken {
                    return Ok(None);
                }
            }
            insert_returning_id!(conn, email_outbox, new).map(Some)
        }
    }
}

/// Lease up to `limit` due rows to `owner` until `now + lease` and return them: pending rows
/// whose time has come, and rows whose previous worker's lease ran out. Run it inside a
/// write transaction ([`crate::db::Db::write`]): on PostgreSQL rows another claimer has
/// locked are skipped, on SQLite the immediate transaction lets one claimer in at a time.
pub fn claim_due(
    conn: &mut DbConnection,
    owner: &str,
    now: NaiveDateTime,
    lease: chrono::Duration,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    use email_outbox::dsl as o;
    let due = o::email_outbox
        .filter(
            (o::status
                .eq(OutboxStatus::Pending)
                .and(o::next_attempt_at.le(now)))
            .or(o::status
                .eq(OutboxStatus::Sending)
                .and(o::lease_until.lt(now))),
        )
        .order((o::next_attempt_at.asc(), o::id.asc()))
        .limit(limit)
        .select(o::id);
    let ids: Vec<i32> = match conn {
        DbConnection::Pg(c) => due.for_update().skip_locked().load(c)?,
        DbConnection::Sqlite(c) => due.load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(o::email_outbox.filter(o::id.eq_any(&ids)))
        .set((
            o::status.eq(OutboxStatus::Sending),
            o::lease_owner.eq(owner),
            o::lease_until.eq(now + lease),
        ))
        .execute(conn)?;
    o::email_outbox
        .filter(o::id.eq_any(&ids))
        .order((o::next_attempt_at.asc(), o::id.asc()))
        .select(OutboxRow::as_select())
        .load(conn)
}

/// How one delivery attempt ended, or why a row was settled without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server accepted the message.
    Sent,
    /// The server answered "later": try again at the given time (an attempt used up).
    Retry { at: NaiveDateTime, error: String },
    /// The server refused it for good, or it ran out of attempts (an attempt used up).
    Failed { error: String },
    /// The server could not be reached: back in the queue as it was (same due time, no
    /// attempt used up). Logged in `email_attempts` with the error.
    Unreachable { error: String },
    /// Not tried: waiting longer than `email.max_age_hours`. Marked failed.
    TooOld { error: String },
    /// Not tried: the link it carries expired first. Marked [`EXPIRED`].
    Expired,
}

impl Outcome {
    /// Whether this outcome uses up one of the message's attempts.
    pub fn counts_as_attempt(&self) -> bool {
        matches!(
            self,
            Outcome::Sent | Outcome::Retry { .. } | Outcome::Failed { .. }
        )
    }

    /// Whether the row's text is removed with this outcome: once sent or expired, and once
    /// failed if it carried an expiring link (a new link can be asked for; the old one
    /// must not lie in the database). Other failed rows keep their text so an admin can
    /// retry them, until housekeeping removes it ([`remove_stale_failed_content`]).
    fn ends_content(&self, expiring_link: bool) -> bool {
        match self {
            Outcome::Sent | Outcome::Expired => true,
            Outcome::Failed { .. } | Outcome::TooOld { .. } => expiring_link,
            Outcome::Retry { .. } | Outcome::Unreachable { .. } => false,
        }
    }

    /// Whether the mail server was contacted (a row goes into `email_attempts`).
    fn was_tried(&self) -> bool {
        self.counts_as_attempt() || matches!(self, Outcome::Unreachable { .. })
    }
}

/// Record an attempt and its outcome, but only while `owner` still holds the row's lease.
/// Returns false (and writes nothing) when the lease was lost to another worker.
pub fn record(
    conn: &mut DbConnection,
    id: i32,
    owner: &str,
    now: NaiveDateTime,
    outcome: &Outcome,
) -> QueryResult<bool> {
    use email_outbox::dsl as o;
    let leased = o::email_outbox
        .filter(o::id.eq(id))
        .filter(o::status.eq(OutboxStatus::Sending))
        .filter(o::lease_owner.eq(owner));
    let counted = i32::from(outcome.counts_as_attempt());
    let clear_lease = (
        o::attempts.eq(o::attempts + counted),
        o::lease_owner.eq(None::<String>),
        o::lease_until.eq(None::<NaiveDateTime>),
    );
    let changed = match outcome {
        Outcome::Sent => diesel::update(leased)
            .set((
                clear_lease,
                o::status.eq(OutboxStatus::Sent),
                o::sent_at.eq(Some(now)),
            ))
            .execute(conn)?,
        Outcome::Retry { at, error } => diesel::update(leased)
            .set((
                clear_lease,
                o::status.eq(OutboxStatus::Pending),
                o::next_attempt_at.eq(at),
                o::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
        Outcome::Unreachable { error } => diesel::update(leased)
            .set((
                clear_lease,
                o::status.eq(OutboxStatus::Pending),
                o::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
        Outcome::Failed { error } | Outcome::TooOld { error } => diesel::update(leased)
            .set((
                clear_lease,
                o::status.eq(OutboxStatus::Failed),
                o::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
        Outcome::Expired => diesel::update(leased)
            .set((
                clear_lease,
                o::status.eq(OutboxStatus::Expired),
                o::last_error.eq(Some(LINK_EXPIRED)),
            ))
            .execute(conn)?,
    };
    if changed == 0 {
        return Ok(false);
    }
    if outcome.ends_content(has_expiring_link(conn, id)?) {
        remove_content(conn, &[id])?;
    }
    if !outcome.was_tried() {
        return Ok(true);
    }
    let error = match outcome {
        Outcome::Retry { error, .. }
        | Outcome::Failed { error }
        | Outcome::Unreachable { error }
        | Outcome::TooOld { error } => Some(error.as_str()),
        Outcome::Sent | Outcome::Expired => None,
    };
    diesel::insert_into(email_attempts::table)
        .values((
            email_attempts::outbox_id.eq(id),
            email_attempts::attempted_at.eq(now),
            email_attempts::succeeded.eq(matches!(outcome, Outcome::Sent)),
            email_attempts::error.eq(error),
        ))
        .execute(conn)?;
    Ok(true)
}

/// The server accepted the message.
pub fn mark_sent(
    conn: &mut DbConnection,
    id: i32,
    owner: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    record(conn, id, owner, now, &Outcome::Sent)
}

/// The attempt failed for now; try again at `at`.
pub fn mark_retry(
    conn: &mut DbConnection,
    id: i32,
    owner: &str,
    now: NaiveDateTime,
    at: NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    record(
        conn,
        id,
        owner,
        now,
        &Outcome::Retry {
            at,
            error: error.to_string(),
        },
    )
}

/// The attempt failed for good.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i32,
    owner: &str,
    now: NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    record(
        conn,
        id,
        owner,
        now,
        &Outcome::Failed {
            error: error.to_string(),
        },
    )
}

/// Hand leased rows back untried: pending again, no attempt counted, due at `due` (or
/// unchanged). Only rows `owner` still holds are touched. Returns how many were released.
pub fn release(
    conn: &mut DbConnection,
    ids: &[i32],
    owner: &str,
    due: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    use email_outbox::dsl as o;
    let leased = o::email_outbox
        .filter(o::id.eq_any(ids))
        .filter(o::status.eq(OutboxStatus::Sending))
        .filter(o::lease_owner.eq(owner));
    let unlease = (
        o::status.eq(OutboxStatus::Pending),
        o::lease_owner.eq(None::<String>),
        o::lease_until.eq(None::<NaiveDateTime>),
    );
    match due {
        Some(at) => diesel::update(leased)
            .set((unlease, o::next_attempt_at.eq(at)))
            .execute(conn),
        None => diesel::update(leased).set(unlease).execute(conn),
    }
}

/// One row, body included (tests and the worker's diagnostics).
pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<OutboxRow> {
    email_outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
}

/// The latest rows, newest first, optionally only those with one status.
pub fn list(
    conn: &mut DbConnection,
    status: Option<OutboxStatus>,
    limit: i64,
) -> QueryResult<Vec<OutboxSummary>> {
    let mut query = email_outbox::table
        .select(OutboxSummary::as_select())
        .order(email_outbox::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(email_outbox::status.eq(status));
    }
    query.load(conn)
}

/// How many rows are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
    pub expired: i64,
}

/// Rows per status.
pub fn counts(conn: &mut DbConnection) -> QueryResult<Counts> {
    let rows: Vec<(OutboxStatus, i64)> = email_outbox::table
        .group_by(email_outbox::status)
        .select((email_outbox::status, diesel::dsl::count_star()))
        .load(conn)?;
    let mut counts = Counts::default();
    for (status, n) in rows {
        match status {
            OutboxStatus::Pending => counts.pending = n,
            OutboxStatus::Sending => counts.sending = n,
            OutboxStatus::Sent => counts.sent = n,
            OutboxStatus::Failed => counts.failed = n,
            OutboxStatus::Expired => counts.expired = n,
        }
    }
    Ok(counts)
}

/// What a row keeps of its text once it is done: nothing but the subject. Bodies carry
/// sign-in, invitation, password and unsubscribe links, whose tokens must not stay at rest.
pub const CONTENT_REMOVED: &str = "";

fn has_expiring_link(conn: &mut DbConnection, id: i32) -> QueryResult<bool> {
    Ok(email_outbox::table
        .find(id)
        .select(email_outbox::expires_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten()
        .is_some())
}

/// Remove the bodies and unsubscribe link of these rows (subject, recipient, kind and
/// times stay).
pub fn remove_content(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<usize> {
    use email_outbox::dsl as o;
    diesel::update(o::email_outbox.filter(o::id.eq_any(ids)))
        .set((
            o::body_text.eq(CONTENT_REMOVED),
            o::body_html.eq(CONTENT_REMOVED),
            o::unsubscribe_url.eq(None::<String>),
            o::content_removed.eq(true),
        ))
        .execute(conn)
}

/// Remove the text of rows failed before `before` (housekeeping): past that nobody
/// retries them, and their links must not stay at rest.
pub fn remove_stale_failed_content(
    conn: &mut DbConnection,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    use email_outbox::dsl as o;
    diesel::update(
        o::email_outbox
            .filter(o::status.eq_any([
                OutboxStatus::Failed,
                OutboxStatus::Sent,
                OutboxStatus::Expired,
            ]))
            .filter(o::content_removed.eq(false))
            .filter(o::created_at.lt(before)),
    )
    .set((
        o::body_text.eq(CONTENT_REMOVED),
        o::body_html.eq(CONTENT_REMOVED),
        o::unsubscribe_url.eq(None::<String>),
        o::content_removed.eq(true),
    ))
    .execute(conn)
}

/// Put a failed row back in the queue with a fresh set of attempts, due at `now`.
/// Returns false when there is no failed row with this id.
pub fn retry(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    use email_outbox::dsl as o;
    let changed = diesel::update(
        o::email_outbox
            .filter(o::id.eq(id))
            .filter(o::status.eq(OutboxStatus::Failed))
            .filter(o::content_removed.eq(false)),
    )
    .set((
        o::status.eq(OutboxStatus::Pending),
        o::attempts.eq(0),
        o::next_attempt_at.eq(now),
        o::lease_owner.eq(None::<String>),
        o::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(changed > 0)
}

/// Put every failed row back in the queue, as [`retry`] does for one. Returns how many.
/// Expired rows stay as they are: their link no longer works.
pub fn retry_all_failed(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    use email_outbox::dsl as o;
    diesel::update(
        o::email_outbox
            .filter(o::status.eq(OutboxStatus::Failed))
            .filter(o::content_removed.eq(false)),
    )
    .set((
        o::status.eq(OutboxStatus::Pending),
        o::attempts.eq(0),
        o::next_attempt_at.eq(now),
        o::lease_owner.eq(None::<String>),
        o::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// When the oldest message still waiting to go out (pending or being sent) was queued.
pub fn oldest_waiting(conn: &mut DbConnection) -> QueryResult<Option<NaiveDateTime>> {
    use email_outbox::dsl as o;
    o::email_outbox
        .filter(o::status.eq_any([OutboxStatus::Pending, OutboxStatus::Sending]))
        .select(diesel::dsl::min(o::created_at))
        .get_result(conn)
}

/// Every attempt made for one row, oldest first: (when, succeeded, error).
pub fn attempts_for(
    conn: &mut DbConnection,
    id: i32,
) -> QueryResult<Vec<(NaiveDateTime, bool, Option<String>)>> {
    email_attempts::table
        .filter(email_attempts::outbox_id.eq(id))
        .order(email_attempts::id.asc())
        .select((
            email_attempts::attempted_at,
            email_attempts::succeeded,
            email_attempts::error,
        ))
        .load(conn)
}
