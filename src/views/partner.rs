//! The partner's pages: home, their entries, one entry, the co-journal and settings.
//! Written for a phone, read late at night: short lines, big targets, kind words.

use chrono::NaiveDate;
use chrono_tz::Tz;
use maud::{html, Markup};

use super::entry_form;
use super::feed::{feed_section, Feed};
use super::form::{self, Errors, Input};
use super::format;
use super::layout::{page, Ctx};
use super::promises::{rating_card, PromiseItem, RatingCard};
use crate::db::entries::{CommentRow, EntryRow};
use crate::domain::answers::FormPrompt;
use crate::domain::couple::Confidentiality;
use crate::domain::feed::FeedItem;
use crate::domain::promise::RatingForm;

/// One thing the partner owes, as the home page lists it.
pub struct DueItem {
    pub assignment_id: i32,
    pub date: NaiveDate,
    pub title: String,
    pub has_draft: bool,
}

impl DueItem {
    pub fn href(&self) -> String {
        format!(
            "/me/do/{}/{}",
            self.assignment_id,
            format::iso_date(self.date)
        )
    }
}

/// A finished entry in a list.
pub struct DoneItem {
    pub entry_id: i32,
    pub title: String,
    pub day: NaiveDate,
    pub draft: bool,
}

pub struct Home {
    pub first_name: String,
    pub today: NaiveDate,
    pub overdue: Vec<DueItem>,
    pub due_today: Vec<DueItem>,
    pub this_week: Vec<DueItem>,
    pub recent: Vec<DoneItem>,
    pub confidentiality: Confidentiality,
    pub counselor: String,
    /// Local start, formatted, and minutes.
    pub next_session: Option<(String, i32)>,
    /// Promises made to this partner whose day has come, waiting for their answer.
    pub promises_to_rate: Vec<PromiseItem>,
    /// Whether the couple's policy lets a rating's note stay with the counselor.
    pub promise_note_choice: bool,
    /// What changed lately, newest first.
    pub feed: Vec<FeedItem>,
    /// The other partner's first name, for the feed's words.
    pub other_name: String,
    pub tz: Tz,
}

fn day(d: NaiveDate, today: NaiveDate) -> String {
    if d == today {
        "Today".into()
    } else if d.succ_opt() == Some(today) {
        "Yesterday".into()
    } else if today.succ_opt() == Some(d) {
        "Tomorrow".into()
    } else {
        format::short_date(d)
    }
}

fn due_list(items: &[DueItem], today: NaiveDate) -> Markup {
    html! {
        ul.stack.plain-list {
            @for i in items {
                li.card {
                    div.row {
                        div {
                            strong { (i.title) }
                            br;
                            span.small.muted { (day(i.date, today)) @if i.has_draft { " · draft saved" } }
                        }
                        span.spacer {}
                        a.btn.btn-primary href=(i.href()) { @if i.has_draft { "Continue" } @else { "Start" } }
                    }
                }
            }
        }
    }
}

pub fn home(ctx: &Ctx, h: &Home) -> Markup {
    let nothing_due = h.overdue.is_empty() && h.due_today.is_empty();
    page(
        ctx,
        "Home",
        html! {
            div.container.narrow.flush {
                h1 { "Hello, " (h.first_name) }
                @if let Some((when, minutes)) = &h.next_session {
                    p.notice { "Your next session: " strong { (when) } " (" (minutes) " minutes)." }
                }
                @if nothing_due {
                    h2 { "Today" }
                    p { "Nothing is waiting for you today. Thank you for the work you are putting in." }
                }
                @if !h.due_today.is_empty() {
                    h2 { "Today" }
                    (due_list(&h.due_today, h.today))
                }
                @for (i, item) in h.promises_to_rate.iter().enumerate() {
                    (rating_card(ctx, &RatingCard { item, form: &RatingForm::default(), errors: &Errors::default(), choice_allowed: h.promise_note_choice, heading_id: format!("rate-{i}") }))
                }
                @if !h.feed.is_empty() {
                    (feed_section(&Feed { items: &h.feed, other: &h.other_name, counselor: &h.counselor, tz: h.tz }))
                }
                @if !h.overdue.is_empty() {
                    h2 { "Still open from earlier days" }
                    p.muted.small { "No pressure: fill in what you can. Your counselor would rather have a short answer than none." }
                    (due_list(&h.overdue, h.today))
                }
                @if !h.this_week.is_empty() {
                    h2 { "Coming up this week" }
                    (due_list(&h.this_week, h.today))
                }
                h2 { "Whenever you need" }
                div.actions.tight-top {
                    a.btn.btn-secondary href="/me/journal" { "Write in the co-journal" }
                    a.btn.btn-secondary href="/me/setbacks/new" { "Log a setback" }
                    a.btn.btn-secondary href="/me/promises" { "Promises" }
                }
                @if !h.recent.is_empty() {
                    h2 { "Recently done" }
                    ul {
                        @for r in &h.recent {
                            li { a href={"/me/entries/" (r.entry_id)} { (r.title) } span.muted.small { " · " (day(r.day, h.today)) } }
                        }
                    }
                    p { a href="/me/entries" { "All your entries" } }
                }
                h2 { "How privacy works with " (h.counselor) }
                div.notice {
                    p { strong { (h.confidentiality.name()) } }
                    p { (h.confidentiality.explanation()) }
                    p.small.muted { "Each form tells you who will see it before you write anything." }
                }
            }
        },
    )
}

