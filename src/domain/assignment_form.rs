//! The assignment form: which exercise, for whom, on what cadence; and who to propose.

use chrono::{NaiveDate, Weekday};

use super::couple::BreachBy;
use super::couple_form::{parse_date, parse_optional_date};
use super::exercise::Performer;
use super::occurrence::{Cadence, WeekdaySet};
use super::validation::{self, Errors};

/// Weekday codes used by the form, Monday first.
pub const WEEKDAYS: [(&str, &str, Weekday); 7] = [
    ("mon", "Mon", Weekday::Mon),
    ("tue", "Tue", Weekday::Tue),
    ("wed", "Wed", Weekday::Wed),
    ("thu", "Thu", Weekday::Thu),
    ("fri", "Fri", Weekday::Fri),
    ("sat", "Sat", Weekday::Sat),
    ("sun", "Sun", Weekday::Sun),
];

/// Cadence choices as (code, label).
pub const CADENCES: [(&str, &str); 5] = [
    ("once", "Once, by a due date"),
    ("daily", "Every day"),
    ("weekdays", "On chosen weekdays"),
    ("weekly", "Once a week"),
    ("every_n", "Every few days"),
];

/// Who does an exercise within the couple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    Both,
    A,
    B,
}

impl Assignee {
    pub fn as_str(self) -> &'static str {
        match self {
            Assignee::Both => "both",
            Assignee::A => "a",
            Assignee::B => "b",
        }
    }

    pub fn parse(s: &str) -> Option<Assignee> {
        match s {
            "both" => Some(Assignee::Both),
            "a" => Some(Assignee::A),
            "b" => Some(Assignee::B),
            _ => None,
        }
    }
}

/// The partner an exercise should go to, from who it is meant for and who broke trust.
/// `None` when the couple's record cannot tell (not stated, or both broke trust): the
/// counselor chooses.
pub fn propose(performer: Performer, breach_by: BreachBy) -> Option<Assignee> {
    match (performer, breach_by) {
        (Performer::Both, _) => Some(Assignee::Both),
        (Performer::Offending, BreachBy::A) | (Performer::Hurt, BreachBy::B) => Some(Assignee::A),
        (Performer::Offending, BreachBy::B) | (Performer::Hurt, BreachBy::A) => Some(Assignee::B),
        (_, BreachBy::Both | BreachBy::Unstated) => None,
    }
}

/// What the counselor typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssignmentForm {
    pub exercise_id: String,
    pub assignee: String,
    pub cadence: String,
    pub due_date: String,
    pub weekdays: Vec<String>,
    pub interval_days: String,
    pub start_date: String,
    pub end_date: String,
    pub note: String,
    pub reminders: bool,
    /// The discreet title the partner sees for a safety check ("" = the default).
    pub partner_title: String,
    /// For a start date before today: "all" owes the past dates, anything else owes
    /// from today (see `assignment_edit::PastDates`).
    pub past_owed: String,
}

/// What the form needs to know about the chosen exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExerciseFacts {
    pub id: i32,
    pub safety_check: bool,
}

/// An assignment that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidAssignment {
    pub exercise_id: i32,
    pub assignee: Assignee,
    pub cadence: Cadence,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub note: String,
    pub reminders: bool,
    /// Only for a safety check; "" means the default discreet title.
    pub partner_title: String,
}

impl ValidAssignment {
    /// Storage columns: (weekdays bits, interval days, due date).
    pub fn cadence_columns(&self) -> (i32, i32, Option<NaiveDate>) {
        match &self.cadence {
            Cadence::Once { due } => (0, 1, Some(*due)),
            Cadence::Weekdays(set) => (i32::from(set.bits()), 1, None),
            Cadence::EveryNDays(n) => (0, i32::try_from(*n).unwrap_or(i32::MAX), None),
            Cadence::Daily | Cadence::Weekly => (0, 1, None),
        }
    }
}

