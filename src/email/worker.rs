//! The outbox worker: claim a batch of due messages, send them outside any transaction,
//! record each outcome. Safe to run in every server process at once: claims are leases in
//! the database, not locks in memory.
//!
//! When the mail server cannot be reached (refused, timed out, TLS or the connection lost
//! before the message was accepted) no message uses up an attempt: the worker's
//! [`Circuit`] opens, the rest of the batch goes back untouched (same due time, so the
//! backlog keeps its order), and from then on the worker sends one message now and then
//! (5 s, doubling to 60 s) to see whether the server is back. The first message it accepts
//! closes the circuit and the backlog drains at full speed. Messages fail for good only on
//! a permanent answer (5xx), after `email.max_attempts` "try later" answers (4xx), or when
//! they have waited `email.max_age_hours` past their due time. A message whose link expired
//! before it could go is not sent at all (status `expired`).
//!
//! Log lines name the outbox id, the attempt and the error, never the address, subject or
//! body: those say who is in therapy.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDateTime;
use rand::Rng;

use super::{build_message, Mailer, SendError};
use crate::config::EmailSettings;
use crate::db::outbox::{self, OutboxRow, Outcome};
use crate::db::{self, Db};

/// Messages claimed per pass.
pub const BATCH: i64 = 50;
/// Messages sent at once (`email.smtp_connections`), each on its own pooled SMTP
/// connection. lettre does not set TCP_NODELAY, so every message waits out the peer's
/// delayed ACK (~40 ms on Linux) before the final "." goes; sending several at once hides
/// that latency.
pub fn send_concurrency(settings: &EmailSettings) -> usize {
    settings.smtp_connections.clamp(1, 64)
}
/// Pause between passes when the outbox had nothing more to give.
pub const POLL_INTERVAL: Duration = Duration::from_secs(5);
/// The first probe of an unreachable server comes this long after it failed; each further
/// one twice as long after the last.
const PROBE_BASE_SECONDS: i64 = 5;
/// No probe waits longer than this.
const PROBE_CAP_SECONDS: i64 = 60;
/// The first retry waits this long; each further one twice as long as the last.
const BACKOFF_BASE_SECONDS: i64 = 30;
/// No retry waits longer than this.
const BACKOFF_CAP_SECONDS: i64 = 3600;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Rows leased to this pass.
    pub claimed: usize,
    /// Accepted by the server.
    pub sent: usize,
    /// Failed for now and rescheduled.
    pub retried: usize,
    /// Given up on (a permanent answer, out of attempts, or too old).
    pub failed: usize,
    /// Not sent because the link they carry had expired.
    pub expired: usize,
    /// Handed back untried or unreachable, keeping their due time (server unreachable, or
    /// the lease running short).
    pub deferred: usize,
    /// Outcomes not recorded because another worker had taken the row over.
    pub lost: usize,
    /// The server could not be reached: the worker waits for its next probe.
    pub server_down: bool,
}

impl DeliveryReport {
    /// Add another pass's counts to these.
    pub fn add(&mut self, other: &DeliveryReport) {
        self.claimed += other.claimed;
        self.sent += other.sent;
        self.retried += other.retried;
        self.failed += other.failed;
        self.expired += other.expired;
        self.deferred += other.deferred;
        self.lost += other.lost;
        self.server_down = other.server_down;
    }
}

/// How long to wait after the `attempts`-th failed attempt: 30 s, 60 s, 120 s ... up to 1 h.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    let seconds = BACKOFF_BASE_SECONDS.saturating_mul(1_i64 << doublings);
    chrono::Duration::seconds(seconds.min(BACKOFF_CAP_SECONDS))
}

/// How long to wait before probing a server that could not be reached `failures` times
/// in a row: 5 s, 10 s, 20 s, 40 s, then every 60 s.
pub fn probe_backoff(failures: u32) -> chrono::Duration {
    let doublings = failures.saturating_sub(1).min(20);
    let seconds = PROBE_BASE_SECONDS.saturating_mul(1_i64 << doublings);
    chrono::Duration::seconds(seconds.min(PROBE_CAP_SECONDS))
}

