//! When reminder emails go out.
//!
//! Pure planning logic: every time is worked out in the recipient's own IANA time zone (their
//! chosen hour, their quiet hours, their daylight-saving rules) and returned as a UTC instant
//! for storage and queueing. Each planned reminder carries a stable dedupe key so that a unique
//! index on it makes re-planning idempotent.

use chrono::{
    DateTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// Local hour partners get reminders at when they have not chosen one.
pub const DEFAULT_REMINDER_HOUR: u32 = 19;

/// Local hour a counselor's morning digest goes out at when they have not chosen one.
pub const DEFAULT_DIGEST_HOUR: u32 = 7;

/// How long before a session its reminder normally goes out.
const SESSION_REMINDER_LEAD_HOURS: i64 = 24;
/// The furthest before a session its reminder may be pulled to avoid quiet hours.
const SESSION_REMINDER_MAX_LEAD_HOURS: i64 = 36;

/// How far past a missing local time (a daylight-saving gap) to look for the next valid one.
/// Real gaps are an hour or two; the longest on record (Samoa skipping 30 December 2011) is a
/// whole day.
const GAP_SEARCH_MINUTES: i64 = 48 * 60;

/// A recipient's reminder preferences.
///
/// Hours are local hours in `tz`. Values above 23 are treated as 23.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefs {
    /// The recipient's IANA time zone.
    pub tz: Tz,
    /// Whether the recipient wants reminder emails at all.
    pub enabled: bool,
    /// Local hour 0..=23 reminders go out at; default [`DEFAULT_REMINDER_HOUR`] (19).
    pub hour: u32,
    /// Quiet hours `[start, end)` in local hours; may wrap midnight (e.g. `(22, 7)`).
    /// `None` means no quiet hours, and so does `start == end`.
    pub quiet: Option<(u32, u32)>,
}

impl Prefs {
    /// Default preferences in `tz`: reminders on, at [`DEFAULT_REMINDER_HOUR`], no quiet hours.
    pub fn new(tz: Tz) -> Self {
        Prefs {
            tz,
            enabled: true,
            hour: DEFAULT_REMINDER_HOUR,
            quiet: None,
        }
    }
}

/// The instant `date` at `hour` local in the zone of `prefs`, moved forward to the end of quiet
/// hours if it falls inside them (which may be the next local day).
///
/// Daylight saving is handled: a local time that does not exist (spring-forward gap) moves to
/// the first valid instant after it; a local time that happens twice (fall-back) takes the
/// earlier instant. `prefs.enabled` is not consulted here.
pub fn local_send_time(date: NaiveDate, hour: u32, prefs: &Prefs) -> DateTime<Utc> {
    let tz = prefs.tz;
    let (date, hour) = out_of_quiet(date, clamp_hour(hour), prefs.quiet);
    let sent = resolve_local(tz, at_hour(date, hour));

    // A spring-forward gap can push the instant into quiet hours (e.g. 02:00 becomes 03:00
    // with quiet hours starting at 3); if so, move on to the end of them.
    let local = sent.with_timezone(&tz);
    let (local_date, local_hour) = (local.date_naive(), local.hour());
    let (date, hour) = out_of_quiet(local_date, local_hour, prefs.quiet);
    if (date, hour) == (local_date, local_hour) {
        sent
    } else {
        resolve_local(tz, at_hour(date, hour))
    }
}

/// What a planned reminder is about. `Due` is the partner's one daily reminder (see
/// `domain::daily_reminder`); `OverdueNudge` is folded into it and no longer planned alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReminderKind {
    /// An exercise occurrence is due today.
    Due,
    /// An exercise occurrence was due yesterday and has not been done.
    OverdueNudge,
    /// A counseling session starts in about a day.
    Session,
    /// The counselor's morning digest.
    Digest,
    /// The optional "something new for you" notice to a partner.
    Shared,
}

impl ReminderKind {
    /// Short stable code, used in dedupe keys and storage: `"due"`, `"overdue"`, `"session"`,
    /// `"digest"`.
    pub fn code(self) -> &'static str {
        match self {
            ReminderKind::Due => "due",
            ReminderKind::OverdueNudge => "overdue",
            ReminderKind::Session => "session",
            ReminderKind::Digest => "digest",
            ReminderKind::Shared => "shared",
        }
    }
}

