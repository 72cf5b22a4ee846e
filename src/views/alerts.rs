//! Safety alerts, counselor side only: the dashboard banner, the mark on a couple's row and
//! page, the open-alerts lists (the counselor's and the practice admin's), one alert with
//! its answers and the acknowledge form, and the practice's safety settings.

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use maud::{html, Markup};

use super::entry_form;
use super::form::{self, Errors};
use super::format::local_datetime;
use super::layout::{page, Ctx};
use crate::db::alerts::{AlertListRow, AlertRow};
use crate::domain::answers::FormPrompt;
use crate::domain::couple::CoupleStatus;
use crate::domain::safety::{AckForm, AlertAction, SafetySettingsForm, DEFAULT_CRISIS_TEXT};

/// The link to one alert.
pub fn alert_href(couple_id: i32, alert_id: i32) -> String {
    format!("/couples/{couple_id}/alerts/{alert_id}")
}

fn status_words(s: CoupleStatus) -> Option<&'static str> {
    match s {
        CoupleStatus::Active => None,
        CoupleStatus::Paused => Some(" (paused couple)"),
        CoupleStatus::Closed => Some(" (closed couple)"),
    }
}

/// The banner at the very top of the dashboard: every open alert, oldest first, above
/// every couple and every flag. Nothing when there is none.
pub fn dashboard_banner(open: &[AlertListRow], tz: Tz) -> Markup {
    html! {
        @if !open.is_empty() {
            section.alert-banner role="alert" aria-labelledby="alert-banner-title" {
                h2 id="alert-banner-title" {
                    @if open.len() == 1 { "A partner's safety check needs you today" }
                    @else { (open.len()) " safety checks need you today" }
                }
                ul {
                    @for r in open {
                        li {
                            a href=(alert_href(r.alert.couple_id, r.alert.id)) {
                                (r.couple_label) " · " (r.partner_name)
                            }
                            @if let Some(w) = status_words(r.couple_status) { (w) }
                            " · raised " (local_datetime(r.alert.raised_at, tz))
                        }
                    }
                }
                p.small { "Read the answers, talk with that partner on their own, then record what you did. " a href="/alerts" { "All open alerts" } }
            }
        }
    }
}

/// The small mark on a couple's dashboard row and page.
pub fn couple_mark(open: i64) -> Markup {
    html! {
        @if open > 0 {
            " " span.alert-mark { "Safety alert" @if open > 1 { " ×" (open) } }
        }
    }
}

