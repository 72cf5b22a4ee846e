//! Email bodies (plain text and HTML). They greet by first name, link to the portal and
//! say nothing about what anyone wrote or what the portal is for: an inbox may be shared
//! or read over a shoulder.

use maud::{html, Markup, DOCTYPE};

/// A message ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailBody {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn frame(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (title) } }
            body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #24211e; max-width: 36rem; margin: 0 auto; padding: 1rem;" {
                (body)
            }
        }
    }
    .into_string()
}

fn button(link: &str, label: &str) -> Markup {
    html! {
        p {
            a href=(link) style="display: inline-block; background: #2f6b64; color: #ffffff; padding: 0.7rem 1.2rem; border-radius: 6px; text-decoration: none; font-weight: 600;" { (label) }
        }
        p style="font-size: 0.9rem; color: #5e5850;" { "If the button does not work, copy this address into your browser:" br; (link) }
    }
}

fn expiry_words(hours: i64) -> String {
    if hours >= 48 && hours % 24 == 0 {
        format!("{} days", hours / 24)
    } else if hours == 1 {
        "1 hour".to_string()
    } else {
        format!("{hours} hours")
    }
}

/// The invitation a partner receives when their couple is set up (or on request). It names
/// the counselor who sent it and says why it came, so it does not read like phishing.
pub fn invitation(first_name: &str, counselor: &str, link: &str, valid_hours: i64) -> EmailBody {
    let valid = expiry_words(valid_hours);
    let subject = "Your Trellis invitation".to_string();
    let why = format!(
        "{counselor} has invited you to Trellis, the private portal they use for the exercises \
         you work on between your appointments."
    );
    let reason =
        format!("You are receiving this because {counselor} added this email address for you.");
    let text = format!(
        "Hello {first_name},\n\n\
         {why}\n\n\
         Open this link to sign in for the first time:\n\n\
         {link}\n\n\
         The link works once and for the next {valid}. After that you can always ask for a new \
         one on the sign-in page.\n\n\
         {reason} If you were not expecting it, you can ignore it.\n"
    );
    let html = frame(
        &subject,
        html! {
            p { "Hello " (first_name) "," }
            p { (why) }
            (button(link, "Open Trellis"))
            p { "The link works once and for the next " (valid) ". After that you can always ask for a new one on the sign-in page." }
            p { (reason) " If you were not expecting it, you can ignore it." }
        },
    );
    EmailBody {
        subject,
        text,
        html,
    }
}

/// A sign-in link the partner asked for, naming the counselor whose portal it is.
pub fn sign_in_link(
    first_name: &str,
    counselor: &str,
    link: &str,
    valid_minutes: i64,
) -> EmailBody {
    let subject = "Your sign-in link".to_string();
    let why = format!(
        "Here is the sign-in link you asked for, for Trellis, the portal {counselor} uses with you."
    );
    let reason = "You are receiving this because someone asked for a sign-in link for this \
                  address on the sign-in page. If it was not you, you can ignore this email; \
                  nobody can sign in without it.";
    let text = format!(
        "Hello {first_name},\n\n\
         {why}\n\n\
         {link}\n\n\
         It works once and for the next {valid_minutes} minutes.\n\n\
         {reason}\n"
    );
    let html = frame(
        &subject,
        html! {
            p { "Hello " (first_name) "," }
            p { (why) }
            (button(link, "Sign in"))
            p { "It works once and for the next " (valid_minutes) " minutes." }
            p { (reason) }
        },
    );
    EmailBody {
        subject,
        text,
        html,
    }
}

/// Links every reminder to a partner carries.
#[derive(Debug, Clone)]
pub struct ReminderLinks<'a> {
    /// Where the partner's portal starts.
    pub portal: &'a str,
    /// The partner's settings page (change the hour, quiet hours, time zone).
    pub settings: &'a str,
    /// One-click unsubscribe.
    pub unsubscribe: &'a str,
}

fn reminder_footer_text(l: &ReminderLinks<'_>) -> String {
    format!(
        "\n--\nYou get these emails because reminders are on in your Trellis settings.\n\
         Change the hour or quiet hours: {}\n\
         Stop these reminders: {}\n",
        l.settings, l.unsubscribe
    )
}