/// A shared entry the partner cannot read yet (paired reveal).
pub struct HeldBack {
    pub title: String,
    pub day: NaiveDate,
    pub href: Option<String>,
}

pub fn history(
    ctx: &Ctx,
    today: NaiveDate,
    own: &[DoneItem],
    other_name: &str,
    shared: &[DoneItem],
    held_back: &[HeldBack],
) -> Markup {
    page(
        ctx,
        "Your entries",
        html! {
            div.container.narrow.flush {
                h1 { "Your entries" }
                @if own.is_empty() {
                    div.empty-state { p { "Nothing here yet. What you write will be listed here." } }
                } @else {
                    ul {
                        @for r in own {
                            li {
                                a href={"/me/entries/" (r.entry_id)} { (r.title) }
                                span.muted.small { " · " (day(r.day, today)) }
                                @if r.draft { " " span.badge.badge-muted { "Draft" } }
                            }
                        }
                    }
                }
                p { a href="/me/download.csv" download { "Download my entries (CSV)" } span.small.muted { " · your own entries, journal posts and setback notes, for you to keep" } }
                h2 { "Shared with you by " (other_name) }
                @for h in held_back {
                    p.notice {
                        (other_name) " has finished " strong { (h.title) } " (" (day(h.day, today)) "). "
                        "You will see their answers once you have submitted your own."
                        @if let Some(href) = &h.href { " " a href=(href) { "Fill in yours" } }
                    }
                }
                @if shared.is_empty() && held_back.is_empty() {
                    p.muted { "Nothing shared yet." }
                } @else {
                    ul {
                        @for r in shared {
                            li { a href={"/me/entries/" (r.entry_id)} { (r.title) } span.muted.small { " · " (day(r.day, today)) } }
                        }
                    }
                }
            }
        },
    )
}

/// One entry, read-only.
pub struct EntryPage<'a> {
    pub title: &'a str,
    pub entry: &'a EntryRow,
    pub own: bool,
    pub author_name: &'a str,
    pub prompts: &'a [FormPrompt],
    pub answers: &'a [(i32, String)],
    pub comments: &'a [CommentRow],
    pub earlier_versions: i64,
    pub edit_href: Option<String>,
    pub visibility_words: &'a str,
    /// The reader's time zone: comment times are shown in it.
    pub reader_tz: Tz,
    /// On the author's own safety check: the crisis text, and whether an alert for it is
    /// open (the counselor has been told).
    pub crisis: Option<(&'a str, bool)>,
}

pub fn entry(ctx: &Ctx, p: &EntryPage<'_>) -> Markup {
    page(
        ctx,
        p.title,
        html! {
            div.container.narrow.flush {
                h1 { (p.title) }
                p.timeline-meta {
                    @if p.own { "Your entry" } @else { "From " (p.author_name) }
                    " · " (format::full_date(p.entry.day()))
                    @if !p.entry.is_submitted() { " · " span.badge.badge-muted { "Draft" } }
                    @if p.earlier_versions > 0 { " · changed after submitting" }
                }
                @if p.own { p.visibility-note { "Who can see this: " (p.visibility_words) "." } }
                @if let Some((text, told)) = p.crisis { (super::crisis::panel(text, told)) }
                div.card { (entry_form::answers(p.prompts, p.answers)) }
                @if let Some(href) = &p.edit_href {
                    p { a.btn.btn-secondary href=(href) { @if p.entry.is_submitted() { "Change my answers" } @else { "Continue this draft" } } }
                }
                @if !p.comments.is_empty() {
                    h2 { "From your counselor" }
                    @for c in p.comments {
                        div.notice {
                            p.small.muted { (format::local_datetime(c.created_at, p.reader_tz)) }
                            p.prewrap { (c.body) }
                        }
                    }
                }
                p { a href="/me/entries" { "All entries" } }
            }
        },
    )
}

