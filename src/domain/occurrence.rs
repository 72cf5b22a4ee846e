//! Which dates a partner owes an entry for an assignment, and when each one falls due.
//!
//! Pure calendar logic: a [`Schedule`] (cadence, start/end dates and pauses) is expanded
//! into occurrence dates, and each date's deadline is the start of the next local day in
//! the partner's own time zone. Nothing here reads the clock; callers pass `now`.

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

/// The seven weekdays in bit order (Monday = bit 0 ... Sunday = bit 6).
const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// Mask of the bits that stand for a weekday.
const ALL_DAYS: u8 = 0x7f;

/// How far ahead [`next_occurrence`] looks, in days.
const NEXT_SEARCH_DAYS: u64 = 400;

/// Set of weekdays as a bitmask: Monday = bit 0 ... Sunday = bit 6.
///
/// Bit 7 carries no meaning and is ignored by every method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WeekdaySet(pub u8);

impl WeekdaySet {
    /// The set holding exactly the given weekdays (duplicates are harmless).
    pub fn from_weekdays(days: &[Weekday]) -> Self {
        WeekdaySet(days.iter().fold(0u8, |acc, d| acc | day_bit(*d)))
    }

    /// Whether `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & day_bit(day) != 0
    }

    /// Whether the set holds no weekday at all.
    pub fn is_empty(self) -> bool {
        self.bits() == 0
    }

    /// The bitmask, with the meaningless bit 7 cleared.
    pub fn bits(self) -> u8 {
        self.0 & ALL_DAYS
    }

    /// Number of weekdays in the set.
    pub fn len(self) -> usize {
        self.bits().count_ones() as usize
    }

    /// The weekdays in the set, Monday first.
    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        WEEK.into_iter().filter(move |d| self.contains(*d))
    }
}

/// The bit standing for `day` in a [`WeekdaySet`].
fn day_bit(day: Weekday) -> u8 {
    1u8 << day.num_days_from_monday()
}

/// How often an assignment asks for an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cadence {
    /// A single entry, owed on `due`.
    Once {
        /// The one day the entry is owed.
        due: NaiveDate,
    },
    /// Every day.
    Daily,
    /// On the chosen weekdays.
    Weekdays(WeekdaySet),
    /// Once a week, on the same weekday as the schedule's start date.
    Weekly,
    /// The start date and every n-th day after it (n = 0 never owes anything).
    EveryNDays(u32),
}

impl Cadence {
    /// Stable code for storage and forms: "once", "daily", "weekdays", "weekly" or "every_n".
    pub fn code(&self) -> &'static str {
        match self {
            Cadence::Once { .. } => "once",
            Cadence::Daily => "daily",
            Cadence::Weekdays(_) => "weekdays",
            Cadence::Weekly => "weekly",
            Cadence::EveryNDays(_) => "every_n",
        }
    }

    /// Short human description, e.g. "Daily", "Every Mon, Wed", "Every 3 days",
    /// "Once, due 2026-03-01". A weekly cadence alone does not know its weekday and reads
    /// "Weekly"; [`Schedule::describe`] names the day ("Weekly on Tuesdays").
    pub fn describe(&self) -> String {
        match self {
            Cadence::Once { due } => format!("Once, due {due}"),
            Cadence::Daily => "Daily".to_string(),
            Cadence::Weekdays(set) if set.is_empty() => "No days chosen".to_string(),
            Cadence::Weekdays(set) => {
                let names: Vec<String> = set.iter().map(|d| d.to_string()).collect();
                format!("Every {}", names.join(", "))
            }
            Cadence::Weekly => "Weekly".to_string(),
            Cadence::EveryNDays(0) => "Never (every 0 days)".to_string(),
            Cadence::EveryNDays(1) => "Every day".to_string(),
            Cadence::EveryNDays(n) => format!("Every {n} days"),
        }
    }
}

/// A stretch of days on which nothing is owed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    /// First paused day.
    pub start: NaiveDate,
    /// Inclusive last paused day; `None` = still paused.
    pub end: Option<NaiveDate>,
}

/// When an assignment owes entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// How often.
    pub cadence: Cadence,
    /// First day the assignment can owe anything (and the anchor of weekly / every-n cadences).
    pub start: NaiveDate,
    /// Inclusive last day; `None` = open-ended.
    pub end: Option<NaiveDate>,
    /// Stretches with nothing owed; they may overlap and come in any order.
    pub pauses: Vec<Pause>,
}

impl Schedule {
    /// Human description of the cadence, naming the weekday for weekly ones
    /// ("Weekly on Tuesdays"); otherwise the same as [`Cadence::describe`].
    pub fn describe(&self) -> String {
        match self.cadence {
            Cadence::Weekly => format!("Weekly on {}", weekday_plural(self.start.weekday())),
            _ => self.cadence.describe(),
        }
    }
}

