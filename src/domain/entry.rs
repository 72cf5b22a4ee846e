//! Entries and setback notes: their states, the setback form's rules, and what a partner's
//! home page lists as due, overdue or coming up.

use std::collections::HashSet;

use chrono::{Days, NaiveDate};

use super::exercise::Visibility;
use super::occurrence::{occurrences, Schedule};
use super::validation::{optional_text, required_text, Errors};

/// What the partner pressed on an entry form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    SaveDraft,
    Submit,
}

impl Intent {
    pub fn parse(s: &str) -> Intent {
        if s == "draft" {
            Intent::SaveDraft
        } else {
            Intent::Submit
        }
    }
}

/// How far back the home page looks for missed occurrences.
pub const OVERDUE_LOOKBACK_DAYS: u64 = 21;
/// How far ahead a partner may fill in an occurrence early.
pub const EARLY_DAYS: u64 = 6;

/// One occurrence of an assignment a partner owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Owed {
    pub date: NaiveDate,
    pub assignment_id: i32,
}

/// The home page's lists, each sorted by date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HomePlan {
    pub overdue: Vec<Owed>,
    pub today: Vec<Owed>,
    /// The next occurrence of each assignment later this week (not today).
    pub this_week: Vec<Owed>,
}

/// Sort the partner's occurrences into overdue, today and this week. `done` holds the
/// (assignment, date) pairs already submitted.
pub fn plan_home(
    schedules: &[(i32, Schedule)],
    done: &HashSet<(i32, NaiveDate)>,
    today: NaiveDate,
) -> HomePlan {
    let mut plan = HomePlan::default();
    let from = today
        .checked_sub_days(Days::new(OVERDUE_LOOKBACK_DAYS))
        .unwrap_or(today);
    let to = today
        .checked_add_days(Days::new(EARLY_DAYS))
        .unwrap_or(today);
    for (id, schedule) in schedules {
        let mut next_this_week = None;
        for date in occurrences(schedule, from, to) {
            if done.contains(&(*id, date)) {
                continue;
            }
            let owed = Owed {
                date,
                assignment_id: *id,
            };
            if date < today {
                plan.overdue.push(owed);
            } else if date == today {
                plan.today.push(owed);
            } else if next_this_week.is_none() {
                next_this_week = Some(owed);
            }
        }
        plan.this_week.extend(next_this_week);
    }
    plan.overdue.sort();
    plan.today.sort();
    plan.this_week.sort();
    plan
}

/// Whether `date` is an occurrence of the schedule a partner may fill in on `today`:
/// not before the schedule starts, and at most [`EARLY_DAYS`] ahead.
pub fn is_fillable(schedule: &Schedule, date: NaiveDate, today: NaiveDate) -> bool {
    let latest = today
        .checked_add_days(Days::new(EARLY_DAYS))
        .unwrap_or(today);
    date <= latest && !occurrences(schedule, date, date).is_empty()
}

pub const SETBACK_TEXT_MAX: usize = 5_000;

/// The setback form as posted (text kept as typed for re-display).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct SetbackForm {
    pub happened_on: String,
    pub what_happened: String,
    pub trigger_text: String,
    pub reaction: String,
    pub repair_attempted: String,
    pub repair_text: String,
    pub severity: String,
    pub do_differently: String,
    pub visibility: String,
    pub raise_in_session: Option<String>,
}

/// A setback note that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSetback {
    pub happened_on: NaiveDate,
    pub what_happened: String,
    pub trigger_text: String,
    pub reaction: String,
    pub repair_attempted: bool,
    pub repair_text: String,
    pub severity: i32,
    pub do_differently: String,
    pub visibility: Visibility,
    pub raise_in_session: bool,
}

impl SetbackForm {
    /// A blank form for `today`.
    pub fn blank(today: NaiveDate) -> SetbackForm {
        SetbackForm {
            happened_on: today.format("%Y-%m-%d").to_string(),
            visibility: Visibility::CounselorOnly.as_str().into(),
            ..SetbackForm::default()
        }
    }

