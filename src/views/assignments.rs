//! The form that assigns a library exercise to a couple.

use maud::{html, Markup};

use super::form::{self, Errors, Input};
use super::layout::{page, Ctx};
use crate::db::couples::{CoupleRow, PartnerRow};
use crate::domain::assignment_form::{Assignee, AssignmentForm, CADENCES, WEEKDAYS};

/// One exercise in the picker, with the partner the couple's record proposes.
pub struct ExerciseChoice {
    pub id: i32,
    pub title: String,
    pub performer_label: &'static str,
    pub safety_check: bool,
    pub proposed: Option<Assignee>,
}

fn assignee_name(a: Assignee, partners: &[PartnerRow]) -> String {
    let name = |i: usize| {
        partners
            .get(i)
            .map(|p| p.display_name.clone())
            .unwrap_or_else(|| format!("Partner {}", i + 1))
    };
    match a {
        Assignee::Both => "both partners".to_string(),
        Assignee::A => name(0),
        Assignee::B => name(1),
    }
}

pub fn new_form(
    ctx: &Ctx,
    couple: &CoupleRow,
    partners: &[PartnerRow],
    exercises: &[ExerciseChoice],
    f: &AssignmentForm,
    errors: &Errors,
    once: &str,
) -> Markup {
    let back = format!("/couples/{}", couple.id);
    let chosen = f
        .exercise_id()
        .and_then(|id| exercises.iter().find(|x| x.id == id));
    let name = |i: usize| {
        partners
            .get(i)
            .map(|p| p.display_name.as_str())
            .unwrap_or("")
    };
    page(
        ctx,
        "Assign an exercise",
        html! {
            p { a href=(back) { "← " (couple.label) } }
            h1 { "Assign an exercise" }
            (form::summary(errors))
            form.form.card method="post" action={"/couples/" (couple.id) "/assignments/new"} novalidate {
                (ctx.csrf_field())
                (form::once_field(once))
                (form::field("exercise_id", "Exercise", Some("Each exercise shows who it is meant for and who the couple's record proposes."), errors, html! {
                    select id="exercise_id" name="exercise_id" {
                        option value="" { "Choose an exercise" }
                        @for x in exercises {
                            option value=(x.id) selected[f.exercise_id == x.id.to_string()] {
                                (x.title) " — " (x.performer_label)
                                @if let Some(p) = x.proposed { " → " (assignee_name(p, partners)) }
                                @if x.safety_check { " (private, one partner at a time)" }
                            }
                        }
                    }
                }))
                (form::field("assignee", "Who does it", None, errors, html! {
                    select id="assignee" name="assignee" {
                        option value="" selected[f.assignee.is_empty()] { "As proposed for the exercise" }
                        option value="both" selected[f.assignee == "both"] { "Both partners" }
                        option value="a" selected[f.assignee == "a"] { (name(0)) }
                        option value="b" selected[f.assignee == "b"] { (name(1)) }
                    }
                }))
                @if let Some(x) = chosen {
                    @if x.safety_check {
                        p.visibility-note.small { "The private safety check is never shown to the other partner. Assign it to one partner at a time." }
                        (Input::new("partner_title", "Title the partner sees", &f.partner_title).optional().max(60)
                            .hint("Optional. A neutral name in case someone looks over their shoulder; empty means “Personal check-in”.").render(errors))
                    } @else if x.proposed.is_none() {
                        p.visibility-note.small { "This exercise is for one partner and the couple's record does not say which; choose who does it." }
                    }
                }
                (schedule_fields(f, errors, true))
                div.actions {
                    button.btn.btn-primary type="submit" { "Assign" }
                    a.btn.btn-secondary href=(back) { "Cancel" }
                }
            }
        },
    )
}