/// "Mondays", "Tuesdays", ...
fn weekday_plural(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Mondays",
        Weekday::Tue => "Tuesdays",
        Weekday::Wed => "Wednesdays",
        Weekday::Thu => "Thursdays",
        Weekday::Fri => "Fridays",
        Weekday::Sat => "Saturdays",
        Weekday::Sun => "Sundays",
    }
}

/// Days from `a` to `b` (negative if `b` is before `a`).
fn days_between(a: NaiveDate, b: NaiveDate) -> i64 {
    b.signed_duration_since(a).num_days()
}

/// `d` plus `n` days, or `None` past the end of the calendar.
fn add_days(d: NaiveDate, n: u64) -> Option<NaiveDate> {
    d.checked_add_days(Days::new(n))
}

/// The inclusive stretches of `[from, to]` within the schedule's start/end window that no
/// pause covers, in ascending order and non-overlapping.
fn active_segments(s: &Schedule, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let lo = from.max(s.start);
    let hi = match s.end {
        Some(end) => to.min(end),
        None => to,
    };
    if lo > hi {
        return Vec::new();
    }

    let mut pauses: Vec<(NaiveDate, NaiveDate)> = s
        .pauses
        .iter()
        .map(|p| (p.start, p.end.unwrap_or(NaiveDate::MAX)))
        .filter(|(a, b)| a <= b)
        .collect();
    pauses.sort();

    let mut segments = Vec::new();
    let mut cur = lo;
    for (ps, pe) in pauses {
        if pe < cur {
            continue;
        }
        if ps > hi {
            break;
        }
        if ps > cur {
            // ps > cur >= lo, so the day before ps exists.
            if let Some(before) = ps.pred_opt() {
                segments.push((cur, before));
            }
        }
        match pe.succ_opt() {
            Some(next) => cur = cur.max(next),
            // Paused through the end of the calendar: nothing more to add.
            None => return segments,
        }
        if cur > hi {
            return segments;
        }
    }
    if cur <= hi {
        segments.push((cur, hi));
    }
    segments
}

/// Lazily walks the occurrences of one cadence inside one inclusive date stretch.
struct SegmentIter {
    /// Next candidate date; `None` once exhausted.
    next: Option<NaiveDate>,
    /// Inclusive last date of the stretch.
    last: NaiveDate,
    /// Days between candidates; 0 = a single candidate.
    step: u64,
    /// Weekday bits a candidate must fall on (all seven for most cadences).
    mask: u8,
}

impl SegmentIter {
    /// Occurrences of `cadence` (anchored at `anchor`, the schedule start) within `[a, b]`,
    /// where `anchor <= a`. The first candidate is computed arithmetically, never by walking
    /// from the anchor.
    fn new(cadence: &Cadence, anchor: NaiveDate, a: NaiveDate, b: NaiveDate) -> Self {
        let empty = SegmentIter {
            next: None,
            last: b,
            step: 0,
            mask: 0,
        };
        match cadence {
            Cadence::Once { due } => {
                if *due >= a && *due <= b {
                    SegmentIter {
                        next: Some(*due),
                        last: b,
                        step: 0,
                        mask: ALL_DAYS,
                    }
                } else {
                    empty
                }
            }
            Cadence::Daily => SegmentIter {
                next: Some(a),
                last: b,
                step: 1,
                mask: ALL_DAYS,
            },
            Cadence::Weekdays(set) if set.is_empty() => empty,
            Cadence::Weekdays(set) => SegmentIter {
                next: Some(a),
                last: b,
                step: 1,
                mask: set.bits(),
            },
            Cadence::Weekly => Self::stepped(anchor, a, b, 7),
            Cadence::EveryNDays(0) => empty,
            Cadence::EveryNDays(n) => Self::stepped(anchor, a, b, u64::from(*n)),
        }
    }

    /// Dates `anchor + k * step` within `[a, b]` (`step >= 1`).
    fn stepped(anchor: NaiveDate, a: NaiveDate, b: NaiveDate, step: u64) -> Self {
        let since = u64::try_from(days_between(anchor, a)).unwrap_or(0);
        let ahead = (step - since % step) % step;
        SegmentIter {
            next: add_days(a, ahead),
            last: b,
            step,
            mask: ALL_DAYS,
        }
    }

    /// How many dates this iterator would yield, without walking them.
    fn fast_count(&self) -> usize {
        let Some(first) = self.next else { return 0 };
        if first > self.last || self.mask & ALL_DAYS == 0 {
            return 0;
        }
        let span = u64::try_from(days_between(first, self.last)).unwrap_or(0);
        if self.step == 0 {
            return usize::from(self.mask & day_bit(first.weekday()) != 0);
        }
        if self.mask & ALL_DAYS == ALL_DAYS {
            return usize::try_from(span / self.step + 1).unwrap_or(usize::MAX);
        }
        // Weekday mask with step 1: whole weeks, then the few days left over.
        let days = span + 1;
        let per_week = u64::from((self.mask & ALL_DAYS).count_ones());
        let mut total = (days / 7) * per_week;
        let first_idx = u64::from(first.weekday().num_days_from_monday());
        for i in 0..(days % 7) {
            let idx = (first_idx + i) % 7;
            if self.mask & (1u8 << idx) != 0 {
                total += 1;
            }
        }
        usize::try_from(total).unwrap_or(usize::MAX)
    }
}

