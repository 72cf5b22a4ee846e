//! Spreadsheet-safe CSV cells.
//!
//! Exports are opened in spreadsheet programs, which treat a cell starting with `=`, `+`, `-`
//! or `@` as a formula (CSV/formula injection). Text written by partners or counselors goes
//! through [`inert`] before it reaches the CSV writer; the writer itself takes care of quoting.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Characters that make a spreadsheet read a cell as a formula when they come first.
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Make a text cell inert for spreadsheets: if it begins with `=`, `+`, `-`, `@`, a tab or a
/// carriage return, prefix a single quote (`'`). Everything else is returned unchanged and
/// borrowed, including emoji, commas, quotes and newlines: the CSV writer quotes those.
///
/// This is for text cells only. Numbers (a negative score such as `-3`) and dates belong in
/// their own columns and should be written as they are, without `inert`, so they stay numbers.
pub fn inert(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some(c) if FORMULA_TRIGGERS.contains(&c) => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// An ISO 8601 timestamp with the offset in force in `tz` at that instant, e.g.
/// `"2026-03-08T19:00:00-04:00"`. Whole seconds; UTC itself is written `+00:00`.
pub fn iso_in_zone(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Asia, Pacific};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn each_dangerous_prefix_is_quoted() {
        for (input, expected) in [
            ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
            ("+1 555 0100", "'+1 555 0100"),
            ("-2+3", "'-2+3"),
            ("@cmd", "'@cmd"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("=", "'="),
        ] {
            let out = inert(input);
            assert!(matches!(out, Cow::Owned(_)), "{input:?}");
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn safe_strings_are_borrowed_unchanged() {
        for input in [
            "We walked by the river",
            "a, b, \"c\"",
            "line one\nline two",
            " =not first",
            "'already quoted",
            "3",
            "1-2",
            "\n=starts with newline",
        ] {
            let out = inert(input);
            assert!(matches!(out, Cow::Borrowed(_)), "{input:?}");
            assert_eq!(out, input);
        }
    }

    #[test]
    fn emoji_and_empty() {
        assert!(matches!(
            inert("🌱 small win"),
            Cow::Borrowed("🌱 small win")
        ));
        assert!(matches!(inert(""), Cow::Borrowed("")));
        assert_eq!(inert("-🌱"), "'-🌱");
    }

    #[test]
    fn iso_with_offset() {
        let t = utc("2026-03-08T23:00:00Z");
        assert_eq!(
            iso_in_zone(t, America::New_York),
            "2026-03-08T19:00:00-04:00"
        );
        let t = utc("2026-03-08T06:30:00Z");
        assert_eq!(
            iso_in_zone(t, America::New_York),
            "2026-03-08T01:30:00-05:00"
        );
        assert_eq!(iso_in_zone(t, Asia::Kolkata), "2026-03-08T12:00:00+05:30");
        assert_eq!(
            iso_in_zone(t, Pacific::Kiritimati),
            "2026-03-08T20:30:00+14:00"
        );
        assert_eq!(
            iso_in_zone(t, Pacific::Pago_Pago),
            "2026-03-07T19:30:00-11:00"
        );
        assert_eq!(iso_in_zone(t, chrono_tz::UTC), "2026-03-08T06:30:00+00:00");
    }
}
