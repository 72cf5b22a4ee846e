//! The practice page: counselors and the sign-in rules (practice admin only).

use maud::{html, Markup};

use super::form::{self, Errors, Input};
use super::layout::{page, Ctx};
use crate::db::counselors::CounselorRow;

#[derive(Debug, Default, Clone)]
pub struct NewCounselorValues {
    pub name: String,
    pub email: String,
    pub time_zone: String,
    pub admin: bool,
    pub once: String,
}

/// The practice's sign-in rules and who has a second factor.
#[derive(Debug, Clone, Default)]
pub struct Security {
    pub require_two_factor: bool,
    pub two_factor_on: Vec<i32>,
}

pub fn practice(
    ctx: &Ctx,
    me: i32,
    counselors: &[CounselorRow],
    security: &Security,
    v: &NewCounselorValues,
    errors: &Errors,
) -> Markup {
    page(
        ctx,
        "Practice",
        html! {
            h1 { "Practice" }
            p { a href="/practice/mail" { "Email delivery" } " · " a href="/practice/alerts" { "Open safety alerts" } " · " a href="/practice/safety" { "Safety settings" } " · " a href="/practice/audit" { "Audit log" } }
            section.card.stack {
                h2 { "Counselors" }
                div.table-wrap {
                    table.data {
                        thead { tr { th { "Name" } th { "Email" } th { "Role" } th { "Status" } th { "Two-step sign-in" } th { span.visually-hidden { "Actions" } } } }
                        tbody {
                            @for c in counselors {
                                @let two_factor = security.two_factor_on.contains(&c.id);
                                tr {
                                    td { (c.display_name) }
                                    td { (c.email) }
                                    td { @if c.is_admin { "Practice admin" } @else { "Counselor" } }
                                    td {
                                        @if c.active { span.badge.badge-ok { "Active" } }
                                        @else { span.badge.badge-muted { "Deactivated" } }
                                    }
                                    td {
                                        @if two_factor {
                                            "On "
                                            form.inline-form method="post" action={"/practice/counselors/" (c.id) "/two-factor/reset"} {
                                                (ctx.csrf_field())
                                                button.btn.btn-small.btn-secondary type="submit" aria-label={"Reset two-step sign-in of " (c.display_name)} { "Reset" }
                                            }
                                        } @else { "Not set up" }
                                    }
                                    td {
                                        @if c.id != me {
                                            @let (action, label, class) = if c.active {
                                                ("deactivate", "Deactivate", "btn btn-small btn-danger")
                                            } else {
                                                ("reactivate", "Reactivate", "btn btn-small btn-secondary")
                                            };
                                            form.inline-form method="post" action={"/practice/counselors/" (c.id) "/" (action)} {
                                                (ctx.csrf_field())
                                                button class=(class) type="submit" { (label) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.card.stack id="sign-in-rules" {
                h2 { "Sign-in rules" }
                form.form method="post" action="/practice/two-factor-rule" {
                    (ctx.csrf_field())
                    (form::checkbox("require", "Every counselor must use two-step sign-in (a code from an authenticator app)", security.require_two_factor))
                    p.hint { "Counselors without it are taken to set it up the next time they open a page." }
                    div.actions { button.btn.btn-secondary type="submit" { "Save sign-in rule" } }
                }
            }
            section.card.stack id="add" {
                h2 { "Add a counselor" }
                p.muted { "They get an email with a link to choose their own password." }
                (form::summary(errors))
                form.form method="post" action="/practice/counselors#add" novalidate {
                    (ctx.csrf_field())
                    (form::once_field(&v.once))
                    (Input::new("name", "Name", &v.name).max(100).render(errors))
                    (Input::new("email", "Email", &v.email).kind("email").max(254).render(errors))
                    (form::time_zone_select("time_zone", "Time zone", &v.time_zone, errors))
                    (form::checkbox("admin", "Also a practice administrator", v.admin))
                    div.actions { button.btn.btn-primary type="submit" { "Invite counselor" } }
                }
            }
        },
    )
}
