//! The caseload, a couple's page, the couple form, sessions and reassignment.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use maud::{html, Markup};

use super::form::{self, Errors, Input};
use super::format::{day_month_year, local_datetime, short_date};
use super::layout::{page, Ctx};
use crate::db::assignments::AssignmentRow;
use crate::db::counselors::CounselorRow;
use crate::db::couples::{CoupleRow, PartnerRow};
use crate::db::therapy_sessions::SessionRow;
use crate::domain::couple::{BreachBy, Confidentiality, CoupleStatus};
use crate::domain::couple_form::CoupleForm;
use crate::domain::dashboard::{Completion, WINDOW_DAYS};
use crate::domain::session_form::{SessionForm, DURATIONS};
use crate::domain::status::AssignmentStatus;

pub fn breach_label(b: BreachBy, partners: &[PartnerRow]) -> String {
    let name = |i: usize| {
        partners
            .get(i)
            .map(|p| p.display_name.clone())
            .unwrap_or_else(|| format!("Partner {}", i + 1))
    };
    match b {
        BreachBy::A => name(0),
        BreachBy::B => name(1),
        BreachBy::Both => "Both partners".into(),
        BreachBy::Unstated => "Not stated".into(),
    }
}

fn status_badge(s: CoupleStatus) -> Markup {
    html! {
        @match s {
            CoupleStatus::Active => span.badge.badge-ok { "Active" },
            CoupleStatus::Paused => span.badge.badge-flag { "Paused" },
            CoupleStatus::Closed => span.badge.badge-muted { "Closed" },
        }
    }
}

/// One couple on the caseload list.
pub struct CaseloadRow {
    pub couple: CoupleRow,
    pub partner_names: Vec<String>,
}

/// For the practice admin: every open couple and its counselor (for reassignment).
pub struct PracticeCouple {
    pub id: i32,
    pub label: String,
    pub status: String,
    pub counselor: String,
}

