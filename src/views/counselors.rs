//! The practice page: counselors and the audit log (practice admin only).

use maud::{html, Markup};

use super::form::{self, Errors, Input};
use super::format::local_timestamp;
use super::layout::{page, Ctx};
use crate::db::audit::AuditRow;
use crate::db::counselors::CounselorRow;

#[derive(Debug, Default, Clone)]
pub struct NewCounselorValues {
    pub name: String,
    pub email: String,
    pub time_zone: String,
    pub admin: bool,
    pub once: String,
}

pub fn practice(
    ctx: &Ctx,
    me: i32,
    counselors: &[CounselorRow],
    audit: &[AuditRow],
    tz: chrono_tz::Tz,
    v: &NewCounselorValues,
    errors: &Errors,
) -> Markup {
    page(
        ctx,
        "Practice",
        html! {
            h1 { "Practice" }
            p { a href="/practice/mail" { "Email delivery" } " · " a href="/practice/alerts" { "Open safety alerts" } " · " a href="/practice/safety" { "Safety settings" } }
            section.card.stack {
                h2 { "Counselors" }
                div.table-wrap {
                    table.data {
                        thead { tr { th { "Name" } th { "Email" } th { "Role" } th { "Status" } th { span.visually-hidden { "Actions" } } } }
                        tbody {
                            @for c in counselors {
                                tr {
                                    td { (c.display_name) }
                                    td { (c.email) }
                                    td { @if c.is_admin { "Practice admin" } @else { "Counselor" } }
                                    td {
                                        @if c.active { span.badge.badge-ok { "Active" } }
                                        @else { span.badge.badge-muted { "Deactivated" } }
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
            section.card.stack id="add" {
                h2 { "Add a counselor" }
                p.muted { "They sign in with this email and the password you choose here; ask them to keep it safe." }
                (form::summary(errors))
                form.form method="post" action="/practice/counselors#add" novalidate {
                    (ctx.csrf_field())
                    (form::once_field(&v.once))
                    (Input::new("name", "Name", &v.name).max(100).render(errors))
                    (Input::new("email", "Email", &v.email).kind("email").max(254).render(errors))
                    (Input::new("password", "Password", "").kind("password").max(256).autocomplete("new-password")
                        .hint("At least 12 characters.").render(errors))
                    (form::time_zone_select("time_zone", "Time zone", &v.time_zone, errors))
                    (form::checkbox("admin", "Also a practice administrator", v.admin))
                    div.actions { button.btn.btn-primary type="submit" { "Add counselor" } }
                }
            }
            section.card.stack {
                h2 { "Recent activity" }
                p.muted.small { "The latest 50 entries of the audit log: who signed in, and who viewed, changed or exported what." }
                div.table-wrap {
                    table.data {
                        thead { tr { th { "When (" (tz.name()) ")" } th { "Who" } th { "Action" } th { "Target" } th { "Couple" } } }
                        tbody {
                            @for a in audit {
                                tr {
                                    td { (local_timestamp(a.at, tz)) }
                                    td { (a.actor_kind) @if let Some(id) = a.actor_id { " #" (id) } }
                                    td { (a.action) }
                                    td { (a.target_kind) @if let Some(id) = a.target_id { " #" (id) } }
                                    td { @if let Some(id) = a.couple_id { "#" (id) } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