/// How often, from when to when, the note and reminders: shared by the new and edit forms.
/// `start_editable` is false once an assignment has begun (its start stays).
pub fn schedule_fields(f: &AssignmentForm, errors: &Errors, start_editable: bool) -> Markup {
    html! {
        (form::select("cadence", "How often", &CADENCES, &f.cadence, errors))
        (Input::new("due_date", "Due date (for “once”)", &f.due_date).kind("date").optional().render(errors))
        fieldset.field.has-error[errors.get("weekday").is_some()] {
            legend { "Days (for “on chosen weekdays”)" }
            div.row {
                @for (code, label, _) in WEEKDAYS {
                    @let id = format!("weekday-{code}");
                    span.checkbox-row {
                        input type="checkbox" id=(id) name="weekday" value=(code) checked[f.has_weekday(code)];
                        label for=(id) { (label) }
                    }
                }
            }
            @if let Some(e) = errors.get("weekday") { p.error id="weekday-error" role="alert" { (e) } }
        }
        (Input::new("interval_days", "Every how many days (for “every few days”)", &f.interval_days)
            .kind("number").optional().max(3).render(errors))
        @if start_editable {
            (Input::new("start_date", "Start date", &f.start_date).kind("date").render(errors))
            (past_owed_field(f))
        } @else {
            input type="hidden" name="start_date" value=(f.start_date);
            p.small { "Started on " (f.start_date) ". A change to how often or who does it applies from today; what was owed before stays as it was." }
            @if let Some(e) = errors.get("start_date") { p.error role="alert" { (e) } }
        }
        (Input::new("end_date", "End date", &f.end_date).kind("date").optional()
            .hint("Optional. Leave empty to keep it going until you end it.").render(errors))
        (form::textarea("note", "A note for the partners", &f.note, 2000, false,
            Some("Optional. Shown with the exercise, e.g. what to focus on this week."), errors))
        (form::checkbox("reminders", "Send reminders to the partners", f.reminders))
    }
}

/// For a start date in the past: are the dates before today owed? Default: no.
fn past_owed_field(f: &AssignmentForm) -> Markup {
    let all = f.past_owed == "all";
    html! {
        fieldset.field {
            legend { "If the start date is before today" }
            div.checkbox-row {
                input type="radio" id="past-owed-today" name="past_owed" value="today" checked[!all];
                label for="past-owed-today" { "Owe entries from today on; the earlier dates are not owed" }
            }
            div.checkbox-row {
                input type="radio" id="past-owed-all" name="past_owed" value="all" checked[all];
                label for="past-owed-all" { "Owe every date from the start date, the past ones included" }
            }
        }
    }
}

/// The form that changes a running assignment (the exercise stays the same).
#[expect(clippy::too_many_arguments)]
pub fn edit_form(
    ctx: &Ctx,
    couple: &CoupleRow,
    partners: &[PartnerRow],
    exercise_title: &str,
    assignment_id: i32,
    f: &AssignmentForm,
    errors: &Errors,
    started: bool,
) -> Markup {
    let back = format!("/couples/{}", couple.id);
    let name = |i: usize| {
        partners
            .get(i)
            .map(|p| p.display_name.as_str())
            .unwrap_or("")
    };
    page(
        ctx,
        "Change an assignment",
        html! {
            p { a href=(back) { "← " (couple.label) } }
            h1 { "Change “" (exercise_title) "”" }
            (form::summary(errors))
            form.form.card method="post" action={"/couples/" (couple.id) "/assignments/" (assignment_id) "/edit"} novalidate {
                (ctx.csrf_field())
                (form::field("assignee", "Who does it", None, errors, html! {
                    select id="assignee" name="assignee" {
                        option value="both" selected[f.assignee == "both"] { "Both partners" }
                        option value="a" selected[f.assignee == "a"] { (name(0)) }
                        option value="b" selected[f.assignee == "b"] { (name(1)) }
                    }
                }))
                (schedule_fields(f, errors, !started))
                div.actions {
                    button.btn.btn-primary type="submit" { "Save the change" }
                    a.btn.btn-secondary href=(back) { "Cancel" }
                }
            }
        },
    )
}
