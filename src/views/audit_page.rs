//! The practice admin's audit log page: filters, the rows with names and local times, and
//! links to older rows and to the CSV of the filtered rows.

use maud::{html, Markup};

use super::form::{self, Errors};
use super::format::local_timestamp;
use super::layout::{page, Ctx};
use crate::db::audit::AuditRow;
use crate::db::audit_page::Names;
use crate::db::counselors::CounselorRow;
use crate::domain::audit_action::AuditAction;
use crate::domain::audit_query::AuditQuery as Query;

pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub names: Names,
    pub more: bool,
    pub counselors: Vec<CounselorRow>,
    pub couples: Vec<(i32, String)>,
    pub tz: chrono_tz::Tz,
}

fn query_string(q: &Query, before: Option<i32>) -> String {
    let mut pairs: Vec<(&str, String)> = vec![
        ("who", q.who.clone()),
        ("couple", q.couple.clone()),
        ("action", q.action.clone()),
        ("from", q.from.clone()),
        ("to", q.to.clone()),
    ];
    pairs.retain(|(_, v)| !v.trim().is_empty());
    if let Some(b) = before {
        pairs.push(("before", b.to_string()));
    }
    serde_urlencoded::to_string(&pairs).unwrap_or_default()
}

fn who(r: &AuditRow, names: &Names) -> String {
    let name = names.actor(r).unwrap_or_default().to_string();
    match (r.actor_kind.as_str(), name.is_empty()) {
        ("counselor", false) => name,
        ("partner", false) => format!("{name} (partner)"),
        ("anonymous", _) => "Not signed in".to_string(),
        ("system", _) => "Trellis (automatic)".to_string(),
        (kind, _) => match r.actor_id {
            Some(id) => format!("{kind} {id}"),
            None => kind.to_string(),
        },
    }
}

fn target(r: &AuditRow, names: &Names) -> String {
    let name = names.target(r).unwrap_or_default().to_string();
    if !name.is_empty() {
        return format!("{} {}", r.target_kind, name);
    }
    match r.target_id {
        Some(id) => format!("{} {id}", r.target_kind),
        None => r.target_kind.clone(),
    }
}

pub fn audit(ctx: &Ctx, v: &AuditPage, q: &Query, errors: &Errors) -> Markup {
    let selected = |a: &str, b: &str| a.trim() == b;
    page(
        ctx,
        "Audit log",
        html! {
            h1 { "Audit log" }
            p.muted { "Every sign-in, and every view, change and export of a couple's record, as it happened. Rows are never deleted, and each one is linked to the one before it so that any later change can be detected (" code { "trellis audit verify" } ")." }
            (form::summary(errors))
            form.form.card.filters method="get" action="/practice/audit" {
                div.field.has-error[errors.get("who").is_some()] {
                    label for="who" { "Counselor" }
                    select id="who" name="who" {
                        option value="" { "Anyone" }
                        @for c in &v.counselors {
                            option value=(c.id) selected[selected(&q.who, &c.id.to_string())] { (c.display_name) }
                        }
                    }
                    @if let Some(e) = errors.get("who") { p.error role="alert" { (e) } }
                }
                div.field.has-error[errors.get("couple").is_some()] {
                    label for="couple" { "Couple" }
                    select id="couple" name="couple" {
                        option value="" { "Any couple" }
                        @for (id, label) in &v.couples {
                            option value=(id) selected[selected(&q.couple, &id.to_string())] { (label) }
                        }
                    }
                    @if let Some(e) = errors.get("couple") { p.error role="alert" { (e) } }
                }
                div.field.has-error[errors.get("action").is_some()] {
                    label for="action" { "Action" }
                    select id="action" name="action" {
                        option value="" { "Any action" }
                        @for a in AuditAction::ALL {
                            option value=(a.as_str()) selected[selected(&q.action, a.as_str())] { (a.as_str()) }
                        }
                    }
                    @if let Some(e) = errors.get("action") { p.error role="alert" { (e) } }
                }
                (form::Input::new("from", "From (your date)", &q.from).kind("date").optional().render(errors))
                (form::Input::new("to", "To (your date)", &q.to).kind("date").optional().render(errors))
                div.actions {
                    button.btn.btn-primary type="submit" { "Show" }
                    " "
                    a href="/practice/audit" { "Clear filters" }
                }
            }
            p { a href={"/practice/audit.csv?" (query_string(q, None))} { "Download these rows as CSV" } }
            div.table-wrap {
                table.data {
                    caption.visually-hidden { "Audit events, newest first" }
                    thead { tr { th { "When (" (v.tz.name()) ")" } th { "Who" } th { "Action" } th { "Target" } th { "Couple" } th { "Detail" } } }
                    tbody {
                        @for r in &v.rows {
                            tr {
                                td { (local_timestamp(r.at, v.tz)) }
                                td { (who(r, &v.names)) }
                                td { (r.action) }
                                td { (target(r, &v.names)) }
                                td { @if let Some(c) = r.couple_id { (v.names.couples.get(&c).cloned().unwrap_or_else(|| format!("couple {c}"))) } }
                                td { (r.detail) }
                            }
                        }
                    }
                }
            }
            @if v.rows.is_empty() { p.muted { "No events match." } }
            nav.pager aria-label="Audit pages" {
                @if !q.before.trim().is_empty() {
                    a href={"/practice/audit?" (query_string(q, None))} { "Newest events" }
                    " "
                }
                @if v.more {
                    @if let Some(last) = v.rows.last() {
                        a href={"/practice/audit?" (query_string(q, Some(last.id)))} { "Older events" }
                    }
                }
            }
        },
    )
}