/// A reminder to enqueue at a given instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// What the reminder is about.
    pub kind: ReminderKind,
    /// When to send it.
    pub send_at: DateTime<Utc>,
    /// Stable key: the same inputs give the same key, so a unique index makes planning
    /// idempotent.
    pub dedupe_key: String,
}

/// Reminders for one exercise occurrence owed by one partner: a [`ReminderKind::Due`] reminder
/// on the occurrence date at the partner's hour, and one [`ReminderKind::OverdueNudge`] the next
/// local day at the same hour (both moved out of quiet hours by [`local_send_time`]).
///
/// Empty when `prefs.enabled` is false. Keys are `"due:{assignment_id}:{partner_id}:{date}"` and
/// `"overdue:{assignment_id}:{partner_id}:{date}"`, both with the occurrence date as
/// `YYYY-MM-DD`. The caller still has to skip the nudge if the occurrence has been done by then.
pub fn plan_occurrence(
    assignment_id: i32,
    partner_id: i32,
    date: NaiveDate,
    prefs: &Prefs,
) -> Vec<Planned> {
    if !prefs.enabled {
        return Vec::new();
    }
    let key = |kind: ReminderKind| format!("{}:{assignment_id}:{partner_id}:{date}", kind.code());
    let mut planned = vec![Planned {
        kind: ReminderKind::Due,
        send_at: local_send_time(date, prefs.hour, prefs),
        dedupe_key: key(ReminderKind::Due),
    }];
    if let Some(next_day) = date.succ_opt() {
        planned.push(Planned {
            kind: ReminderKind::OverdueNudge,
            send_at: local_send_time(next_day, prefs.hour, prefs),
            dedupe_key: key(ReminderKind::OverdueNudge),
        });
    }
    planned
}

/// A session reminder to one partner, 24 hours before `starts_at`.
///
/// If that instant falls in the partner's quiet hours, the reminder moves earlier (never later)
/// to the last minute before those quiet hours began, but never to more than 36 hours before the
/// session: when the quiet hours are too long for that, it goes out exactly 36 hours before.
///
/// The key is `"session:{session_id}:{partner_id}:{unix seconds of starts_at}"`, so a session
/// that is moved gets a fresh reminder. `None` if reminders are disabled (or the instant is out
/// of range for chrono).
pub fn plan_session(
    session_id: i32,
    partner_id: i32,
    starts_at: DateTime<Utc>,
    prefs: &Prefs,
) -> Option<Planned> {
    if !prefs.enabled {
        return None;
    }
    let nominal = starts_at.checked_sub_signed(TimeDelta::hours(SESSION_REMINDER_LEAD_HOURS))?;
    let earliest =
        starts_at.checked_sub_signed(TimeDelta::hours(SESSION_REMINDER_MAX_LEAD_HOURS))?;
    let send_at = match quiet_began(nominal, prefs) {
        Some(quiet_start) => quiet_start
            .checked_sub_signed(TimeDelta::minutes(1))
            .map_or(earliest, |before| before.max(earliest)),
        None => nominal,
    };
    Some(Planned {
        kind: ReminderKind::Session,
        send_at,
        dedupe_key: format!(
            "{}:{session_id}:{partner_id}:{}",
            ReminderKind::Session.code(),
            starts_at.timestamp()
        ),
    })
}

/// The counselor's morning digest for local `date` at `hour` (usually
/// [`DEFAULT_DIGEST_HOUR`]) in `tz`, with the same daylight-saving handling as
/// [`local_send_time`]. Key `"digest:{counselor_id}:{date}"`.
pub fn plan_digest(counselor_id: i32, date: NaiveDate, tz: Tz, hour: u32) -> Planned {
    Planned {
        kind: ReminderKind::Digest,
        send_at: resolve_local(tz, at_hour(date, clamp_hour(hour))),
        dedupe_key: format!("{}:{counselor_id}:{date}", ReminderKind::Digest.code()),
    }
}

/// Is a planned reminder due to be enqueued now?
///
/// True when `send_at <= now` and `now - send_at < grace`, so a server that was down for a week
/// does not flood partners with stale reminders. A zero or negative grace is never due.
pub fn is_due(p: &Planned, now: DateTime<Utc>, grace: chrono::Duration) -> bool {
    p.send_at <= now && now.signed_duration_since(p.send_at) < grace
}

