//! The reminder scheduler: plans due reminders into the email outbox.
//!
//! A pass reads everything it needs in a fixed number of bulk queries ([`load`]), plans in
//! pure code ([`plan`], over `domain::reminder_plan`), then writes in ONE transaction: one
//! query finds which of the due reminders are already in the outbox, the rest are inserted
//! in batches. Every reminder has a stable dedupe key with a unique index behind it, so
//! passes are idempotent: run twice, or in two processes at once, each reminder is queued
//! once (PostgreSQL: `ON CONFLICT DO NOTHING`; SQLite: the pass holds the write lock).
//! Nothing lives in process memory that another process must see.

pub mod cli;
pub mod digest;
pub mod escalate;
pub mod load;
pub mod plan;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::auth::token;
use crate::config::Settings;
use crate::db::outbox::NewOutboxMessage;
use crate::db::schema::email_outbox;
use crate::db::{self, Db, DbConnection};
use crate::domain::occurrence::local_date;
use crate::domain::reminder_plan::ReminderKind;
use crate::views::emails::{self, DigestSession, EmailBody, ReminderLinks};
use crate::views::reminder_emails::DailyOpen;
use load::Snapshot;
use plan::{Candidate, Recipient};

/// How late a reminder may still go out (a server down for a while catches up on the last
/// few hours, not on a week of stale reminders).
pub fn grace() -> Duration {
    Duration::hours(6)
}

/// What one planning pass queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanReport {
    pub due: usize,
    pub overdue: usize,
    pub session: usize,
    pub digest: usize,
    /// "Something new for you" notices.
    pub shared: usize,
}

impl PlanReport {
    pub fn total(&self) -> usize {
        self.due + self.overdue + self.session + self.digest + self.shared
    }
}

/// Exercise titles of open assignments as a reminder may name them (the private safety
/// check only as "a private check-in"), each once, in order.
fn titles_of(s: &Snapshot, exercise_of: &HashMap<i32, i32>, ids: &[i32]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let title = match exercise_of.get(id).and_then(|e| s.exercises.get(e)) {
            Some((_, true)) => "A private check-in".to_string(),
            Some((title, false)) => title.clone(),
            None => continue,
        };
        if !out.contains(&title) {
            out.push(title);
        }
    }
    out
}

/// One planning pass at `now`: queue every reminder due and not yet queued.
pub fn plan_pass(db: &Db, settings: &Settings, now: DateTime<Utc>) -> anyhow::Result<PlanReport> {
    let snapshot = db
        .read_blocking(|conn| Ok(load::snapshot(conn, now)?))
        .context("Failed to load what the reminder plan needs")?;
    let candidates = plan::candidates(&snapshot, now, grace(), settings.reminders.digest_hour);
    if candidates.is_empty() {
        return Ok(PlanReport::default());
    }
    db.write_blocking(|conn| Ok(write(conn, settings, &snapshot, candidates, now)?))
        .context("Failed to queue the due reminders")
}

/// Dedupe keys of `keys` already in the outbox (one query per 500 keys).
fn existing_keys(conn: &mut DbConnection, keys: &[&str]) -> QueryResult<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in keys.chunks(500) {
        let rows: Vec<Option<String>> = email_outbox::table
            .filter(email_outbox::dedupe_key.eq_any(chunk))
            .select(email_outbox::dedupe_key)
            .load(conn)?;
        found.extend(rows.into_iter().flatten());
    }
    Ok(found)
}

