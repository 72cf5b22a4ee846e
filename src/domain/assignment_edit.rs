//! Changing an assignment that is already running, and starting one in the past.
//!
//! What a partner owed before a change stays owed as it was: a change to how often or by
//! whom takes effect from the counselor's today. The assignment as it stood ends the day
//! before, and a continuation with the new settings carries on from today (anchored so a
//! weekly or every-few-days rhythm keeps its days when only the partner changes). A change
//! to the note, the reminders or a later end date owes nothing differently in the past and
//! is made in place. A start date in the past owes the past dates only if the counselor
//! says so; by default nothing is owed before today.

use chrono::{Datelike, Days, NaiveDate};

use super::assignment_form::{Assignee, ValidAssignment};
use super::occurrence::{Cadence, Pause};
use super::validation::Errors;

/// Whether the days between a back-dated start and today are owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PastDates {
    /// Nothing is owed before today (the default).
    #[default]
    FromToday,
    /// Every date from the start is owed, the past ones included.
    All,
}

impl PastDates {
    /// From the form's `past_owed` field: "all" owes the past; anything else does not.
    pub fn parse(s: &str) -> PastDates {
        if s.trim() == "all" {
            PastDates::All
        } else {
            PastDates::FromToday
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PastDates::FromToday => "today",
            PastDates::All => "all",
        }
    }
}

/// The days a back-dated assignment does not owe: from its start to yesterday, as a pause;
/// `None` when it starts today or later, or when the past is owed.
pub fn unowed_past(start: NaiveDate, today: NaiveDate, past: PastDates) -> Option<Pause> {
    if past == PastDates::All || start >= today {
        return None;
    }
    Some(Pause {
        start,
        end: today.pred_opt(),
    })
}

/// What saving the edit form does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditPlan {
    /// Nothing differs.
    Unchanged,
    /// Change the assignment's own row; `changes` says what, in words.
    InPlace { changes: Vec<String> },
    /// End the assignment the day before `effective` and continue it with the new settings
    /// from `start` (on or after `effective`).
    Continue {
        effective: NaiveDate,
        start: NaiveDate,
        changes: Vec<String>,
    },
}

/// Plan an edit of `old` into `new` on the counselor's `today`. The exercise never
/// changes (the caller keeps the old one). Errors are keyed by form field.
pub fn plan(
    old: &ValidAssignment,
    new: &ValidAssignment,
    today: NaiveDate,
) -> Result<EditPlan, Errors> {
    let started = old.start_date < today;
    let mut e = Errors::default();
    if started && new.start_date != old.start_date {
        e.add(
            "start_date",
            "This assignment has already begun, so its start date stays. Other changes apply from today.",
        );
    }
    if started && new.end_date.is_some_and(|end| end < today) {
        e.add(
            "end_date",
            "Choose today or a later day: what was owed before today stays as it was. To stop it now, end the assignment.",
        );
    }
    if !e.is_empty() {
        return Err(e);
    }
    let schedule_changed = old.cadence != new.cadence || old.assignee != new.assignee;
    if started && schedule_changed {
        let start = if old.cadence == new.cadence {
            keep_rhythm(&old.cadence, old.start_date, today)
        } else {
            today
        };
        return Ok(EditPlan::Continue {
            effective: today,
            start,
            changes: describe_changes(old, new, start),
        });
    }
    let changes = describe_changes(old, new, new.start_date);
    if changes.is_empty() {
        return Ok(EditPlan::Unchanged);
    }
    Ok(EditPlan::InPlace { changes })
}

/// The first day on or after `today` that falls on the rhythm anchored at `anchor`, for the
/// cadences whose days depend on their start (weekly, every few days); today otherwise.
pub fn keep_rhythm(cadence: &Cadence, anchor: NaiveDate, today: NaiveDate) -> NaiveDate {
    let period: i64 = match cadence {
        Cadence::Weekly => 7,
        Cadence::EveryNDays(n) if *n > 1 => i64::from(*n),
        _ => return today,
    };
    if today <= anchor {
        return anchor;
    }
    let since = (today - anchor).num_days();
    let ahead = (period - since % period) % period;
    today
        .checked_add_days(Days::new(u64::try_from(ahead).unwrap_or(0)))
        .unwrap_or(today)
}

