//! Booking a therapy session: a date, a time and a length in the counselor's time zone,
//! stored as a UTC instant.

use chrono::{NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::couple_form::parse_date;
use super::validation::{self, Errors};

/// Lengths offered on the form, in minutes.
pub const DURATIONS: [i32; 6] = [30, 45, 50, 60, 75, 90];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionForm {
    pub date: String,
    pub time: String,
    pub duration: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSession {
    /// UTC.
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub note: String,
}

impl SessionForm {
    pub fn from_pairs(pairs: &[(String, String)]) -> SessionForm {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        SessionForm {
            date: get("date"),
            time: get("time"),
            duration: get("duration"),
            note: get("note"),
        }
    }

    /// The form showing a stored session, in the counselor's zone.
    pub fn from_stored(starts_at: NaiveDateTime, duration: i32, note: &str, tz: Tz) -> SessionForm {
        let local = starts_at.and_utc().with_timezone(&tz);
        SessionForm {
            date: local.format("%Y-%m-%d").to_string(),
            time: local.format("%H:%M").to_string(),
            duration: duration.to_string(),
            note: note.to_string(),
        }
    }

    pub fn validate(&self, tz: Tz) -> Result<ValidSession, Errors> {
        let mut e = Errors::default();
        let date = parse_date(&mut e, "date", &self.date, "the date");
        let time = match NaiveTime::parse_from_str(self.time.trim(), "%H:%M") {
            Ok(t) => Some(t),
            Err(_) if self.time.trim().is_empty() => {
                e.add("time", "Please enter the time the session starts.");
                None
            }
            Err(_) => {
                e.add("time", "Please enter a time such as 14:30.");
                None
            }
        };
        let duration = match self.duration.trim().parse::<i32>() {
            Ok(m) if (10..=480).contains(&m) => Some(m),
            _ => {
                e.add(
                    "duration",
                    "Choose a length between 10 minutes and 8 hours.",
                );
                None
            }
        };
        let note = validation::optional_text(&mut e, "note", &self.note, 500);
        let starts_at = match (date, time) {
            (Some(d), Some(t)) => match tz.from_local_datetime(&d.and_time(t)).earliest() {
                Some(local) => Some(local.with_timezone(&Utc).naive_utc()),
                None => {
                    e.add(
                        "time",
                        "The clocks change at that time on that day, so it does not exist. Choose another time.",
                    );
                    None
                }
            },
            _ => None,
        };
        match (starts_at, duration) {
            (Some(starts_at), Some(duration_minutes)) if e.is_empty() => Ok(ValidSession {
                starts_at,
                duration_minutes,
                note,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(date: &str, time: &str, duration: &str) -> SessionForm {
        SessionForm {
            date: date.into(),
            time: time.into(),
            duration: duration.into(),
            note: String::new(),
        }
    }

    #[test]
    fn local_time_is_stored_as_utc() {
        let v = form("2026-07-01", "14:30", "50")
            .validate(chrono_tz::Europe::London)
            .unwrap();
        assert_eq!(v.starts_at.to_string(), "2026-07-01 13:30:00");
        assert_eq!(v.duration_minutes, 50);
        let back = SessionForm::from_stored(v.starts_at, 50, "", chrono_tz::Europe::London);
        assert_eq!(
            (back.date.as_str(), back.time.as_str()),
            ("2026-07-01", "14:30")
        );
    }

    #[test]
    fn a_time_in_the_spring_gap_is_refused() {
        let e = form("2026-03-08", "02:30", "50")
            .validate(chrono_tz::America::New_York)
            .unwrap_err();
        assert!(e.get("time").is_some());
    }

    #[test]
    fn bad_fields_are_named() {
        let e = form("", "25:00", "0").validate(chrono_tz::UTC).unwrap_err();
        for f in ["date", "time", "duration"] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }
}
