//! One reminder email per partner per day: at their hour, in their zone, listing what is
//! open (today's exercises and those still open from the last days, the overdue nudge folded
//! in), and nothing at all when nothing is open. Plus the optional "something new for you"
//! notice, at most once a local day and never in quiet hours.
//!
//! Keys: `due:{partner_id}:{local day the email goes out}` and `shared:{partner_id}:{day}`;
//! the outbox's unique index on them makes planning idempotent, and keying by the day it goes
//! out (not the day planned) keeps a reminder moved past midnight by quiet hours from
//! meeting the next day's.

use chrono::{DateTime, Days, Duration, NaiveDate, Timelike, Utc};

use super::occurrence::{local_date, occurrences, Schedule};
use super::reminder_plan::{hour_is_quiet, is_due, local_send_time, Planned, Prefs, ReminderKind};

/// How many days back an open occurrence is still mentioned.
pub const EARLIER_DAYS: u64 = 2;

/// What one daily reminder lists: assignment ids open on the day it goes out, and those
/// still open from the days before, each sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyReminder {
    pub planned: Planned,
    pub today: Vec<i32>,
    pub earlier: Vec<i32>,
}

/// Open (not yet submitted) occurrences on `day` and the [`EARLIER_DAYS`] before it.
pub fn open_on(
    schedules: &[(i32, Schedule)],
    submitted: &dyn Fn(i32, NaiveDate) -> bool,
    day: NaiveDate,
) -> (Vec<i32>, Vec<i32>) {
    let from = day.checked_sub_days(Days::new(EARLIER_DAYS)).unwrap_or(day);
    let (mut today, mut earlier) = (Vec::new(), Vec::new());
    for (id, schedule) in schedules {
        for date in occurrences(schedule, from, day) {
            if submitted(*id, date) {
                continue;
            }
            if date == day {
                today.push(*id);
            } else {
                earlier.push(*id);
            }
        }
    }
    today.sort_unstable();
    earlier.sort_unstable();
    (today, earlier)
}

/// The partner's daily reminder if one is due at `now` (within `grace` of its time) and
/// something is open; `None` otherwise (reminders off, not time yet, nothing open).
pub fn plan_daily(
    partner_id: i32,
    prefs: &Prefs,
    schedules: &[(i32, Schedule)],
    submitted: &dyn Fn(i32, NaiveDate) -> bool,
    now: DateTime<Utc>,
    grace: Duration,
) -> Option<DailyReminder> {
    if !prefs.enabled {
        return None;
    }
    let today = local_date(now, prefs.tz);
    // Yesterday's reminder may have been moved into today by quiet hours.
    let days = [today.pred_opt(), Some(today)];
    let mut found = None;
    for planned_day in days.into_iter().flatten() {
        let send_at = local_send_time(planned_day, prefs.hour, prefs);
        let send_day = local_date(send_at, prefs.tz);
        let planned = Planned {
            kind: ReminderKind::Due,
            send_at,
            dedupe_key: format!("{}:{partner_id}:{send_day}", ReminderKind::Due.code()),
        };
        if !is_due(&planned, now, grace) {
            continue;
        }
        let (open_today, earlier) = open_on(schedules, submitted, send_day);
        if open_today.is_empty() && earlier.is_empty() {
            continue;
        }
        found = Some(DailyReminder {
            planned,
            today: open_today,
            earlier,
        });
    }
    found
}

