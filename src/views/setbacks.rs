//! Setback notes: the form a partner fills in at any time, and reading them back.

use maud::{html, Markup};

use super::form::{self, Errors};
use super::layout::{page, Ctx};
use crate::db::setbacks::SetbackRow;
use crate::domain::entry::{severity_label, SetbackForm, SETBACK_TEXT_MAX};
use crate::domain::exercise::Visibility;

fn radio(name: &str, value: &str, label: &str, checked: bool) -> Markup {
    let id = format!("{name}-{value}");
    html! {
        input type="radio" id=(id) name=(name) value=(value) checked[checked];
        label for=(id) { (label) }
    }
}

/// Where a setback form posts: a new note (with its once-only token) or an edit.
pub enum SetbackTarget<'a> {
    New { once: &'a str },
    Edit { id: i32 },
}

pub fn form_page(
    ctx: &Ctx,
    f: &SetbackForm,
    errors: &Errors,
    max_date: &str,
    target: SetbackTarget<'_>,
) -> Markup {
    let (title, action, once) = match &target {
        SetbackTarget::New { once } => ("Log a setback", "/me/setbacks".to_string(), Some(*once)),
        SetbackTarget::Edit { id } => ("Change a setback note", format!("/me/setbacks/{id}"), None),
    };
    let err = |name: &str| {
        errors
            .get(name)
            .map(|e| html! { p.error role="alert" { (e) } })
    };
    page(
        ctx,
        title,
        html! {
            div.container.narrow.flush {
                h1 { (title) }
                @if once.is_some() {
                    p.lead { "Setbacks are a normal part of rebuilding trust, not a failure. Writing one down helps you both understand it and learn from it." }
                } @else {
                    p.lead { "Your note as it was is kept as an earlier version; your counselor can see that it was changed." }
                }
                form.form method="post" action=(action) novalidate {
                    (ctx.csrf_field())
                    @if let Some(once) = once { (form::once_field(once)) }
                    (form::summary(errors))
                    fieldset.field.has-error[errors.get("visibility").is_some()] {
                        legend { "Who will see this?" }
                        div.checkbox-row { (radio("visibility", Visibility::CounselorOnly.as_str(), Visibility::CounselorOnly.label(), f.visibility != Visibility::CounselorAndPartner.as_str())) }
                        div.checkbox-row { (radio("visibility", Visibility::CounselorAndPartner.as_str(), Visibility::CounselorAndPartner.label(), f.visibility == Visibility::CounselorAndPartner.as_str())) }
                        @if let Some(e) = err("visibility") { (e) }
                    }
                    div.field.has-error[errors.get("happened_on").is_some()] {
                        label for="happened_on" { "When did it happen?" }
                        input type="date" id="happened_on" name="happened_on" value=(f.happened_on) max=(max_date);
                        @if let Some(e) = err("happened_on") { (e) }
                    }
                    (form::textarea("what_happened", "What happened?", &f.what_happened, SETBACK_TEXT_MAX, true, Some("In your own words; a few sentences are enough."), errors))
                    (form::textarea("trigger_text", "What triggered it?", &f.trigger_text, SETBACK_TEXT_MAX, false, Some("Optional. A moment, a word, a memory, a situation."), errors))
                    (form::textarea("reaction", "How did you react?", &f.reaction, SETBACK_TEXT_MAX, false, Some("Optional."), errors))
                    fieldset.field.has-error[errors.get("repair_attempted").is_some()] {
                        legend { "Did either of you try to repair things afterwards?" }
                        div.scale {
                            (radio("repair_attempted", "yes", "Yes", f.repair_attempted == "yes"))
                            (radio("repair_attempted", "no", "No", f.repair_attempted == "no"))
                        }
                        @if let Some(e) = err("repair_attempted") { (e) }
                    }
                    (form::textarea("repair_text", "If so, what was the repair attempt?", &f.repair_text, SETBACK_TEXT_MAX, false, Some("Optional. An apology, a pause, a hug, a talk later."), errors))
                    fieldset.field.has-error[errors.get("severity").is_some()] {
                        legend { "How hard was it?" }
                        div.scale-ends aria-hidden="true" { span { "1 · a small wobble" } span { "5 · one of the hardest moments" } }
                        div.scale {
                            @for n in 1..=5 {
                                @let v = n.to_string();
                                input type="radio" id={"severity-" (n)} name="severity" value=(v) checked[f.severity == v];
                                label for={"severity-" (n)} {
                                    (n) span.visually-hidden { (severity_label(n).trim_start_matches(|c: char| c.is_ascii_digit())) }
                                }
                            }
                        }
                        @if let Some(e) = err("severity") { (e) }
                    }
                    (form::textarea("do_differently", "What would you do differently next time?", &f.do_differently, SETBACK_TEXT_MAX, false, Some("Optional. It is fine not to know yet."), errors))
                    (form::checkbox("raise_in_session", "I would like to talk about this in our next session", f.raise_in_session.is_some()))
                    div.actions {
                        button.btn.btn-primary type="submit" { @if once.is_some() { "Save this note" } @else { "Save my changes" } }
                        a href="/me/setbacks" { "Cancel" }
                    }
                }
            }
        },
    )
}

/// One note as the counselor or a partner reads it.
pub fn note(s: &SetbackRow, author: &str) -> Markup {
    html! {
        p.timeline-meta {
            "Setback · " (author) " · " (super::format::long_date(s.happened_on)) " · severity " (severity_label(s.severity))
            @if s.raise_in_session { " " span.badge.badge-flag { "Raise in session" } }
            " " span.badge.badge-muted { (s.visibility().label()) }
        }
        dl.answers {
            dt { "What happened" } dd { (s.what_happened) }
            @if !s.trigger_text.is_empty() { dt { "What triggered it" } dd { (s.trigger_text) } }
            @if !s.reaction.is_empty() { dt { "Reaction" } dd { (s.reaction) } }
            dt { "Repair attempt" }
            dd { @if s.repair_attempted { "Yes" @if !s.repair_text.is_empty() { ": " (s.repair_text) } } @else { "No" } }
            @if !s.do_differently.is_empty() { dt { "What to do differently" } dd { (s.do_differently) } }
        }
    }
}

pub fn list(ctx: &Ctx, notes: &[(SetbackRow, String)]) -> Markup {
    page(
        ctx,
        "Setbacks",
        html! {
            div.container.narrow.flush {
                div.row { h1 { "Setbacks" } span.spacer {} a.btn.btn-primary href="/me/setbacks/new" { "Log a setback" } }
                @if notes.is_empty() {
                    div.empty-state { p { "No setbacks logged. If one happens, writing it down helps." } }
                } @else {
                    ol.timeline {
                        @for (s, author) in notes {
                            li.timeline-item id={"setback-" (s.id)} { (note(s, author)) }
                        }
                    }
                }
            }
        },
    )
}

/// One note for a partner; the author may change it while `editable`.
pub fn detail(
    ctx: &Ctx,
    s: &SetbackRow,
    author: &str,
    editable: bool,
    earlier_versions: i64,
) -> Markup {
    page(
        ctx,
        "Setback",
        html! {
            div.container.narrow.flush {
                h1 { "Setback" }
                div.card { (note(s, author)) }
                @if earlier_versions > 0 { p.small.muted { "Changed after it was first saved; the earlier wording is kept." } }
                @if editable { p { a.btn.btn-secondary href={"/me/setbacks/" (s.id) "/edit"} { "Change this note" } } }
                p { a href="/me/setbacks" { "All setbacks" } }
            }
        },
    )
}
