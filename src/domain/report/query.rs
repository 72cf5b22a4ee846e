//! The report form's fields as they came in the query string: kept as typed to re-fill
//! the form, checked by [`super::choose_period`].

/// The report form's fields as they came in the query string (kept to re-fill the form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportQuery {
    pub from: String,
    pub to: String,
    /// Show the private safety check. Off unless the counselor asks.
    pub include_safety: bool,
}

impl ReportQuery {
    /// Unknown keys and unreadable query strings are ignored rather than refused.
    pub fn parse(query: &str) -> ReportQuery {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        ReportQuery {
            from: get("from"),
            to: get("to"),
            include_safety: matches!(get("include_safety").as_str(), "1" | "on" | "yes" | "true"),
        }
    }

    /// The start date as typed, if any.
    pub fn from_date(&self) -> Option<&str> {
        (!self.from.is_empty()).then_some(self.from.as_str())
    }

    /// The end date as typed, if any.
    pub fn to_date(&self) -> Option<&str> {
        (!self.to.is_empty()).then_some(self.to.as_str())
    }

    /// For the audit row: dates only (never free text), so the detail stays structured.
    pub fn audit_detail(&self) -> String {
        let date = |s: &str| {
            super::parse_date(s)
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        format!(
            "from={};to={};include_safety={}",
            date(&self.from),
            date(&self.to),
            u8::from(self.include_safety)
        )
    }

    /// The same query for a link (`?from=…&to=…&include_safety=1`), or "" when empty.
    pub fn link_suffix(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if !self.from.is_empty() {
            pairs.push(("from", &self.from));
        }
        if !self.to.is_empty() {
            pairs.push(("to", &self.to));
        }
        if self.include_safety {
            pairs.push(("include_safety", "1"));
        }
        match serde_urlencoded::to_string(&pairs) {
            Ok(s) if !s.is_empty() => format!("?{s}"),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_read_leniently_and_written_back_the_same() {
        let q = ReportQuery::parse("from=2026-03-01&to=+2026-03-09+&include_safety=on&x=1");
        assert_eq!(q.from_date(), Some("2026-03-01"));
        assert_eq!(q.to_date(), Some("2026-03-09"));
        assert!(q.include_safety);
        assert_eq!(
            q.link_suffix(),
            "?from=2026-03-01&to=2026-03-09&include_safety=1"
        );
        let empty = ReportQuery::parse("%%%");
        assert_eq!(empty, ReportQuery::default());
        assert_eq!(empty.from_date(), None);
        assert_eq!(empty.link_suffix(), "");
    }

    #[test]
    fn the_audit_detail_keeps_valid_dates_only() {
        let q = ReportQuery::parse("from=2026-03-01&to=<script>&include_safety=1");
        assert_eq!(q.audit_detail(), "from=2026-03-01;to=;include_safety=1");
    }
}