fn write(
    conn: &mut DbConnection,
    settings: &Settings,
    s: &Snapshot,
    candidates: Vec<Candidate>,
    now: DateTime<Utc>,
) -> QueryResult<PlanReport> {
    let keys: Vec<&str> = candidates
        .iter()
        .map(|c| c.planned.dedupe_key.as_str())
        .collect();
    let taken = existing_keys(conn, &keys)?;
    let fresh: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| !taken.contains(&c.planned.dedupe_key))
        .collect();
    if fresh.is_empty() {
        return Ok(PlanReport::default());
    }
    let base = settings.server.base_url.trim_end_matches('/');
    let now_naive = now.naive_utc();

    // One unsubscribe token per partner per pass, shared by their reminders in it.
    let mut tokens: HashMap<i32, String> = HashMap::new();
    for c in &fresh {
        if let Recipient::Partner { partner_id, .. } = c.to {
            tokens.entry(partner_id).or_insert_with(token::generate);
        }
    }
    let pairs: Vec<(i32, String)> = tokens.iter().map(|(p, t)| (*p, t.clone())).collect();
    db::unsubscribe::create_many(conn, &pairs, now_naive)?;

    let exercise_of: HashMap<i32, i32> = s
        .assignments
        .iter()
        .map(|a| (a.id, a.exercise_id))
        .collect();
    let portal = format!("{base}/me");
    let settings_link = format!("{base}/me/settings");
    let mut rows: Vec<(ReminderKind, NewOutboxMessage)> = Vec::with_capacity(fresh.len());
    for c in fresh {
        let message = match &c.to {
            Recipient::Partner {
                couple_id,
                partner_id,
            } => {
                let Some(p) = s
                    .partners
                    .get(couple_id)
                    .and_then(|ps| ps.iter().find(|p| p.id == *partner_id))
                else {
                    continue;
                };
                let unsubscribe = format!(
                    "{base}/unsubscribe/{}",
                    tokens.get(partner_id).map_or("", String::as_str)
                );
                let links = ReminderLinks {
                    portal: &portal,
                    settings: &settings_link,
                    unsubscribe: &unsubscribe,
                };
                let body = match (c.planned.kind, c.session_starts) {
                    (ReminderKind::Session, Some(starts)) => {
                        let local = starts.with_timezone(&p.tz());
                        let when = format!(
                            "on {} at {} ({} time)",
                            local.format("%A %-d %B"),
                            local.format("%H:%M"),
                            p.time_zone
                        );
                        emails::reminder_appointment(p.first_name(), &when, &links)
                    }
                    (ReminderKind::Shared, _) => emails::share_notice(p.first_name(), &links),
                    _ => {
                        let (today, earlier) = c.open.clone().unwrap_or_default();
                        let names = |ids: &[i32]| {
                            p.reminder_titles.then(|| titles_of(s, &exercise_of, ids))
                        };
                        let open = DailyOpen {
                            today: today.len(),
                            earlier: earlier.len(),
                            today_titles: names(&today),
                            earlier_titles: names(&earlier),
                        };
                        emails::reminder_daily(p.first_name(), &open, &links)
                    }
                };
                let mut m = outbox_row(c, &p.email, p.first_name(), body, now_naive);
                m.unsubscribe_url = Some(unsubscribe);
                m.partner_id = Some(p.id);
                m
            }
            Recipient::Counselor { counselor_id } => {
                let Some(counselor) = s.counselors.iter().find(|x| x.id == *counselor_id) else {
                    continue;
                };
                let body = digest_body(conn, settings, s, counselor, now, base)?;
                let first = counselor
                    .display_name
                    .split_whitespace()
                    .next()
                    .unwrap_or("there")
                    .to_string();
                let mut m = outbox_row(c, &counselor.email, &first, body, now_naive);
                m.counselor_id = Some(counselor.id);
                m
            }
        };
        rows.push((c.planned.kind, message));
    }

    let mut report = PlanReport::default();
    // Rows are already in kind-then-key order (see plan::candidates); insert them in runs
    // of one kind so the counts say what was actually written.
    let mut start = 0;
    while start < rows.len() {
        let kind = rows[start].0;
        let end = rows[start..]
            .iter()
            .position(|(k, _)| *k != kind)
            .map_or(rows.len(), |n| start + n);
        let batch: Vec<NewOutboxMessage> =
            rows[start..end].iter().map(|(_, m)| m.clone()).collect();
        let inserted = insert_batch(conn, &batch)?;
        match kind {
            ReminderKind::Due => report.due += inserted,
            ReminderKind::OverdueNudge => report.overdue += inserted,
            ReminderKind::Session => report.session += inserted,
            ReminderKind::Digest => report.digest += inserted,
            ReminderKind::Shared => report.shared += inserted,
        }
        start = end;
    }
    Ok(report)
}

fn outbox_row(
    c: &Candidate,
    to: &str,
    name: &str,
    body: EmailBody,
    now: chrono::NaiveDateTime,
) -> NewOutboxMessage {
    let mut m = NewOutboxMessage::new(
        kind_name(c.planned.kind),
        to,
        name,
        &body.subject,
        body.text,
        body.html,
        now,
    );
    m.dedupe_key = Some(c.planned.dedupe_key.clone());
    m
}

/// The outbox `kind` of each reminder.
pub fn kind_name(kind: ReminderKind) -> &'static str {
    match kind {
        ReminderKind::Due => "reminder",
        ReminderKind::OverdueNudge => "reminder-overdue",
        ReminderKind::Session => "reminder-session",
        ReminderKind::Digest => "digest",
        ReminderKind::Shared => "share-notice",
    }
}

/// Insert rows whose keys were free a moment ago. On PostgreSQL another planner may have
/// taken some since (its transaction commits first); `ON CONFLICT DO NOTHING` skips those
/// and the count says how many were ours. On SQLite this pass holds the write lock.
fn insert_batch(conn: &mut DbConnection, rows: &[NewOutboxMessage]) -> QueryResult<usize> {
    let mut inserted = 0;
    for chunk in rows.chunks(500) {
        inserted += match conn {
            DbConnection::Pg(c) => diesel::insert_into(email_outbox::table)
                .values(chunk)
                .on_conflict_do_nothing()
                .execute(c)?,
            DbConnection::Sqlite(c) => {
                let mut n = 0;
                for row in chunk {
                    n += diesel::insert_into(email_outbox::table)
                        .values(row)
                        .execute(c)?;
                }
                n
            }
        };
    }
    Ok(inserted)
}