pub fn caseload(
    ctx: &Ctx,
    rows: &[CaseloadRow],
    search: &str,
    include_closed: bool,
    practice: Option<&[PracticeCouple]>,
) -> Markup {
    page(
        ctx,
        "Couples",
        html! {
            div.row {
                h1 { "Couples" }
                span.spacer {}
                a.btn.btn-primary href="/couples/new" { "Add a couple" }
            }
            form.filters method="get" action="/couples" role="search" {
                div.field {
                    label for="q" { "Search by label or partner name" }
                    input type="search" id="q" name="q" value=(search) maxlength="100";
                }
                (form::checkbox("closed", "Include closed couples", include_closed))
                button.btn.btn-secondary type="submit" { "Search" }
            }
            @if rows.is_empty() {
                div.empty-state {
                    @if search.trim().is_empty() {
                        p { "No couples yet. Add the first couple you work with to assign exercises and book sessions." }
                        div.actions { a.btn.btn-primary href="/couples/new" { "Add your first couple" } }
                    } @else {
                        p { "No couple matches “" (search.trim()) "”." }
                        a href="/couples" { "Show all couples" }
                    }
                }
            } @else {
                p.muted { (rows.len()) @if rows.len() == 1 { " couple" } @else { " couples" } }
                div.table-wrap {
                    table.data {
                        thead { tr { th { "Couple" } th { "Partners" } th { "Status" } th { "Started" } } }
                        tbody {
                            @for r in rows {
                                tr.couple-row {
                                    td { a href={"/couples/" (r.couple.id)} { (r.couple.label) } }
                                    td { (r.partner_names.join(" and ")) }
                                    td { (status_badge(r.couple.status())) }
                                    td { (day_month_year(r.couple.start_date)) }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(all) = practice {
                section.card.stack {
                    h2 { "All couples in the practice" }
                    p.muted.small { "As practice admin you can hand a couple to another counselor. Only labels are shown here." }
                    @if all.is_empty() {
                        p { "There are no open couples in the practice." }
                    } @else {
                        div.table-wrap {
                            table.data {
                                thead { tr { th { "Couple" } th { "Counselor" } th { "Status" } th { span.visually-hidden { "Action" } } } }
                                tbody {
                                    @for c in all {
                                        tr {
                                            td { (c.label) }
                                            td { (c.counselor) }
                                            td { (status_badge(CoupleStatus::parse(&c.status).unwrap_or(CoupleStatus::Active))) }
                                            td { a href={"/couples/" (c.id) "/reassign"} { "Reassign" } }
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

fn partner_fields(f: &CoupleForm, prefix: &str, legend: &str, errors: &Errors) -> Markup {
    let (name, email, tz) = if prefix == "a" {
        (&f.a_name, &f.a_email, &f.a_time_zone)
    } else {
        (&f.b_name, &f.b_email, &f.b_time_zone)
    };
    let name_field = format!("{prefix}_name");
    let email_field = format!("{prefix}_email");
    let tz_field = format!("{prefix}_time_zone");
    html! {
        fieldset {
            legend { (legend) }
            (Input::new(&name_field, "Name", name).max(100).render(errors))
            (Input::new(&email_field, "Email", email).kind("email").max(254)
                .hint("They sign in with this address; invitations go here.").render(errors))
            (form::time_zone_select(&tz_field, "Time zone", tz, errors))
        }
    }
}

/// The couple form, for a new couple (`once` set) or an edit.
pub fn couple_form(
    ctx: &Ctx,
    title: &str,
    action: &str,
    f: &CoupleForm,
    errors: &Errors,
    once: Option<&str>,
    cancel: &str,
) -> Markup {
    let breach_options = [
        ("unstated", "Not stated"),
        ("a", "The first partner"),
        ("b", "The second partner"),
        ("both", "Both partners"),
    ];
    let conf_options = [
        ("no_secrets", Confidentiality::NoSecrets.name()),
        ("limited_secrets", Confidentiality::LimitedSecrets.name()),
    ];
    page(
        ctx,
        title,
        html! {
            p { a href=(cancel) { "← Back" } }
            h1 { (title) }
            (form::summary(errors))
            form.form.card method="post" action=(action) novalidate {
                (ctx.csrf_field())
                @if let Some(t) = once { (form::once_field(t)) }
                (Input::new("label", "Label", &f.label).max(100)
                    .hint("How the couple appears on your dashboard, e.g. a surname or initials. Partners do not see it.")
                    .render(errors))
                (partner_fields(f, "a", "First partner", errors))
                (partner_fields(f, "b", "Second partner", errors))
                (form::field("breach_by", "Who broke trust", Some("Used to propose the right partner for exercises meant for one of them."), errors, html! {
                    select id="breach_by" name="breach_by" {
                        @for (v, t) in breach_options {
                            option value=(v) selected[f.breach_by == v] { (t) }
                        }
                    }
                }))
                (form::field("confidentiality", "Confidentiality policy", Some("Shown to both partners."), errors, html! {
                    select id="confidentiality" name="confidentiality" {
                        @for (v, t) in conf_options {
                            option value=(v) selected[f.confidentiality == v] { (t) }
                        }
                    }
                }))
                div.notice.small {
                    p { strong { (Confidentiality::NoSecrets.name()) ": " } (Confidentiality::NoSecrets.explanation()) }
                    p { strong { (Confidentiality::LimitedSecrets.name()) ": " } (Confidentiality::LimitedSecrets.explanation()) }
                }
                (Input::new("start_date", "Start date", &f.start_date).kind("date").render(errors))
                div.actions {
                    button.btn.btn-primary type="submit" { "Save" }
                    a.btn.btn-secondary href=(cancel) { "Cancel" }
                }
            }
        },
    )
}

/// One assignment on the couple page.
pub struct AssignmentView {
    pub row: AssignmentRow,
    pub title: String,
    pub schedule_text: String,
    /// Per partner it is for: name, completion over the window, next date owed.
    pub partners: Vec<(String, Completion, Option<NaiveDate>)>,
    /// Its changes, oldest first: (the day it took effect, what changed in words). A
    /// continuation carries the history of the assignment it continues too.
    pub history: Vec<(NaiveDate, String)>,
    /// Continued by a newer version after a change (what it owed stays here).
    pub replaced: bool,
}

pub struct CouplePage<'a> {
    pub couple: &'a CoupleRow,
    pub partners: &'a [PartnerRow],
    pub assignments: &'a [AssignmentView],
    pub sessions: &'a [SessionRow],
    pub next_session: Option<&'a SessionRow>,
    pub counselor_tz: Tz,
    pub now: NaiveDateTime,
    /// Trust ratings over the last 90 days, for the chart.
    pub trust: &'a crate::db::report::TrustChartData,
    /// The couple's safety alerts, open and acknowledged, newest first.
    pub alerts: &'a [crate::db::alerts::AlertRow],
    /// The promises section (`views::promises::counselor_section`).
    pub promises: &'a Markup,
}

fn completion_text(c: &Completion) -> String {
    if c.owed == 0 {
        "nothing owed".to_string()
    } else {
        format!("{} of {}", c.made, c.owed)
    }
}

pub fn couple_page(ctx: &Ctx, p: &CouplePage<'_>) -> Markup {
    let c = p.couple;
    let closed = c.is_closed();
    let base = format!("/couples/{}", c.id);
    page(
        ctx,
        &c.label,
        html! {
            (page_header(c, &base, closed))
            (super::alerts::couple_mark(p.alerts.iter().filter(|a| a.is_open()).count() as i64))
            (super::alerts::couple_section(c.id, p.alerts, p.counselor_tz))
            (next_session(p, &base, closed))
            (partner_cards(p))
            (confidentiality(p))
            (assignments(ctx, p, &base, closed))
            (sessions(p, &base, closed))
            (activity(ctx, p, &base, closed))
            (p.promises)
            @if !closed {
                (status_actions(ctx, c, &base))
            } @else {
                (reopen_action(ctx, &base))
            }
            @if ctx.is_admin() {
                p.small.muted { a href={(base) "/reassign"} { "Reassign this couple to another counselor" } }
            }
        },
    )
}

/// The couple's name, status and the edit link.
fn page_header(c: &CoupleRow, base: &str, closed: bool) -> Markup {
    html! {
        p { a href="/couples" { "← Couples" } }
        div.row {
            h1 { (c.label) }
            (status_badge(c.status()))
            span.spacer {}
            @if !closed {
                a.btn.btn-secondary href={(base) "/edit"} { "Edit details" }
            }
        }
        @if closed {
            p.flash.flash-info { "This couple is closed. Their record is kept and can be read, but nothing can be changed." }
        }
    }
}

/// The next booked session.
fn next_session(p: &CouplePage<'_>, base: &str, closed: bool) -> Markup {
    html! {
        section.card.stack {
            h2 { "Next session" }
            @if let Some(s) = p.next_session {
                p.lead { (local_datetime(s.starts_at, p.counselor_tz)) " · " (s.duration_minutes) " minutes" }
            } @else {
                p.muted { "No session booked." }
            }
            @if !closed {
                div.actions { a.btn.btn-primary href={(base) "/sessions/new"} { "Book a session" } }
            }
        }
    }
}

/// One card per partner: contact, latest trust rating, last entry.
fn partner_cards(p: &CouplePage<'_>) -> Markup {
    html! {
        section.card-grid aria-label="Partners" {
            @for (i, partner) in p.partners.iter().enumerate() {
                article.card.stack {
                    h2 { (partner.display_name) }
                    dl.answers {
                        dt { "Email" } dd { (partner.email) }
                        dt { "Time zone" } dd { (partner.time_zone) }
                        dt { "Latest trust rating" }
                        dd {
                            @match (partner.latest_trust, partner.previous_trust) {
                                (Some(l), Some(prev)) => { (l) " (was " (prev) ")" },
                                (Some(l), None) => { (l) },
                                _ => span.muted { "None yet" },
                            }
                        }
                        dt { "Last entry" }
                        dd {
                            @match partner.last_entry_at {
                                Some(t) => { (local_datetime(t, p.counselor_tz)) },
                                None => span.muted { "None yet" },
                            }
                        }
                    }
                    @if (i == 0 && p.couple.breach_by() == BreachBy::A) || (i == 1 && p.couple.breach_by() == BreachBy::B) || p.couple.breach_by() == BreachBy::Both {
                        p.small.muted { "Recorded as having broken trust." }
                    }
                }
            }
        }
    }
}

/// The confidentiality agreement and who broke trust.
fn confidentiality(p: &CouplePage<'_>) -> Markup {
    html! {
        section.card.stack {
            h2 { "Confidentiality: " (p.couple.confidentiality().name()) }
            p { (p.couple.confidentiality().explanation()) }
            p.small.muted { "Who broke trust: " (breach_label(p.couple.breach_by(), p.partners)) " · In work since " (day_month_year(p.couple.start_date)) }
        }
    }
}

/// The assignments table.
fn assignments(ctx: &Ctx, p: &CouplePage<'_>, base: &str, closed: bool) -> Markup {
    html! {
        section {
            div.row {
                h2 { "Assignments" }
                span.spacer {}
                @if !closed { a.btn.btn-primary href={(base) "/assignments/new"} { "Assign an exercise" } }
            }
            @if p.assignments.is_empty() {
                div.empty-state { p { "No exercises assigned yet." } }
            } @else {
                p.small.muted { "Completion counts entries made against entries owed over the last " (WINDOW_DAYS) " days, in each partner's own time zone." }
                div.table-wrap {
                    table.data {
                        thead { tr { th { "Exercise" } th { "Cadence" } th { "Completion" } th { "Next due" } th { "Status" } th { span.visually-hidden { "Actions" } } } }
                        tbody {
                            @for a in p.assignments {
                                (assignment_row(ctx, base, closed, a))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One assignment: schedule, completion and next date per partner, status, actions.
fn assignment_row(ctx: &Ctx, base: &str, closed: bool, a: &AssignmentView) -> Markup {
    html! {
        tr {
            td {
                (a.title)
                @if !a.row.note.is_empty() { span.attention-reason { "Note: " (a.row.note) } }
                @if !a.history.is_empty() {
                    details.small {
                        summary { "Changes" }
                        ul {
                            @for (day, what) in &a.history {
                                li { "From " (short_date(*day)) ": " (what) }
                            }
                        }
                    }
                }
            }
            td {
                (a.schedule_text)
                span.attention-reason {
                    "From " (a.row.start_date)
                    @if let Some(e) = a.row.end_date { " to " (e) }
                    @if !a.row.reminders { " · no reminders" }
                }
            }
            td {
                @for (name, comp, _) in &a.partners {
                    div { (name) ": " (completion_text(comp))
                        @if comp.overdue > 0 { " " span.badge.badge-flag { (comp.overdue) " overdue" } }
                    }
                }
            }
            td {
                @for (name, _, next) in &a.partners {
                    div { (name) ": "
                        @match next { Some(d) => { (short_date(*d)) }, None => span.muted { "none" } }
                    }
                }
            }
            td {
                @match a.row.status {
                    AssignmentStatus::Active => span.badge.badge-ok { "Active" },
                    AssignmentStatus::Paused => span.badge.badge-flag { "Paused" },
                    AssignmentStatus::Ended if a.replaced => span.badge.badge-muted { "Changed" },
                    AssignmentStatus::Ended => span.badge.badge-muted { "Ended" },
                }
            }
            td {
                (assignment_actions(ctx, base, closed, a))
            }
        }
    }
}

/// Pause, resume and end buttons for an assignment (none on a closed couple).
fn assignment_actions(ctx: &Ctx, base: &str, closed: bool, a: &AssignmentView) -> Markup {
    html! {
        @if !closed {
            div.row {
                @let abase = format!("{base}/assignments/{}", a.row.id);
                @if a.row.status == AssignmentStatus::Active {
                    form.inline-form method="post" action={(abase) "/pause"} {
                        (ctx.csrf_field())
                        button.btn.btn-small.btn-secondary type="submit" { "Pause" }
                    }
                }
                @if a.row.status == AssignmentStatus::Paused {
                    form.inline-form method="post" action={(abase) "/resume"} {
                        (ctx.csrf_field())
                        button.btn.btn-small.btn-secondary type="submit" { "Resume" }
                    }
                }
                @if a.row.status != AssignmentStatus::Ended {
                    a.btn.btn-small.btn-secondary href={(abase) "/edit"} { "Change" }
                    a.btn.btn-small.btn-secondary href={(abase) "/end"} { "End…" }
                }
            }
        }
    }
}

/// The sessions table.
fn sessions(p: &CouplePage<'_>, base: &str, closed: bool) -> Markup {
    html! {
        section {
            h2 { "Sessions" }
            @if p.sessions.is_empty() {
                p.muted { "No sessions yet." }
            } @else {
                div.table-wrap {
                    table.data {
                        thead { tr { th { "When" } th.num { "Minutes" } th { "Status" } th { span.visually-hidden { "Actions" } } } }
                        tbody {
                            @for s in p.sessions {
                                (session_row(p, base, closed, s))
                            }
                        }
                    }
                }
            }
            p.small.muted { "Times are shown in your time zone (" (p.counselor_tz.name()) ")." }
        }
    }
}

/// One session: when, length, status, and move/cancel while it is still ahead.
fn session_row(p: &CouplePage<'_>, base: &str, closed: bool, s: &SessionRow) -> Markup {
    html! {
        tr {
            td { (local_datetime(s.starts_at, p.counselor_tz))
                @if !s.note.is_empty() { span.attention-reason { (s.note) } } }
            td.num { (s.duration_minutes) }
            td {
                @if !s.is_booked() { span.badge.badge-muted { "Cancelled" } }
                @else if s.starts_at >= p.now { span.badge.badge-ok { "Booked" } }
                @else { span.badge { "Held" } }
            }
            td {
                @if !closed && s.is_booked() && s.starts_at >= p.now {
                    div.row {
                        a.btn.btn-small.btn-secondary href={(base) "/sessions/" (s.id) "/edit"} { "Move" }
                        a.btn.btn-small.btn-secondary href={(base) "/sessions/" (s.id) "/cancel"} { "Cancel session…" }
                    }
                }
            }
        }
    }
}

/// The trust chart and the links to the timeline, the report and the exports.
fn activity(ctx: &Ctx, p: &CouplePage<'_>, base: &str, closed: bool) -> Markup {
    html! {
        section.card.stack id="partner-activity" {
            h2 { "Trust ratings" }
            p.small.muted { "One line per partner and question, from the first rating (at most the last 90 days). A break in a line is a stretch without ratings." }
            (crate::views::report::couple_trust_chart(p.trust))
            div.actions {
                (crate::views::timeline::timeline_link(p.couple.id))
                a.btn.btn-secondary href={(base) "/report"} { "Session-prep report" }
                a.btn.btn-secondary href={(base) "/export.csv"} { "Export CSV" }
                @if !closed {
                    (invite_button(ctx, p.couple.id))
                }
            }
            @if !closed {
                p.small.muted {
                    "Both partners were invited by email when the couple was added. Sending the invitation again gives each partner a fresh sign-in link."
                }
            }
        }
    }
}

/// Reopen a closed couple: back to active work, on the dashboard again.
fn reopen_action(ctx: &Ctx, base: &str) -> Markup {
    html! {
        section.card.stack {
            h2 { "Status" }
            p { "Reopening brings the couple back to active work: assignments you give them are owed again and they return to your dashboard." }
            form.inline-form method="post" action={(base) "/status"} {
                (ctx.csrf_field())
                input type="hidden" name="status" value=(CoupleStatus::Active.as_str());
                button.btn.btn-secondary type="submit" { "Reopen the couple" }
            }
        }
    }
}

/// Pause, resume or close the work.
fn status_actions(ctx: &Ctx, c: &CoupleRow, base: &str) -> Markup {
    html! {
        section.card.stack {
            h2 { "Status" }
            @match c.status() {
                CoupleStatus::Active => p { "Pausing keeps everything as it is but takes the couple off your dashboard until you resume." },
                _ => p { "This couple is paused and not shown on your dashboard." },
            }
            p { "Closing ends the work: the record stays readable but nothing can be changed, and the couple leaves your caseload." }
            div.actions {
                form.inline-form method="post" action={(base) "/status"} {
                    (ctx.csrf_field())
                    @if c.status() == CoupleStatus::Active {
                        input type="hidden" name="status" value=(CoupleStatus::Paused.as_str());
                        button.btn.btn-secondary type="submit" { "Pause the work" }
                    } @else {
                        input type="hidden" name="status" value=(CoupleStatus::Active.as_str());
                        button.btn.btn-secondary type="submit" { "Resume the work" }
                    }
                }
                a.btn.btn-danger href={(base) "/close"} { "Close the couple…" }
            }
        }
    }
}

/// Book or move a session.
pub fn session_form(
    ctx: &Ctx,
    couple: &CoupleRow,
    action: &str,
    f: &SessionForm,
    errors: &Errors,
    once: Option<&str>,
    tz: Tz,
) -> Markup {
    let title = if once.is_some() {
        "Book a session"
    } else {
        "Move a session"
    };
    let back = format!("/couples/{}", couple.id);
    page(
        ctx,
        title,
        html! {
            p { a href=(back) { "← " (couple.label) } }
            h1 { (title) }
            (form::summary(errors))
            form.form.card method="post" action=(action) novalidate {
                (ctx.csrf_field())
                @if let Some(t) = once { (form::once_field(t)) }
                (Input::new("date", "Date", &f.date).kind("date").render(errors))
                (Input::new("time", "Start time", &f.time).kind("time")
                    .hint(&format!("In your time zone, {}.", tz.name())).render(errors))
                (form::field("duration", "Length", None, errors, html! {
                    select id="duration" name="duration" {
                        @for m in DURATIONS {
                            option value=(m) selected[f.duration == m.to_string()] { (m) " minutes" }
                        }
                        @if !f.duration.is_empty() && !DURATIONS.iter().any(|m| m.to_string() == f.duration) {
                            option value=(f.duration) selected { (f.duration) " minutes" }
                        }
                    }
                }))
                (Input::new("note", "Note for yourself", &f.note).optional().max(500)
                    .hint("Optional. Partners do not see it.").render(errors))
                div.actions {
                    button.btn.btn-primary type="submit" { "Save" }
                    a.btn.btn-secondary href=(back) { "Back" }
                }
            }
        },
    )
}

/// The admin's reassignment form.
pub fn reassign_form(
    ctx: &Ctx,
    couple_id: i32,
    label: &str,
    current: i32,
    counselors: &[CounselorRow],
    errors: &Errors,
) -> Markup {
    page(
        ctx,
        "Reassign a couple",
        html! {
            p { a href="/couples" { "← Couples" } }
            h1 { "Reassign “" (label) "”" }
            (form::summary(errors))
            form.form.card method="post" action={"/couples/" (couple_id) "/reassign"} {
                (ctx.csrf_field())
                (form::field("counselor_id", "Counselor", Some("The couple, their assignments and sessions move to this counselor."), errors, html! {
                    select id="counselor_id" name="counselor_id" {
                        @for c in counselors.iter().filter(|c| c.active) {
                            option value=(c.id) selected[c.id == current] { (c.display_name) @if c.id == current { " (current)" } }
                        }
                    }
                }))
                div.actions { button.btn.btn-primary type="submit" { "Reassign" } }
            }
        },
    )
}

/// The "send invitation" button for the couple page.
pub fn invite_button(ctx: &Ctx, couple_id: i32) -> Markup {
    html! {
        form.inline-form method="post" action={"/couples/" (couple_id) "/invite"} {
            (ctx.csrf_field())
            button.btn.btn-secondary type="submit" { "Send invitations again" }
        }
    }
}
