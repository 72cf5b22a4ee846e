//! Exercise forms generated from an exercise's prompts, and the read-only display of
//! answers (used by partners and the counselor alike).

use chrono::NaiveDate;
use maud::{html, Markup};

use super::form::{self, Errors};
use crate::domain::answers::{
    field_name, shown, FormPrompt, RawAnswers, Shown, LONG_MAX, SHORT_MAX,
};
use crate::domain::exercise::{PromptKind, Visibility};

/// Everything an entry form shows.
pub struct EntryForm<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    /// The counselor's note on the assignment.
    pub note: &'a str,
    pub action: &'a str,
    pub prompts: &'a [FormPrompt],
    pub raw: &'a RawAnswers,
    pub errors: &'a Errors,
    pub visibility: Visibility,
    pub visibility_choice: bool,
    pub safety_check: bool,
    pub shared_journal: bool,
    pub paired_reveal: bool,
    /// Drafts can be saved (not once submitted, not in the journal).
    pub allow_draft: bool,
    /// Editing an entry already submitted (the earlier version is kept).
    pub editing_submitted: bool,
    pub due: Option<NaiveDate>,
    pub submit_label: &'a str,
    /// Crisis resources, shown on the safety check.
    pub crisis: Option<&'a str>,
}

/// Who will see this, in words, and the choice where the exercise offers one.
pub fn visibility_note(f: &EntryForm<'_>) -> Markup {
    html! {
        div.visibility-note {
            @if f.safety_check {
                p { strong { "Who will see this: only your counselor." } }
                p { "Your partner will not see this form, your answers, or that you filled it in." }
            } @else if f.shared_journal {
                p { strong { "Who will see this: your partner and your counselor." } }
                p { "The co-journal is shared: everything written here is read by you both and your counselor." }
            } @else if f.visibility_choice {
                fieldset.field.has-error[f.errors.get("visibility").is_some()] {
                    legend { "Who will see this?" }
                    (radio_row("visibility", "visibility-counselor", Visibility::CounselorOnly.as_str(), Visibility::CounselorOnly.label(), f.visibility == Visibility::CounselorOnly))
                    (radio_row("visibility", "visibility-partner", Visibility::CounselorAndPartner.as_str(), Visibility::CounselorAndPartner.label(), f.visibility == Visibility::CounselorAndPartner))
                }
            } @else {
                p { strong { "Who will see this: " (f.visibility.label().to_lowercase()) "." } }
            }
            @if f.paired_reveal && !f.safety_check && !f.shared_journal {
                p { "If you share this with your partner, each of you sees the other's answers only once you have both submitted." }
            }
            @if f.allow_draft {
                p.small { "A draft is seen by no one but you until you submit it." }
            }
        }
    }
}

fn radio_row(name: &str, id: &str, value: &str, label: &str, checked: bool) -> Markup {
    html! {
        div.checkbox-row {
            input type="radio" id=(id) name=(name) value=(value) checked[checked];
            label for=(id) { (label) }
        }
    }
}

pub fn render(ctx_csrf: Markup, f: &EntryForm<'_>) -> Markup {
    html! {
        h1 { (f.title) }
        @if let Some(d) = f.due {
            p.muted { "For " (super::format::weekday_date(d)) }
        }
        @if !f.summary.is_empty() { p.lead { (f.summary) } }
        @if !f.note.trim().is_empty() {
            div.notice {
                p.small.muted { "A note from your counselor" }
                p.prewrap { (f.note) }
            }
        }
        @if f.editing_submitted {
            p.flash.flash-info { "You are changing an entry you already submitted. Your earlier version is kept, and your counselor can see that it was changed." }
        }
        form.form method="post" action=(f.action) novalidate {
            (ctx_csrf)
            (form::summary(f.errors))
            (visibility_note(f))
            @if let Some(text) = f.crisis { (super::crisis::panel(text, false)) }
            @for p in f.prompts {
                (prompt_field(p, f.raw, f.errors))
            }
            div.actions {
                button.btn.btn-primary type="submit" name="intent" value="submit" { (f.submit_label) }
                @if f.allow_draft {
                    button.btn.btn-secondary type="submit" name="intent" value="draft" { "Save as draft" }
                }
                a href="/me" { "Back to home" }
            }
        }
    }
}

