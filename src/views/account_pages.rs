//! A counselor's own account pages: the overview, "Your sessions", changing the password
//! and confirming it before a sensitive change.

use chrono::NaiveDateTime;
use maud::{html, Markup};

use super::form::{self, Errors, Input};
use super::format::local_timestamp;
use super::layout::{page, Ctx};
use crate::db::sessions::SessionListing;
use crate::db::two_factor::RememberedBrowser;
use crate::domain::user_agent;

pub struct AccountView {
    pub two_factor_on: bool,
    pub unused_codes: i64,
    pub required: bool,
    pub browsers: Vec<RememberedBrowser>,
    pub tz: chrono_tz::Tz,
}

const NEW_PASSWORD_HINT: &str =
    "At least 12 characters. A few unrelated words make a password that is easy to remember and hard to guess.";

pub fn overview(ctx: &Ctx, v: &AccountView, error: Option<&str>) -> Markup {
    page(
        ctx,
        "Your account",
        html! {
            h1 { "Your account" }
            @if let Some(e) = error { p.flash.flash-error role="alert" { (e) } }
            section.card.stack {
                h2 { "Password" }
                p { a href="/account/password" { "Change your password" } }
                p { a href="/account/sessions" { "See where you are signed in" } }
            }
            section.card.stack {
                h2 { "Two-step sign-in" }
                @if v.two_factor_on {
                    p { span.badge.badge-ok { "On" } " You enter a code from your authenticator app after your password." }
                    p { (v.unused_codes) " of your recovery codes are still unused." }
                    form.inline-form method="post" action="/account/two-factor/recovery-codes" {
                        (ctx.csrf_field())
                        button.btn.btn-secondary type="submit" { "Make new recovery codes" }
                    }
                    @if v.required {
                        p.muted.small { "Your practice requires two-step sign-in, so it cannot be turned off here." }
                    } @else {
                        form.inline-form method="post" action="/account/two-factor/disable" {
                            (ctx.csrf_field())
                            button.btn.btn-danger type="submit" { "Turn off two-step sign-in" }
                        }
                    }
                } @else {
                    p { span.badge.badge-muted { "Off" } " Anyone who learns your password can sign in as you." }
                    p { a.btn.btn-primary href="/account/two-factor" { "Set up two-step sign-in" } }
                }
            }
            @if v.two_factor_on {
                section.card.stack {
                    h2 { "Remembered browsers" }
                    @if v.browsers.is_empty() {
                        p.muted { "No browser skips the code step." }
                    } @else {
                        p.muted.small { "These browsers skip the code step until the date shown." }
                        div.table-wrap {
                            table.data {
                                thead { tr { th { "Browser" } th { "Remembered since" } th { "Until" } th { span.visually-hidden { "Actions" } } } }
                                tbody {
                                    @for b in &v.browsers {
                                        tr {
                                            td { (user_agent::family(&b.user_agent)) }
                                            td { (local_timestamp(b.created_at, v.tz)) }
                                            td { (local_timestamp(b.expires_at, v.tz)) }
                                            td {
                                                form.inline-form method="post" action={"/account/browsers/" (b.id) "/forget"} {
                                                    (ctx.csrf_field())
                                                    button.btn.btn-small.btn-secondary type="submit" { "Forget" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn sessions(ctx: &Ctx, list: &[SessionListing], current: i32, tz: chrono_tz::Tz) -> Markup {
    let when = |t: NaiveDateTime| local_timestamp(t, tz);
    page(
        ctx,
        "Your sessions",
        html! {
            h1 { "Your sessions" }
            p { "Every browser where you are signed in to Trellis. If you see one you do not recognise, sign out everywhere else and change your password." }
            div.table-wrap {
                table.data {
                    thead { tr { th { "Browser" } th { "Signed in (" (tz.name()) ")" } th { "Last active" } th { span.visually-hidden { "Note" } } } }
                    tbody {
                        @for s in list {
                            tr {
                                td { (user_agent::family(&s.user_agent)) }
                                td { (when(s.created_at)) }
                                td { (when(s.last_seen_at)) }
                                td { @if s.id == current { span.badge.badge-ok { "This browser" } } }
                            }
                        }
                    }
                }
            }
            @if list.len() > 1 {
                form method="post" action="/account/sessions/end-others" {
                    (ctx.csrf_field())
                    button.btn.btn-danger type="submit" { "Sign out everywhere else" }
                }
            }
        },
    )
}

pub fn change_password(ctx: &Ctx, errors: &Errors) -> Markup {
    page(
        ctx,
        "Change your password",
        html! {
            div.narrow.stack {
                h1 { "Change your password" }
                p { "Every other browser where you are signed in will be signed out." }
                (form::summary(errors))
                form.form.card method="post" action="/account/password" novalidate {
                    (ctx.csrf_field())
                    (Input::new("current_password", "Current password", "").kind("password").max(256).autocomplete("current-password").render(errors))
                    (Input::new("password", "New password", "").kind("password").max(256).autocomplete("new-password").hint(NEW_PASSWORD_HINT).render(errors))
                    (Input::new("password_confirm", "New password again", "").kind("password").max(256).autocomplete("new-password").render(errors))
                    div.actions { button.btn.btn-primary type="submit" { "Change password" } }
                }
            }
        },
    )
}

pub fn confirm_password(ctx: &Ctx, error: Option<&str>) -> Markup {
    let mut errors = Errors::default();
    if let Some(e) = error {
        errors.add("password", e);
    }
    page(
        ctx,
        "Confirm your password",
        html! {
            div.narrow.stack {
                h1 { "Confirm your password" }
                p { "This change needs your password again, because you signed in a while ago. Afterwards, repeat what you were doing." }
                form.form.card method="post" action="/account/confirm" novalidate {
                    (ctx.csrf_field())
                    (Input::new("password", "Password", "").kind("password").max(256).autocomplete("current-password").render(&errors))
                    div.actions { button.btn.btn-primary type="submit" { "Confirm" } }
                }
            }
        },
    )
}

/// "Forgot your password?": the form, or (after it was sent) the same answer for every
/// address.
pub fn forgot(ctx: &Ctx, email: &str, sent: bool, errors: &Errors) -> Markup {
    page(
        ctx,
        "Reset your password",
        html! {
            div.narrow.stack {
                h1 { "Reset your password" }
                @if sent {
                    p.flash.flash-success role="status" { "If that address belongs to a counselor account, a link to choose a new password is on its way. It works once, for 30 minutes." }
                    p { a href="/login" { "Back to sign-in" } }
                } @else {
                    p { "Enter the email you sign in with. We will send a link to choose a new password." }
                    (form::summary(errors))
                    form.form.card method="post" action="/login/forgot" novalidate {
                        (ctx.csrf_field())
                        (Input::new("email", "Email", email).kind("email").max(254).autocomplete("username").render(errors))
                        div.actions { button.btn.btn-primary type="submit" { "Send the link" } }
                    }
                }
            }
        },
    )
}

/// Choose a password from an emailed link (reset or first password).
pub fn set_password(ctx: &Ctx, action: &str, first: bool, errors: &Errors) -> Markup {
    let title = if first {
        "Choose your password"
    } else {
        "Choose a new password"
    };
    page(
        ctx,
        title,
        html! {
            div.narrow.stack {
                h1 { (title) }
                @if first { p { "Welcome to Trellis. Choose the password you will sign in with." } }
                (form::summary(errors))
                form.form.card method="post" action=(action) novalidate {
                    (ctx.csrf_field())
                    (Input::new("password", "Password", "").kind("password").max(256).autocomplete("new-password").hint(NEW_PASSWORD_HINT).render(errors))
                    (Input::new("password_confirm", "Password again", "").kind("password").max(256).autocomplete("new-password").render(errors))
                    div.actions { button.btn.btn-primary type="submit" { "Save password" } }
                }
            }
        },
    )
}

pub fn link_invalid(ctx: &Ctx) -> Markup {
    page(
        ctx,
        "Link not valid",
        html! {
            div.narrow.stack {
                h1 { "This link no longer works" }
                p { "Password links work once and only for a short time. You can ask for a new one." }
                p { a.btn.btn-primary href="/login/forgot" { "Get a new link" } }
            }
        },
    )
}
