//! The counselor's timeline of a couple: every submitted entry with its answers and every
//! setback note, newest first, with filters, flags and comments.

use chrono::NaiveDate;
use maud::{html, Markup};

use super::entry_form;
use super::form::{self, Errors};
use super::format;
use super::layout::{page, Ctx};
use crate::db::entries::{CommentRow, EntryRow};
use crate::db::setbacks::SetbackRow;
use crate::domain::answers::FormPrompt;

pub enum Item {
    Entry {
        entry: EntryRow,
        title: String,
        safety_check: bool,
        shared_journal: bool,
        author: String,
        prompts: Vec<FormPrompt>,
        answers: Vec<(i32, String)>,
        comments: Vec<CommentRow>,
        earlier_versions: i64,
        /// A safety check or an entry that raised a safety alert: never for a joint
        /// session, no comments the partner would read.
        counselor_only: bool,
    },
    Setback {
        note: SetbackRow,
        author: String,
    },
}

impl Item {
    pub fn day(&self) -> NaiveDate {
        match self {
            Item::Entry { entry, .. } => entry.day(),
            Item::Setback { note, .. } => note.happened_on,
        }
    }
}

/// The filter values as the form shows them.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub partner: String,
    pub exercise: String,
    pub from: String,
    pub to: String,
    pub flagged: bool,
}

pub struct Timeline<'a> {
    pub couple_id: i32,
    pub label: &'a str,
    pub partners: &'a [(i32, String)],
    pub exercises: &'a [(i32, String)],
    pub filters: &'a Filters,
    pub items: &'a [Item],
    pub truncated: bool,
    /// A comment that came back: (entry id, text kept, errors).
    pub comment_error: Option<(i32, &'a str, &'a Errors)>,
    /// The reading counselor's time zone.
    pub tz: chrono_tz::Tz,
    /// This page's once-only token for its comment forms (claimed per entry).
    pub once: &'a str,
}

/// A link to the timeline, for the couple page.
pub fn timeline_link(couple_id: i32) -> Markup {
    html! { a.btn.btn-secondary href={"/couples/" (couple_id) "/timeline"} { "Timeline of entries and setbacks" } }
}

pub fn render(ctx: &Ctx, t: &Timeline<'_>) -> Markup {
    let f = t.filters;
    page(
        ctx,
        &format!("Timeline · {}", t.label),
        html! {
            div.row {
                h1 { "Timeline · " (t.label) }
                span.spacer {}
                a href={"/couples/" (t.couple_id)} { "Back to the couple" }
            }
            form.filters method="get" action={"/couples/" (t.couple_id) "/timeline"} {
                div.field {
                    label for="partner" { "Partner" }
                    select id="partner" name="partner" {
                        option value="" { "Both partners" }
                        @for (id, name) in t.partners {
                            option value=(id) selected[f.partner == id.to_string()] { (name) }
                        }
                    }
                }
                div.field {
                    label for="exercise" { "Kind" }
                    select id="exercise" name="exercise" {
                        option value="" { "Everything" }
                        option value="setbacks" selected[f.exercise == "setbacks"] { "Setbacks only" }
                        @for (id, title) in t.exercises {
                            option value=(id) selected[f.exercise == id.to_string()] { (title) }
                        }
                    }
                }
                div.field { label for="from" { "From" } input type="date" id="from" name="from" value=(f.from); }
                div.field { label for="to" { "To" } input type="date" id="to" name="to" value=(f.to); }
                (form::checkbox("flagged", "Flagged for session only", f.flagged))
                button.btn.btn-secondary type="submit" { "Show" }
            }
            @if t.items.is_empty() {
                div.empty-state { p { "Nothing matches these filters yet." } }
            } @else {
                p.muted { (t.items.len()) " items" @if t.truncated { " (the most recent; narrow the dates to see older ones)" } }
                ol.timeline {
                    @for item in t.items {
                        @match item {
                            Item::Setback { note, author } => {
                                li.timeline-item id={"setback-" (note.id)} { (super::setbacks::note(note, author)) }
                            }
                            Item::Entry { entry, title, safety_check, shared_journal, author, prompts, answers, comments, earlier_versions, counselor_only } => {
                                li.timeline-item id={"entry-" (entry.id)} {
                                    p.timeline-meta {
                                        strong { (title) } " · " (author) " · " (format::long_date(entry.day()))
                                        " "
                                        @if *safety_check { span.badge.badge-danger { "Private safety check" } }
                                        @else if *shared_journal { span.badge { "Co-journal" } }
                                        @else { span.badge.badge-muted { (entry.visibility().label()) } }
                                        @if entry.flagged_for_session { " " span.badge.badge-flag { "Discuss in session" } }
                                        @if *earlier_versions > 0 { " " span.badge.badge-muted { "Changed after submitting" } }
                                    }
                                    (entry_form::answers(prompts, answers))
                                    @for c in comments {
                                        div.notice { p.small.muted { "Your comment · " (format::local_datetime(c.created_at, t.tz)) } p.prewrap { (c.body) } }
                                    }
                                    @if *counselor_only {
                                        p.counselor-only-heading.small { strong { "For you only, not for a joint session." } " Talk with this partner on their own. It cannot be flagged for a session or commented on." }
                                        @if entry.flagged_for_session {
                                            div.actions {
                                                form.inline-form method="post" action={"/couples/" (t.couple_id) "/entries/" (entry.id) "/flag"} {
                                                    (ctx.csrf_field())
                                                    input type="hidden" name="flagged" value="off";
                                                    button.btn.btn-secondary.btn-small type="submit" { "Remove the session flag" }
                                                }
                                            }
                                        }
                                    } @else {
                                        div.actions {
                                            form.inline-form method="post" action={"/couples/" (t.couple_id) "/entries/" (entry.id) "/flag"} {
                                                (ctx.csrf_field())
                                                @if entry.flagged_for_session {
                                                    input type="hidden" name="flagged" value="off";
                                                    button.btn.btn-secondary.btn-small type="submit" { "Remove the session flag" }
                                                } @else {
                                                    input type="hidden" name="flagged" value="on";
                                                    button.btn.btn-secondary.btn-small type="submit" { "Discuss in session" }
                                                }
                                            }
                                        }
                                        @let (kept, errors) = match t.comment_error {
                                            Some((id, kept, errors)) if id == entry.id => (kept, Some(errors)),
                                            _ => ("", None),
                                        };
                                        @let no_errors = Errors::default();
                                        details open[errors.is_some()] {
                                            summary { "Leave a comment for " (author) }
                                            form.form method="post" action={"/couples/" (t.couple_id) "/entries/" (entry.id) "/comments"} {
                                                (ctx.csrf_field())
                                                (form::once_field(t.once))
                                                (form::textarea(&format!("comment-{}", entry.id), "Comment", kept, 2000, true, Some("Only the partner who wrote this entry sees your comment."), errors.unwrap_or(&no_errors)))
                                                button.btn.btn-primary.btn-small type="submit" { "Add comment" }
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
