//! The exercise library: list with filters, one exercise, and the custom exercise form.

use maud::{html, Markup};

use super::form::{self, Errors, Input};
use super::layout::{page, Ctx};
use crate::db::exercises::{ExerciseRow, PromptRow};
use crate::domain::custom_exercise::{ExerciseForm, PromptForm};
use crate::domain::exercise::{element_name, Performer, PromptKind, Visibility, ELEMENTS};

pub fn elements_text(row: &ExerciseRow) -> String {
    row.element_numbers()
        .iter()
        .filter_map(|n| element_name(*n))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn list(
    ctx: &Ctx,
    rows: &[ExerciseRow],
    element: Option<u8>,
    performer: Option<Performer>,
    archived: bool,
) -> Markup {
    page(
        ctx,
        "Exercise library",
        html! {
            div.row {
                h1 { "Exercise library" }
                span.spacer {}
                a.btn.btn-primary href="/exercises/new" { "Write your own exercise" }
            }
            form.filters method="get" action="/exercises" {
                div.field {
                    label for="element" { "Practice element" }
                    select id="element" name="element" {
                        option value="" { "All elements" }
                        @for (n, name) in ELEMENTS.iter() {
                            option value=(n) selected[element == Some(*n)] { (n) ". " (name) }
                        }
                    }
                }
                div.field {
                    label for="performer" { "Who does it" }
                    select id="performer" name="performer" {
                        option value="" { "Anyone" }
                        @for p in Performer::ALL {
                            option value=(p.as_str()) selected[performer == Some(p)] { (p.label()) }
                        }
                    }
                }
                (form::checkbox("archived", "Show my archived exercises", archived))
                button.btn.btn-secondary type="submit" { "Filter" }
            }
            @if rows.is_empty() {
                div.empty-state { p { "No exercise matches these filters." } a href="/exercises" { "Show the whole library" } }
            } @else {
                p.muted { (rows.len()) " exercises" }
                div.card-grid {
                    @for r in rows {
                        article.card.stack {
                            h2 { a href={"/exercises/" (r.id)} { (r.title) } }
                            div.flags {
                                @if r.is_builtin() { span.badge.badge-muted { "Built in" } } @else { span.badge.badge-ok { "Yours" } }
                                @if r.archived_at.is_some() { span.badge.badge-flag { "Archived" } }
                                span.badge { (r.performer().label()) }
                                span.badge { (r.cadence_hint) }
                            }
                            p { (r.summary) }
                            p.small.muted { (elements_text(r)) }
                        }
                    }
                }
            }
        },
    )
}

fn kind_description(p: &PromptRow) -> String {
    match p.kind() {
        PromptKind::Scale {
            min,
            max,
            low_label,
            high_label,
        } => {
            format!("Scale {min}–{max} ({low_label} … {high_label})")
        }
        PromptKind::Checklist { options } => format!("Checklist: {}", options.join(", ")),
        other => other.name().to_string(),
    }
}

pub fn detail(ctx: &Ctx, row: &ExerciseRow, prompts: &[PromptRow], own: bool) -> Markup {
    page(
        ctx,
        &row.title,
        html! {
            p { a href="/exercises" { "← Exercise library" } }
            h1 { (row.title) }
            div.flags {
                @if row.is_builtin() { span.badge.badge-muted { "Built in" } } @else { span.badge.badge-ok { "Your exercise" } }
                @if row.archived_at.is_some() { span.badge.badge-flag { "Archived" } }
                @if row.safety_check { span.badge.badge-danger { "Private safety check" } }
            }
            p.lead { (row.summary) }
            section.card {
                dl.answers {
                    dt { "Who does it" } dd { (row.performer().label()) }
                    dt { "Suggested cadence" } dd { (row.cadence_hint) }
                    dt { "Practice elements" } dd { (elements_text(row)) }
                    dt { "Who sees the answers" }
                    dd {
                        (row.visibility().label()) " by default"
                        @if row.visibility_choice { "; the partner may choose" }
                        @if row.paired_reveal { ". Shared answers are revealed once both partners have submitted" }
                        "."
                    }
                }
            }
            section.card.stack {
                h2 { "Questions" }
                ol {
                    @for p in prompts {
                        li {
                            strong { (p.label) }
                            @if !p.required { " " span.muted { "(optional)" } }
                            br;
                            span.small.muted { (kind_description(p)) }
                            @if !p.help.is_empty() { br; span.small { (p.help) } }
                            @if p.raises_alert {
                                br;
                                span.small.concerning {
                                    @if p.kind == "yes_no" { "A “yes” here raises a safety alert for the counselor." }
                                    @else { "Any answer here raises a safety alert for the counselor." }
                                }
                            }
                        }
                    }
                }
            }
            @if own {
                div.actions {
                    a.btn.btn-secondary href={"/exercises/" (row.id) "/edit"} { "Edit" }
                    @let (action, label) = if row.archived_at.is_some() { ("restore", "Restore to library") } else { ("archive", "Archive") };
                    form.inline-form method="post" action={"/exercises/" (row.id) "/" (action)} {
                        (ctx.csrf_field())
                        button.btn.btn-secondary type="submit" { (label) }
                    }
                }
            }
        },
    )
}

fn prompt_row(i: usize, p: &PromptForm, errors: &Errors) -> Markup {
    let f = |name: &str| format!("p{i}_{name}");
    html! {
        fieldset.card.stack {
            legend { "Question " (i + 1) }
            (form::select(&f("kind"), "Kind of answer",
                &crate::domain::exercise::PromptKind::NAMES, &p.kind, errors))
            (Input::new(&f("label"), "Question", &p.label).optional().max(300).render(errors))
            (Input::new(&f("help"), "Help text (optional)", &p.help).optional().max(500).render(errors))
            (form::checkbox(&f("required"), "An answer is required", p.required))
            (form::checkbox(&f("alert"), "Concerning answers raise a safety alert (yes/no: a “yes”; other kinds: any answer)", p.alert))
            @if let Some(e) = errors.get(&f("alert")) { p.error role="alert" { (e) } }
            details open[!p.min.is_empty() || errors.get(&f("min")).is_some() || errors.get(&f("max")).is_some() || errors.get(&f("low")).is_some()] {
                summary { "For a number scale" }
                div.row {
                    (Input::new(&f("min"), "Lowest value", &p.min).kind("number").optional().max(4).render(errors))
                    (Input::new(&f("max"), "Highest value", &p.max).kind("number").optional().max(4).render(errors))
                }
                (Input::new(&f("low"), "Label at the low end", &p.low).optional().max(60).render(errors))
                (Input::new(&f("high"), "Label at the high end", &p.high).optional().max(60).render(errors))
            }
            details open[!p.options.is_empty() || errors.get(&f("options")).is_some()] {
                summary { "For a checklist" }
                (form::textarea(&f("options"), "Options, one per line", &p.options, 2100, false, None, errors))
            }
        }
    }
}

pub fn edit_form(
    ctx: &Ctx,
    title: &str,
    action: &str,
    v: &ExerciseForm,
    errors: &Errors,
    once: Option<&str>,
) -> Markup {
    let performers: Vec<(&str, &str)> = Performer::ALL
        .iter()
        .map(|p| (p.as_str(), p.label()))
        .collect();
    let visibilities = [
        (Visibility::CounselorOnly.as_str(), "Only the counselor"),
        (
            Visibility::CounselorAndPartner.as_str(),
            "The counselor and the other partner",
        ),
    ];
    page(
        ctx,
        title,
        html! {
            p { a href="/exercises" { "← Exercise library" } }
            h1 { (title) }
            (form::summary(errors))
            form.form.stack method="post" action=(action) novalidate {
                (ctx.csrf_field())
                @if let Some(token) = once { (form::once_field(token)) }
                section.card.stack {
                    (Input::new("title", "Title", &v.title).max(120).render(errors))
                    (form::textarea("summary", "What it is for (shown to partners)", &v.summary, 2000, false, None, errors))
                    (form::select("performer", "Who does it", &performers, &v.performer, errors))
                    (Input::new("cadence_hint", "Suggested cadence", &v.cadence_hint).optional().max(60).hint("For example: weekly, daily, once.").render(errors))
                    (form::select("visibility", "Who sees the answers by default", &visibilities, &v.visibility, errors))
                    (form::checkbox("visibility_choice", "Partners may choose who sees each entry", v.visibility_choice))
                    (form::checkbox("paired_reveal", "Hold a shared answer back until both partners have submitted", v.paired_reveal))
                    fieldset {
                        legend { "Practice elements it serves" }
                        @if let Some(e) = errors.get("elements") { p.error role="alert" { (e) } }
                        @for (n, name) in ELEMENTS.iter() {
                            div.checkbox-row {
                                input type="checkbox" id={"element-" (n)} name="element" value=(n) checked[v.elements.contains(n)];
                                label for={"element-" (n)} { (name) }
                            }
                        }
                    }
                }
                h2 { "Questions" }
                p.muted { "Fill in as many as you need; empty questions are left out." }
                @if let Some(e) = errors.get("prompts") { p.error role="alert" id="prompts-error" { (e) } }
                @for (i, p) in v.prompts.iter().enumerate() {
                    (prompt_row(i, p, errors))
                }
                div.actions {
                    button.btn.btn-primary type="submit" name="intent" value="save" { "Save exercise" }
                    button.btn.btn-secondary type="submit" name="intent" value="more" { "Add three more questions" }
                }
            }
        },
    )
}