/// Parse one hour field from a form: a whole number 0..=23, surrounding spaces and leading
/// zeros allowed, optionally written as `"HH:00"` (what a time input sends).
///
/// Errors are plain messages fit to show next to the field; they do not echo the input.
pub fn parse_hour(s: &str) -> Result<u32, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("Enter an hour from 0 to 23.".to_string());
    }
    let digits = s.strip_suffix(":00").unwrap_or(s);
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Enter the hour as a whole number from 0 to 23.".to_string());
    }
    match digits.parse::<u32>() {
        Ok(h) if h <= 23 => Ok(h),
        _ => Err("The hour must be between 0 and 23.".to_string()),
    }
}

/// Parse quiet hours from a form's start and end fields: `"22"` and `"7"` give
/// `Some((22, 7))`; both empty gives `None`. Equal hours (the whole day quiet) and only one
/// of the two filled in are errors. Errors are plain messages.
pub fn parse_quiet(start: &str, end: &str) -> Result<Option<(u32, u32)>, String> {
    match (start.trim().is_empty(), end.trim().is_empty()) {
        (true, true) => Ok(None),
        (false, true) => Err(
            "Enter the hour quiet hours end, or leave both quiet-hour fields empty.".to_string(),
        ),
        (true, false) => Err(
            "Enter the hour quiet hours start, or leave both quiet-hour fields empty.".to_string(),
        ),
        (false, false) => {
            let start = parse_hour(start)?;
            let end = parse_hour(end)?;
            if start == end {
                return Err(
                    "Quiet hours that start and end at the same hour would cover the \
                     whole day, so no reminder could ever be sent. Choose two different hours, \
                     or leave both empty."
                        .to_string(),
                );
            }
            Ok(Some((start, end)))
        }
    }
}

/// Does local `hour` fall inside the quiet hours `quiet` (`[start, end)`, may wrap midnight)?
pub fn hour_is_quiet(hour: u32, quiet: Option<(u32, u32)>) -> bool {
    quiet_window(quiet).is_some_and(|(start, end)| in_quiet(clamp_hour(hour), start, end))
}

/// The settings form's check: a reminder hour inside the quiet hours is refused, with a
/// message for the reminder-time field.
pub fn check_hour_outside_quiet(hour: u32, quiet: Option<(u32, u32)>) -> Result<(), String> {
    match quiet {
        Some((start, end)) if hour_is_quiet(hour, quiet) => Err(format!(
            "{hour:02}:00 is inside your quiet hours ({start:02}:00 to {end:02}:00), so the \
             reminder could not be sent then. Choose a time outside them, or change the quiet hours."
        )),
        _ => Ok(()),
    }
}

fn clamp_hour(hour: u32) -> u32 {
    hour.min(23)
}

/// Quiet hours with both ends clamped, or `None` when there are none.
fn quiet_window(quiet: Option<(u32, u32)>) -> Option<(u32, u32)> {
    let (start, end) = quiet?;
    let (start, end) = (clamp_hour(start), clamp_hour(end));
    (start != end).then_some((start, end))
}

fn in_quiet(hour: u32, start: u32, end: u32) -> bool {
    if start < end {
        start <= hour && hour < end
    } else {
        hour >= start || hour < end
    }
}

/// Local (date, hour) moved forward to the end of quiet hours if it falls inside them.
fn out_of_quiet(date: NaiveDate, hour: u32, quiet: Option<(u32, u32)>) -> (NaiveDate, u32) {
    match quiet_window(quiet) {
        Some((start, end)) if in_quiet(hour, start, end) => {
            // Wrapping quiet hours entered before midnight end on the next local day.
            if start > end && hour >= start {
                (date.succ_opt().unwrap_or(date), end)
            } else {
                (date, end)
            }
        }
        _ => (date, hour),
    }
}

/// If `t` falls in the quiet hours of `prefs`, the instant those quiet hours began.
fn quiet_began(t: DateTime<Utc>, prefs: &Prefs) -> Option<DateTime<Utc>> {
    let (start, end) = quiet_window(prefs.quiet)?;
    let local = t.with_timezone(&prefs.tz);
    let hour = local.hour();
    if !in_quiet(hour, start, end) {
        return None;
    }
    let date = local.date_naive();
    // Wrapping quiet hours, now after midnight: they began the evening before.
    let began_on = if start > end && hour < end {
        date.pred_opt().unwrap_or(date)
    } else {
        date
    };
    Some(resolve_local(prefs.tz, at_hour(began_on, start)))
}