fn reminder_footer_html(l: &ReminderLinks<'_>) -> Markup {
    html! {
        hr style="border: none; border-top: 1px solid #ddd6cc; margin: 1.5rem 0 1rem;";
        p style="font-size: 0.85rem; color: #5e5850;" {
            "You get these emails because reminders are on in your Trellis settings. "
            a href=(l.settings) { "Change the hour or quiet hours" } " or "
            a href=(l.unsubscribe) { "stop these reminders" } "."
        }
    }
}

pub(crate) fn partner_reminder(
    first_name: &str,
    subject: &str,
    lines: &[&str],
    links: &ReminderLinks<'_>,
) -> EmailBody {
    let mut text = format!("Hello {first_name},\n\n");
    for line in lines {
        text.push_str(line);
        text.push_str("\n\n");
    }
    text.push_str(&format!("Open Trellis: {}\n", links.portal));
    text.push_str(&reminder_footer_text(links));
    let html = frame(
        subject,
        html! {
            p { "Hello " (first_name) "," }
            @for line in lines { p { (line) } }
            (button(links.portal, "Open Trellis"))
            (reminder_footer_html(links))
        },
    );
    EmailBody {
        subject: subject.to_string(),
        text,
        html,
    }
}

pub use super::reminder_emails::{reminder_daily, share_notice};

/// Something the partner owes is due today. Says nothing about what it is.
pub fn reminder_due(first_name: &str, links: &ReminderLinks<'_>) -> EmailBody {
    partner_reminder(
        first_name,
        "Something is waiting for you in Trellis",
        &["An exercise is waiting for you in Trellis today. It takes a few minutes whenever suits you."],
        links,
    )
}

/// The one nudge the day after something was due and not done.
pub fn reminder_overdue(first_name: &str, links: &ReminderLinks<'_>) -> EmailBody {
    partner_reminder(
        first_name,
        "Still waiting for you in Trellis",
        &["An exercise from yesterday is still open in Trellis. You can still fill it in; this is the only nudge you will get about it."],
        links,
    )
}

/// An appointment tomorrow. `when` is already in the partner's own time zone.
pub fn reminder_appointment(first_name: &str, when: &str, links: &ReminderLinks<'_>) -> EmailBody {
    let line = format!("A quick reminder: your next appointment is {when}.");
    partner_reminder(
        first_name,
        "A reminder about tomorrow",
        &[
            &line,
            "If you want to look over anything beforehand, it is all in Trellis.",
        ],
        links,
    )
}

/// One line of the counselor's digest: a session today.
#[derive(Debug, Clone)]
pub struct DigestSession {
    /// Local time, e.g. "10:00".
    pub time: String,
    /// The counselor's own label for the couple.
    pub couple: String,
}

/// How the digest words the open safety alerts: a count only, nothing about whom.
fn open_alerts_line(open_alerts: i64) -> Option<String> {
    match open_alerts {
        n if n <= 0 => None,
        1 => Some("1 client is waiting for your attention: open your dashboard first.".into()),
        n => Some(format!(
            "{n} clients are waiting for your attention: open your dashboard first."
        )),
    }
}