impl AssignmentForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> AssignmentForm {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        AssignmentForm {
            exercise_id: get("exercise_id"),
            assignee: get("assignee"),
            cadence: get("cadence"),
            due_date: get("due_date"),
            weekdays: pairs
                .iter()
                .filter(|(k, _)| k == "weekday")
                .map(|(_, v)| v.clone())
                .collect(),
            interval_days: get("interval_days"),
            start_date: get("start_date"),
            end_date: get("end_date"),
            note: get("note"),
            reminders: !get("reminders").is_empty(),
            partner_title: get("partner_title"),
            past_owed: get("past_owed"),
        }
    }

    /// The exercise id as typed, if it is a number.
    pub fn exercise_id(&self) -> Option<i32> {
        self.exercise_id.trim().parse().ok()
    }

    pub fn has_weekday(&self, code: &str) -> bool {
        self.weekdays.iter().any(|w| w == code)
    }

    /// Check the form; `exercise` is the chosen exercise if the counselor may use it.
    pub fn validate(&self, exercise: Option<ExerciseFacts>) -> Result<ValidAssignment, Errors> {
        let mut e = Errors::default();
        if exercise.is_none() {
            e.add("exercise_id", "Choose an exercise from the library.");
        }
        let assignee = Assignee::parse(self.assignee.trim());
        match (assignee, exercise) {
            (None, _) => e.add("assignee", "Choose who does this exercise."),
            (Some(Assignee::Both), Some(x)) if x.safety_check => e.add(
                "assignee",
                "The private safety check goes to one partner at a time. Choose one partner; assign it again for the other.",
            ),
            _ => {}
        }
        let start = parse_date(&mut e, "start_date", &self.start_date, "the start date");
        let end = parse_optional_date(&mut e, "end_date", &self.end_date);
        if let (Some(s), Some(en)) = (start, end) {
            if en < s {
                e.add("end_date", "The end date is before the start date.");
            }
        }
        let cadence = match self.cadence.trim() {
            "once" => {
                parse_date(&mut e, "due_date", &self.due_date, "the due date").and_then(|due| {
                    if start.is_some_and(|s| due < s) {
                        e.add("due_date", "The due date is before the start date.");
                        None
                    } else {
                        Some(Cadence::Once { due })
                    }
                })
            }
            "daily" => Some(Cadence::Daily),
            "weekly" => Some(Cadence::Weekly),
            "weekdays" => {
                let days: Vec<Weekday> = WEEKDAYS
                    .iter()
                    .filter(|(code, _, _)| self.has_weekday(code))
                    .map(|(_, _, d)| *d)
                    .collect();
                if days.is_empty() {
                    e.add("weekday", "Choose at least one day of the week.");
                    None
                } else {
                    Some(Cadence::Weekdays(WeekdaySet::from_weekdays(&days)))
                }
            }
            "every_n" => match self.interval_days.trim().parse::<u32>() {
                Ok(n) if (1..=365).contains(&n) => Some(Cadence::EveryNDays(n)),
                Ok(_) => {
                    e.add("interval_days", "Enter a number of days from 1 to 365.");
                    None
                }
                Err(_) => {
                    e.add(
                        "interval_days",
                        "Enter how many days apart, as a whole number.",
                    );
                    None
                }
            },
            _ => {
                e.add("cadence", "Choose how often.");
                None
            }
        };
        let note = validation::optional_text(&mut e, "note", &self.note, 2000);
        let partner_title = match exercise {
            Some(x) if x.safety_check => {
                super::safety::parse_partner_title(&mut e, "partner_title", &self.partner_title)
            }
            _ => String::new(),
        };
        match (exercise, assignee, cadence, start) {
            (Some(x), Some(assignee), Some(cadence), Some(start_date)) if e.is_empty() => {
                Ok(ValidAssignment {
                    exercise_id: x.id,
                    assignee,
                    cadence,
                    start_date,
                    end_date: end,
                    note,
                    reminders: self.reminders,
                    partner_title,
                })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const X: ExerciseFacts = ExerciseFacts {
        id: 7,
        safety_check: false,
    };

    fn good() -> AssignmentForm {
        AssignmentForm {
            exercise_id: "7".into(),
            assignee: "both".into(),
            cadence: "daily".into(),
            start_date: "2026-03-01".into(),
            reminders: true,
            ..AssignmentForm::default()
        }
    }

    #[test]
    fn proposals_follow_the_couples_record() {
        use Performer::*;
        assert_eq!(propose(Both, BreachBy::Unstated), Some(Assignee::Both));
        assert_eq!(propose(Offending, BreachBy::A), Some(Assignee::A));
        assert_eq!(propose(Offending, BreachBy::B), Some(Assignee::B));
        assert_eq!(propose(Hurt, BreachBy::A), Some(Assignee::B));
        assert_eq!(propose(Hurt, BreachBy::B), Some(Assignee::A));
        assert_eq!(propose(Offending, BreachBy::Both), None);
        assert_eq!(propose(Hurt, BreachBy::Unstated), None);
    }

    #[test]
    fn a_daily_assignment_validates() {
        let v = good().validate(Some(X)).expect("valid");
        assert_eq!(v.cadence, Cadence::Daily);
        assert_eq!(v.assignee, Assignee::Both);
        assert!(v.reminders);
        assert_eq!(v.cadence_columns(), (0, 1, None));
    }

    #[test]
    fn weekday_cadence_needs_a_day() {
        let mut f = good();
        f.cadence = "weekdays".into();
        assert!(f.validate(Some(X)).unwrap_err().get("weekday").is_some());
        f.weekdays = vec!["mon".into(), "thu".into(), "bogus".into()];
        let v = f.validate(Some(X)).expect("valid");
        assert_eq!(v.cadence_columns().0, 0b1001);
    }

    #[test]
    fn every_n_needs_a_positive_number() {
        let mut f = good();
        f.cadence = "every_n".into();
        for bad in ["0", "", "-2", "x", "400"] {
            f.interval_days = bad.into();
            assert!(
                f.validate(Some(X))
                    .unwrap_err()
                    .get("interval_days")
                    .is_some(),
                "{bad}"
            );
        }
        f.interval_days = "3".into();
        assert_eq!(f.validate(Some(X)).unwrap().cadence, Cadence::EveryNDays(3));
    }

    #[test]
    fn end_before_start_and_due_before_start_are_refused() {
        let mut f = good();
        f.end_date = "2026-02-01".into();
        assert!(f.validate(Some(X)).unwrap_err().get("end_date").is_some());
        let mut f = good();
        f.cadence = "once".into();
        assert!(f.validate(Some(X)).unwrap_err().get("due_date").is_some());
        f.due_date = "2026-02-27".into();
        assert!(f.validate(Some(X)).unwrap_err().get("due_date").is_some());
        f.due_date = "2026-03-08".into();
        assert!(f.validate(Some(X)).is_ok());
    }

    #[test]
    fn the_safety_check_goes_to_one_partner() {
        let safety = ExerciseFacts {
            id: 3,
            safety_check: true,
        };
        let mut f = good();
        assert!(f
            .validate(Some(safety))
            .unwrap_err()
            .get("assignee")
            .is_some());
        f.assignee = "b".into();
        assert_eq!(f.validate(Some(safety)).unwrap().assignee, Assignee::B);
    }

    #[test]
    fn unknown_exercise_and_missing_choices() {
        let mut f = good();
        f.assignee = String::new();
        f.cadence = "hourly".into();
        let e = f.validate(None).unwrap_err();
        for field in ["exercise_id", "assignee", "cadence"] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }
}
