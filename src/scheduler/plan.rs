//! From a [`Snapshot`] to the reminders due now: pure, no database.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::load::Snapshot;
use crate::db::assignments::AssignmentRow;
use crate::db::couples::PartnerRow;
use crate::domain::daily_reminder::{plan_daily, plan_share_notice};
use crate::domain::occurrence::{due_instant, local_date, Schedule};
use crate::domain::reminder_plan::{
    is_due, plan_digest, plan_session, Planned, Prefs, ReminderKind,
};

/// The instant local `day` begins in `tz` (the end of the day before).
fn day_start(day: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    match day.pred_opt() {
        Some(before) => due_instant(before, tz),
        None => DateTime::<Utc>::MIN_UTC,
    }
}

/// Who a planned reminder goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// Index into the partners of `couple_id` in the snapshot.
    Partner {
        couple_id: i32,
        partner_id: i32,
    },
    Counselor {
        counselor_id: i32,
    },
}

/// A reminder due now, before the outbox has been asked whether it went already.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub planned: Planned,
    pub to: Recipient,
    /// For session reminders: when the session starts.
    pub session_starts: Option<DateTime<Utc>>,
    /// For the daily reminder: assignment ids open today, and still open from earlier days.
    pub open: Option<(Vec<i32>, Vec<i32>)>,
}

/// A partner's stored preferences as the planner's [`Prefs`].
pub fn prefs_of(p: &PartnerRow) -> Prefs {
    Prefs {
        tz: p.tz(),
        enabled: p.reminders_enabled,
        hour: p.reminder_hour.clamp(0, 23) as u32,
        quiet: match (p.quiet_start_hour, p.quiet_end_hour) {
            (Some(s), Some(e)) => Some((s.clamp(0, 23) as u32, e.clamp(0, 23) as u32)),
            _ => None,
        },
    }
}

/// Every reminder that [`is_due`] at `now` within `grace`: each partner's one daily
/// reminder (when something is open), the optional "something new" notice, session
/// reminders for sessions not yet started, and counselors' digests.
pub fn candidates(
    s: &Snapshot,
    now: DateTime<Utc>,
    grace: Duration,
    digest_hour: u32,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut by_couple: HashMap<i32, Vec<&AssignmentRow>> = HashMap::new();
    for a in &s.assignments {
        by_couple.entry(a.couple_id).or_default().push(a);
    }
    for partners in s.partners.values() {
        for p in partners {
            let prefs = prefs_of(p);
            let to = Recipient::Partner {
                couple_id: p.couple_id,
                partner_id: p.id,
            };
            let schedules: Vec<(i32, Schedule)> = by_couple
                .get(&p.couple_id)
                .map(|list| {
                    list.iter()
                        .filter(|a| a.is_for_slot(&p.slot))
                        .map(|a| (a.id, a.schedule(&s.pauses)))
                        .collect()
                })
                .unwrap_or_default();
            if !schedules.is_empty() {
                let done = |a: i32, d: NaiveDate| s.submitted.contains(&(a, p.id, d));
                if let Some(r) = plan_daily(p.id, &prefs, &schedules, &done, now, grace) {
                    out.push(Candidate {
                        planned: r.planned,
                        to: to.clone(),
                        session_starts: None,
                        open: Some((r.today, r.earlier)),
                    });
                }
            }
            if p.share_notices {
                let midnight = day_start(local_date(now, prefs.tz), prefs.tz);
                let shared_today = partners.iter().any(|other| {
                    other.id != p.id
                        && s.shared_at
                            .get(&other.id)
                            .is_some_and(|at| at.and_utc() >= midnight)
                });
                if let Some(planned) = plan_share_notice(p.id, &prefs, true, shared_today, now) {
                    out.push(Candidate {
                        planned,
                        to,
                        session_starts: None,
                        open: None,
                    });
                }
            }
        }
    }
    for session in &s.sessions {
        let starts = session.starts_at.and_utc();
        if starts <= now {
            continue;
        }
        let Some(partners) = s.partners.get(&session.couple_id) else {
            continue;
        };
        for p in partners {
            if let Some(planned) = plan_session(session.id, p.id, starts, &prefs_of(p)) {
                if is_due(&planned, now, grace) {
                    out.push(Candidate {
                        planned,
                        to: Recipient::Partner {
                            couple_id: p.couple_id,
                            partner_id: p.id,
                        },
                        session_starts: Some(starts),
                        open: None,
                    });
                }
            }
        }
    }
    for c in &s.counselors {
        let tz = c.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let planned = plan_digest(c.id, local_date(now, tz), tz, digest_hour);
        if is_due(&planned, now, grace) {
            out.push(Candidate {
                planned,
                to: Recipient::Counselor { counselor_id: c.id },
                session_starts: None,
                open: None,
            });
        }
    }
    // One order for every process: concurrent passes on PostgreSQL then take the unique
    // index's locks in the same order and cannot deadlock.
    out.sort_by(|a, b| {
        (kind_rank(a.planned.kind), &a.planned.dedupe_key)
            .cmp(&(kind_rank(b.planned.kind), &b.planned.dedupe_key))
    });
    out
}

fn kind_rank(k: ReminderKind) -> u8 {
    match k {
        ReminderKind::Due => 0,
        ReminderKind::OverdueNudge => 1,
        ReminderKind::Session => 2,
        ReminderKind::Digest => 3,
        ReminderKind::Shared => 4,
    }
}