/// What to record after a failed attempt. An unreachable server uses up nothing: the row
/// goes back as it was. A permanent answer, or the last attempt allowed, gives up;
/// any other answer tries again after [`backoff`].
pub fn outcome_after_failure(
    error: &SendError,
    attempts_before: i32,
    max_attempts: i32,
    now: NaiveDateTime,
) -> Outcome {
    let attempts = attempts_before + 1;
    let message = error.message().to_string();
    match error {
        SendError::Unreachable(_) => Outcome::Unreachable { error: message },
        SendError::Permanent(_) => Outcome::Failed { error: message },
        SendError::Transient(_) if attempts >= max_attempts => Outcome::Failed { error: message },
        SendError::Transient(_) => Outcome::Retry {
            at: now + backoff(attempts),
            error: message,
        },
    }
}

/// Whether a claimed row must be settled without sending it: its link expired, or it has
/// waited more than `max_age` past its due time (`next_attempt_at`, which an unreachable
/// server never moves and a retry by an admin resets).
pub fn outcome_before_sending(
    row: &OutboxRow,
    max_age: chrono::Duration,
    now: NaiveDateTime,
) -> Option<Outcome> {
    if row.expires_at.is_some_and(|expires| expires <= now) {
        return Some(Outcome::Expired);
    }
    let waited = now - row.next_attempt_at;
    if waited >= max_age {
        return Some(Outcome::TooOld {
            error: format!(
                "not delivered within {} hour{}{}",
                max_age.num_hours(),
                if max_age.num_hours() == 1 { "" } else { "s" },
                row.last_error
                    .as_deref()
                    .map(|e| format!(" (last error: {e})"))
                    .unwrap_or_default()
            ),
        });
    }
    None
}

/// `email.max_age_hours` as a duration (kept in range even if the settings were built by
/// hand).
fn max_age(settings: &EmailSettings) -> chrono::Duration {
    chrono::Duration::hours(settings.max_age_hours.clamp(1, 8760))
}

/// Whether the mail server answers, as one worker has seen it. Closed: send batches as
/// usual. Open (the server could not be reached): claim nothing until [`Circuit::ready`],
/// then send one message as a probe; the first message the server takes closes it again.
/// Times come from the caller's clock, so tests can run an outage in simulated time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Circuit {
    failures: u32,
    next_probe: Option<NaiveDateTime>,
    down_since: Option<NaiveDateTime>,
}

impl Circuit {
    /// Whether the server was reachable at the last try.
    pub fn is_closed(&self) -> bool {
        self.failures == 0
    }

    /// Whether the worker may try the server at `now`.
    pub fn ready(&self, now: NaiveDateTime) -> bool {
        self.next_probe.is_none_or(|at| now >= at)
    }

    /// When the next probe is due (open circuit only).
    pub fn next_probe(&self) -> Option<NaiveDateTime> {
        self.next_probe
    }

    /// Since when the server has been unreachable (open circuit only).
    pub fn down_since(&self) -> Option<NaiveDateTime> {
        self.down_since
    }

    /// The server could not be reached at `now`.
    pub fn trip(&mut self, now: NaiveDateTime) {
        self.failures = self.failures.saturating_add(1);
        self.down_since.get_or_insert(now);
        self.next_probe = Some(now + probe_backoff(self.failures));
    }

    /// The server answered.
    pub fn close(&mut self) {
        *self = Circuit::default();
    }
}

/// This process's name in `lease_owner`: pid plus a random tag, so two processes on one
/// host (or a restarted one) never share it.
pub fn worker_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(new_worker_id)
}

/// A fresh lease owner name (one per concurrent worker).
pub fn new_worker_id() -> String {
    let tag: u32 = rand::thread_rng().gen();
    format!("worker-{}-{tag:08x}", std::process::id())
}

