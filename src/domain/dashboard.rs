//! The counselor dashboard's figures, computed from rows the caller loaded in a fixed number
//! of queries (couples, partners, assignments and pauses, submitted entries in the window,
//! sessions, setbacks). Nothing here touches the database or the clock: `now` is passed in.
//!
//! "Owed" means an occurrence of an assignment that includes the partner, on a date in the
//! last [`WINDOW_DAYS`] local days up to today in the partner's time zone. "Made" means a
//! submitted entry for one of those occurrences. "Overdue" means an owed occurrence whose due
//! instant has passed with no submitted entry.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::attention::{self, CoupleFigures, Flag, PartnerFigures, Raised, Thresholds};
use super::couple::Slot;
use super::occurrence::{is_overdue, local_date, next_occurrence, occurrences, Schedule};
use super::triage::{Headline, Urgency};

/// How many local days (today included) the completion figures look back.
pub const WINDOW_DAYS: u64 = 14;

/// How many days back the dashboard's trust sparkline reaches.
pub const SPARK_DAYS: u64 = 28;

/// The longest a computed dashboard is reused even if nothing says it changed.
pub const MAX_REUSE_MINUTES: i64 = 15;

/// A couple as the dashboard needs it.
#[derive(Debug, Clone)]
pub struct CoupleIn {
    pub id: i32,
    pub label: String,
    pub start_date: NaiveDate,
    /// Paused and closed couples (in exports) owe nothing and raise no flags.
    pub active: bool,
}

/// A partner as the dashboard needs it (the denormalised figures kept current on submit).
#[derive(Debug, Clone)]
pub struct PartnerIn {
    pub id: i32,
    pub couple_id: i32,
    pub slot: Slot,
    pub name: String,
    pub tz: Tz,
    pub last_entry_at: Option<NaiveDateTime>,
    pub latest_trust: Option<i32>,
    pub previous_trust: Option<i32>,
}

/// An assignment: who it is for ("both", "a" or "b") and its schedule with pauses.
#[derive(Debug, Clone)]
pub struct AssignmentIn {
    pub id: i32,
    pub couple_id: i32,
    pub assignee: String,
    pub schedule: Schedule,
}

impl AssignmentIn {
    pub fn includes(&self, slot: Slot) -> bool {
        self.assignee == "both" || self.assignee == slot.as_str()
    }
}

/// A submitted entry: which partner, for which assignment, for which date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Submitted {
    pub partner_id: i32,
    pub assignment_id: i32,
    pub date: NaiveDate,
}

/// A trust rating (0-10) a partner gave in a submitted entry, for the sparkline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustPoint {
    pub partner_id: i32,
    pub date: NaiveDate,
    pub score: i32,
}

/// A setback as the dashboard needs it (never its text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetbackIn {
    pub couple_id: i32,
    pub severity: i32,
    pub happened_on: NaiveDate,
    pub created_at: NaiveDateTime,
}

/// Everything the dashboard loaded.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub couples: Vec<CoupleIn>,
    pub partners: Vec<PartnerIn>,
    pub assignments: Vec<AssignmentIn>,
    /// Submitted entries of these couples whose occurrence date is in the window.
    pub submitted: Vec<Submitted>,
    /// Trust ratings of the last [`SPARK_DAYS`] days.
    pub trust: Vec<TrustPoint>,
    /// Start of the most recent booked session that has begun, per couple.
    pub last_session: HashMap<i32, NaiveDateTime>,
    /// Start of the next booked session, per couple.
    pub next_session: HashMap<i32, NaiveDateTime>,
    /// The most recently logged setback, per couple.
    pub latest_setback: HashMap<i32, SetbackIn>,
    /// Setbacks at or above the severe threshold that may be recent enough to matter
    /// (the caller may over-fetch; the cut at the last session is made here).
    pub severe_setbacks: Vec<SetbackIn>,
    /// Open safety alerts per couple (couples without any are absent).
    pub open_alerts: HashMap<i32, u32>,
}

/// Completion of one partner over the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Completion {
    pub made: u32,
    pub owed: u32,
    pub overdue: u32,
}

impl Completion {
    fn add(&mut self, other: Completion) {
        self.made += other.made;
        self.owed += other.owed;
        self.overdue += other.overdue;
    }
}

