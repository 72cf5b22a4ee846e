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

/// The invitation a partner receives when their couple is set up (or on request).
pub fn invitation(first_name: &str, link: &str, valid_hours: i64) -> EmailBody {
    let valid = expiry_words(valid_hours);
    let subject = "Your Trellis invitation".to_string();
    let text = format!(
        "Hello {first_name},\n\n\
         You have been invited to Trellis. Open this link to sign in for the first time:\n\n\
         {link}\n\n\
         The link works once and for the next {valid}. After that you can always ask for a new \
         one on the sign-in page.\n\n\
         If you were not expecting this email, you can ignore it.\n"
    );
    let html = frame(
        &subject,
        html! {
            p { "Hello " (first_name) "," }
            p { "You have been invited to Trellis. Use the button below to sign in for the first time." }
            (button(link, "Open Trellis"))
            p { "The link works once and for the next " (valid) ". After that you can always ask for a new one on the sign-in page." }
            p { "If you were not expecting this email, you can ignore it." }
        },
    );
    EmailBody {
        subject,
        text,
        html,
    }
}

/// A sign-in link the partner asked for.
pub fn sign_in_link(first_name: &str, link: &str, valid_minutes: i64) -> EmailBody {
    let subject = "Your sign-in link".to_string();
    let text = format!(
        "Hello {first_name},\n\n\
         Here is the sign-in link you asked for:\n\n\
         {link}\n\n\
         It works once and for the next {valid_minutes} minutes.\n\n\
         If you did not ask for it, you can ignore this email; nobody can sign in without it.\n"
    );
    let html = frame(
        &subject,
        html! {
            p { "Hello " (first_name) "," }
            p { "Here is the sign-in link you asked for." }
            (button(link, "Sign in"))
            p { "It works once and for the next " (valid_minutes) " minutes." }
            p { "If you did not ask for it, you can ignore this email; nobody can sign in without it." }
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
        let e = invitation("<Sam>", "http://x/sign-in/t/abc", 168);
        assert!(e.html.contains("&lt;Sam&gt;"));
        assert!(e.text.contains("7 days"));
        for subject in [e.subject, sign_in_link("Sam", "l", 30).subject] {
            let s = subject.to_lowercase();
            for word in ["therap", "counsel", "couple", "trust", "session"] {
                assert!(!s.contains(word), "{subject}");
            }
        }
    }
}