/// What differs between two versions, one phrase per setting, in the counselor's words.
/// `new_anchor` is the day the new rhythm counts from (a continuation's start).
pub fn describe_changes(
    old: &ValidAssignment,
    new: &ValidAssignment,
    new_anchor: NaiveDate,
) -> Vec<String> {
    let mut out = Vec::new();
    if old.cadence != new.cadence {
        out.push(format!(
            "how often: {} → {}",
            cadence_words(&old.cadence, old.start_date),
            cadence_words(&new.cadence, new_anchor)
        ));
    }
    if old.assignee != new.assignee {
        out.push(format!(
            "who does it: {} → {}",
            assignee_words(old.assignee),
            assignee_words(new.assignee)
        ));
    }
    if old.start_date != new.start_date {
        out.push(format!("start: {} → {}", old.start_date, new.start_date));
    }
    if old.end_date != new.end_date {
        out.push(format!(
            "end: {} → {}",
            date_or_open(old.end_date),
            date_or_open(new.end_date)
        ));
    }
    if old.note != new.note {
        out.push("note changed".to_string());
    }
    if old.reminders != new.reminders {
        out.push(if new.reminders {
            "reminders on".to_string()
        } else {
            "reminders off".to_string()
        });
    }
    out
}

fn cadence_words(c: &Cadence, start: NaiveDate) -> String {
    match c {
        Cadence::Weekly => format!("weekly on {}s", weekday_name(start.weekday())),
        other => other.describe().to_lowercase(),
    }
}

fn weekday_name(d: chrono::Weekday) -> &'static str {
    match d {
        chrono::Weekday::Mon => "Monday",
        chrono::Weekday::Tue => "Tuesday",
        chrono::Weekday::Wed => "Wednesday",
        chrono::Weekday::Thu => "Thursday",
        chrono::Weekday::Fri => "Friday",
        chrono::Weekday::Sat => "Saturday",
        chrono::Weekday::Sun => "Sunday",
    }
}

fn assignee_words(a: Assignee) -> &'static str {
    match a {
        Assignee::Both => "both partners",
        Assignee::A => "the first partner",
        Assignee::B => "the second partner",
    }
}