/// One partner's row on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerSummary {
    pub id: i32,
    pub name: String,
    pub completion: Completion,
    pub days_since_last_entry: Option<i64>,
    pub latest_trust: Option<i32>,
    /// Latest minus previous rating, when both exist.
    pub trust_change: Option<i32>,
    /// Trust ratings over the last [`SPARK_DAYS`] days, ascending by date.
    pub trust_points: Vec<(NaiveDate, i32)>,
}

/// One couple's row on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoupleSummary {
    pub id: i32,
    pub label: String,
    pub partners: Vec<PartnerSummary>,
    pub latest_setback: Option<SetbackIn>,
    /// The highest severity at or above the flag's threshold since the last session.
    pub severe_since_last_session: Option<i32>,
    pub last_session: Option<NaiveDateTime>,
    pub next_session: Option<NaiveDateTime>,
    pub flags: Vec<Raised>,
    /// Open safety alerts (0 for paused and closed couples too: they still count here,
    /// an alert is never hidden by a couple's status).
    pub open_alerts: u32,
    /// Where the couple stands in the triage.
    pub urgency: Urgency,
    /// [`Urgency::score`]: the sort key as one number.
    pub score: i32,
}

impl CoupleSummary {
    pub fn has_flag(&self, flag: Flag) -> bool {
        self.flags.iter().any(|r| r.flag == flag)
    }

    /// The most serious reason to look at this couple.
    pub fn headline(&self) -> Headline {
        Headline::of(self.open_alerts, &self.flags)
    }

    /// Entries made and owed by both partners together over the window.
    pub fn completion(&self) -> Completion {
        let mut total = Completion::default();
        for p in &self.partners {
            total.add(p.completion);
        }
        total
    }

    /// Days since the most recent entry of either partner; `None` if neither wrote.
    pub fn days_since_last_entry(&self) -> Option<i64> {
        self.partners
            .iter()
            .filter_map(|p| p.days_since_last_entry)
            .min()
    }
}

/// The window's first and last local dates for a partner whose today is `today`.
pub fn window(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let from = today
        .checked_sub_days(Days::new(WINDOW_DAYS - 1))
        .unwrap_or(today);
    (from, today)
}

/// Completion of one partner on one assignment over the window ending at the partner's
/// local today. `done` answers "is there a submitted entry for this date?".
pub fn completion(
    schedule: &Schedule,
    tz: Tz,
    now: DateTime<Utc>,
    done: impl Fn(NaiveDate) -> bool,
) -> Completion {
    let (from, to) = window(local_date(now, tz));
    let mut c = Completion::default();
    for date in occurrences(schedule, from, to) {
        c.owed += 1;
        if done(date) {
            c.made += 1;
        } else if is_overdue(date, now, tz) {
            c.overdue += 1;
        }
    }
    c
}

/// The next date this partner owes an entry for the assignment, from their local today.
pub fn next_due(schedule: &Schedule, tz: Tz, now: DateTime<Utc>) -> Option<NaiveDate> {
    next_occurrence(schedule, local_date(now, tz))
}

/// Whole local days between the instant `then` and `now` in `tz` (never negative).
fn days_since(then: NaiveDateTime, now: DateTime<Utc>, tz: Tz) -> i64 {
    let then_local = local_date(then.and_utc(), tz);
    (local_date(now, tz) - then_local).num_days().max(0)
}