fn at_hour(date: NaiveDate, hour: u32) -> NaiveDateTime {
    date.and_time(NaiveTime::from_hms_opt(clamp_hour(hour), 0, 0).unwrap_or(NaiveTime::MIN))
}

/// The UTC instant of a local wall-clock time in `tz`: the earlier instant when it happens
/// twice, the first valid instant after it when it does not happen at all.
fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    if let Some(t) = earliest(tz, local) {
        return t;
    }
    for minutes in 1..=GAP_SEARCH_MINUTES {
        let Some(later) = local.checked_add_signed(TimeDelta::minutes(minutes)) else {
            break;
        };
        if let Some(t) = earliest(tz, later) {
            return t;
        }
    }
    // Unreachable for real zone data; read the wall time with the offset in force then.
    let offset = tz.offset_from_utc_datetime(&local).fix().local_minus_utc();
    let as_utc = local.and_utc();
    as_utc
        .checked_sub_signed(TimeDelta::seconds(i64::from(offset)))
        .unwrap_or(as_utc)
}

fn earliest(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        chrono::LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        chrono::LocalResult::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use chrono_tz::{America, Asia, Europe, Pacific};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn prefs(tz: Tz) -> Prefs {
        Prefs::new(tz)
    }

    fn quiet(tz: Tz, start: u32, end: u32) -> Prefs {
        Prefs {
            quiet: Some((start, end)),
            ..Prefs::new(tz)
        }
    }

    fn local(t: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
        t.with_timezone(&tz).naive_local()
    }

    // --- zones on both sides of the date line -------------------------------------------

    #[test]
    fn kiritimati_utc_plus_14_lands_on_previous_utc_day_in_the_morning() {
        let p = prefs(Pacific::Kiritimati);
        let t = local_send_time(d(2026, 6, 15), 9, &p);
        assert_eq!(t, utc("2026-06-14T19:00:00Z"));
        assert_eq!(local(t, p.tz).date(), d(2026, 6, 15));
        let t = local_send_time(d(2026, 6, 15), 19, &p);
        assert_eq!(t, utc("2026-06-15T05:00:00Z"));
        assert_eq!(local(t, p.tz).date(), d(2026, 6, 15));
    }

    #[test]
    fn pago_pago_utc_minus_11_lands_on_next_utc_day_in_the_evening() {
        let p = prefs(Pacific::Pago_Pago);
        let t = local_send_time(d(2026, 6, 15), 19, &p);
        assert_eq!(t, utc("2026-06-16T06:00:00Z"));
        assert_eq!(local(t, p.tz).date(), d(2026, 6, 15));
        assert_eq!(local(t, p.tz).hour(), 19);
    }

    #[test]
    fn same_local_date_is_a_day_apart_either_side_of_the_date_line() {
        let east = local_send_time(d(2026, 1, 1), 12, &prefs(Pacific::Kiritimati));
        let west = local_send_time(d(2026, 1, 1), 12, &prefs(Pacific::Pago_Pago));
        assert_eq!(east, utc("2025-12-31T22:00:00Z"));
        assert_eq!(west, utc("2026-01-01T23:00:00Z"));
        assert_eq!(west - east, TimeDelta::hours(25));
    }

    #[test]
    fn auckland_standard_and_daylight_time() {
        let p = prefs(Pacific::Auckland);
        // NZST +12 in June, NZDT +13 in January.
        assert_eq!(
            local_send_time(d(2026, 6, 15), 19, &p),
            utc("2026-06-15T07:00:00Z")
        );
        let t = local_send_time(d(2026, 1, 15), 7, &p);
        assert_eq!(t, utc("2026-01-14T18:00:00Z"));
        assert_eq!(local(t, p.tz).date(), d(2026, 1, 15));
        // Spring forward 2026-09-27 02:00 -> 03:00 NZDT.
        assert_eq!(
            local_send_time(d(2026, 9, 27), 2, &p),
            utc("2026-09-26T14:00:00Z")
        );
        // Fall back 2026-04-05 03:00 -> 02:00 NZST; 02:00 happens twice, take the NZDT one.
        assert_eq!(
            local_send_time(d(2026, 4, 5), 2, &p),
            utc("2026-04-04T13:00:00Z")
        );
    }

    #[test]
    fn tokyo_has_no_dst() {
        let p = prefs(Asia::Tokyo);
        let t = local_send_time(d(2026, 6, 15), 7, &p);
        assert_eq!(t, utc("2026-06-14T22:00:00Z"));
        assert_eq!(local(t, p.tz).date(), d(2026, 6, 15));
        assert_eq!(
            local_send_time(d(2026, 12, 31), 19, &p),
            utc("2026-12-31T10:00:00Z")
        );
    }

    // --- daylight saving ------------------------------------------------------------------

    #[test]
    fn new_york_spring_forward_gap_moves_to_first_valid_instant() {
        let p = prefs(America::New_York);
        let t = local_send_time(d(2026, 3, 8), 2, &p);
        assert_eq!(t, utc("2026-03-08T07:00:00Z"));
        assert_eq!(local(t, p.tz), d(2026, 3, 8).and_hms_opt(3, 0, 0).unwrap());
        // Hours either side of the gap are untouched.
        assert_eq!(
            local_send_time(d(2026, 3, 8), 1, &p),
            utc("2026-03-08T06:00:00Z")
        );
        assert_eq!(
            local_send_time(d(2026, 3, 8), 3, &p),
            utc("2026-03-08T07:00:00Z")
        );
        assert_eq!(
            local_send_time(d(2026, 3, 8), 19, &p),
            utc("2026-03-08T23:00:00Z")
        );
    }

    #[test]
    fn new_york_fall_back_takes_earlier_instant() {
        let p = prefs(America::New_York);
        assert_eq!(
            local_send_time(d(2026, 11, 1), 1, &p),
            utc("2026-11-01T05:00:00Z")
        );
        assert_eq!(
            local_send_time(d(2026, 11, 1), 19, &p),
            utc("2026-11-02T00:00:00Z")
        );
    }

    #[test]
    fn berlin_dst_both_ways() {
        let p = prefs(Europe::Berlin);
        // 2026-03-29: 02:00 CET -> 03:00 CEST.
        assert_eq!(
            local_send_time(d(2026, 3, 29), 2, &p),
            utc("2026-03-29T01:00:00Z")
        );
        assert_eq!(
            local_send_time(d(2026, 3, 29), 19, &p),
            utc("2026-03-29T17:00:00Z")
        );
        // 2026-10-25: 03:00 CEST -> 02:00 CET; 02:00 happens twice.
        assert_eq!(
            local_send_time(d(2026, 10, 25), 2, &p),
            utc("2026-10-25T00:00:00Z")
        );
        assert_eq!(
            local_send_time(d(2026, 10, 25), 19, &p),
            utc("2026-10-25T18:00:00Z")
        );
    }

    #[test]
    fn skipped_calendar_day_moves_to_next_valid_instant() {
        // Samoa skipped 30 December 2011 entirely.
        let t = local_send_time(d(2011, 12, 30), 19, &prefs(Pacific::Apia));
        assert_eq!(
            local(t, Pacific::Apia),
            d(2011, 12, 31).and_hms_opt(0, 0, 0).unwrap()
        );
    }

    #[test]
    fn gap_that_lands_in_quiet_hours_moves_to_their_end() {
        let p = quiet(America::New_York, 3, 6);
        let t = local_send_time(d(2026, 3, 8), 2, &p);
        assert_eq!(local(t, p.tz), d(2026, 3, 8).and_hms_opt(6, 0, 0).unwrap());
    }

    #[test]
    fn every_day_of_the_year_keeps_its_local_date_and_hour() {
        let zones = [
            Pacific::Kiritimati,
            Pacific::Pago_Pago,
            Pacific::Auckland,
            Pacific::Chatham,
            Asia::Tokyo,
            Asia::Kolkata,
            America::New_York,
            America::Santiago,
            America::St_Johns,
            Europe::Berlin,
            chrono_tz::Australia::Lord_Howe,
        ];
        for tz in zones {
            let p = prefs(tz);
            let mut date = d(2026, 1, 1);
            while date.year() == 2026 {
                for hour in 0..24 {
                    let l = local(local_send_time(date, hour, &p), tz);
                    assert_eq!(l.date(), date, "{tz} {date} {hour}");
                    // Equal, or later only because the hour fell in a DST gap.
                    let wanted = date.and_hms_opt(hour, 0, 0).unwrap();
                    assert!(l >= wanted && l - wanted <= TimeDelta::hours(1), "{tz} {l}");
                }
                date = date.succ_opt().unwrap();
            }
        }
    }

    // --- quiet hours --------------------------------------------------------------------

    #[test]
    fn quiet_hours_wrapping_midnight() {
        let p = quiet(Europe::Berlin, 22, 7);
        // 23:00 is quiet: next local day 07:00.
        let t = local_send_time(d(2026, 6, 15), 23, &p);
        assert_eq!(local(t, p.tz), d(2026, 6, 16).and_hms_opt(7, 0, 0).unwrap());
        assert_eq!(t, utc("2026-06-16T05:00:00Z"));
        // 22:00 is the first quiet hour.
        let t = local_send_time(d(2026, 6, 15), 22, &p);
        assert_eq!(local(t, p.tz), d(2026, 6, 16).and_hms_opt(7, 0, 0).unwrap());
        // After midnight: same day 07:00.
        let t = local_send_time(d(2026, 6, 15), 3, &p);
        assert_eq!(local(t, p.tz), d(2026, 6, 15).and_hms_opt(7, 0, 0).unwrap());
        // 19:00 and 07:00 are outside [22, 7).
        let t = local_send_time(d(2026, 6, 15), 19, &p);
        assert_eq!(t, utc("2026-06-15T17:00:00Z"));
        let t = local_send_time(d(2026, 6, 15), 7, &p);
        assert_eq!(t, utc("2026-06-15T05:00:00Z"));
    }

    #[test]
    fn quiet_hours_within_one_day() {
        let p = quiet(Asia::Tokyo, 12, 14);
        let t = local_send_time(d(2026, 6, 15), 13, &p);
        assert_eq!(
            local(t, p.tz),
            d(2026, 6, 15).and_hms_opt(14, 0, 0).unwrap()
        );
        let t = local_send_time(d(2026, 6, 15), 14, &p);
        assert_eq!(
            local(t, p.tz),
            d(2026, 6, 15).and_hms_opt(14, 0, 0).unwrap()
        );
        let t = local_send_time(d(2026, 6, 15), 11, &p);
        assert_eq!(
            local(t, p.tz),
            d(2026, 6, 15).and_hms_opt(11, 0, 0).unwrap()
        );
    }

    #[test]
    fn empty_quiet_hours_change_nothing() {
        for q in [Some((0, 0)), Some((7, 7)), None] {
            let p = Prefs {
                quiet: q,
                ..Prefs::new(Asia::Tokyo)
            };
            for hour in 0..24 {
                let t = local_send_time(d(2026, 6, 15), hour, &p);
                assert_eq!(local(t, p.tz).hour(), hour, "{q:?} {hour}");
            }
        }
    }

    #[test]
    fn quiet_hours_crossing_the_date_line_zone() {
        let p = quiet(Pacific::Kiritimati, 22, 7);
        let t = local_send_time(d(2026, 12, 31), 23, &p);
        assert_eq!(local(t, p.tz), d(2027, 1, 1).and_hms_opt(7, 0, 0).unwrap());
        assert_eq!(t, utc("2026-12-31T17:00:00Z"));
    }

    // --- plan_occurrence ----------------------------------------------------------------

    #[test]
    fn occurrence_plans_due_and_overdue() {
        let p = prefs(America::New_York);
        let plan = plan_occurrence(12, 34, d(2026, 3, 7), &p);
        assert_eq!(plan.len(), 2);
        assert_eq!(plan[0].kind, ReminderKind::Due);
        assert_eq!(plan[0].send_at, utc("2026-03-08T00:00:00Z")); // 19:00 EST
        assert_eq!(plan[0].dedupe_key, "due:12:34:2026-03-07");
        assert_eq!(plan[1].kind, ReminderKind::OverdueNudge);
        assert_eq!(plan[1].send_at, utc("2026-03-08T23:00:00Z")); // 19:00 EDT, next day
        assert_eq!(plan[1].dedupe_key, "overdue:12:34:2026-03-07");
    }

    #[test]
    fn occurrence_respects_quiet_hours() {
        let p = Prefs {
            hour: 23,
            ..quiet(Pacific::Auckland, 22, 7)
        };
        let plan = plan_occurrence(1, 2, d(2026, 6, 15), &p);
        assert_eq!(
            local(plan[0].send_at, p.tz),
            d(2026, 6, 16).and_hms_opt(7, 0, 0).unwrap()
        );
        assert_eq!(
            local(plan[1].send_at, p.tz),
            d(2026, 6, 17).and_hms_opt(7, 0, 0).unwrap()
        );
    }

    #[test]
    fn disabled_plans_nothing() {
        let p = Prefs {
            enabled: false,
            ..prefs(Asia::Tokyo)
        };
        assert!(plan_occurrence(1, 2, d(2026, 6, 15), &p).is_empty());
        assert!(plan_session(1, 2, utc("2026-06-15T10:00:00Z"), &p).is_none());
    }

    #[test]
    fn planning_is_idempotent_and_keys_distinguish_inputs() {
        let p = prefs(Europe::Berlin);
        let a = plan_occurrence(5, 6, d(2026, 6, 15), &p);
        assert_eq!(a, plan_occurrence(5, 6, d(2026, 6, 15), &p));
        let keys = |plan: Vec<Planned>| -> Vec<String> {
            plan.into_iter().map(|x| x.dedupe_key).collect()
        };
        let mut all: Vec<String> = keys(a);
        all.extend(keys(plan_occurrence(5, 6, d(2026, 6, 16), &p)));
        all.extend(keys(plan_occurrence(5, 7, d(2026, 6, 15), &p)));
        all.extend(keys(plan_occurrence(8, 6, d(2026, 6, 15), &p)));
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "keys must differ: {all:?}");
        // Changing the hour moves the time but not the key (one reminder per occurrence).
        let later = Prefs { hour: 20, ..p };
        assert_eq!(
            plan_occurrence(5, 6, d(2026, 6, 15), &later)[0].dedupe_key,
            "due:5:6:2026-06-15"
        );
    }

    // --- plan_session -------------------------------------------------------------------

    #[test]
    fn session_reminder_is_24_hours_before_outside_quiet_hours() {
        let p = quiet(America::New_York, 22, 7);
        let starts = utc("2026-06-16T14:00:00Z"); // 10:00 EDT
        let s = plan_session(9, 3, starts, &p).unwrap();
        assert_eq!(s.kind, ReminderKind::Session);
        assert_eq!(s.send_at, utc("2026-06-15T14:00:00Z"));
        assert_eq!(s.dedupe_key, format!("session:9:3:{}", starts.timestamp()));
        assert_eq!(s, plan_session(9, 3, starts, &p).unwrap());
    }

    #[test]
    fn session_reminder_moves_earlier_out_of_quiet_hours() {
        let p = quiet(America::New_York, 22, 7);
        // Session 06:00 EDT on the 16th; 24h before is 06:00 on the 15th, in quiet hours that
        // began 22:00 on the 14th, so send at 21:59 on the 14th.
        let starts = utc("2026-06-16T10:00:00Z");
        let s = plan_session(9, 3, starts, &p).unwrap();
        assert_eq!(
            local(s.send_at, p.tz),
            d(2026, 6, 14).and_hms_opt(21, 59, 0).unwrap()
        );
        assert!(s.send_at < starts - TimeDelta::hours(24));
        assert!(s.send_at >= starts - TimeDelta::hours(36));

        // Session 23:30 on the 16th: 24h before is 23:30 on the 15th, quiet since 22:00.
        let starts = utc("2026-06-17T03:30:00Z");
        let s = plan_session(9, 3, starts, &p).unwrap();
        assert_eq!(
            local(s.send_at, p.tz),
            d(2026, 6, 15).and_hms_opt(21, 59, 0).unwrap()
        );
    }

    #[test]
    fn session_reminder_never_earlier_than_36_hours() {
        // Quiet 18..9; a 08:00 session would need 38h to get out of quiet hours.
        let p = quiet(Europe::Berlin, 18, 9);
        let starts = utc("2026-06-16T06:00:00Z"); // 08:00 CEST
        let s = plan_session(1, 2, starts, &p).unwrap();
        assert_eq!(s.send_at, starts - TimeDelta::hours(36));
    }

    #[test]
    fn moved_session_gets_a_new_key() {
        let p = prefs(Asia::Tokyo);
        let a = plan_session(1, 2, utc("2026-06-16T06:00:00Z"), &p).unwrap();
        let b = plan_session(1, 2, utc("2026-06-16T07:00:00Z"), &p).unwrap();
        let other_partner = plan_session(1, 3, utc("2026-06-16T06:00:00Z"), &p).unwrap();
        assert_ne!(a.dedupe_key, b.dedupe_key);
        assert_ne!(a.dedupe_key, other_partner.dedupe_key);
    }

    // --- plan_digest --------------------------------------------------------------------

    #[test]
    fn digest_at_local_morning() {
        let p = plan_digest(4, d(2026, 6, 15), Pacific::Auckland, DEFAULT_DIGEST_HOUR);
        assert_eq!(p.kind, ReminderKind::Digest);
        assert_eq!(p.send_at, utc("2026-06-14T19:00:00Z"));
        assert_eq!(p.dedupe_key, "digest:4:2026-06-15");
        let p = plan_digest(4, d(2026, 3, 8), America::New_York, 2);
        assert_eq!(p.send_at, utc("2026-03-08T07:00:00Z"));
    }

    // --- is_due -------------------------------------------------------------------------

    #[test]
    fn is_due_window_edges() {
        let send_at = utc("2026-06-15T10:00:00Z");
        let p = Planned {
            kind: ReminderKind::Due,
            send_at,
            dedupe_key: "due:1:2:2026-06-15".into(),
        };
        let grace = TimeDelta::hours(6);
        assert!(!is_due(&p, send_at - TimeDelta::seconds(1), grace));
        assert!(is_due(&p, send_at, grace));
        assert!(is_due(&p, send_at + grace - TimeDelta::seconds(1), grace));
        assert!(!is_due(&p, send_at + grace, grace));
        assert!(!is_due(&p, send_at + TimeDelta::days(7), grace));
        assert!(!is_due(&p, send_at, TimeDelta::zero()));
    }

    // --- parsing ------------------------------------------------------------------------

    #[test]
    fn parse_hour_accepts_and_rejects() {
        assert_eq!(parse_hour("22"), Ok(22));
        assert_eq!(parse_hour(" 7 "), Ok(7));
        assert_eq!(parse_hour("07"), Ok(7));
        assert_eq!(parse_hour("0"), Ok(0));
        assert_eq!(parse_hour("19:00"), Ok(19));
        for bad in [
            "", "  ", "24", "-1", "+3", "7.5", "abc", "007", "7:30", ":00", "１",
        ] {
            assert!(parse_hour(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_reminder_hour_inside_quiet_hours_is_refused() {
        assert!(check_hour_outside_quiet(23, Some((22, 7))).is_err());
        assert!(check_hour_outside_quiet(3, Some((22, 7))).is_err());
        assert!(check_hour_outside_quiet(7, Some((22, 7))).is_ok());
        assert!(check_hour_outside_quiet(21, Some((22, 7))).is_ok());
        assert!(check_hour_outside_quiet(12, Some((9, 17))).is_err());
        assert!(check_hour_outside_quiet(12, None).is_ok());
        assert!(hour_is_quiet(22, Some((22, 7))));
        assert!(!hour_is_quiet(22, None));
    }

    #[test]
    fn parse_quiet_pairs() {
        assert_eq!(parse_quiet("22", "7"), Ok(Some((22, 7))));
        assert_eq!(parse_quiet("", ""), Ok(None));
        assert_eq!(parse_quiet(" ", ""), Ok(None));
        assert!(
            parse_quiet("5", "5").is_err(),
            "the whole day cannot be quiet"
        );
        assert!(parse_quiet("22", "").is_err());
        assert!(parse_quiet("", "7").is_err());
        assert!(parse_quiet("22", "25").is_err());
    }

    #[test]
    fn kind_codes() {
        assert_eq!(ReminderKind::Due.code(), "due");
        assert_eq!(ReminderKind::OverdueNudge.code(), "overdue");
        assert_eq!(ReminderKind::Session.code(), "session");
        assert_eq!(ReminderKind::Digest.code(), "digest");
    }
}
