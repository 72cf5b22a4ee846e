//! Setup and sign-in pages.

use maud::{html, Markup};

use super::form::{self, Errors, Input};
use super::layout::{page, Ctx};

#[derive(Debug, Default, Clone)]
pub struct SetupValues {
    pub name: String,
    pub email: String,
    pub time_zone: String,
}

pub fn setup(ctx: &Ctx, v: &SetupValues, errors: &Errors) -> Markup {
    page(
        ctx,
        "Set up your practice",
        html! {
            div.narrow.stack {
                h1 { "Welcome to Trellis" }
                p.lead { "Create the first account. It will be the practice administrator: you can add other counselors later." }
                (form::summary(errors))
                form.form.card method="post" action="/setup" novalidate {
                    (ctx.csrf_field())
                    (Input::new("name", "Your name", &v.name).max(100).autocomplete("name").render(errors))
                    (Input::new("email", "Email", &v.email).kind("email").max(254).autocomplete("email").render(errors))
                    (Input::new("password", "Password", "").kind("password").max(256).autocomplete("new-password")
                        .hint("At least 12 characters. A phrase of a few words is easy to remember and hard to guess.").render(errors))
                    (Input::new("password_confirm", "Password again", "").kind("password").max(256).autocomplete("new-password").render(errors))
                    (form::time_zone_select("time_zone", "Your time zone", &v.time_zone, errors))
                    div.actions { button.btn.btn-primary type="submit" { "Create the practice" } }
                }
            }
        },
    )
}

pub fn login(ctx: &Ctx, email: &str, error: Option<&str>) -> Markup {
    let errors = Errors::default();
    page(
        ctx,
        "Sign in",
        html! {
            div.narrow.stack {
                h1 { "Counselor sign-in" }
                @if let Some(e) = error { p.flash.flash-error role="alert" { (e) } }
                form.form.card method="post" action="/login" {
                    (ctx.csrf_field())
                    (Input::new("email", "Email", email).kind("email").max(254).autocomplete("username").render(&errors))
                    (Input::new("password", "Password", "").kind("password").max(256).autocomplete("current-password").render(&errors))
                    div.actions { button.btn.btn-primary type="submit" { "Sign in" } }
                }
                p.muted { a href="/login/forgot" { "Forgot your password?" } }
                p.muted { "Are you a client? " a href="/sign-in" { "Get a sign-in link by email" } "." }
            }
        },
    )
}
