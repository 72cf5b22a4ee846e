//! Dates and times as pages show them. Instants are stored as naive UTC and are always
//! shown in the reader's time zone; calendar dates (an entry's day, a start date) have no
//! zone and are shown as they are.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

fn in_zone(utc: NaiveDateTime, tz: Tz) -> chrono::DateTime<Tz> {
    utc.and_utc().with_timezone(&tz)
}

/// "Tue 17 Mar 2026, 14:30": an instant in the reader's zone.
pub fn local_datetime(utc: NaiveDateTime, tz: Tz) -> String {
    in_zone(utc, tz).format("%a %-d %b %Y, %H:%M").to_string()
}

/// "Tuesday 17 March 2026 at 14:30": an instant in the reader's zone, in words.
pub fn datetime_words(utc: NaiveDateTime, tz: Tz) -> String {
    in_zone(utc, tz).format("%A %-d %B %Y at %H:%M").to_string()
}

/// "2026-03-17 14:30:05": an instant in the reader's zone, for logs and lists read closely.
pub fn local_timestamp(utc: NaiveDateTime, tz: Tz) -> String {
    in_zone(utc, tz).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The reader's calendar day of an instant.
pub fn local_day(utc: NaiveDateTime, tz: Tz) -> NaiveDate {
    in_zone(utc, tz).date_naive()
}

/// "Tue 17 Mar 2026": the reader's day of an instant.
pub fn local_date(utc: NaiveDateTime, tz: Tz) -> String {
    long_date(local_day(utc, tz))
}

/// "14:30": the reader's time of day of an instant.
pub fn time_of_day(utc: NaiveDateTime, tz: Tz) -> String {
    in_zone(utc, tz).format("%H:%M").to_string()
}

/// "2026-03-17T14:30:05-05:00": an instant with its offset, for `datetime` attributes.
pub fn iso_datetime(utc: NaiveDateTime, tz: Tz) -> String {
    in_zone(utc, tz).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// "Tue 17 Mar 2026".
pub fn long_date(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

/// "Tuesday 17 March 2026".
pub fn full_date(d: NaiveDate) -> String {
    d.format("%A %-d %B %Y").to_string()
}

/// "Tuesday 17 March".
pub fn weekday_date(d: NaiveDate) -> String {
    d.format("%A %-d %B").to_string()
}

/// "Tue 17 Mar".
pub fn short_date(d: NaiveDate) -> String {
    d.format("%a %-d %b").to_string()
}

/// "17 Mar 2026".
pub fn day_month_year(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// "17 Mar".
pub fn day_month(d: NaiveDate) -> String {
    d.format("%-d %b").to_string()
}

/// "2026-03-17", as URLs and date inputs carry it.
pub fn iso_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn an_instant_is_shown_in_the_readers_zone() {
        let t = at("2026-03-17 03:30");
        assert_eq!(local_datetime(t, chrono_tz::UTC), "Tue 17 Mar 2026, 03:30");
        assert_eq!(
            local_datetime(t, chrono_tz::America::Chicago),
            "Mon 16 Mar 2026, 22:30"
        );
        assert_eq!(time_of_day(t, chrono_tz::America::Chicago), "22:30");
        assert_eq!(
            local_date(t, chrono_tz::America::Chicago),
            "Mon 16 Mar 2026"
        );
        assert_eq!(
            iso_datetime(t, chrono_tz::America::Chicago),
            "2026-03-16T22:30:00-05:00"
        );
    }
}