/// One delivery worker: its lease owner name and its view of the server ([`Circuit`]).
/// Several may run at once, in one process or many.
#[derive(Debug, Clone)]
pub struct Worker {
    owner: String,
    circuit: Circuit,
}

impl Worker {
    /// A worker leasing rows as `owner`.
    pub fn new(owner: impl Into<String>) -> Worker {
        Worker {
            owner: owner.into(),
            circuit: Circuit::default(),
        }
    }

    /// The worker of this process ([`worker_id`]).
    pub fn for_this_process() -> Worker {
        Worker::new(worker_id())
    }

    /// The name it leases rows under.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Its view of the mail server.
    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// One pass of up to [`BATCH`] messages: see [`Worker::deliver_batch`].
    pub async fn deliver_due(
        &mut self,
        db: &Db,
        mailer: &Mailer,
        settings: &EmailSettings,
        now: NaiveDateTime,
    ) -> anyhow::Result<DeliveryReport> {
        self.deliver_batch(db, mailer, settings, now, BATCH).await
    }

    /// Claim up to `limit` messages due at `now` and send them outside any transaction,
    /// [`send_concurrency`] at a time over the mailer's pooled connections; each group's
    /// outcomes are recorded together as soon as they are known (so a crash resends at
    /// most one group). Expired links and messages past `email.max_age_hours` are settled
    /// without sending. While the server is unreachable this claims nothing until the next
    /// probe, then tries one message; rows not tried keep their due time. Call from async
    /// code; the database work runs on the blocking pool.
    pub async fn deliver_batch(
        &mut self,
        db: &Db,
        mailer: &Mailer,
        settings: &EmailSettings,
        now: NaiveDateTime,
        limit: i64,
    ) -> anyhow::Result<DeliveryReport> {
        if !self.circuit.ready(now) {
            return Ok(DeliveryReport {
                server_down: true,
                ..Default::default()
            });
        }
        let lease = chrono::Duration::seconds(settings.lease_seconds.max(1));
        let claimer = self.owner.clone();
        let rows = db
            .write(move |conn| Ok(outbox::claim_due(conn, &claimer, now, lease, limit)?))
            .await
            .context("Failed to claim due outbox messages")?;
        let mut report = DeliveryReport {
            claimed: rows.len(),
            ..Default::default()
        };

        // Settle what must not go out, without contacting the server.
        let max_age = max_age(settings);
        let mut settled = Vec::new();
        let mut to_send = Vec::with_capacity(rows.len());
        for row in rows {
            match outcome_before_sending(&row, max_age, now) {
                Some(outcome) => {
                    log_outcome(&row, &outcome);
                    settled.push((row.id, outcome));
                }
                None => to_send.push(row),
            }
        }
        if !settled.is_empty() {
            let recorded = record(db, &self.owner, now, settled.clone()).await?;
            tally(&mut report, &settled, &recorded);
        }

        let started = Instant::now();
        // Stop well before the lease runs out, so no other worker takes over a row we might
        // still be sending.
        let budget = Duration::from_secs((settings.lease_seconds.max(2) / 2) as u64);
        let concurrency = send_concurrency(settings);
        let mut next = 0;
        while next < to_send.len() {
            if started.elapsed() >= budget {
                let rest = to_send[next..].iter().map(|r| r.id).collect();
                report.deferred += release(db, &self.owner, rest).await?;
                break;
            }
            // While the server is thought down, one message finds out whether it is back.
            let size = if self.circuit.is_closed() {
                concurrency
            } else {
                1
            };
            let group = &to_send[next..(next + size).min(to_send.len())];
            next += group.len();
            let attempt_at =
                now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
            let results = futures_util::future::join_all(
                group.iter().map(|row| send_row(mailer, settings, row)),
            )
            .await;
            let outcomes: Vec<(i32, Outcome)> = group
                .iter()
                .zip(&results)
                .map(|(row, result)| {
                    let outcome = match result {
                        Ok(()) => Outcome::Sent,
                        Err(e) => outcome_after_failure(
                            e,
                            row.attempts,
                            settings.max_attempts,
                            attempt_at,
                        ),
                    };
                    log_outcome(row, &outcome);
                    (row.id, outcome)
                })
                .collect();
            let recorded = record(db, &self.owner, attempt_at, outcomes.clone()).await?;
            tally(&mut report, &outcomes, &recorded);
            let unreachable = outcomes
                .iter()
                .any(|(_, o)| matches!(o, Outcome::Unreachable { .. }));
            if unreachable {
                // The rest would fail the same way: hand them back untried, due as before.
                self.circuit.trip(attempt_at);
                report.server_down = true;
                let rest = to_send[next..].iter().map(|r| r.id).collect();
                report.deferred += release(db, &self.owner, rest).await?;
                if let Some(at) = self.circuit.next_probe() {
                    tracing::warn!(probe_at = %at, "mail server unreachable; messages wait in the outbox");
                }
                break;
            }
            if !self.circuit.is_closed() {
                tracing::info!("mail server reachable again");
                self.circuit.close();
            }
        }
        Ok(report)
    }
}

