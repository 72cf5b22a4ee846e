//! Messages for fields that failed validation, keyed by field name.

use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Errors(pub BTreeMap<String, String>);

impl Errors {
    /// Record the first problem found for a field.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// Trimmed text, required and at most `max` characters.
pub fn required_text(
    errors: &mut Errors,
    field: &str,
    value: &str,
    max: usize,
    what: &str,
) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.add(field, format!("Please enter {what}."));
    } else if v.chars().count() > max {
        errors.add(
            field,
            format!("Please keep this to {max} characters or fewer."),
        );
    }
    v.to_string()
}

/// Trimmed text that may be empty, at most `max` characters.
pub fn optional_text(errors: &mut Errors, field: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    if v.chars().count() > max {
        errors.add(
            field,
            format!("Please keep this to {max} characters or fewer."),
        );
    }
    v.to_string()
}

/// A plausible email address, lower-cased. Deliberately simple: one @, a dot in the
/// domain, no spaces; the invitation itself proves the address works.
pub fn email(errors: &mut Errors, field: &str, value: &str) -> String {
    let v = value.trim().to_lowercase();
    let valid = v.len() <= 254
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == ';' || c == '<' || c == '>')
        && match v.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if v.is_empty() {
        errors.add(field, "Please enter an email address.");
    } else if !valid {
        errors.add(
            field,
            "This does not look like an email address. Check it for typing mistakes.",
        );
    }
    v
}

/// An IANA time zone name such as Europe/Berlin.
pub fn time_zone(errors: &mut Errors, field: &str, value: &str) -> Option<chrono_tz::Tz> {
    let v = value.trim();
    match v.parse::<chrono_tz::Tz>() {
        Ok(tz) => Some(tz),
        Err(_) => {
            errors.add(
                field,
                "Choose a time zone from the list, such as Europe/London or America/New_York.",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_lowercased() {
        let mut e = Errors::default();
        assert_eq!(
            email(&mut e, "email", " Sam@Example.ORG "),
            "sam@example.org"
        );
        assert!(e.is_empty());
        for bad in [
            "",
            "sam",
            "sam@",
            "@x.org",
            "sam@x",
            "sam@@x.org",
            "s am@x.org",
            "sam@x..org",
        ] {
            let mut e = Errors::default();
            email(&mut e, "email", bad);
            assert!(e.get("email").is_some(), "{bad} should be refused");
        }
    }

    #[test]
    fn text_limits_count_characters_not_bytes() {
        let mut e = Errors::default();
        required_text(&mut e, "t", &"é".repeat(10), 10, "a title");
        assert!(e.is_empty());
        required_text(&mut e, "t", &"é".repeat(11), 10, "a title");
        assert!(e.get("t").is_some());
        let mut e = Errors::default();
        required_text(&mut e, "t", "   ", 10, "a title");
        assert_eq!(e.get("t"), Some("Please enter a title."));
    }

    #[test]
    fn time_zones_must_be_iana_names() {
        let mut e = Errors::default();
        assert!(time_zone(&mut e, "tz", "America/New_York").is_some());
        assert!(time_zone(&mut e, "tz", "Mars/Olympus").is_none());
        assert!(e.get("tz").is_some());
    }
}