/// Build every couple's row, flags raised, sorted by [`Urgency`] (most urgent first, then
/// by label).
pub fn summarize(
    loaded: &Loaded,
    thresholds: &Thresholds,
    now: DateTime<Utc>,
) -> Vec<CoupleSummary> {
    let done: HashSet<Submitted> = loaded.submitted.iter().copied().collect();
    let mut partners_of: HashMap<i32, Vec<&PartnerIn>> = HashMap::new();
    for p in &loaded.partners {
        partners_of.entry(p.couple_id).or_default().push(p);
    }
    let mut assignments_of: HashMap<i32, Vec<&AssignmentIn>> = HashMap::new();
    for a in &loaded.assignments {
        assignments_of.entry(a.couple_id).or_default().push(a);
    }
    let mut trust_of: HashMap<i32, Vec<(NaiveDate, i32)>> = HashMap::new();
    for t in &loaded.trust {
        trust_of
            .entry(t.partner_id)
            .or_default()
            .push((t.date, t.score));
    }
    let severe_min = thresholds.severe_setback_min.max(1);
    let mut severe_since_last: HashMap<i32, i32> = HashMap::new();
    for s in &loaded.severe_setbacks {
        if s.severity < severe_min {
            continue;
        }
        let after_last = loaded
            .last_session
            .get(&s.couple_id)
            .is_none_or(|last| s.created_at >= *last);
        if after_last {
            let max = severe_since_last.entry(s.couple_id).or_insert(s.severity);
            *max = (*max).max(s.severity);
        }
    }

    let mut rows: Vec<CoupleSummary> = loaded
        .couples
        .iter()
        .map(|c| {
            let mut partners: Vec<&PartnerIn> = partners_of.get(&c.id).cloned().unwrap_or_default();
            partners.sort_by_key(|p| p.slot.as_str());
            let assignments = if c.active {
                assignments_of.get(&c.id).cloned().unwrap_or_default()
            } else {
                Vec::new()
            };
            let mut figures = CoupleFigures {
                partners: Vec::with_capacity(partners.len()),
                max_setback_severity: severe_since_last.get(&c.id).copied(),
            };
            let mut summaries = Vec::with_capacity(partners.len());
            for p in partners {
                let mut total = Completion::default();
                for a in assignments.iter().filter(|a| a.includes(p.slot)) {
                    total.add(completion(&a.schedule, p.tz, now, |date| {
                        done.contains(&Submitted {
                            partner_id: p.id,
                            assignment_id: a.id,
                            date,
                        })
                    }));
                }
                let days_since_last_entry = p.last_entry_at.map(|t| days_since(t, now, p.tz));
                let days_in_work = (local_date(now, p.tz) - c.start_date).num_days().max(0);
                figures.partners.push(PartnerFigures {
                    name: p.name.clone(),
                    latest_trust: p.latest_trust,
                    previous_trust: p.previous_trust,
                    days_since_last_entry,
                    days_in_work,
                    overdue: i32::try_from(total.overdue).unwrap_or(i32::MAX),
                    owed: i32::try_from(total.owed).unwrap_or(i32::MAX),
                });
                let mut trust_points = trust_of.get(&p.id).cloned().unwrap_or_default();
                trust_points.sort_by_key(|(d, _)| *d);
                summaries.push(PartnerSummary {
                    id: p.id,
                    name: p.name.clone(),
                    completion: total,
                    days_since_last_entry,
                    latest_trust: p.latest_trust,
                    trust_change: p.latest_trust.zip(p.previous_trust).map(|(l, p)| l - p),
                    trust_points,
                });
            }
            let flags = if c.active {
                attention::evaluate(&figures, thresholds)
            } else {
                Vec::new()
            };
            let open_alerts = loaded.open_alerts.get(&c.id).copied().unwrap_or(0);
            let urgency = Urgency::of(open_alerts, &flags);
            CoupleSummary {
                id: c.id,
                label: c.label.clone(),
                partners: summaries,
                latest_setback: loaded.latest_setback.get(&c.id).cloned(),
                severe_since_last_session: figures.max_setback_severity,
                last_session: loaded.last_session.get(&c.id).copied(),
                next_session: loaded.next_session.get(&c.id).copied(),
                flags,
                open_alerts,
                urgency,
                score: urgency.score(),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.urgency
            .cmp(&a.urgency)
            .then_with(|| a.label.to_lowercase().cmp(&b.label.to_lowercase()))
            .then_with(|| a.id.cmp(&b.id))
    });
    rows
}

/// The first instant after `now` at which figures computed at `now` from `loaded` could
/// read differently with no change to the data: the next local midnight of any partner
/// (the window, overdue entries and "days since" move on) or the start of the next booked
/// session (it becomes the last one). Never more than [`MAX_REUSE_MINUTES`] away.
pub fn next_change(loaded: &Loaded, now: DateTime<Utc>) -> DateTime<Utc> {
    let cap = now + chrono::Duration::minutes(MAX_REUSE_MINUTES);
    let midnights = loaded
        .partners
        .iter()
        .map(|p| super::occurrence::due_instant(local_date(now, p.tz), p.tz));
    let sessions = loaded
        .next_session
        .values()
        .map(|t| t.and_utc())
        .filter(|t| *t > now);
    midnights
        .chain(sessions)
        .filter(|t| *t > now)
        .fold(cap, |soonest, t| soonest.min(t))
}

/// How many couples carry each flag, in [`Flag::ALL`] order.
pub fn flag_counts(rows: &[CoupleSummary]) -> Vec<(Flag, usize)> {
    Flag::ALL
        .iter()
        .map(|f| (*f, rows.iter().filter(|r| r.has_flag(*f)).count()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::occurrence::{Cadence, Pause};
    use chrono::TimeZone;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("datetime")
    }

    /// Monday 2026-03-16, 12:00 UTC.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 16, 12, 0, 0).unwrap()
    }

    fn daily(id: i32, couple_id: i32, assignee: &str, start: &str) -> AssignmentIn {
        AssignmentIn {
            id,
            couple_id,
            assignee: assignee.into(),
            schedule: Schedule {
                cadence: Cadence::Daily,
                start: d(start),
                end: None,
                pauses: vec![],
            },
        }
    }

    fn partner(id: i32, couple_id: i32, slot: Slot, name: &str) -> PartnerIn {
        PartnerIn {
            id,
            couple_id,
            slot,
            name: name.into(),
            tz: chrono_tz::UTC,
            last_entry_at: Some(at("2026-03-16 08:00")),
            latest_trust: None,
            previous_trust: None,
        }
    }

    /// One calm couple: a daily exercise for both since March 1, every entry made.
    fn calm() -> Loaded {
        let mut l = Loaded {
            couples: vec![CoupleIn {
                id: 1,
                label: "Rivera & Chen".into(),
                start_date: d("2026-01-01"),
                active: true,
            }],
            partners: vec![
                partner(11, 1, Slot::B, "Alex"),
                partner(10, 1, Slot::A, "Sam"),
            ],
            assignments: vec![daily(100, 1, "both", "2026-03-01")],
            ..Loaded::default()
        };
        for pid in [10, 11] {
            for day in 3..=16 {
                l.submitted.push(Submitted {
                    partner_id: pid,
                    assignment_id: 100,
                    date: d(&format!("2026-03-{day:02}")),
                });
            }
        }
        l
    }

    fn one(l: &Loaded) -> CoupleSummary {
        summarize(l, &Thresholds::default(), now()).remove(0)
    }

    fn flags(l: &Loaded) -> Vec<Flag> {
        one(l).flags.iter().map(|r| r.flag).collect()
    }

    #[test]
    fn a_calm_couple_raises_nothing() {
        let s = one(&calm());
        assert!(s.flags.is_empty());
        assert_eq!(s.score, 0);
        assert_eq!(s.partners[0].name, "Sam", "slot a first");
        assert_eq!(
            s.partners[0].completion,
            Completion {
                made: 14,
                owed: 14,
                overdue: 0
            }
        );
        assert_eq!(s.partners[0].days_since_last_entry, Some(0));
    }

    #[test]
    fn missed_days_are_overdue_but_today_is_not_yet() {
        let mut l = calm();
        // Sam missed the 10th and today (the 16th) is still open.
        l.submitted.retain(|s| {
            !(s.partner_id == 10 && (s.date == d("2026-03-10") || s.date == d("2026-03-16")))
        });
        let s = one(&l);
        assert_eq!(
            s.partners[0].completion,
            Completion {
                made: 12,
                owed: 14,
                overdue: 1
            }
        );
        // One missed day in fourteen is not a pattern.
        assert!(flags(&l).is_empty());
        // Five more (6 of 14, 42%) are.
        l.submitted.retain(|s| {
            !(s.partner_id == 10 && s.date >= d("2026-03-05") && s.date <= d("2026-03-09"))
        });
        let s = one(&l);
        assert_eq!(flags(&l), vec![Flag::Overdue]);
        assert_eq!(s.flags[0].reason, "Sam missed 6 of 14 entries owed (42%).");
        assert_eq!(s.headline(), Headline::Flag(Flag::Overdue));
        assert_eq!(
            s.completion(),
            Completion {
                made: 21,
                owed: 28,
                overdue: 6
            }
        );
    }

    #[test]
    fn open_safety_alerts_come_first_whatever_the_flags() {
        let mut l = calm();
        let mut second = calm();
        second.couples[0].id = 2;
        second.couples[0].label = "Adams".into();
        for p in &mut second.partners {
            p.couple_id = 2;
            p.id += 10;
            p.latest_trust = Some(2);
            p.previous_trust = Some(9);
        }
        l.couples.extend(second.couples);
        l.partners.extend(second.partners);
        l.open_alerts.insert(1, 1);
        let rows = summarize(&l, &Thresholds::default(), now());
        assert_eq!(rows[0].label, "Rivera & Chen", "the alert first");
        assert_eq!(rows[0].headline(), Headline::SafetyAlert(1));
        assert_eq!(rows[1].headline(), Headline::Flag(Flag::TrustDrop));
        assert!(rows[0].score > rows[1].score);
    }

    #[test]
    fn owed_dates_follow_the_partners_time_zone() {
        let mut l = calm();
        // At 12:00 UTC on the 16th it is already the 17th in Kiritimati (UTC+14):
        // the window there runs 4th..17th and the 3rd is no longer in it.
        l.partners[0].tz = chrono_tz::Pacific::Kiritimati;
        let s = one(&l);
        assert_eq!(
            s.partners[0].completion.made, 14,
            "Sam, in UTC, made all 14"
        );
        let c = s.partners.iter().find(|p| p.id == 11).unwrap().completion;
        // Alex: 13 of 14 made (the 17th is owed today, not yet written).
        assert_eq!((c.made, c.owed, c.overdue), (13, 14, 0));
    }

    #[test]
    fn single_partner_assignments_count_only_for_that_partner() {
        let mut l = calm();
        l.assignments.push(daily(101, 1, "b", "2026-03-15"));
        let s = one(&l);
        let sam = s.partners.iter().find(|p| p.id == 10).unwrap();
        let alex = s.partners.iter().find(|p| p.id == 11).unwrap();
        assert_eq!(sam.completion.owed, 14);
        assert_eq!(alex.completion.owed, 16);
        // The 15th is overdue for Alex on assignment 101; the 16th is still open.
        assert_eq!(alex.completion.overdue, 1);
    }

    #[test]
    fn paused_days_are_not_owed() {
        let mut l = calm();
        l.assignments[0].schedule.pauses.push(Pause {
            start: d("2026-03-14"),
            end: None,
        });
        l.submitted.retain(|s| s.date < d("2026-03-14"));
        let s = one(&l);
        assert_eq!(s.partners[0].completion.owed, 11);
        assert!(s.flags.is_empty());
    }

    #[test]
    fn severe_setback_counts_only_after_the_last_session() {
        let mut l = calm();
        l.severe_setbacks.push(SetbackIn {
            couple_id: 1,
            severity: 5,
            happened_on: d("2026-03-10"),
            created_at: at("2026-03-10 20:00"),
        });
        assert_eq!(flags(&l), vec![Flag::SevereSetback]);
        l.last_session.insert(1, at("2026-03-12 15:00"));
        assert!(flags(&l).is_empty(), "discussed in the session since");
        l.severe_setbacks.push(SetbackIn {
            couple_id: 1,
            severity: 4,
            happened_on: d("2026-03-13"),
            created_at: at("2026-03-13 09:00"),
        });
        assert_eq!(flags(&l), vec![Flag::SevereSetback]);
        // Below the threshold does not count even if over-fetched.
        l.severe_setbacks[1].severity = 3;
        assert!(flags(&l).is_empty());
    }

    #[test]
    fn trust_figures_and_flags() {
        let mut l = calm();
        l.partners[1].latest_trust = Some(4); // Sam
        l.partners[1].previous_trust = Some(7);
        l.partners[0].latest_trust = Some(8); // Alex
        l.partners[0].previous_trust = Some(8);
        let s = one(&l);
        let sam = s.partners.iter().find(|p| p.id == 10).unwrap();
        assert_eq!(sam.trust_change, Some(-3));
        assert_eq!(flags(&l), vec![Flag::TrustDrop, Flag::TrustGap]);
        // A drop of one and a gap of two raise nothing.
        l.partners[1].latest_trust = Some(6);
        l.partners[0].latest_trust = Some(8);
        assert!(flags(&l).is_empty());
    }

    #[test]
    fn silence_is_measured_in_local_days() {
        let mut l = calm();
        l.partners[0].last_entry_at = Some(at("2026-03-11 23:30"));
        assert_eq!(one(&l).partners[1].days_since_last_entry, Some(5));
        assert_eq!(flags(&l), vec![Flag::Silence]);
        l.partners[0].last_entry_at = Some(at("2026-03-12 00:30"));
        assert!(flags(&l).is_empty());
        // Never wrote, couple started long ago: silent.
        l.partners[0].last_entry_at = None;
        assert_eq!(flags(&l), vec![Flag::Silence]);
    }

    #[test]
    fn rows_are_sorted_by_attention_then_label() {
        let mut l = calm();
        let mut second = calm();
        for c in &mut second.couples {
            c.id = 2;
            c.label = "Adams".into();
        }
        for p in &mut second.partners {
            p.couple_id = 2;
            p.id += 10;
        }
        l.couples.extend(second.couples);
        l.partners.extend(second.partners);
        let mut third = calm();
        third.couples[0].id = 3;
        third.couples[0].label = "Zhou".into();
        for p in &mut third.partners {
            p.couple_id = 3;
            p.id += 20;
            p.last_entry_at = Some(at("2026-03-01 10:00"));
        }
        l.couples.extend(third.couples);
        l.partners.extend(third.partners);
        let rows = summarize(&l, &Thresholds::default(), now());
        let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, vec!["Zhou", "Adams", "Rivera & Chen"]);
        let counts = flag_counts(&rows);
        assert_eq!(counts[3], (Flag::Silence, 1));
        assert_eq!(counts[0], (Flag::SevereSetback, 0));
    }

    #[test]
    fn next_due_starts_from_local_today() {
        let a = daily(1, 1, "both", "2026-03-20");
        assert_eq!(
            next_due(&a.schedule, chrono_tz::UTC, now()),
            Some(d("2026-03-20"))
        );
    }

    #[test]
    fn trust_points_become_each_partners_sparkline() {
        let mut l = calm();
        for (pid, day, score) in [(10, 14, 6), (10, 12, 4), (11, 15, 8)] {
            l.trust.push(TrustPoint {
                partner_id: pid,
                date: d(&format!("2026-03-{day}")),
                score,
            });
        }
        let s = one(&l);
        assert_eq!(
            s.partners[0].trust_points,
            vec![(d("2026-03-12"), 4), (d("2026-03-14"), 6)],
            "Sam's, sorted by date"
        );
        assert_eq!(s.partners[1].trust_points, vec![(d("2026-03-15"), 8)]);
    }

    #[test]
    fn couples_that_are_not_active_owe_nothing_and_raise_nothing() {
        let mut l = calm();
        l.submitted.clear();
        l.partners[0].last_entry_at = None;
        assert!(!flags(&l).is_empty());
        l.couples[0].active = false;
        let s = one(&l);
        assert!(s.flags.is_empty());
        assert_eq!(s.score, 0);
        assert_eq!(s.partners[0].completion, Completion::default());
    }

    #[test]
    fn figures_hold_until_the_next_local_midnight_or_session() {
        let mut l = calm();
        // 12:00 UTC: UTC's next midnight is 12 hours away, so the cap (15 minutes) wins.
        assert_eq!(
            next_change(&l, now()),
            now() + chrono::Duration::minutes(MAX_REUSE_MINUTES)
        );
        // At 23:55 UTC the partners' midnight comes first.
        let late = Utc.with_ymd_and_hms(2026, 3, 16, 23, 55, 0).unwrap();
        assert_eq!(
            next_change(&l, late),
            Utc.with_ymd_and_hms(2026, 3, 17, 0, 0, 0).unwrap()
        );
        // A partner in New York (UTC-4 in March) turns the day at 04:00 UTC.
        l.partners[0].tz = chrono_tz::America::New_York;
        let early = Utc.with_ymd_and_hms(2026, 3, 17, 3, 50, 0).unwrap();
        assert_eq!(
            next_change(&l, early),
            Utc.with_ymd_and_hms(2026, 3, 17, 4, 0, 0).unwrap()
        );
        // A session starting in five minutes ends the figures' life then.
        l.next_session.insert(1, at("2026-03-16 12:05"));
        assert_eq!(
            next_change(&l, now()),
            Utc.with_ymd_and_hms(2026, 3, 16, 12, 5, 0).unwrap()
        );
    }
}