/// Count recorded outcomes into the report.
fn tally(report: &mut DeliveryReport, outcomes: &[(i32, Outcome)], recorded: &[bool]) {
    for ((_, outcome), recorded) in outcomes.iter().zip(recorded) {
        match (recorded, outcome) {
            (false, _) => report.lost += 1,
            (true, Outcome::Sent) => report.sent += 1,
            (true, Outcome::Retry { .. }) => report.retried += 1,
            (true, Outcome::Failed { .. } | Outcome::TooOld { .. }) => report.failed += 1,
            (true, Outcome::Expired) => report.expired += 1,
            (true, Outcome::Unreachable { .. }) => report.deferred += 1,
        }
    }
}

async fn send_row(
    mailer: &Mailer,
    settings: &EmailSettings,
    row: &OutboxRow,
) -> Result<(), SendError> {
    let message = build_message(row, &settings.from)?;
    mailer.send(row.id, &message).await
}

/// Record a group of outcomes in one transaction; says which were still ours to record.
async fn record(
    db: &Db,
    owner: &str,
    at: NaiveDateTime,
    outcomes: Vec<(i32, Outcome)>,
) -> anyhow::Result<Vec<bool>> {
    let owner = owner.to_string();
    db.write(move |conn| {
        let mut recorded = Vec::with_capacity(outcomes.len());
        for (id, outcome) in &outcomes {
            recorded.push(outbox::record(conn, *id, &owner, at, outcome)?);
        }
        Ok(recorded)
    })
    .await
    .context("Failed to record what happened to the outbox messages")
}

/// Hand rows back untried; they keep their due time.
async fn release(db: &Db, owner: &str, ids: Vec<i32>) -> anyhow::Result<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let owner = owner.to_string();
    db.write(move |conn| Ok(outbox::release(conn, &ids, &owner, None)?))
        .await
        .context("Failed to hand back unsent outbox messages")
}

fn log_outcome(row: &OutboxRow, outcome: &Outcome) {
    let attempt = row.attempts + 1;
    match outcome {
        Outcome::Sent => tracing::debug!(outbox_id = row.id, attempt, "email sent"),
        Outcome::Retry { at, error } => {
            tracing::warn!(outbox_id = row.id, attempt, %error, retry_at = %at, "email not sent; will retry")
        }
        Outcome::Failed { error } => {
            tracing::error!(outbox_id = row.id, attempt, %error, "email failed; giving up")
        }
        Outcome::Unreachable { error } => {
            tracing::warn!(outbox_id = row.id, %error, "mail server unreachable; email stays queued")
        }
        Outcome::TooOld { error } => {
            tracing::error!(outbox_id = row.id, %error, "email waited too long; giving up")
        }
        Outcome::Expired => {
            tracing::warn!(outbox_id = row.id, "email not sent: its link expired first")
        }
    }
}

