//! From a [`Snapshot`] to the reminders due now: pure, no database.

use chrono::{DateTime, Duration, Utc};

use super::load::Snapshot;
use crate::db::couples::PartnerRow;
use crate::domain::occurrence::{local_date, occurrences};
use crate::domain::reminder_plan::{
    is_due, plan_digest, plan_occurrence, plan_session, Planned, Prefs, ReminderKind,
};

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

/// Every reminder that [`is_due`] at `now` within `grace`, for occurrences not yet
/// submitted, sessions not yet started, and counselors' digests.
pub fn candidates(
    s: &Snapshot,
    now: DateTime<Utc>,
    grace: Duration,
    digest_hour: u32,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for a in &s.assignments {
        let Some(partners) = s.partners.get(&a.couple_id) else {
            continue;
        };
        let schedule = a.schedule(&s.pauses);
        for p in partners.iter().filter(|p| a.is_for_slot(&p.slot)) {
            let prefs = prefs_of(p);
            let today = local_date(now, prefs.tz);
            let from = today - Duration::days(2);
            for date in occurrences(&schedule, from, today) {
                if s.submitted.contains(&(a.id, p.id, date)) {
                    continue;
                }
                for planned in plan_occurrence(a.id, p.id, date, &prefs) {
                    if is_due(&planned, now, grace) {
                        out.push(Candidate {
                            planned,
                            to: Recipient::Partner {
                                couple_id: p.couple_id,
                                partner_id: p.id,
                            },
                            session_starts: None,
                        });
                    }
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
    }
}
