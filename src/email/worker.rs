//! The outbox worker: claim a batch of due messages, send them outside any transaction,
//! record each outcome. Safe to run in every server process at once: claims are leases in
//! the database, not locks in memory.
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
    /// Given up on.
    pub failed: usize,
    /// Handed back untried (server unreachable, or the lease running short).
    pub deferred: usize,
    /// Outcomes not recorded because another worker had taken the row over.
    pub lost: usize,
}

/// How long to wait after the `attempts`-th failed attempt: 30 s, 60 s, 120 s ... up to 1 h.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 20) as u32;
    let seconds = BACKOFF_BASE_SECONDS.saturating_mul(1_i64 << doublings);
    chrono::Duration::seconds(seconds.min(BACKOFF_CAP_SECONDS))
}

/// What to record after a failed attempt: give up on a permanent error or when this was
/// the last attempt allowed, otherwise try again after [`backoff`].
pub fn outcome_after_failure(
    error: &SendError,
    attempts_before: i32,
    max_attempts: i32,
    now: NaiveDateTime,
) -> Outcome {
    let attempts = attempts_before + 1;
    let message = error.message().to_string();
    if error.is_permanent() || attempts >= max_attempts {
        Outcome::Failed { error: message }
    } else {
        Outcome::Retry {
            at: now + backoff(attempts),
            error: message,
        }
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

/// One pass as this process's worker: see [`deliver_batch`].
pub async fn deliver_due(
    db: &Db,
    mailer: &Mailer,
    settings: &EmailSettings,
    now: NaiveDateTime,
) -> anyhow::Result<DeliveryReport> {
    deliver_batch(db, mailer, settings, worker_id(), now, BATCH).await
}

/// Claim up to `limit` messages due at `now` for `owner` and send them outside any
/// transaction, [`send_concurrency`] at a time over the mailer's pooled connections;
/// each group's outcomes are recorded together as soon as they are known (so a crash
/// resends at most one group). Call from async code; the database work runs on the
/// blocking pool.
pub async fn deliver_batch(
    db: &Db,
    mailer: &Mailer,
    settings: &EmailSettings,
    owner: &str,
    now: NaiveDateTime,
    limit: i64,
) -> anyhow::Result<DeliveryReport> {
    let lease = chrono::Duration::seconds(settings.lease_seconds.max(1));
    let claimer = owner.to_string();
    let rows = db
        .write(move |conn| Ok(outbox::claim_due(conn, &claimer, now, lease, limit)?))
        .await
        .context("Failed to claim due outbox messages")?;
    let mut report = DeliveryReport {
        claimed: rows.len(),
        ..Default::default()
    };
    let started = Instant::now();
    // Stop well before the lease runs out, so no other worker takes over a row we might
    // still be sending.
    let budget = Duration::from_secs((settings.lease_seconds.max(2) / 2) as u64);
    let concurrency = send_concurrency(settings);
    for (index, group) in rows.chunks(concurrency).enumerate() {
        let done = index * concurrency;
        if started.elapsed() >= budget {
            let rest = rows[done..].iter().map(|r| r.id).collect();
            report.deferred += release(db, owner, rest, None).await?;
            break;
        }
        let attempt_at = now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
        let results =
            futures_util::future::join_all(group.iter().map(|row| send_row(mailer, settings, row)))
                .await;
        let outcomes: Vec<(i32, Outcome)> = group
            .iter()
            .zip(&results)
            .map(|(row, result)| {
                let outcome = match result {
                    Ok(()) => Outcome::Sent,
                    Err(e) => {
                        outcome_after_failure(e, row.attempts, settings.max_attempts, attempt_at)
                    }
                };
                log_outcome(row, &outcome);
                (row.id, outcome)
            })
            .collect();
        // The server itself is unreachable: the rest of the batch would fail the same way,
        // so hand it back untried, due when these are retried.
        let unreachable_until = results
            .iter()
            .zip(&outcomes)
            .filter_map(|(result, (_, outcome))| match (result, outcome) {
                (Err(SendError::Unreachable(_)), Outcome::Retry { at, .. }) => Some(*at),
                _ => None,
            })
            .min();
        let recorded = record(db, owner, attempt_at, outcomes.clone()).await?;
        for ((_, outcome), recorded) in outcomes.iter().zip(recorded) {
            match (recorded, outcome) {
                (false, _) => report.lost += 1,
                (true, Outcome::Sent) => report.sent += 1,
                (true, Outcome::Retry { .. }) => report.retried += 1,
                (true, Outcome::Failed { .. }) => report.failed += 1,
            }
        }
        if let Some(due) = unreachable_until {
            let rest = rows[done + group.len()..].iter().map(|r| r.id).collect();
            report.deferred += release(db, owner, rest, Some(due)).await?;
            break;
        }
    }
    Ok(report)
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

async fn release(
    db: &Db,
    owner: &str,
    ids: Vec<i32>,
    due: Option<NaiveDateTime>,
) -> anyhow::Result<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let owner = owner.to_string();
    db.write(move |conn| Ok(outbox::release(conn, &ids, &owner, due)?))
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
    }
}

/// Deliver the outbox every few seconds for as long as the runtime lives. Spawned with
/// `tokio::spawn`, which works both on actix's runtime (`trellis serve`) and on a plain
/// tokio runtime (tests), where `actix_web::rt::spawn` would need a `LocalSet`. Outside any
/// runtime nothing is started (and a warning logged).
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
        tracing::info!(owner = worker_id(), "email worker started");
        loop {
            let more = match deliver_due(&db, &mailer, &settings, db::now()).await {
                Ok(report) => {
                    if report.claimed > 0 {
                        tracing::info!(
                            sent = report.sent,
                            retried = report.retried,
                            failed = report.failed,
                            deferred = report.deferred,
                            lost = report.lost,
                            "email pass done"
                        );
                    }
                    // A full batch that all went through: there may be more waiting.
                    report.claimed as i64 >= BATCH && report.deferred == 0
                }
                Err(e) => {
                    tracing::error!(error.cause_chain = ?e, "email pass failed");
                    false
                }
            };
            if !more {
                tokio::time::sleep(POLL_INTERVAL).await;
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn an_unreachable_server_is_retried() {
        let err = SendError::Unreachable("connection refused".into());
        assert!(matches!(
            outcome_after_failure(&err, 0, 8, now()),
            Outcome::Retry { .. }
        ));
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