impl Iterator for SegmentIter {
    type Item = NaiveDate;

    fn next(&mut self) -> Option<NaiveDate> {
        loop {
            let d = self.next?;
            if d > self.last {
                self.next = None;
                return None;
            }
            self.next = if self.step == 0 {
                None
            } else {
                add_days(d, self.step)
            };
            if self.mask & day_bit(d.weekday()) != 0 {
                return Some(d);
            }
        }
    }
}

/// Lazy occurrences of `s` in `[from, to]`, ascending.
fn occurrence_iter(
    s: &Schedule,
    from: NaiveDate,
    to: NaiveDate,
) -> impl Iterator<Item = NaiveDate> + '_ {
    active_segments(s, from, to)
        .into_iter()
        .flat_map(move |(a, b)| SegmentIter::new(&s.cadence, s.start, a, b))
}

/// Occurrence dates in `[from, to]`, both inclusive, in ascending order.
///
/// Only days within the schedule's start/end window count, and paused days owe nothing.
/// `Once` yields its due date only; `Weekly` yields `start + 7k`; `EveryNDays(n)` yields
/// `start + n·k` (and nothing for n = 0). Work is proportional to the requested range,
/// not to how long ago the schedule started.
pub fn occurrences(s: &Schedule, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    occurrence_iter(s, from, to).collect()
}

/// How many occurrences [`occurrences`] would return for `[from, to]`, computed
/// arithmetically (cheap even for very long ranges).
pub fn count_occurrences(s: &Schedule, from: NaiveDate, to: NaiveDate) -> usize {
    active_segments(s, from, to)
        .into_iter()
        .map(|(a, b)| SegmentIter::new(&s.cadence, s.start, a, b).fast_count())
        .sum()
}

/// The partner's calendar date at this instant, in their time zone.
pub fn local_date(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// The instant an occurrence on `date` stops being on time: the start of the next local day
/// in `tz`. That is local midnight; if midnight does not exist (a DST gap at midnight), the
/// first instant after the gap; if midnight happens twice, the earlier one.
pub fn due_instant(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let next_day = date.succ_opt().unwrap_or(date);
    let midnight = next_day.and_time(NaiveTime::MIN);
    match tz.from_local_datetime(&midnight).earliest() {
        Some(dt) => dt.with_timezone(&Utc),
        None => gap_end(midnight, tz),
    }
}

/// First instant at or after the local time `local`, which falls in a DST gap of `tz`.
///
/// The gap starts when the clock jumps forward, and that instant is `local` read with the
/// offset in force just before the jump (the offset a day earlier).
fn gap_end(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    let naive_utc = local.and_utc();
    let probe = naive_utc
        .checked_sub_days(Days::new(1))
        .unwrap_or(naive_utc);
    let before = tz.offset_from_utc_datetime(&probe.naive_utc()).fix();
    let candidate = local
        .checked_sub_offset(before)
        .map(|n| n.and_utc())
        .unwrap_or(naive_utc);
    // Sanity check: the candidate must show a local time at or after `local`. If odd
    // transition data defeats that, walk forward a minute at a time (at most two days).
    if candidate.with_timezone(&tz).naive_local() >= local {
        return candidate;
    }
    let mut t = local;
    for _ in 0..(2 * 24 * 60) {
        t += chrono::Duration::minutes(1);
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return dt.with_timezone(&Utc);
        }
    }
    candidate
}

/// Whether an occurrence on `date` is overdue at `now`: its [`due_instant`] has passed.
pub fn is_overdue(date: NaiveDate, now: DateTime<Utc>, tz: Tz) -> bool {
    now >= due_instant(date, tz)
}

