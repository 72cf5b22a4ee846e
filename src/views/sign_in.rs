//! Partners' sign-in pages: link or password, the confirm step, and what to do when a link
//! no longer works.

use maud::{html, Markup};

use super::form::{self, Errors, Input};
use super::layout::{page, Ctx};

fn link_request_form(ctx: &Ctx, email: &str) -> Markup {
    html! {
        form.form method="post" action="/sign-in/link" {
            (ctx.csrf_field())
            (Input::new("link_email", "Your email address", email).kind("email").max(254).autocomplete("email").render(&Errors::default()))
            button.btn.btn-primary type="submit" { "Email me a sign-in link" }
        }
    }
}

/// `/sign-in`: a link by email first (most partners), a password for those who set one.
pub fn sign_in(ctx: &Ctx, email: &str, error: Option<&str>) -> Markup {
    let mut errors = Errors::default();
    if let Some(e) = error {
        errors.add("password", e);
    }
    page(
        ctx,
        "Sign in",
        html! {
            div.container.narrow {
                h1 { "Sign in" }
                section.card {
                    h2 { "Get a sign-in link" }
                    p { "We will email you a link that signs you in. No password needed." }
                    (link_request_form(ctx, ""))
                }
                section.card {
                    h2 { "Or use your password" }
                    p.muted.small { "Only if you have set one in your settings." }
                    form.form method="post" action="/sign-in" {
                        (ctx.csrf_field())
                        (form::summary(&errors))
                        (Input::new("email", "Email address", email).kind("email").max(254).autocomplete("email").render(&Errors::default()))
                        (Input::new("password", "Password", "").kind("password").max(1024).autocomplete("current-password").render(&errors))
                        button.btn.btn-secondary type="submit" { "Sign in" }
                    }
                }
                p.small.muted { "Counselors sign in " a href="/login" { "here" } "." }
            }
        },
    )
}

/// `/sign-in/link`: ask for a link on its own.
pub fn request_link(ctx: &Ctx) -> Markup {
    page(
        ctx,
        "Get a sign-in link",
        html! {
            div.container.narrow {
                h1 { "Get a new sign-in link" }
                p.lead { "Enter the email address your counselor has for you and we will send a fresh link." }
                (link_request_form(ctx, ""))
            }
        },
    )
}

/// The same answer whether or not the address is known.
pub fn link_sent(ctx: &Ctx) -> Markup {
    page(
        ctx,
        "Check your email",
        html! {
            div.container.narrow {
                h1 { "Check your email" }
                p.lead { "If that address belongs to a Trellis account, a sign-in link is on its way. It can take a few minutes to arrive." }
                p { "Nothing arrived? Check your spam folder, or " a href="/sign-in/link" { "ask for another link" } "." }
            }
        },
    )
}

/// The confirm step: the link is only used up when this button is pressed, so an email
/// scanner that opens the link does not spend it.
pub fn confirm(ctx: &Ctx, token: &str, first_name: &str) -> Markup {
    page(
        ctx,
        "Sign in",
        html! {
            div.container.narrow {
                h1 { "Welcome, " (first_name) }
                p.lead { "Press the button to finish signing in on this device." }
                form method="post" action={"/sign-in/t/" (token)} {
                    (ctx.csrf_field())
                    button.btn.btn-primary type="submit" { "Continue to Trellis" }
                }
                p.small.muted { "Not you? Close this page; nothing happens until the button is pressed." }
            }
        },
    )
}

/// A used, expired or mistyped link.
pub fn link_invalid(ctx: &Ctx) -> Markup {
    page(
        ctx,
        "This link no longer works",
        html! {
            div.container.narrow {
                h1 { "This link no longer works" }
                p.lead { "Sign-in links work once and only for a limited time. This one has been used already, has expired, or was not copied in full." }
                p { "You can get a fresh one right away:" }
                (link_request_form(ctx, ""))
            }
        },
    )
}