fn date_or_open(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "none".to_string(), |d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::occurrence::{due_instant, occurrences, Schedule};

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn daily(start: &str) -> ValidAssignment {
        ValidAssignment {
            exercise_id: 1,
            assignee: Assignee::Both,
            cadence: Cadence::Daily,
            start_date: d(start),
            end_date: None,
            note: String::new(),
            reminders: true,
            partner_title: String::new(),
        }
    }

    #[test]
    fn a_back_dated_start_owes_from_today_unless_asked() {
        let today = d("2026-03-16");
        assert_eq!(
            unowed_past(d("2026-03-01"), today, PastDates::FromToday),
            Some(Pause {
                start: d("2026-03-01"),
                end: Some(d("2026-03-15"))
            })
        );
        assert_eq!(unowed_past(d("2026-03-01"), today, PastDates::All), None);
        assert_eq!(unowed_past(today, today, PastDates::FromToday), None);
        assert_eq!(
            unowed_past(d("2026-03-20"), today, PastDates::FromToday),
            None
        );
        assert_eq!(PastDates::parse("all"), PastDates::All);
        assert_eq!(PastDates::parse(""), PastDates::FromToday);
        assert_eq!(PastDates::parse("nonsense"), PastDates::FromToday);
        // Through the occurrence rules: 10 past days are not owed, today is.
        let s = Schedule {
            cadence: Cadence::Daily,
            start: d("2026-03-06"),
            end: None,
            pauses: unowed_past(d("2026-03-06"), today, PastDates::FromToday)
                .into_iter()
                .collect(),
        };
        assert_eq!(occurrences(&s, d("2026-03-01"), today), vec![today]);
    }

    #[test]
    fn note_reminders_and_end_change_in_place() {
        let old = daily("2026-03-01");
        let mut new = old.clone();
        new.note = "Focus on listening".into();
        new.reminders = false;
        new.end_date = Some(d("2026-04-30"));
        let today = d("2026-03-16");
        assert_eq!(
            plan(&old, &new, today),
            Ok(EditPlan::InPlace {
                changes: vec![
                    "end: none → 2026-04-30".to_string(),
                    "note changed".to_string(),
                    "reminders off".to_string()
                ]
            })
        );
        assert_eq!(plan(&old, &old, today), Ok(EditPlan::Unchanged));
    }

    #[test]
    fn a_new_cadence_continues_from_today_and_leaves_the_past_alone() {
        let old = daily("2026-03-01");
        let mut new = old.clone();
        new.cadence = Cadence::Weekly;
        let today = d("2026-03-16");
        let Ok(EditPlan::Continue {
            effective,
            start,
            changes,
        }) = plan(&old, &new, today)
        else {
            panic!("a continuation");
        };
        assert_eq!((effective, start), (today, today));
        assert_eq!(
            changes,
            vec!["how often: daily → weekly on Mondays".to_string()]
        );
        // The past under the old schedule (ended the day before), the future under the new.
        let before = Schedule {
            cadence: Cadence::Daily,
            start: old.start_date,
            end: effective.pred_opt(),
            pauses: vec![],
        };
        let after = Schedule {
            cadence: Cadence::Weekly,
            start,
            end: None,
            pauses: vec![],
        };
        assert_eq!(
            occurrences(&before, d("2026-03-01"), d("2026-03-31")).len(),
            15
        );
        assert_eq!(
            occurrences(&after, d("2026-03-01"), d("2026-03-31")),
            vec![d("2026-03-16"), d("2026-03-23"), d("2026-03-30")]
        );
    }

    #[test]
    fn a_new_partner_keeps_the_weekly_day() {
        let mut old = daily("2026-03-02"); // a Monday
        old.cadence = Cadence::Weekly;
        let mut new = old.clone();
        new.assignee = Assignee::B;
        let today = d("2026-03-18"); // a Wednesday
        let Ok(EditPlan::Continue { start, changes, .. }) = plan(&old, &new, today) else {
            panic!("a continuation");
        };
        assert_eq!(start, d("2026-03-23"), "the next Monday");
        assert_eq!(
            changes,
            vec!["who does it: both partners → the second partner".to_string()]
        );
        assert_eq!(
            keep_rhythm(&Cadence::EveryNDays(3), d("2026-03-01"), d("2026-03-05")),
            d("2026-03-07")
        );
        assert_eq!(
            keep_rhythm(&Cadence::EveryNDays(3), d("2026-03-01"), d("2026-03-07")),
            d("2026-03-07")
        );
        assert_eq!(
            keep_rhythm(&Cadence::Daily, d("2026-03-01"), d("2026-03-05")),
            d("2026-03-05")
        );
    }

    #[test]
    fn a_running_assignment_keeps_its_start_and_cannot_end_in_the_past() {
        let old = daily("2026-03-01");
        let today = d("2026-03-16");
        let mut new = old.clone();
        new.start_date = d("2026-03-10");
        let e = plan(&old, &new, today).expect_err("start is fixed");
        assert!(e.get("start_date").is_some());
        let mut new = old.clone();
        new.end_date = Some(d("2026-03-15"));
        let e = plan(&old, &new, today).expect_err("end in the past");
        assert!(e.get("end_date").is_some());
        new.end_date = Some(today);
        assert!(plan(&old, &new, today).is_ok());
    }

    #[test]
    fn one_not_yet_begun_changes_entirely_in_place() {
        let old = daily("2026-03-20");
        let mut new = old.clone();
        new.start_date = d("2026-03-25");
        new.cadence = Cadence::Weekly;
        new.assignee = Assignee::A;
        assert!(matches!(
            plan(&old, &new, d("2026-03-16")),
            Ok(EditPlan::InPlace { .. })
        ));
        // Starting today counts as not yet begun: nothing before today was owed.
        let old = daily("2026-03-16");
        let mut new = old.clone();
        new.cadence = Cadence::Weekly;
        assert!(matches!(
            plan(&old, &new, d("2026-03-16")),
            Ok(EditPlan::InPlace { .. })
        ));
    }

    #[test]
    fn a_change_across_the_clock_change_keeps_each_days_deadline() {
        // New York moves its clocks on Sunday 8 March 2026. A daily assignment changed to
        // every other day on the 9th: the 7th and 8th stay owed under the old schedule,
        // each due at its own local midnight (05:00 UTC before, 04:00 UTC after the change).
        let tz = chrono_tz::America::New_York;
        let old = daily("2026-03-01");
        let mut new = old.clone();
        new.cadence = Cadence::EveryNDays(2);
        let Ok(EditPlan::Continue {
            effective, start, ..
        }) = plan(&old, &new, d("2026-03-09"))
        else {
            panic!("a continuation");
        };
        let before = Schedule {
            cadence: Cadence::Daily,
            start: old.start_date,
            end: effective.pred_opt(),
            pauses: vec![],
        };
        let after = Schedule {
            cadence: new.cadence.clone(),
            start,
            end: None,
            pauses: vec![],
        };
        let past = occurrences(&before, d("2026-03-06"), d("2026-03-12"));
        assert_eq!(
            past,
            vec![d("2026-03-06"), d("2026-03-07"), d("2026-03-08")]
        );
        assert_eq!(
            due_instant(d("2026-03-07"), tz).to_rfc3339(),
            "2026-03-08T05:00:00+00:00"
        );
        assert_eq!(
            due_instant(d("2026-03-08"), tz).to_rfc3339(),
            "2026-03-09T04:00:00+00:00"
        );
        assert_eq!(
            occurrences(&after, d("2026-03-06"), d("2026-03-14")),
            vec![d("2026-03-09"), d("2026-03-11"), d("2026-03-13")]
        );
    }
}
