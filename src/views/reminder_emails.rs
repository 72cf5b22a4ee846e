//! The partner's one daily reminder and the optional "something new for you" notice. Counts
//! and, where the partner chose, exercise titles; never anything anyone wrote.

use super::emails::{partner_reminder, EmailBody, ReminderLinks};

/// What is open on the day the reminder goes out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DailyOpen {
    /// Exercises open today.
    pub today: usize,
    /// Exercises still open from the days before (the overdue nudge, folded in).
    pub earlier: usize,
    /// Their titles, when the partner asked for them.
    pub today_titles: Option<Vec<String>>,
    pub earlier_titles: Option<Vec<String>>,
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 exercise".to_string()
    } else {
        format!("{n} exercises")
    }
}

fn with_titles(line: String, titles: &Option<Vec<String>>) -> String {
    match titles {
        Some(t) if !t.is_empty() => format!("{line}: {}.", t.join(", ")),
        _ => format!("{line}."),
    }
}

/// The daily reminder: one email, whatever the number of open exercises.
pub fn reminder_daily(first_name: &str, open: &DailyOpen, links: &ReminderLinks<'_>) -> EmailBody {
    let mut lines = Vec::new();
    if open.today > 0 {
        lines.push(with_titles(
            format!("Waiting for you today: {}", count(open.today)),
            &open.today_titles,
        ));
    }
    if open.earlier > 0 {
        lines.push(with_titles(
            format!("Still open from the last few days: {}", count(open.earlier)),
            &open.earlier_titles,
        ));
        lines.push("You can still fill these in whenever suits you.".to_string());
    }
    lines.push("This is the only reminder you will get today.".to_string());
    let subject = if open.today > 0 {
        "Something is waiting for you in Trellis"
    } else {
        "Still waiting for you in Trellis"
    };
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    partner_reminder(first_name, subject, &refs, links)
}

/// "Something new is there for you": never who, what or how much.
pub fn share_notice(first_name: &str, links: &ReminderLinks<'_>) -> EmailBody {
    partner_reminder(
        first_name,
        "Something new in Trellis",
        &[
            "There is something new for you in Trellis.",
            "You asked to hear about this at most once a day; you can turn it off in your settings.",
        ],
        links,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> ReminderLinks<'static> {
        ReminderLinks {
            portal: "p",
            settings: "s",
            unsubscribe: "u",
        }
    }

    #[test]
    fn the_daily_reminder_counts_and_names_only_when_asked() {
        let open = DailyOpen {
            today: 3,
            earlier: 1,
            today_titles: None,
            earlier_titles: None,
        };
        let e = reminder_daily("Sam", &open, &links());
        assert!(e.text.contains("Waiting for you today: 3 exercises."));
        assert!(e
            .text
            .contains("Still open from the last few days: 1 exercise."));
        assert_eq!(e.subject, "Something is waiting for you in Trellis");
        let named = DailyOpen {
            today: 1,
            earlier: 0,
            today_titles: Some(vec!["Daily check-in".into()]),
            earlier_titles: None,
        };
        let e = reminder_daily("Sam", &named, &links());
        assert!(
            e.text.contains("today: 1 exercise: Daily check-in."),
            "{}",
            e.text
        );
        assert!(!e.text.contains("Still open"));
        let earlier_only = DailyOpen {
            earlier: 2,
            ..DailyOpen::default()
        };
        assert_eq!(
            reminder_daily("Sam", &earlier_only, &links()).subject,
            "Still waiting for you in Trellis"
        );
        let s = share_notice("Sam", &links()).subject.to_lowercase();
        for word in ["therap", "counsel", "couple", "trust", "session", "partner"] {
            assert!(!s.contains(word));
        }
    }
}