    /// Check the note; `today` is the partner's local date (a setback cannot be in the future).
    pub fn validate(&self, today: NaiveDate) -> Result<NewSetback, Errors> {
        let mut e = Errors::default();
        let happened_on = match NaiveDate::parse_from_str(self.happened_on.trim(), "%Y-%m-%d") {
            Ok(d) if d > today => {
                e.add(
                    "happened_on",
                    "This date is in the future. Choose the day it happened.",
                );
                None
            }
            Ok(d) if today.signed_duration_since(d).num_days() > 3660 => {
                e.add(
                    "happened_on",
                    "Please choose a date within the last ten years.",
                );
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                e.add(
                    "happened_on",
                    "Please enter the date it happened, such as 2026-03-14.",
                );
                None
            }
        };
        let what_happened = required_text(
            &mut e,
            "what_happened",
            &self.what_happened,
            SETBACK_TEXT_MAX,
            "a few words about what happened",
        );
        let trigger_text =
            optional_text(&mut e, "trigger_text", &self.trigger_text, SETBACK_TEXT_MAX);
        let reaction = optional_text(&mut e, "reaction", &self.reaction, SETBACK_TEXT_MAX);
        let repair_text = optional_text(&mut e, "repair_text", &self.repair_text, SETBACK_TEXT_MAX);
        let do_differently = optional_text(
            &mut e,
            "do_differently",
            &self.do_differently,
            SETBACK_TEXT_MAX,
        );
        let repair_attempted = match self.repair_attempted.as_str() {
            "yes" => true,
            "no" | "" => false,
            _ => {
                e.add("repair_attempted", "Please choose yes or no.");
                false
            }
        };
        let severity = match self.severity.trim().parse::<i32>() {
            Ok(n) if (1..=5).contains(&n) => n,
            _ => {
                e.add("severity", "Please choose how hard it was, from 1 to 5.");
                0
            }
        };
        let visibility = match Visibility::parse(&self.visibility) {
            Some(v) => v,
            None => {
                e.add("visibility", "Please choose who may read this note.");
                Visibility::CounselorOnly
            }
        };
        match happened_on {
            Some(happened_on) if e.is_empty() => Ok(NewSetback {
                happened_on,
                what_happened,
                trigger_text,
                reaction,
                repair_attempted,
                repair_text,
                severity,
                do_differently,
                visibility,
                raise_in_session: self.raise_in_session.is_some(),
            }),
            _ => Err(e),
        }
    }
}

/// Severity in words, for the form and the timeline.
pub fn severity_label(n: i32) -> &'static str {
    match n {
        1 => "1 · a small wobble",
        2 => "2 · unsettling",
        3 => "3 · hard",
        4 => "4 · very hard",
        5 => "5 · one of the hardest moments",
        _ => "not given",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::occurrence::Cadence;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn daily(start: &str) -> Schedule {
        Schedule {
            cadence: Cadence::Daily,
            start: d(start),
            end: None,
            pauses: vec![],
        }
    }

    #[test]
    fn home_sorts_occurrences_into_overdue_today_and_this_week() {
        let weekly = Schedule {
            cadence: Cadence::Weekly,
            start: d("2026-03-12"),
            end: None,
            pauses: vec![],
        };
        let mut done = HashSet::new();
        done.insert((1, d("2026-03-09")));
        let plan = plan_home(
            &[(1, daily("2026-03-08")), (2, weekly)],
            &done,
            d("2026-03-10"),
        );
        assert_eq!(
            plan.overdue,
            vec![Owed {
                date: d("2026-03-08"),
                assignment_id: 1
            }]
        );
        assert_eq!(
            plan.today,
            vec![Owed {
                date: d("2026-03-10"),
                assignment_id: 1
            }]
        );
        assert_eq!(
            plan.this_week,
            vec![
                Owed {
                    date: d("2026-03-11"),
                    assignment_id: 1
                },
                Owed {
                    date: d("2026-03-12"),
                    assignment_id: 2
                },
            ]
        );
    }

    #[test]
    fn only_real_occurrences_not_too_far_ahead_are_fillable() {
        let s = Schedule {
            cadence: Cadence::Weekly,
            start: d("2026-03-02"),
            end: None,
            pauses: vec![],
        };
        assert!(is_fillable(&s, d("2026-03-09"), d("2026-03-05")));
        assert!(!is_fillable(&s, d("2026-03-10"), d("2026-03-05")));
        assert!(!is_fillable(&s, d("2026-03-23"), d("2026-03-05")));
        assert!(!is_fillable(&s, d("2026-02-23"), d("2026-03-05")));
    }

    fn good_form() -> SetbackForm {
        SetbackForm {
            happened_on: "2026-03-09".into(),
            what_happened: "An argument about a late text".into(),
            repair_attempted: "yes".into(),
            repair_text: "We talked it through".into(),
            severity: "3".into(),
            visibility: "partner".into(),
            raise_in_session: Some("on".into()),
            ..SetbackForm::default()
        }
    }

    #[test]
    fn a_complete_setback_note_passes() {
        let s = good_form().validate(d("2026-03-10")).unwrap();
        assert_eq!(s.severity, 3);
        assert!(s.repair_attempted && s.raise_in_session);
        assert_eq!(s.visibility, Visibility::CounselorAndPartner);
    }

    #[test]
    fn setback_problems_are_reported_by_field() {
        let mut f = good_form();
        f.happened_on = "2026-03-11".into();
        f.what_happened = "  ".into();
        f.severity = "9".into();
        f.visibility = "everyone".into();
        f.reaction = "x".repeat(SETBACK_TEXT_MAX + 1);
        let e = f.validate(d("2026-03-10")).unwrap_err();
        for field in [
            "happened_on",
            "what_happened",
            "severity",
            "visibility",
            "reaction",
        ] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }
}