/// The optional "something new for you" notice: when the partner asked for it, something
/// was shared with them today (`shared_today`), and `now` is outside their quiet hours.
/// Key `shared:{partner_id}:{local day}`: at most one a day.
pub fn plan_share_notice(
    partner_id: i32,
    prefs: &Prefs,
    wanted: bool,
    shared_today: bool,
    now: DateTime<Utc>,
) -> Option<Planned> {
    if !wanted || !shared_today {
        return None;
    }
    let local = now.with_timezone(&prefs.tz);
    if hour_is_quiet(local.hour(), prefs.quiet) {
        return None;
    }
    Some(Planned {
        kind: ReminderKind::Shared,
        send_at: now,
        dedupe_key: format!("shared:{partner_id}:{}", local.date_naive()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::occurrence::Cadence;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn daily(start: NaiveDate) -> Schedule {
        Schedule {
            cadence: Cadence::Daily,
            start,
            end: None,
            pauses: Vec::new(),
        }
    }

    fn at(h: u32, day: NaiveDate) -> DateTime<Utc> {
        Utc.from_utc_datetime(&day.and_hms_opt(h, 0, 0).unwrap())
    }

    fn prefs() -> Prefs {
        Prefs::new(chrono_tz::UTC)
    }

    #[test]
    fn one_reminder_lists_every_open_assignment_and_folds_in_the_earlier_days() {
        let day = d(2026, 3, 10);
        let schedules: Vec<(i32, Schedule)> =
            (1..=3).map(|id| (id, daily(d(2026, 3, 9)))).collect();
        // Assignment 2 was done yesterday; 3 done today.
        let done = |id: i32, date: NaiveDate| {
            (id == 2 && date == d(2026, 3, 9)) || (id == 3 && date == day)
        };
        let r = plan_daily(
            7,
            &prefs(),
            &schedules,
            &done,
            at(19, day),
            Duration::hours(6),
        )
        .unwrap();
        assert_eq!(r.planned.dedupe_key, "due:7:2026-03-10");
        assert_eq!(r.today, vec![1, 2]);
        assert_eq!(r.earlier, vec![1, 3]);
    }

    #[test]
    fn nothing_open_means_no_email_and_not_before_the_hour() {
        let day = d(2026, 3, 10);
        let schedules = vec![(1, daily(day))];
        let all_done = |_: i32, _: NaiveDate| true;
        assert!(plan_daily(
            7,
            &prefs(),
            &schedules,
            &all_done,
            at(19, day),
            Duration::hours(6)
        )
        .is_none());
        let none_done = |_: i32, _: NaiveDate| false;
        assert!(plan_daily(
            7,
            &prefs(),
            &schedules,
            &none_done,
            at(18, day),
            Duration::hours(6)
        )
        .is_none());
        let mut off = prefs();
        off.enabled = false;
        assert!(plan_daily(
            7,
            &off,
            &schedules,
            &none_done,
            at(19, day),
            Duration::hours(6)
        )
        .is_none());
    }

    #[test]
    fn the_key_is_the_day_the_email_goes_out_so_a_moved_one_is_not_doubled() {
        // Hour 23 inside quiet hours 22-7 (stored before the form refused it): the reminder
        // planned for the 10th goes out at 07:00 on the 11th; at that moment the 11th's own
        // reminder is not due yet, so one email, keyed by the 11th.
        let p = Prefs {
            hour: 23,
            quiet: Some((22, 7)),
            ..prefs()
        };
        let schedules = vec![(1, daily(d(2026, 3, 1)))];
        let none_done = |_: i32, _: NaiveDate| false;
        let r = plan_daily(
            7,
            &p,
            &schedules,
            &none_done,
            at(7, d(2026, 3, 11)),
            Duration::hours(6),
        )
        .unwrap();
        assert_eq!(r.planned.dedupe_key, "due:7:2026-03-11");
    }

    #[test]
    fn the_share_notice_is_once_a_day_opt_in_and_quiet_at_night() {
        let p = Prefs {
            quiet: Some((22, 7)),
            ..prefs()
        };
        let day = d(2026, 3, 10);
        assert!(plan_share_notice(7, &p, false, true, at(12, day)).is_none());
        assert!(plan_share_notice(7, &p, true, false, at(12, day)).is_none());
        assert!(plan_share_notice(7, &p, true, true, at(23, day)).is_none());
        let n = plan_share_notice(7, &p, true, true, at(12, day)).unwrap();
        assert_eq!(n.dedupe_key, "shared:7:2026-03-10");
        let later = plan_share_notice(7, &p, true, true, at(18, day)).unwrap();
        assert_eq!(later.dedupe_key, n.dedupe_key);
    }
}
