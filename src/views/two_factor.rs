//! Two-factor pages: the second step of sign-in, enrolment with a QR code, and the
//! recovery codes shown once.

use maud::{html, Markup};

use super::form::{self, Errors, Input};
use super::layout::{page, Ctx};

/// The second step of a counselor's sign-in.
pub fn second_step(ctx: &Ctx, error: Option<&str>) -> Markup {
    let errors = code_error(error);
    page(
        ctx,
        "Confirm it is you",
        html! {
            div.narrow.stack {
                h1 { "One more step" }
                p { "Open your authenticator app and enter the six-digit code it shows for Trellis." }
                form.form.card method="post" action="/login/two-factor" novalidate {
                    (ctx.csrf_field())
                    (Input::new("code", "Code", "").max(64).autocomplete("one-time-code")
                        .hint("Lost your phone? Enter one of your recovery codes here instead.").render(&errors))
                    (form::checkbox("remember", "Do not ask again on this browser for 30 days", false))
                    div.actions { button.btn.btn-primary type="submit" { "Sign in" } }
                }
                p.muted.small { "No phone and no recovery codes? Your practice administrator can reset your second factor." }
            }
        },
    )
}

/// Enrolment: scan the QR code (or type the key), then confirm with a code.
pub fn enrol(ctx: &Ctx, secret: &str, required: bool, error: Option<&str>) -> Markup {
    let errors = code_error(error);
    page(
        ctx,
        "Set up two-step sign-in",
        html! {
            div.narrow.stack {
                h1 { "Set up two-step sign-in" }
                @if required {
                    p.flash.flash-info role="status" { "Your practice asks every counselor to sign in with a second step. Set it up now to continue." }
                }
                p { "Besides your password, you will enter a short code from an authenticator app on your phone (any app that supports time-based codes)." }
                ol.stack {
                    li {
                        p { "In the app, add an account and scan this code:" }
                        img.qr-code src="/account/two-factor/qr.svg" width="220" height="220"
                            alt="QR code that adds your Trellis account to an authenticator app";
                        p { "If you cannot scan it, type this key instead:" }
                        p { code.secret-key { (grouped(secret)) } }
                    }
                    li {
                        p { "Enter the code the app now shows, to check that it works:" }
                        form.form method="post" action="/account/two-factor/confirm" novalidate {
                            (ctx.csrf_field())
                            (Input::new("code", "Six-digit code", "").max(16).autocomplete("one-time-code").render(&errors))
                            div.actions { button.btn.btn-primary type="submit" { "Turn on two-step sign-in" } }
                        }
                    }
                }
            }
        },
    )
}

/// The key in groups of four, as apps ask for it.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// New recovery codes: shown this once, never again.
pub fn recovery_codes(ctx: &Ctx, codes: &[String], just_enrolled: bool) -> Markup {
    page(
        ctx,
        "Your recovery codes",
        html! {
            div.narrow.stack {
                @if just_enrolled {
                    h1 { "Two-step sign-in is on" }
                } @else {
                    h1 { "New recovery codes" }
                    p { "Your earlier recovery codes no longer work." }
                }
                section.card.stack {
                    h2 { "Save these recovery codes" }
                    p { "If you lose your phone, each of these codes lets you sign in once in place of an app code. "
                        strong { "This is the only time they are shown." }
                        " Print them or keep them in a password manager." }
                    ul.recovery-codes {
                        @for c in codes { li { code { (c) } } }
                    }
                }
                p { a.btn.btn-primary href="/dashboard" { "I have saved them, continue" } }
            }
        },
    )
}

fn code_error(error: Option<&str>) -> Errors {
    let mut errors = Errors::default();
    if let Some(e) = error {
        errors.add("code", e);
    }
    errors
}