/// A co-journal post with its author and text.
pub struct JournalPost {
    pub author: String,
    pub mine: bool,
    pub day: NaiveDate,
    pub entry_id: i32,
    pub prompts: Vec<FormPrompt>,
    pub answers: Vec<(i32, String)>,
}

pub fn journal(ctx: &Ctx, today: NaiveDate, form: Markup, posts: &[JournalPost]) -> Markup {
    page(
        ctx,
        "Co-journal",
        html! {
            div.container.narrow.flush {
                h1 { "Co-journal" }
                p.lead { "One journal you both write in. Everyday moments count: something that made you smile, something that was hard, a small step." }
                (form)
                h2 { "The journal so far" }
                @if posts.is_empty() {
                    div.empty-state { p { "No one has written yet. The first entry can be a single sentence." } }
                } @else {
                    ol.timeline {
                        @for p in posts {
                            li.timeline-item id={"entry-" (p.entry_id)} {
                                p.timeline-meta { @if p.mine { "You" } @else { (p.author) } " · " (day(p.day, today)) }
                                (entry_form::answers(&p.prompts, &p.answers))
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The reminder settings form as typed (kept as text so a bad value comes back as entered).
#[derive(Debug, Clone, Default)]
pub struct ReminderForm {
    pub email: String,
    pub enabled: bool,
    pub hour: String,
    pub quiet_start: String,
    pub quiet_end: String,
    pub time_zone: String,
    /// Name the open exercises in the daily reminder (off: counts only).
    pub titles: bool,
    /// The optional, content-free "something was shared with you" email.
    pub share_notices: bool,
    /// The practice's most used zones, listed first in the picker.
    pub common_zones: Vec<String>,
}

fn reminder_settings(ctx: &Ctx, r: &ReminderForm, errors: &Errors) -> Markup {
    let hours: Vec<(String, String)> = (0..24)
        .map(|h| (h.to_string(), format!("{h:02}:00")))
        .collect();
    let with_none: Vec<(String, String)> = std::iter::once((String::new(), "None".to_string()))
        .chain(hours.iter().cloned())
        .collect();
    let opts = |v: &[(String, String)]| -> Vec<(String, String)> { v.to_vec() };
    let hours = opts(&hours);
    let hour_refs: Vec<(&str, &str)> = hours
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let none_refs: Vec<(&str, &str)> = with_none
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    html! {
        section.card {
            h2 { "Reminders" }
            p { "Reminder emails say only that something is waiting and link here; they never include what anyone wrote." }
            form.form method="post" action="/me/settings/reminders" {
                (ctx.csrf_field())
                (Input::new("email", "Email address", &r.email).kind("email").max(254).autocomplete("email").hint("Sign-in links and reminders go here.").render(errors))
                (form::checkbox("reminders", "Send me one reminder email a day when something is open", r.enabled))
                (form::select("reminder_hour", "Reminder time", &hour_refs, &r.hour, errors))
                (form::checkbox("reminder_titles", "Name the exercises in my reminder (otherwise it gives only how many are open)", r.titles))
                (form::checkbox("share_notices", "Also email me, at most once a day, when my partner has shared something with me (the email never says what)", r.share_notices))
                (form::select("quiet_start", "Quiet hours start (optional)", &none_refs, &r.quiet_start, errors))
                (form::select("quiet_end", "Quiet hours end (optional)", &none_refs, &r.quiet_end, errors))
                (form::time_zone_select_common("time_zone", "Time zone", &r.time_zone, &r.common_zones, errors))
                button.btn.btn-primary type="submit" { "Save reminder settings" }
            }
        }
    }
}

pub fn settings(
    ctx: &Ctx,
    email: &str,
    has_password: bool,
    reminders: &ReminderForm,
    errors: &Errors,
) -> Markup {
    page(
        ctx,
        "Settings",
        html! {
            div.container.narrow.flush {
                h1 { "Settings" }
                p { "You sign in as " strong { (email) } "." }
                (reminder_settings(ctx, reminders, errors))
                section.card {
                    h2 { @if has_password { "Change your password" } @else { "Set a password" } }
                    p { "Optional. Sign-in links by email keep working either way." }
                    form.form method="post" action="/me/settings/password" {
                        (ctx.csrf_field())
                        (form::summary(errors))
                        @if has_password {
                            (Input::new("current_password", "Current password", "").kind("password").max(1024).autocomplete("current-password").render(errors))
                        }
                        (Input::new("password", "New password", "").kind("password").max(256).autocomplete("new-password").hint("At least 12 characters. A short phrase of several words works well.").render(errors))
                        (Input::new("password_confirm", "New password again", "").kind("password").max(256).autocomplete("new-password").render(errors))
                        button.btn.btn-primary type="submit" { "Save password" }
                    }
                }
            }
        },
    )
}