/// How long the loop waits before its next pass, given the last one.
pub fn pause_after(report: &DeliveryReport, circuit: &Circuit, now: NaiveDateTime) -> Duration {
    if report.server_down {
        return circuit
            .next_probe()
            .and_then(|at| (at - now).to_std().ok())
            .unwrap_or(Duration::ZERO)
            .min(POLL_INTERVAL);
    }
    // A full batch: there may be more waiting, so go again at once.
    if report.claimed as i64 >= BATCH {
        Duration::ZERO
    } else {
        POLL_INTERVAL
    }
}

/// Deliver the outbox every few seconds for as long as the runtime lives, and at once while
/// full batches keep coming. Spawned with `tokio::spawn`, which works both on actix's
/// runtime (`trellis serve`) and on a plain tokio runtime (tests), where
/// `actix_web::rt::spawn` would need a `LocalSet`. Outside any runtime nothing is started
/// (and a warning logged).
pub fn spawn_worker(
    db: Db,
    mailer: Mailer,
    settings: EmailSettings,
) -> Option<tokio::task::JoinHandle<()>> {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no async runtime: the email worker was not started");
        return None;
    };
    Some(runtime.spawn(async move {
        let mut worker = Worker::for_this_process();
        tracing::info!(owner = worker.owner(), "email worker started");
        loop {
            let now = db::now();
            let pause = match worker.deliver_due(&db, &mailer, &settings, now).await {
                Ok(report) => {
                    if report.claimed > 0 {
                        tracing::info!(
                            sent = report.sent,
                            retried = report.retried,
                            failed = report.failed,
                            expired = report.expired,
                            deferred = report.deferred,
                            lost = report.lost,
                            server_down = report.server_down,
                            "email pass done"
                        );
                    }
                    pause_after(&report, worker.circuit(), now)
                }
                Err(e) => {
                    tracing::error!(error.cause_chain = ?e, "email pass failed");
                    POLL_INTERVAL
                }
            };
            if pause.is_zero() {
                // Let other tasks on this runtime run between back-to-back passes.
                tokio::task::yield_now().await;
            } else {
                tokio::time::sleep(pause).await;
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::status::OutboxStatus;
    use chrono::NaiveDate;

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 23)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .unwrap()
    }

    #[test]
    fn backoff_doubles_from_thirty_seconds_and_stops_at_an_hour() {
        let secs: Vec<i64> = (1..=9).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(secs, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(0).num_seconds(), 30);
        assert_eq!(backoff(i32::MAX).num_seconds(), 3600);
    }

    #[test]
    fn a_transient_error_is_retried_after_the_backoff() {
        let err = SendError::Transient("421 try later".into());
        assert_eq!(
            outcome_after_failure(&err, 2, 8, now()),
            Outcome::Retry {
                at: now() + chrono::Duration::seconds(120),
                error: "421 try later".into()
            }
        );
    }

    #[test]
    fn an_unreachable_server_uses_up_no_attempt_even_on_the_last_one() {
        let err = SendError::Unreachable("connection refused".into());
        for attempts_before in [0, 7, 100] {
            let outcome = outcome_after_failure(&err, attempts_before, 8, now());
            assert_eq!(
                outcome,
                Outcome::Unreachable {
                    error: "connection refused".into()
                }
            );
            assert!(!outcome.counts_as_attempt());
        }
    }

    #[test]
    fn probes_start_at_five_seconds_and_stop_at_a_minute() {
        let secs: Vec<i64> = (1..=7).map(|n| probe_backoff(n).num_seconds()).collect();
        assert_eq!(secs, vec![5, 10, 20, 40, 60, 60, 60]);
        assert_eq!(probe_backoff(0).num_seconds(), 5);
        assert_eq!(probe_backoff(u32::MAX).num_seconds(), 60);
    }

    #[test]
    fn the_circuit_opens_on_an_unreachable_server_and_closes_when_it_answers() {
        let mut circuit = Circuit::default();
        assert!(circuit.is_closed() && circuit.ready(now()));
        circuit.trip(now());
        assert!(!circuit.is_closed());
        assert!(!circuit.ready(now() + chrono::Duration::seconds(4)));
        assert!(circuit.ready(now() + chrono::Duration::seconds(5)));
        let later = now() + chrono::Duration::seconds(5);
        circuit.trip(later);
        assert_eq!(
            circuit.next_probe(),
            Some(later + chrono::Duration::seconds(10))
        );
        assert_eq!(circuit.down_since(), Some(now()));
        circuit.close();
        assert_eq!(circuit, Circuit::default());
    }

    fn row(next_attempt_at: NaiveDateTime, expires_at: Option<NaiveDateTime>) -> OutboxRow {
        OutboxRow {
            id: 1,
            dedupe_key: None,
            kind: "sign_in_link".into(),
            to_address: "sam@example.org".into(),
            to_name: "Sam".into(),
            subject: "s".into(),
            body_text: "t".into(),
            body_html: "h".into(),
            unsubscribe_url: None,
            partner_id: None,
            counselor_id: None,
            status: OutboxStatus::Sending,
            attempts: 0,
            next_attempt_at,
            lease_until: None,
            lease_owner: None,
            last_error: Some("connection refused".into()),
            sent_at: None,
            created_at: next_attempt_at,
            expires_at,
        }
    }

    #[test]
    fn an_expired_link_is_settled_without_sending() {
        let max_age = chrono::Duration::hours(72);
        let expires = now() + chrono::Duration::minutes(15);
        assert_eq!(
            outcome_before_sending(&row(now(), Some(expires)), max_age, now()),
            None
        );
        assert_eq!(
            outcome_before_sending(&row(now(), Some(expires)), max_age, expires),
            Some(Outcome::Expired)
        );
        assert_eq!(
            outcome_before_sending(&row(now(), None), max_age, expires),
            None
        );
    }

    #[test]
    fn a_message_fails_only_after_waiting_the_maximum_age_past_its_due_time() {
        let max_age = chrono::Duration::hours(72);
        let due = now();
        let just_before = due + max_age - chrono::Duration::seconds(1);
        assert_eq!(
            outcome_before_sending(&row(due, None), max_age, just_before),
            None
        );
        match outcome_before_sending(&row(due, None), max_age, due + max_age) {
            Some(Outcome::TooOld { error }) => {
                assert!(error.contains("72 hours"), "{error}");
                assert!(error.contains("connection refused"), "{error}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn full_batches_go_again_at_once_and_a_down_server_waits_for_its_probe() {
        let full = DeliveryReport {
            claimed: BATCH as usize,
            sent: BATCH as usize,
            ..Default::default()
        };
        let closed = Circuit::default();
        assert_eq!(pause_after(&full, &closed, now()), Duration::ZERO);
        let partial = DeliveryReport {
            claimed: 3,
            sent: 3,
            ..Default::default()
        };
        assert_eq!(pause_after(&partial, &closed, now()), POLL_INTERVAL);
        let mut open = Circuit::default();
        open.trip(now());
        let down = DeliveryReport {
            claimed: BATCH as usize,
            deferred: BATCH as usize,
            server_down: true,
            ..Default::default()
        };
        assert_eq!(pause_after(&down, &open, now()), Duration::from_secs(5));
        assert_eq!(
            pause_after(&down, &open, now() + chrono::Duration::seconds(9)),
            Duration::ZERO
        );
    }

    #[test]
    fn a_permanent_error_fails_at_once() {
        let err = SendError::Permanent("550 no such user".into());
        assert!(matches!(
            outcome_after_failure(&err, 0, 8, now()),
            Outcome::Failed { .. }
        ));
    }

    #[test]
    fn the_last_allowed_attempt_fails_for_good() {
        let err = SendError::Transient("451 later".into());
        assert!(matches!(
            outcome_after_failure(&err, 6, 8, now()),
            Outcome::Retry { .. }
        ));
        assert!(matches!(
            outcome_after_failure(&err, 7, 8, now()),
            Outcome::Failed { .. }
        ));
    }

    #[test]
    fn worker_ids_differ() {
        assert_ne!(new_worker_id(), new_worker_id());
    }
}