fn digest_body(
    conn: &mut DbConnection,
    settings: &Settings,
    s: &Snapshot,
    counselor: &crate::db::counselors::CounselorRow,
    now: DateTime<Utc>,
    base: &str,
) -> QueryResult<EmailBody> {
    let tz: chrono_tz::Tz = counselor.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let today = local_date(now, tz);
    let mut sessions: Vec<(DateTime<Utc>, DigestSession)> = s
        .sessions
        .iter()
        .filter(|x| x.counselor_id == counselor.id)
        .filter_map(|x| {
            let starts = x.starts_at.and_utc();
            let local = starts.with_timezone(&tz);
            if local.date_naive() != today {
                return None;
            }
            let couple = s
                .couples
                .get(&x.couple_id)
                .map_or_else(|| format!("Couple #{}", x.couple_id), |c| c.1.clone());
            Some((
                starts,
                DigestSession {
                    time: local.format("%H:%M").to_string(),
                    couple,
                },
            ))
        })
        .collect();
    sessions.sort_by_key(|(t, _)| *t);
    let sessions: Vec<DigestSession> = sessions.into_iter().map(|(_, d)| d).collect();
    let attention = digest::digest_attention(conn, settings, counselor.id, now)?;
    let open_alerts = db::alerts::open_count_for_counselor(conn, counselor.id)?;
    let first = counselor
        .display_name
        .split_whitespace()
        .next()
        .unwrap_or("there");
    let day = today.format("%A %-d %B").to_string();
    Ok(emails::digest(
        first,
        &day,
        open_alerts,
        &sessions,
        &attention,
        &format!("{base}/dashboard"),
    ))
}

/// What a housekeeping run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Housekeeping {
    pub sessions: usize,
    pub form_tokens: usize,
    pub unsubscribe_tokens: usize,
    pub checkpointed: bool,
}

/// Seconds since the epoch of this process's last SQLite checkpoint.
static LAST_CHECKPOINT: AtomicI64 = AtomicI64::new(0);
/// At most one checkpoint per this many seconds.
const CHECKPOINT_EVERY_SECONDS: i64 = 300;

/// Drop expired web sessions, day-old form tokens and expired unsubscribe tokens in one
/// transaction; on SQLite also fold the write-ahead log back at most every five minutes.
pub fn housekeeping(
    db: &Db,
    settings: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<Housekeeping> {
    let now_naive = now.naive_utc();
    let idle = now_naive - Duration::minutes(settings.auth.idle_timeout_minutes);
    let absolute = now_naive - Duration::hours(settings.auth.absolute_timeout_hours);
    let (sessions, form_tokens, unsubscribe_tokens) = db
        .write_blocking(|conn| {
            // Counselor accounts: old throttles and the text of long-failed messages.
            db::throttle::purge(conn, now_naive - Duration::days(1))?;
            db::outbox::remove_stale_failed_content(conn, now_naive - Duration::days(7))?;
            Ok((
                db::sessions::purge_expired(conn, idle, absolute)?,
                db::forms::purge(conn, now_naive - Duration::days(1))?,
                db::unsubscribe::purge(conn, now_naive)?,
            ))
        })
        .context("Failed to remove expired sessions and tokens")?;
    let mut checkpointed = false;
    if db.target().is_sqlite() {
        let last = LAST_CHECKPOINT.load(Ordering::Relaxed);
        let t = now.timestamp();
        if t - last >= CHECKPOINT_EVERY_SECONDS
            && LAST_CHECKPOINT
                .compare_exchange(last, t, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            db.checkpoint()
                .context("Failed to checkpoint the database")?;
            checkpointed = true;
        }
    }
    Ok(Housekeeping {
        sessions,
        form_tokens,
        unsubscribe_tokens,
        checkpointed,
    })
}

/// Plan and tidy up every `reminders.interval_seconds` beside the server (the outbox worker
/// delivers what was planned). Safe in every process at once.
pub fn spawn_planner(db: Db, settings: Settings) -> Option<tokio::task::JoinHandle<()>> {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!("no async runtime: the reminder planner was not started");
        return None;
    };
    let every = std::time::Duration::from_secs(settings.reminders.interval_seconds.max(1));
    Some(runtime.spawn(async move {
        tracing::info!(
            interval_seconds = every.as_secs(),
            "reminder planner started"
        );
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let (db, settings) = (db.clone(), settings.clone());
            let result = tokio::task::spawn_blocking(move || {
                let now = Utc::now();
                let started = std::time::Instant::now();
                let report = plan_pass(&db, &settings, now)?;
                escalate::escalate_pass(&db, &settings, now)?;
                let tidy = housekeeping(&db, &settings, now)?;
                Ok::<_, anyhow::Error>((report, tidy, started.elapsed()))
            })
            .await;
            match result {
                Ok(Ok((report, tidy, took))) => {
                    if report.total() > 0 || tidy.sessions > 0 {
                        tracing::info!(
                            due = report.due,
                            overdue = report.overdue,
                            session = report.session,
                            digest = report.digest,
                            expired_sessions = tidy.sessions,
                            took_ms = took.as_millis() as u64,
                            "reminder pass done"
                        );
                    }
                }
                Ok(Err(e)) => tracing::error!(error.cause_chain = ?e, "reminder pass failed"),
                Err(e) => tracing::error!(error = %e, "reminder pass panicked"),
            }
        }
    }))
}
