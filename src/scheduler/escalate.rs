//! Escalating safety alerts: an alert nobody has acknowledged within
//! `alerts.escalate_after_hours` sends the practice admins the same content-free email the
//! counselor had, once. Runs with every planning pass, in any number of processes: the
//! alert row is marked in the same transaction as the emails are queued, and only a row
//! still unmarked is taken (a second process finds it marked and skips it).

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};

use crate::config::Settings;
use crate::db::audit::NewAudit;
use crate::db::outbox::NewOutboxMessage;
use crate::db::{self, Db};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::safety::escalation_due;
use crate::views::emails;

/// The outbox `kind` of the admin's escalation email.
pub const KIND_ESCALATION: &str = "attention-escalated";

/// Escalate every alert due at `now`; returns how many were escalated.
pub fn escalate_pass(db: &Db, settings: &Settings, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let hours = settings.alerts.escalate_after_hours;
    let now = now.naive_utc();
    let cutoff = now - Duration::hours(hours);
    let link = format!(
        "{}/practice/alerts",
        settings.server.base_url.trim_end_matches('/')
    );
    db.write_blocking(|conn| {
        let due = db::alerts::due_for_escalation(conn, cutoff)?;
        if due.is_empty() {
            return Ok(0);
        }
        let admins = db::alerts::admins(conn)?;
        let mut escalated = 0;
        for (alert_id, couple_id, raised_at) in due {
            if !escalation_due(raised_at, false, false, now, hours)
                || !db::alerts::mark_escalated(conn, alert_id, now)?
            {
                continue;
            }
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::System,
                    None,
                    AuditAction::SafetyAlertEscalate,
                    "scheduler",
                )
                .target("safety_alert", alert_id)
                .couple(couple_id)
                .detail(format!("admins={}", admins.len())),
            )?;
            for (admin_id, email, name) in &admins {
                let first = name.split_whitespace().next().unwrap_or("there");
                let body = emails::attention_escalated(first, hours, &link);
                let mut m = NewOutboxMessage::new(
                    KIND_ESCALATION,
                    email,
                    first,
                    &body.subject,
                    body.text,
                    body.html,
                    now,
                );
                m.counselor_id = Some(*admin_id);
                m.dedupe_key = Some(format!("alert-escalation:{alert_id}:{admin_id}"));
                db::outbox::enqueue(conn, &m)?;
            }
            escalated += 1;
        }
        Ok(escalated)
    })
    .context("Failed to escalate the unacknowledged safety alerts")
}