/// The next occurrence on or after `from`, looking at most 400 days ahead; `None` if none.
pub fn next_occurrence(s: &Schedule, from: NaiveDate) -> Option<NaiveDate> {
    let to = add_days(from, NEXT_SEARCH_DAYS).unwrap_or(NaiveDate::MAX);
    occurrence_iter(s, from, to).next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::{Havana, New_York, Santiago};
    use chrono_tz::Europe::Berlin;
    use chrono_tz::Pacific::{Kiritimati, Pago_Pago};

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().expect("test instant")
    }

    fn sched(cadence: Cadence, start: &str) -> Schedule {
        Schedule {
            cadence,
            start: d(start),
            end: None,
            pauses: Vec::new(),
        }
    }

    fn dates(list: &[&str]) -> Vec<NaiveDate> {
        list.iter().map(|s| d(s)).collect()
    }

    /// Day-by-day reference implementation, straight from the definitions.
    fn brute(s: &Schedule, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut day = from;
        while day <= to {
            let in_window = day >= s.start && s.end.is_none_or(|e| day <= e);
            let paused = s
                .pauses
                .iter()
                .any(|p| day >= p.start && p.end.is_none_or(|e| day <= e));
            let since = days_between(s.start, day);
            let due = match &s.cadence {
                Cadence::Once { due } => day == *due,
                Cadence::Daily => true,
                Cadence::Weekdays(set) => set.contains(day.weekday()),
                Cadence::Weekly => since % 7 == 0,
                Cadence::EveryNDays(0) => false,
                Cadence::EveryNDays(n) => since % i64::from(*n) == 0,
            };
            if in_window && !paused && due {
                out.push(day);
            }
            day = day.succ_opt().expect("in range");
        }
        out
    }

    fn check(s: &Schedule, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let got = occurrences(s, from, to);
        assert_eq!(got, brute(s, from, to), "schedule {s:?} over {from}..={to}");
        assert_eq!(count_occurrences(s, from, to), got.len(), "count for {s:?}");
        got
    }

    // ---- WeekdaySet and Cadence text ----

    #[test]
    fn weekday_set_basics() {
        let set = WeekdaySet::from_weekdays(&[Weekday::Wed, Weekday::Mon, Weekday::Wed]);
        assert_eq!(set.bits(), 0b101);
        assert!(set.contains(Weekday::Mon) && set.contains(Weekday::Wed));
        assert!(!set.contains(Weekday::Sun));
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            vec![Weekday::Mon, Weekday::Wed]
        );
        assert_eq!(set.len(), 2);
        assert!(WeekdaySet::default().is_empty());
        assert!(WeekdaySet(0x80).is_empty());
        assert_eq!(
            WeekdaySet::from_weekdays(&[Weekday::Sun]).bits(),
            0b100_0000
        );
    }

    #[test]
    fn cadence_codes_and_descriptions() {
        let mw = WeekdaySet::from_weekdays(&[Weekday::Mon, Weekday::Wed]);
        assert_eq!(Cadence::Daily.code(), "daily");
        assert_eq!(Cadence::Weekdays(mw).code(), "weekdays");
        assert_eq!(Cadence::Weekly.code(), "weekly");
        assert_eq!(Cadence::EveryNDays(3).code(), "every_n");
        assert_eq!(
            Cadence::Once {
                due: d("2026-03-01")
            }
            .code(),
            "once"
        );
        assert_eq!(Cadence::Daily.describe(), "Daily");
        assert_eq!(Cadence::Weekdays(mw).describe(), "Every Mon, Wed");
        assert_eq!(Cadence::EveryNDays(3).describe(), "Every 3 days");
        assert_eq!(
            Cadence::Once {
                due: d("2026-03-01")
            }
            .describe(),
            "Once, due 2026-03-01"
        );
        assert_eq!(Cadence::Weekly.describe(), "Weekly");
        // 2026-03-03 is a Tuesday.
        assert_eq!(
            sched(Cadence::Weekly, "2026-03-03").describe(),
            "Weekly on Tuesdays"
        );
        assert_eq!(sched(Cadence::Daily, "2026-03-03").describe(), "Daily");
    }

    // ---- DST: local_date and due_instant on both sides of each change ----

    #[test]
    fn new_york_spring_forward() {
        assert_eq!(
            due_instant(d("2026-03-07"), New_York),
            utc("2026-03-08T05:00:00Z")
        );
        assert_eq!(
            due_instant(d("2026-03-08"), New_York),
            utc("2026-03-09T04:00:00Z")
        );
        assert_eq!(
            local_date(utc("2026-03-08T04:59:59Z"), New_York),
            d("2026-03-07")
        );
        assert_eq!(
            local_date(utc("2026-03-08T05:00:00Z"), New_York),
            d("2026-03-08")
        );
        // 02:30 local does not exist; 07:30Z is 03:30 EDT, still the 8th.
        assert_eq!(
            local_date(utc("2026-03-08T07:30:00Z"), New_York),
            d("2026-03-08")
        );
        assert_eq!(
            local_date(utc("2026-03-09T03:59:59Z"), New_York),
            d("2026-03-08")
        );
        assert_eq!(
            local_date(utc("2026-03-09T04:00:00Z"), New_York),
            d("2026-03-09")
        );
    }

    #[test]
    fn new_york_fall_back() {
        assert_eq!(
            due_instant(d("2026-10-31"), New_York),
            utc("2026-11-01T04:00:00Z")
        );
        assert_eq!(
            due_instant(d("2026-11-01"), New_York),
            utc("2026-11-02T05:00:00Z")
        );
        assert_eq!(
            local_date(utc("2026-11-01T03:59:59Z"), New_York),
            d("2026-10-31")
        );
        assert_eq!(
            local_date(utc("2026-11-01T04:00:00Z"), New_York),
            d("2026-11-01")
        );
        assert_eq!(
            local_date(utc("2026-11-02T04:59:59Z"), New_York),
            d("2026-11-01")
        );
        assert_eq!(
            local_date(utc("2026-11-02T05:00:00Z"), New_York),
            d("2026-11-02")
        );
        // The 25-hour day is still one due day.
        assert!(!is_overdue(
            d("2026-11-01"),
            utc("2026-11-02T04:30:00Z"),
            New_York
        ));
        assert!(is_overdue(
            d("2026-11-01"),
            utc("2026-11-02T05:00:00Z"),
            New_York
        ));
    }

    #[test]
    fn berlin_spring_forward() {
        assert_eq!(
            due_instant(d("2026-03-28"), Berlin),
            utc("2026-03-28T23:00:00Z")
        );
        assert_eq!(
            due_instant(d("2026-03-29"), Berlin),
            utc("2026-03-29T22:00:00Z")
        );
        assert_eq!(
            local_date(utc("2026-03-28T22:59:59Z"), Berlin),
            d("2026-03-28")
        );
        assert_eq!(
            local_date(utc("2026-03-28T23:00:00Z"), Berlin),
            d("2026-03-29")
        );
        assert_eq!(
            local_date(utc("2026-03-29T21:59:59Z"), Berlin),
            d("2026-03-29")
        );
        assert_eq!(
            local_date(utc("2026-03-29T22:00:00Z"), Berlin),
            d("2026-03-30")
        );
    }

    #[test]
    fn berlin_fall_back() {
        assert_eq!(
            due_instant(d("2026-10-24"), Berlin),
            utc("2026-10-24T22:00:00Z")
        );
        assert_eq!(
            due_instant(d("2026-10-25"), Berlin),
            utc("2026-10-25T23:00:00Z")
        );
        assert_eq!(
            local_date(utc("2026-10-24T21:59:59Z"), Berlin),
            d("2026-10-24")
        );
        assert_eq!(
            local_date(utc("2026-10-24T22:00:00Z"), Berlin),
            d("2026-10-25")
        );
        assert_eq!(
            local_date(utc("2026-10-25T22:59:59Z"), Berlin),
            d("2026-10-25")
        );
        assert_eq!(
            local_date(utc("2026-10-25T23:00:00Z"), Berlin),
            d("2026-10-26")
        );
    }

    #[test]
    fn daily_across_dst_changes_is_one_per_day() {
        let s = sched(Cadence::Daily, "2026-01-01");
        for (tz, from, to) in [
            (New_York, "2026-03-06", "2026-03-10"),
            (New_York, "2026-10-30", "2026-11-03"),
            (Berlin, "2026-03-27", "2026-03-31"),
            (Berlin, "2026-10-23", "2026-10-27"),
        ] {
            let got = check(&s, d(from), d(to));
            assert_eq!(got.len(), 5);
            let dues: Vec<_> = got.iter().map(|x| due_instant(*x, tz)).collect();
            // Deadlines strictly increase, each 23–25 hours after the previous.
            for w in dues.windows(2) {
                let hours = (w[1] - w[0]).num_hours();
                assert!(
                    (23..=25).contains(&hours),
                    "{tz}: {hours}h between deadlines"
                );
            }
            // Each deadline is the moment the local date turns over.
            for (day, due) in got.iter().zip(&dues) {
                assert_eq!(local_date(*due, tz), day.succ_opt().expect("date"));
                assert_eq!(local_date(*due - chrono::Duration::seconds(1), tz), *day);
            }
        }
    }

    // ---- Midnight gaps and repeated midnights ----

    #[test]
    fn havana_midnight_gap() {
        // Cuba springs forward at 00:00 on 2026-03-08: local midnight does not exist.
        assert!(Havana
            .from_local_datetime(&d("2026-03-08").and_time(NaiveTime::MIN))
            .earliest()
            .is_none());
        // First valid instant is 01:00 CDT (UTC-4) = 05:00Z.
        let due = due_instant(d("2026-03-07"), Havana);
        assert_eq!(due, utc("2026-03-08T05:00:00Z"));
        assert_eq!(local_date(due, Havana), d("2026-03-08"));
        assert_eq!(
            local_date(due - chrono::Duration::seconds(1), Havana),
            d("2026-03-07")
        );
        assert_eq!(
            due_instant(d("2026-03-08"), Havana),
            utc("2026-03-09T04:00:00Z")
        );
    }

    #[test]
    fn santiago_midnight_gap() {
        // Chile springs forward at 24:00 on Saturday 2026-09-05: Sunday's midnight is skipped.
        assert!(Santiago
            .from_local_datetime(&d("2026-09-06").and_time(NaiveTime::MIN))
            .earliest()
            .is_none());
        let due = due_instant(d("2026-09-05"), Santiago);
        assert_eq!(due, utc("2026-09-06T04:00:00Z"));
        assert_eq!(local_date(due, Santiago), d("2026-09-06"));
        assert_eq!(
            local_date(due - chrono::Duration::seconds(1), Santiago),
            d("2026-09-05")
        );
    }

    #[test]
    fn havana_repeated_midnight_takes_the_earlier() {
        // Cuba falls back at 01:00 CDT on 2026-11-01 to 00:00 CST: midnight happens twice.
        let due = due_instant(d("2026-10-31"), Havana);
        assert_eq!(due, utc("2026-11-01T04:00:00Z"));
        assert!(is_overdue(
            d("2026-10-31"),
            utc("2026-11-01T04:00:00Z"),
            Havana
        ));
        assert!(!is_overdue(
            d("2026-10-31"),
            utc("2026-11-01T03:59:59Z"),
            Havana
        ));
    }

    #[test]
    fn whole_skipped_day_in_apia() {
        // Samoa skipped 2011-12-30 entirely; the day after the 29th starts on the 31st.
        let due = due_instant(d("2011-12-29"), chrono_tz::Pacific::Apia);
        assert_eq!(local_date(due, chrono_tz::Pacific::Apia), d("2011-12-31"));
        assert_eq!(due, utc("2011-12-30T10:00:00Z"));
    }

    #[test]
    fn due_instant_at_calendar_edges_does_not_panic() {
        for tz in [New_York, Kiritimati, Pago_Pago] {
            let _ = due_instant(NaiveDate::MAX, tz);
            let _ = due_instant(NaiveDate::MIN, tz);
        }
    }

    // ---- Extreme offsets ----

    #[test]
    fn kiritimati_overdue_at_local_midnight() {
        // UTC+14: the 10th ends at 2026-05-10T10:00Z.
        let day = d("2026-05-10");
        assert_eq!(due_instant(day, Kiritimati), utc("2026-05-10T10:00:00Z"));
        assert!(!is_overdue(day, utc("2026-05-10T09:59:59Z"), Kiritimati));
        assert!(is_overdue(day, utc("2026-05-10T10:00:00Z"), Kiritimati));
        assert_eq!(
            local_date(utc("2026-05-10T09:59:59Z"), Kiritimati),
            d("2026-05-10")
        );
        assert_eq!(
            local_date(utc("2026-05-10T10:00:00Z"), Kiritimati),
            d("2026-05-11")
        );
    }

    #[test]
    fn pago_pago_overdue_at_local_midnight() {
        // UTC-11: the 10th ends at 2026-05-11T11:00Z.
        let day = d("2026-05-10");
        assert_eq!(due_instant(day, Pago_Pago), utc("2026-05-11T11:00:00Z"));
        assert!(!is_overdue(day, utc("2026-05-11T10:59:59Z"), Pago_Pago));
        assert!(is_overdue(day, utc("2026-05-11T11:00:00Z"), Pago_Pago));
        assert_eq!(
            local_date(utc("2026-05-11T10:59:59Z"), Pago_Pago),
            d("2026-05-10")
        );
        // The same UTC instant is two different calendar dates at the two extremes.
        assert_eq!(
            local_date(utc("2026-05-10T12:00:00Z"), Pago_Pago),
            d("2026-05-10")
        );
        assert_eq!(
            local_date(utc("2026-05-10T12:00:00Z"), Kiritimati),
            d("2026-05-11")
        );
    }

    // ---- Calendar arithmetic ----

    #[test]
    fn leap_day_2028() {
        let daily = sched(Cadence::Daily, "2028-02-01");
        assert_eq!(
            check(&daily, d("2028-02-27"), d("2028-03-02")),
            dates(&[
                "2028-02-27",
                "2028-02-28",
                "2028-02-29",
                "2028-03-01",
                "2028-03-02"
            ])
        );
        let every2 = sched(Cadence::EveryNDays(2), "2028-02-27");
        assert_eq!(
            check(&every2, d("2028-02-27"), d("2028-03-03")),
            dates(&["2028-02-27", "2028-02-29", "2028-03-02"])
        );
        let every2b = sched(Cadence::EveryNDays(2), "2028-02-28");
        assert_eq!(
            check(&every2b, d("2028-02-27"), d("2028-03-03")),
            dates(&["2028-02-28", "2028-03-01", "2028-03-03"])
        );
    }

    #[test]
    fn month_ends() {
        let every30 = sched(Cadence::EveryNDays(30), "2026-01-31");
        assert_eq!(
            check(&every30, d("2026-01-01"), d("2026-04-30")),
            dates(&["2026-01-31", "2026-03-02", "2026-04-01"])
        );
        let weekly = sched(Cadence::Weekly, "2026-01-31");
        assert_eq!(
            check(&weekly, d("2026-01-31"), d("2026-03-07")),
            dates(&[
                "2026-01-31",
                "2026-02-07",
                "2026-02-14",
                "2026-02-21",
                "2026-02-28",
                "2026-03-07",
            ])
        );
        assert!(weekly.describe().ends_with("Saturdays"));
    }

    #[test]
    fn weekday_sets() {
        let mwf = WeekdaySet::from_weekdays(&[Weekday::Mon, Weekday::Wed, Weekday::Fri]);
        let s = sched(Cadence::Weekdays(mwf), "2026-01-01");
        // 2026-03-02 is a Monday; two full weeks.
        assert_eq!(
            check(&s, d("2026-03-02"), d("2026-03-15")),
            dates(&[
                "2026-03-02",
                "2026-03-04",
                "2026-03-06",
                "2026-03-09",
                "2026-03-11",
                "2026-03-13",
            ])
        );
        let none = sched(Cadence::Weekdays(WeekdaySet::default()), "2026-01-01");
        assert!(check(&none, d("2026-03-02"), d("2026-03-15")).is_empty());
        assert_eq!(next_occurrence(&none, d("2026-03-02")), None);
    }

    // ---- Pauses and bounds ----

    #[test]
    fn closed_pause_removes_its_days() {
        let mut s = sched(Cadence::Daily, "2026-03-01");
        s.pauses.push(Pause {
            start: d("2026-03-04"),
            end: Some(d("2026-03-06")),
        });
        assert_eq!(
            check(&s, d("2026-03-02"), d("2026-03-08")),
            dates(&["2026-03-02", "2026-03-03", "2026-03-07", "2026-03-08"])
        );
        assert_eq!(next_occurrence(&s, d("2026-03-04")), Some(d("2026-03-07")));
    }

    #[test]
    fn open_pause_removes_everything_after_its_start() {
        let mut s = sched(Cadence::EveryNDays(2), "2026-03-01");
        s.pauses.push(Pause {
            start: d("2026-03-06"),
            end: None,
        });
        assert_eq!(
            check(&s, d("2026-03-01"), d("2026-06-01")),
            dates(&["2026-03-01", "2026-03-03", "2026-03-05"])
        );
        assert_eq!(next_occurrence(&s, d("2026-03-06")), None);
        assert_eq!(count_occurrences(&s, d("2026-03-01"), NaiveDate::MAX), 3);
    }

    #[test]
    fn overlapping_and_unordered_pauses() {
        let mut s = sched(Cadence::Daily, "2026-03-01");
        s.pauses = vec![
            Pause {
                start: d("2026-03-10"),
                end: Some(d("2026-03-12")),
            },
            Pause {
                start: d("2026-03-03"),
                end: Some(d("2026-03-05")),
            },
            Pause {
                start: d("2026-03-04"),
                end: Some(d("2026-03-07")),
            },
            Pause {
                start: d("2026-03-11"),
                end: Some(d("2026-03-11")),
            },
            // End before start: ignored.
            Pause {
                start: d("2026-03-09"),
                end: Some(d("2026-03-08")),
            },
        ];
        assert_eq!(
            check(&s, d("2026-03-01"), d("2026-03-14")),
            dates(&[
                "2026-03-01",
                "2026-03-02",
                "2026-03-08",
                "2026-03-09",
                "2026-03-13",
                "2026-03-14"
            ])
        );
    }

    #[test]
    fn start_and_end_bounds() {
        let mut s = sched(Cadence::Daily, "2026-03-05");
        s.end = Some(d("2026-03-07"));
        assert_eq!(
            check(&s, d("2026-03-01"), d("2026-03-31")),
            dates(&["2026-03-05", "2026-03-06", "2026-03-07"])
        );
        assert!(check(&s, d("2026-03-08"), d("2026-03-31")).is_empty());
        assert!(check(&s, d("2026-03-01"), d("2026-03-04")).is_empty());
        // Reversed range.
        assert!(check(&s, d("2026-03-07"), d("2026-03-05")).is_empty());
        assert_eq!(next_occurrence(&s, d("2026-03-08")), None);
        assert_eq!(next_occurrence(&s, d("2026-01-01")), Some(d("2026-03-05")));
    }

    #[test]
    fn once() {
        let s = sched(
            Cadence::Once {
                due: d("2026-03-10"),
            },
            "2026-03-01",
        );
        assert_eq!(
            check(&s, d("2026-03-01"), d("2026-03-31")),
            dates(&["2026-03-10"])
        );
        assert!(check(&s, d("2026-03-11"), d("2026-03-31")).is_empty());
        assert!(check(&s, d("2026-03-01"), d("2026-03-09")).is_empty());
        // Due before the schedule starts, or after it ends: nothing.
        let early = sched(
            Cadence::Once {
                due: d("2026-02-10"),
            },
            "2026-03-01",
        );
        assert!(check(&early, d("2026-01-01"), d("2026-12-31")).is_empty());
        let mut late = sched(
            Cadence::Once {
                due: d("2026-03-10"),
            },
            "2026-03-01",
        );
        late.end = Some(d("2026-03-09"));
        assert!(check(&late, d("2026-01-01"), d("2026-12-31")).is_empty());
        // Paused on its due day: nothing.
        let mut paused = s.clone();
        paused.pauses.push(Pause {
            start: d("2026-03-09"),
            end: Some(d("2026-03-10")),
        });
        assert!(check(&paused, d("2026-01-01"), d("2026-12-31")).is_empty());
        assert_eq!(next_occurrence(&s, d("2026-03-02")), Some(d("2026-03-10")));
        assert_eq!(next_occurrence(&s, d("2026-03-11")), None);
    }

    #[test]
    fn every_zero_days_is_empty() {
        let s = sched(Cadence::EveryNDays(0), "2026-03-01");
        assert!(check(&s, d("2026-03-01"), d("2026-03-31")).is_empty());
        assert_eq!(count_occurrences(&s, d("2026-03-01"), NaiveDate::MAX), 0);
        assert_eq!(next_occurrence(&s, d("2026-03-01")), None);
    }

    #[test]
    fn every_one_day_is_daily() {
        let s = sched(Cadence::EveryNDays(1), "2026-03-01");
        assert_eq!(check(&s, d("2026-03-01"), d("2026-03-31")).len(), 31);
    }

    // ---- Efficiency and cross-checks ----

    #[test]
    fn old_schedule_short_window() {
        // Started two years ago: the first candidate is computed, not walked to.
        let s = sched(Cadence::EveryNDays(3), "2024-03-01");
        let got = check(&s, d("2026-03-01"), d("2026-03-14"));
        // 730 days after the start is 2026-03-01, and 730 % 3 == 1.
        assert_eq!(
            got,
            dates(&["2026-03-03", "2026-03-06", "2026-03-09", "2026-03-12"])
        );
        for x in &got {
            assert_eq!(days_between(s.start, *x) % 3, 0);
        }
        let w = sched(Cadence::Weekly, "2024-03-01"); // a Friday
        assert_eq!(
            check(&w, d("2026-03-01"), d("2026-03-14")),
            dates(&["2026-03-06", "2026-03-13"])
        );
    }

    #[test]
    fn huge_ranges_are_cheap_to_count() {
        let s = sched(Cadence::Weekdays(WeekdaySet(0b001_0101)), "2000-01-01");
        let n = count_occurrences(&s, NaiveDate::MIN, NaiveDate::MAX) as i64;
        let daily = sched(Cadence::Daily, "2000-01-01");
        let all = count_occurrences(&daily, NaiveDate::MIN, NaiveDate::MAX) as i64;
        assert_eq!(all, days_between(d("2000-01-01"), NaiveDate::MAX) + 1);
        // Three weekdays out of seven, give or take the partial last week.
        assert!((n * 7 - all * 3).abs() <= 21, "{n} of {all}");
        assert_eq!(
            next_occurrence(&daily, NaiveDate::MAX),
            Some(NaiveDate::MAX)
        );
    }

    #[test]
    fn matches_day_by_day_reference() {
        let cadences = [
            Cadence::Daily,
            Cadence::Weekly,
            Cadence::EveryNDays(0),
            Cadence::EveryNDays(1),
            Cadence::EveryNDays(2),
            Cadence::EveryNDays(5),
            Cadence::EveryNDays(30),
            Cadence::Weekdays(WeekdaySet(0)),
            Cadence::Weekdays(WeekdaySet(0b000_0001)),
            Cadence::Weekdays(WeekdaySet(0b101_0101)),
            Cadence::Weekdays(WeekdaySet(0x7f)),
            Cadence::Once {
                due: d("2026-02-14"),
            },
        ];
        let pause_sets = [
            vec![],
            vec![Pause {
                start: d("2026-02-10"),
                end: Some(d("2026-02-20")),
            }],
            vec![Pause {
                start: d("2026-02-25"),
                end: None,
            }],
            vec![
                Pause {
                    start: d("2026-01-20"),
                    end: Some(d("2026-01-22")),
                },
                Pause {
                    start: d("2026-02-14"),
                    end: Some(d("2026-02-14")),
                },
                Pause {
                    start: d("2026-03-01"),
                    end: None,
                },
            ],
        ];
        let starts = ["2025-12-30", "2026-01-31", "2026-02-14"];
        let ends = [None, Some(d("2026-03-10")), Some(d("2026-02-01"))];
        let mut checked = 0;
        for cadence in &cadences {
            for pauses in &pause_sets {
                for start in starts {
                    for end in ends {
                        let s = Schedule {
                            cadence: cadence.clone(),
                            start: d(start),
                            end,
                            pauses: pauses.clone(),
                        };
                        for (from, to) in [
                            ("2025-12-01", "2026-04-01"),
                            ("2026-02-01", "2026-02-14"),
                            ("2026-02-15", "2026-02-28"),
                        ] {
                            check(&s, d(from), d(to));
                            let first = brute(&s, d(from), d(to)).first().copied();
                            if first.is_some() {
                                assert_eq!(next_occurrence(&s, d(from)), first);
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 12 * 4 * 3 * 3 * 3);
    }
}
