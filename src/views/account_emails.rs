//! Emails to counselors about their own account: a password link, an invitation to set a
//! first password, and the notice that the second factor was reset.

use maud::{html, DOCTYPE};

use super::emails::EmailBody;

fn frame(title: &str, paragraphs: &[&str], link: Option<(&str, &str)>) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (title) } }
            body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #24211e; max-width: 36rem; margin: 0 auto; padding: 1rem;" {
                @for p in paragraphs.iter().take(1) { p { (p) } }
                @if let Some((href, label)) = link {
                    p { a href=(href) style="display: inline-block; background: #2f6b64; color: #ffffff; padding: 0.7rem 1.2rem; border-radius: 6px; text-decoration: none; font-weight: 600;" { (label) } }
                    p style="font-size: 0.9rem; color: #5e5850;" { "If the button does not work, copy this address into your browser:" br; (href) }
                }
                @for p in paragraphs.iter().skip(1) { p { (p) } }
            }
        }
    }
    .into_string()
}

fn text(paragraphs: &[&str], link: Option<&str>) -> String {
    let mut out = String::new();
    for (i, p) in paragraphs.iter().enumerate() {
        out.push_str(p);
        out.push_str("\n\n");
        if i == 0 {
            if let Some(l) = link {
                out.push_str(l);
                out.push_str("\n\n");
            }
        }
    }
    out
}

/// "Choose a new password" after "Forgot your password?".
pub fn password_reset(name: &str, link: &str, valid_minutes: i64) -> EmailBody {
    let subject = "Your Trellis password link".to_string();
    let hello = format!("Hello {name}, here is the link to choose a new Trellis password:");
    let valid = format!("It works once and for the next {valid_minutes} minutes.");
    let paragraphs = [
        hello.as_str(),
        valid.as_str(),
        "If you did not ask for it, ignore this email: your password stays as it is.",
    ];
    EmailBody {
        text: text(&paragraphs, Some(link)),
        html: frame(&subject, &paragraphs, Some((link, "Choose a new password"))),
        subject,
    }
}

/// A new counselor's invitation to choose their first password.
pub fn counselor_invitation(name: &str, link: &str, valid_hours: i64) -> EmailBody {
    let subject = "Your Trellis account".to_string();
    let hello = format!("Hello {name}, an account has been opened for you in your practice's Trellis. Choose your password here:");
    let valid = format!("The link works once and for the next {valid_hours} hours. If it runs out, use \"Forgot your password?\" on the sign-in page.");
    let paragraphs = [hello.as_str(), valid.as_str()];
    EmailBody {
        text: text(&paragraphs, Some(link)),
        html: frame(&subject, &paragraphs, Some((link, "Choose your password"))),
        subject,
    }
}

/// The practice admin reset this counselor's second factor.
pub fn two_factor_reset(name: &str, sign_in: &str) -> EmailBody {
    let subject = "A change to your Trellis sign-in".to_string();
    let hello = format!("Hello {name}, your practice administrator has reset the two-step sign-in of your Trellis account. The next time you sign in you will set it up again with your authenticator app:");
    let paragraphs = [
        hello.as_str(),
        "If you did not ask for this, tell your practice administrator straight away.",
    ];
    EmailBody {
        text: text(&paragraphs, Some(sign_in)),
        html: frame(&subject, &paragraphs, Some((sign_in, "Sign in"))),
        subject,
    }
}