/// The couple page's section: open alerts first, then the record of acknowledged ones.
pub fn couple_section(couple_id: i32, alerts: &[AlertRow], tz: Tz) -> Markup {
    html! {
        @if !alerts.is_empty() {
            section.card.stack.counselor-only aria-labelledby="couple-alerts" {
                h2 id="couple-alerts" { "Safety alerts · for you only" }
                ul {
                    @for a in alerts {
                        li {
                            a href=(alert_href(couple_id, a.id)) { "Raised " (local_datetime(a.raised_at, tz)) }
                            " · "
                            @match (a.acknowledged_at, a.action_taken) {
                                (Some(at), Some(action)) => { (action.label()) " (" (local_datetime(at, tz)) ")" }
                                _ => strong { "open" },
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The counselor's open alerts (`practice` = the admin's practice-wide list, which names
/// each couple's counselor and links nowhere the admin may not go).
pub fn list(ctx: &Ctx, open: &[AlertListRow], tz: Tz, practice: bool) -> Markup {
    let title = if practice {
        "Open safety alerts in the practice"
    } else {
        "Open safety alerts"
    };
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p.lead {
                @if practice {
                    "Alerts no counselor has acknowledged yet, oldest first. Each belongs to the couple's counselor; make sure they have seen it."
                } @else {
                    "A partner's answers on a safety check that you have not yet acted on, oldest first. Each stays here until you record what you did."
                }
            }
            @if open.is_empty() {
                div.empty-state { p { "No open alerts." } }
            } @else {
                div.table-wrap {
                    table.data {
                        caption.visually-hidden { (title) }
                        thead {
                            tr {
                                th scope="col" { "Raised" }
                                th scope="col" { "Couple" }
                                th scope="col" { "Partner" }
                                @if practice { th scope="col" { "Counselor" } }
                                th scope="col" { "Sent to the admin" }
                            }
                        }
                        tbody {
                            @for r in open {
                                tr {
                                    td { (local_datetime(r.alert.raised_at, tz)) }
                                    td {
                                        @if practice { (r.couple_label) }
                                        @else { a href=(alert_href(r.alert.couple_id, r.alert.id)) { (r.couple_label) } }
                                        @if let Some(w) = status_words(r.couple_status) { (w) }
                                    }
                                    td { (r.partner_name) }
                                    @if practice {
                                        td { (r.counselor.0) br; a href={"mailto:" (r.counselor.1)} { (r.counselor.1) } }
                                    }
                                    td { @match r.alert.escalated_at { Some(t) => (local_datetime(t, tz)), None => span.muted { "not yet" } } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// One alert as its counselor reads it.
pub struct AlertPage<'a> {
    pub couple_id: i32,
    pub couple_label: &'a str,
    pub partner_name: &'a str,
    pub alert: &'a AlertRow,
    pub prompts: &'a [FormPrompt],
    pub answers: &'a [(i32, String)],
    /// Prompt ids whose answers raised the alert.
    pub concerning: &'a [i32],
    pub submitted_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<&'a str>,
    pub form: &'a AckForm,
    pub errors: &'a Errors,
    pub tz: Tz,
}

pub fn detail(ctx: &Ctx, p: &AlertPage<'_>) -> Markup {
    let actions: Vec<(&str, &str)> = AlertAction::ALL
        .iter()
        .map(|a| (a.as_str(), a.label()))
        .collect();
    let concerning_labels: Vec<&str> = p
        .prompts
        .iter()
        .filter(|q| p.concerning.contains(&q.id))
        .map(|q| q.def.label.as_str())
        .collect();
    page(
        ctx,
        &format!("Safety alert · {}", p.couple_label),
        html! {
            p { a href={"/couples/" (p.couple_id)} { "← " (p.couple_label) } }
            h1 { "Safety alert · " (p.partner_name) }
            p.counselor-only-heading { strong { "For the counselor only, not for a joint session." } }
            p.lead {
                "Raised " (local_datetime(p.alert.raised_at, p.tz))
                @if let Some(t) = p.submitted_at { " from the safety check submitted " (local_datetime(t, p.tz)) }
                "."
                @if let Some(t) = p.alert.escalated_at { " The practice admin was told " (local_datetime(t, p.tz)) "." }
            }
            section.card.stack.counselor-only aria-labelledby="alert-answers" {
                h2 id="alert-answers" { "Their answers" }
                @if !concerning_labels.is_empty() {
                    p.concerning { "Concerning: " (concerning_labels.join("; ")) }
                }
                (entry_form::answers(p.prompts, p.answers))
            }
            @match (p.alert.acknowledged_at, p.alert.action_taken) {
                (Some(at), Some(action)) => {
                    section.card.stack aria-labelledby="alert-done" {
                        h2 id="alert-done" { "What was done" }
                        dl.answers {
                            dt { "Action" } dd { (action.label()) }
                            dt { "Recorded" } dd { (local_datetime(at, p.tz)) @if let Some(by) = p.acknowledged_by { " by " (by) } }
                            dt { "Note" } dd.prewrap { (p.alert.note) }
                        }
                    }
                }
                _ => {
                    section.card.stack aria-labelledby="alert-ack" {
                        h2 id="alert-ack" { "Record what you did" }
                        p.small.muted { "Talk with this partner on their own, not in a joint session. Once recorded, the alert leaves your dashboard and stays in the couple's record." }
                        form.form method="post" action={(alert_href(p.couple_id, p.alert.id)) "/acknowledge"} {
                            (ctx.csrf_field())
                            (form::summary(p.errors))
                            (form::select("action", "What you did", &actions, &p.form.action, p.errors))
                            (form::textarea("note", "Note", &p.form.note, crate::domain::safety::NOTE_MAX, true,
                                Some("For your records: when you spoke, what you agreed, any plan made."), p.errors))
                            div.actions { button.btn.btn-primary type="submit" { "Record and close the alert" } }
                        }
                    }
                }
            }
        },
    )
}

/// The practice admin's safety settings: crisis resources and the quick-exit address.
pub fn settings_page(ctx: &Ctx, f: &SafetySettingsForm, errors: &Errors) -> Markup {
    page(
        ctx,
        "Safety settings",
        html! {
            p { a href="/practice" { "← Practice" } }
            h1 { "Safety settings" }
            form.form method="post" action="/practice/safety" {
                (ctx.csrf_field())
                (form::summary(errors))
                (form::textarea("crisis_text", "Crisis resources", &f.crisis_text, crate::domain::safety::CRISIS_TEXT_MAX, false,
                    Some("Shown to partners on the safety check and right after a concerning answer: phone lines, local services. Leave empty for the default text below."), errors))
                p.small.muted { "Default: " (DEFAULT_CRISIS_TEXT) }
                (form::Input::new("exit_url", "Where “Leave quickly” goes", &f.exit_url).optional().max(crate::domain::safety::EXIT_URL_MAX)
                    .hint("A full address such as https://www.example.org/weather. Leave empty for a blank page.").render(errors))
                div.actions { button.btn.btn-primary type="submit" { "Save" } }
            }
            p { a href="/practice/alerts" { "Open safety alerts in the practice" } }
        },
    )
}