/// The counselor's morning digest: open alerts (a count) first, then today's sessions and
/// couples needing attention. Couple labels are the counselor's own words and appear only
/// in the body.
pub fn digest(
    first_name: &str,
    day: &str,
    open_alerts: i64,
    sessions: &[DigestSession],
    attention: &[(String, Vec<String>)],
    dashboard: &str,
) -> EmailBody {
    let subject = "Your day in Trellis".to_string();
    let mut text = format!("Good morning {first_name},\n\nHere is {day}.\n\n");
    let alerts = open_alerts_line(open_alerts);
    if let Some(line) = &alerts {
        text.push_str(line);
        text.push_str("\n\n");
    }
    if sessions.is_empty() {
        text.push_str("Sessions today: none booked.\n");
    } else {
        text.push_str("Sessions today:\n");
        for s in sessions {
            text.push_str(&format!("  {}  {}\n", s.time, s.couple));
        }
    }
    text.push('\n');
    if attention.is_empty() {
        text.push_str("No couples are flagged for attention.\n");
    } else {
        text.push_str("Couples that may need attention:\n");
        for (couple, flags) in attention {
            text.push_str(&format!("  {}: {}\n", couple, flags.join(", ")));
        }
    }
    text.push_str(&format!("\nOpen your dashboard: {dashboard}\n"));
    let html = frame(
        &subject,
        html! {
            p { "Good morning " (first_name) "," }
            p { "Here is " (day) "." }
            @if let Some(line) = &alerts { p { strong { (line) } } }
            h2 style="font-size: 1.1rem;" { "Sessions today" }
            @if sessions.is_empty() {
                p { "None booked." }
            } @else {
                ul { @for s in sessions { li { strong { (s.time) } " " (s.couple) } } }
            }
            h2 style="font-size: 1.1rem;" { "Couples that may need attention" }
            @if attention.is_empty() {
                p { "None flagged." }
            } @else {
                ul { @for (couple, flags) in attention { li { (couple) ": " (flags.join(", ")) } } }
            }
            (button(dashboard, "Open your dashboard"))
        },
    );
    EmailBody {
        subject,
        text,
        html,
    }
}

/// To the counselor, at once, when a client's answers need them. Says nothing about who,
/// what or why: the inbox may be read by someone else. `link` opens the alert.
pub fn attention_needed(first_name: &str, link: &str) -> EmailBody {
    let subject = "A client needs your attention".to_string();
    let text = format!(
        "Hello {first_name},\n\n\
         A client needs your attention in Trellis today. Please sign in and open:\n\n\
         {link}\n"
    );
    let html = frame(
        &subject,
        html! {
            p { "Hello " (first_name) "," }
            p { "A client needs your attention in Trellis today. Please sign in and take a look." }
            (button(link, "Open Trellis"))
        },
    );
    EmailBody {
        subject,
        text,
        html,
    }
}

/// To the practice admin when nobody has answered [`attention_needed`] within
/// `hours`. As content-free as the first. `link` opens the practice-wide list.
pub fn attention_escalated(first_name: &str, hours: i64, link: &str) -> EmailBody {
    let subject = "A client needs attention in your practice".to_string();
    let waited = expiry_words(hours);
    let text = format!(
        "Hello {first_name},\n\n\
         A client in your practice has been waiting for attention in Trellis for more than \
         {waited}. Please sign in, see who is looking after them, and make sure someone does \
         today:\n\n\
         {link}\n"
    );
    let html = frame(
        &subject,
        html! {
            p { "Hello " (first_name) "," }
            p { "A client in your practice has been waiting for attention in Trellis for more than " (waited) ". Please sign in, see who is looking after them, and make sure someone does today." }
            (button(link, "Open Trellis"))
        },
    );
    EmailBody {
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_escape_names_and_keep_therapy_out_of_subjects() {
        let e = invitation("<Sam>", "Ada <Counselor>", "http://x/sign-in/t/abc", 168);
        assert!(e.html.contains("Ada &lt;Counselor&gt; has invited you"));
        assert!(e
            .text
            .contains("You are receiving this because Ada <Counselor> added"));
        assert!(e.html.contains("&lt;Sam&gt;"));
        assert!(e.text.contains("7 days"));
        let links = ReminderLinks {
            portal: "p",
            settings: "s",
            unsubscribe: "u",
        };
        for subject in [
            e.subject,
            sign_in_link("Sam", "Ada", "l", 30).subject,
            reminder_due("Sam", &links).subject,
            reminder_overdue("Sam", &links).subject,
            reminder_appointment("Sam", "tomorrow at 10:00", &links).subject,
            digest("Ada", "today", 2, &[], &[], "d").subject,
            attention_needed("Ada", "l").subject,
            attention_escalated("Ada", 4, "l").subject,
        ] {
            let s = subject.to_lowercase();
            for word in ["therap", "counsel", "couple", "trust", "session", "safety"] {
                assert!(!s.contains(word), "{subject}");
            }
        }
    }
}