/// One prompt as a form control, with its help, its error and what was typed.
pub fn prompt_field(p: &FormPrompt, raw: &RawAnswers, errors: &Errors) -> Markup {
    let name = field_name(p.id);
    let error = errors.get(&name);
    let label = html! {
        (p.def.label)
        @if !p.def.required { span.muted.small { " (optional)" } }
    };
    let help = (!p.def.help.is_empty()).then_some(p.def.help.as_str());
    let value = raw.text(p.id);
    let described = error.map(|_| format!("{name}-error"));
    match &p.def.kind {
        PromptKind::LongText | PromptKind::List => {
            html! {
                div.field.has-error[error.is_some()] {
                    label for=(name) { (label) }
                    @if let Some(h) = help { p.hint { (h) } }
                    @if p.def.kind == PromptKind::List { p.hint { "One item per line." } }
                    textarea id=(name) name=(name) maxlength=(LONG_MAX) rows="6"
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[described.clone()] { (value) }
                    @if let Some(e) = error { p.error id={(name) "-error"} role="alert" { (e) } }
                }
            }
        }
        PromptKind::ShortText | PromptKind::Date => {
            let kind = if p.def.kind == PromptKind::Date {
                "date"
            } else {
                "text"
            };
            html! {
                div.field.has-error[error.is_some()] {
                    label for=(name) { (label) }
                    @if let Some(h) = help { p.hint { (h) } }
                    input type=(kind) id=(name) name=(name) value=(value) maxlength=[(kind == "text").then_some(SHORT_MAX)]
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[described.clone()];
                    @if let Some(e) = error { p.error id={(name) "-error"} role="alert" { (e) } }
                }
            }
        }
        PromptKind::Scale {
            min,
            max,
            low_label,
            high_label,
        } => html! {
            fieldset.field.has-error[error.is_some()] aria-describedby=[described.clone()] {
                legend { (label) }
                @if let Some(h) = help { p.hint { (h) } }
                div.scale-ends aria-hidden="true" {
                    span { (min) " · " (low_label) }
                    span { (max) " · " (high_label) }
                }
                div.scale {
                    @for n in *min..=*max {
                        @let id = format!("{name}-{n}");
                        @let end = if n == *min { Some(low_label) } else if n == *max { Some(high_label) } else { None };
                        input type="radio" id=(id) name=(name) value=(n) checked[value == n.to_string()];
                        label for=(id) { (n) @if let Some(end) = end { span.visually-hidden { ", " (end) } } }
                    }
                }
                @if let Some(e) = error { p.error id={(name) "-error"} role="alert" { (e) } }
            }
        },
        PromptKind::YesNo => html! {
            fieldset.field.has-error[error.is_some()] aria-describedby=[described.clone()] {
                legend { (label) }
                @if let Some(h) = help { p.hint { (h) } }
                div.scale {
                    input type="radio" id={(name) "-yes"} name=(name) value="yes" checked[value == "yes"];
                    label for={(name) "-yes"} { "Yes" }
                    input type="radio" id={(name) "-no"} name=(name) value="no" checked[value == "no"];
                    label for={(name) "-no"} { "No" }
                }
                @if let Some(e) = error { p.error id={(name) "-error"} role="alert" { (e) } }
            }
        },
        PromptKind::Checklist { options } => html! {
            fieldset.field.has-error[error.is_some()] aria-describedby=[described.clone()] {
                legend { (label) }
                @if let Some(h) = help { p.hint { (h) } }
                @for (i, o) in options.iter().enumerate() {
                    @let id = format!("{name}-{i}");
                    div.checkbox-row {
                        input type="checkbox" id=(id) name=(name) value=(o) checked[raw.values(p.id).contains(o)];
                        label for=(id) { (o) }
                    }
                }
                @if let Some(e) = error { p.error id={(name) "-error"} role="alert" { (e) } }
            }
        },
    }
}

/// Answers as a definition list, in the exercise's order; unanswered prompts say so.
pub fn answers(prompts: &[FormPrompt], stored: &[(i32, String)]) -> Markup {
    html! {
        dl.answers {
            @for p in prompts {
                dt { (p.def.label) }
                @match stored.iter().find(|(id, _)| *id == p.id) {
                    None => dd.muted { "No answer" },
                    Some((_, v)) => dd { (shown_value(&shown(&p.def.kind, v))) },
                }
            }
        }
    }
}

fn shown_value(s: &Shown) -> Markup {
    match s {
        Shown::Text(t) | Shown::Date(t) => html! { (t) },
        Shown::Items(items) => html! {
            ul { @for i in items { li { (i) } } }
        },
        Shown::Scale {
            value,
            min,
            max,
            low,
            high,
        } => html! {
            strong { (value) } " on a scale of " (min) " (" (low) ") to " (max) " (" (high) ")"
        },
        Shown::YesNo(true) => html! { "Yes" },
        Shown::YesNo(false) => html! { "No" },
    }
}
