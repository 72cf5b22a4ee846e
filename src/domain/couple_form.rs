//! The couple form as typed, and its validation into a [`ValidCouple`].

use chrono::NaiveDate;

use super::couple::{BreachBy, Confidentiality};
use super::validation::{self, Errors};

/// What the counselor typed, kept as text so a form that comes back shows it unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoupleForm {
    pub label: String,
    pub breach_by: String,
    pub confidentiality: String,
    pub start_date: String,
    pub a_name: String,
    pub a_email: String,
    pub a_time_zone: String,
    pub b_name: String,
    pub b_email: String,
    pub b_time_zone: String,
}

/// One validated partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPartner {
    pub display_name: String,
    pub email: String,
    pub time_zone: String,
}

/// A couple that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCouple {
    pub label: String,
    pub breach_by: BreachBy,
    pub confidentiality: Confidentiality,
    pub start_date: NaiveDate,
    pub partners: [ValidPartner; 2],
}

/// A date typed as YYYY-MM-DD (what `<input type=date>` sends).
pub fn parse_date(errors: &mut Errors, field: &str, value: &str, what: &str) -> Option<NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        errors.add(field, format!("Please enter {what}."));
        return None;
    }
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) if (1900..=2200).contains(&chrono::Datelike::year(&d)) => Some(d),
        _ => {
            errors.add(field, "Please enter a date such as 2026-03-01.");
            None
        }
    }
}

/// An optional date: empty is `Ok(None)`.
pub fn parse_optional_date(errors: &mut Errors, field: &str, value: &str) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        return None;
    }
    parse_date(errors, field, value, "a date")
}

impl CoupleForm {
    /// Read the fields from posted pairs; unknown keys are ignored.
    pub fn from_pairs(pairs: &[(String, String)]) -> CoupleForm {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        CoupleForm {
            label: get("label"),
            breach_by: get("breach_by"),
            confidentiality: get("confidentiality"),
            start_date: get("start_date"),
            a_name: get("a_name"),
            a_email: get("a_email"),
            a_time_zone: get("a_time_zone"),
            b_name: get("b_name"),
            b_email: get("b_email"),
            b_time_zone: get("b_time_zone"),
        }
    }

    pub fn validate(&self) -> Result<ValidCouple, Errors> {
        let mut e = Errors::default();
        let label =
            validation::required_text(&mut e, "label", &self.label, 100, "a label for the couple");
        let breach_by = BreachBy::parse(self.breach_by.trim());
        if breach_by.is_none() {
            e.add(
                "breach_by",
                "Choose which partner broke trust, or that it is not stated.",
            );
        }
        let confidentiality = Confidentiality::parse(self.confidentiality.trim());
        if confidentiality.is_none() {
            e.add(
                "confidentiality",
                "Choose the couple's confidentiality policy.",
            );
        }
        let start_date = parse_date(&mut e, "start_date", &self.start_date, "the start date");
        let mut partner = |prefix: &str, name: &str, email: &str, tz: &str, which: &str| {
            let display_name = validation::required_text(
                &mut e,
                &format!("{prefix}_name"),
                name,
                100,
                &format!("the {which} partner's name"),
            );
            let email = validation::email(&mut e, &format!("{prefix}_email"), email);
            let tz = validation::time_zone(&mut e, &format!("{prefix}_time_zone"), tz);
            ValidPartner {
                display_name,
                email,
                time_zone: tz.map(|t| t.name().to_string()).unwrap_or_default(),
            }
        };
        let a = partner("a", &self.a_name, &self.a_email, &self.a_time_zone, "first");
        let b = partner(
            "b",
            &self.b_name,
            &self.b_email,
            &self.b_time_zone,
            "second",
        );
        if !a.email.is_empty() && a.email == b.email {
            e.add(
                "b_email",
                "Each partner needs their own email address; they sign in separately.",
            );
        }
        match (breach_by, confidentiality, start_date) {
            (Some(breach_by), Some(confidentiality), Some(start_date)) if e.is_empty() => {
                Ok(ValidCouple {
                    label,
                    breach_by,
                    confidentiality,
                    start_date,
                    partners: [a, b],
                })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> CoupleForm {
        CoupleForm {
            label: " Rivera & Chen ".into(),
            breach_by: "a".into(),
            confidentiality: "no_secrets".into(),
            start_date: "2026-03-01".into(),
            a_name: "Sam Rivera".into(),
            a_email: "Sam@Example.org".into(),
            a_time_zone: "Europe/London".into(),
            b_name: "Alex Chen".into(),
            b_email: "alex@example.org".into(),
            b_time_zone: "America/New_York".into(),
        }
    }

    #[test]
    fn a_complete_form_validates() {
        let v = good().validate().expect("valid");
        assert_eq!(v.label, "Rivera & Chen");
        assert_eq!(v.breach_by, BreachBy::A);
        assert_eq!(v.partners[0].email, "sam@example.org");
        assert_eq!(v.partners[1].time_zone, "America/New_York");
    }

    #[test]
    fn each_problem_is_named_beside_its_field() {
        let mut f = good();
        f.b_name = "  ".into();
        f.a_email = "sam@".into();
        f.b_time_zone = "Mars/Olympus".into();
        f.start_date = "yesterday".into();
        f.breach_by = "nobody".into();
        let e = f.validate().unwrap_err();
        for field in [
            "b_name",
            "a_email",
            "b_time_zone",
            "start_date",
            "breach_by",
        ] {
            assert!(e.get(field).is_some(), "{field} flagged");
        }
        assert!(e.get("label").is_none());
    }

    #[test]
    fn partners_need_different_addresses() {
        let mut f = good();
        f.b_email = "SAM@example.org".into();
        assert!(f.validate().unwrap_err().get("b_email").is_some());
    }

    #[test]
    fn from_pairs_reads_known_fields() {
        let pairs = vec![
            ("label".to_string(), "X".to_string()),
            ("a_name".to_string(), "Sam".to_string()),
            ("junk".to_string(), "?".to_string()),
        ];
        let f = CoupleForm::from_pairs(&pairs);
        assert_eq!(f.label, "X");
        assert_eq!(f.a_name, "Sam");
        assert_eq!(f.b_name, "");
    }
}
