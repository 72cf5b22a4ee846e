//! Changing a running assignment: how often, its dates, who does it, the note and the
//! reminders. What was owed before today stays as it was (`domain::assignment_edit`);
//! every change is kept in the assignment's history and audited.

use actix_web::{web, HttpResponse};
use chrono::Utc;

use crate::auth::Counselor;
use crate::db::{self, assignments::AssignmentRow, couples::PartnerRow, DbConnection};
use crate::domain::assignment_edit::{plan, unowed_past, EditPlan, PastDates};
use crate::domain::assignment_form::{
    Assignee, AssignmentForm, ExerciseFacts, ValidAssignment, WEEKDAYS,
};
use crate::domain::audit_action::AuditAction;
use crate::domain::status::AssignmentStatus;
use crate::domain::validation::Errors;
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::scope::{audit_event, counselor_tz, parse_id, record_denied, with_couple};
use crate::web::{form_pairs, html, html_invalid, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/couples/{id}/assignments/{aid}/edit",
        web::get().to(edit_form),
    )
    .route(
        "/couples/{id}/assignments/{aid}/edit",
        web::post().to(update),
    );
}

/// The form as the assignment stands.
fn form_of(a: &AssignmentRow) -> AssignmentForm {
    let bits = a.weekdays.clamp(0, 127);
    AssignmentForm {
        exercise_id: a.exercise_id.to_string(),
        assignee: a.assignee.clone(),
        cadence: a.cadence.clone(),
        due_date: a.due_date.map(|d| d.to_string()).unwrap_or_default(),
        weekdays: WEEKDAYS
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, (code, _, _))| code.to_string())
            .collect(),
        interval_days: a.interval_days.to_string(),
        start_date: a.start_date.to_string(),
        end_date: a.end_date.map(|d| d.to_string()).unwrap_or_default(),
        note: a.note.clone(),
        reminders: a.reminders,
        past_owed: String::new(),
        partner_title: a.partner_title.clone(),
    }
}

/// The assignment as it stands, in the shape an edit is compared with.
fn as_valid(a: &AssignmentRow) -> ValidAssignment {
    ValidAssignment {
        exercise_id: a.exercise_id,
        assignee: Assignee::parse(&a.assignee).unwrap_or(Assignee::Both),
        cadence: a.cadence(),
        start_date: a.start_date,
        end_date: a.end_date,
        note: a.note.clone(),
        reminders: a.reminders,
        partner_title: a.partner_title.clone(),
    }
}

/// What the form page needs besides the form.
struct Page {
    couple: db::couples::CoupleRow,
    partners: Vec<PartnerRow>,
    title: String,
    started: bool,
}

/// The assignment if it is this couple's; a miss is audited as a denial.
fn own_assignment(
    conn: &mut DbConnection,
    me: i32,
    couple_id: i32,
    aid: i32,
    action: AuditAction,
    request_id: &str,
) -> Result<Option<AssignmentRow>, AppError> {
    match db::assignments::find_in_couple(conn, couple_id, aid) {
        Ok(a) => Ok(Some(a)),
        Err(diesel::result::Error::NotFound) => {
            record_denied(
                conn,
                me,
                couple_id,
                AuditAction::AssignmentDenied,
                action,
                request_id,
            )?;
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

fn page_data(
    conn: &mut DbConnection,
    me: i32,
    c: &db::couples::CoupleRow,
    a: &AssignmentRow,
) -> Result<Page, AppError> {
    let tz = counselor_tz(conn, me)?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    Ok(Page {
        couple: c.clone(),
        partners: db::couples::partners_of(conn, c.id)?,
        title: db::exercises::by_id(conn, a.exercise_id)?.title,
        started: a.start_date < today,
    })
}

enum Shown {
    Form(Box<(Page, AssignmentForm)>),
    Away,
    Missing,
}

async fn edit_form(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.0)?;
    let aid = parse_id(&path.1)?;
    let request_id = ctx.request_id.clone();
    let shown = with_couple(
        &state,
        me.id,
        id,
        AuditAction::AssignmentViewEdit,
        &ctx.request_id,
        move |conn, c| {
            let action = AuditAction::AssignmentViewEdit;
            let Some(a) = own_assignment(conn, me.id, c.id, aid, action, &request_id)? else {
                return Ok(Shown::Missing);
            };
            if c.is_closed() || a.status == AssignmentStatus::Ended {
                return Ok(Shown::Away);
            }
            db::audit::record(
                conn,
                &audit_event(me.id, action, c.id, &request_id).target("assignment", aid),
            )?;
            Ok(Shown::Form(Box::new((
                page_data(conn, me.id, c, &a)?,
                form_of(&a),
            ))))
        },
    )
    .await?;
    match shown {
        Shown::Missing => Err(AppError::NotFound),
        Shown::Away => Ok(see_other(&format!("/couples/{id}"))),
        Shown::Form(b) => {
            let (p, form) = *b;
            Ok(html(views::assignments::edit_form(
                &ctx,
                &p.couple,
                &p.partners,
                &p.title,
                aid,
                &form,
                &Errors::default(),
                p.started,
            )))
        }
    }
}

enum Saved {
    Done(&'static str),
    Invalid(Box<(Page, AssignmentForm, Errors)>),
    Closed,
    Ended,
    Missing,
}

async fn update(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.0)?;
    let aid = parse_id(&path.1)?;
    let pairs = form_pairs(&body)?;
    let request_id = ctx.request_id.clone();
    let saved = with_couple(
        &state,
        me.id,
        id,
        AuditAction::AssignmentUpdate,
        &ctx.request_id,
        move |conn, c| {
            let action = AuditAction::AssignmentUpdate;
            let Some(a) = own_assignment(conn, me.id, c.id, aid, action, &request_id)? else {
                return Ok(Saved::Missing);
            };
            if c.is_closed() {
                return Ok(Saved::Closed);
            }
            if a.status == AssignmentStatus::Ended {
                return Ok(Saved::Ended);
            }
            let mut form = AssignmentForm::from_pairs(&pairs);
            // The exercise never changes here.
            form.exercise_id = a.exercise_id.to_string();
            let exercise = db::exercises::by_id(conn, a.exercise_id)?;
            let facts = ExerciseFacts {
                id: exercise.id,
                safety_check: exercise.safety_check,
            };
            let tz = counselor_tz(conn, me.id)?;
            let today = Utc::now().with_timezone(&tz).date_naive();
            let new = match form.validate(Some(facts)) {
                Ok(v) => v,
                Err(errors) => {
                    let p = page_data(conn, me.id, c, &a)?;
                    return Ok(Saved::Invalid(Box::new((p, form, errors))));
                }
            };
            let planned = match plan(&as_valid(&a), &new, today) {
                Ok(p) => p,
                Err(errors) => {
                    let p = page_data(conn, me.id, c, &a)?;
                    return Ok(Saved::Invalid(Box::new((p, form, errors))));
                }
            };
            let (target, changes) = match planned {
                EditPlan::Unchanged => return Ok(Saved::Done("assignment-unchanged")),
                EditPlan::InPlace { changes } => {
                    db::assignment_changes::update_in_place(conn, a.id, &new)?;
                    let past = PastDates::parse(&form.past_owed);
                    if a.start_date >= today {
                        if let Some(p) = unowed_past(new.start_date, today, past) {
                            db::assignment_changes::add_pause(conn, a.id, &p)?;
                        }
                    }
                    (a.id, changes)
                }
                EditPlan::Continue {
                    effective,
                    start,
                    changes,
                } => {
                    let continued = ValidAssignment {
                        start_date: start,
                        ..new
                    };
                    let new_id =
                        db::assignment_changes::continue_as(conn, &a, &continued, effective)?;
                    (new_id, changes)
                }
            };
            let summary = changes.join("; ");
            db::assignment_changes::record(conn, target, me.id, today, &summary)?;
            db::audit::record(
                conn,
                &audit_event(me.id, action, c.id, &request_id)
                    .target("assignment", target)
                    .detail(if target == a.id {
                        summary
                    } else {
                        format!("replaces={}; {summary}", a.id)
                    }),
            )?;
            Ok(Saved::Done("assignment-updated"))
        },
    )
    .await?;
    match saved {
        Saved::Missing => Err(AppError::NotFound),
        Saved::Closed => Ok(see_other(&format!("/couples/{id}?notice=couple-closed"))),
        Saved::Ended => Ok(see_other(&format!("/couples/{id}"))),
        Saved::Done(notice) => Ok(see_other(&format!("/couples/{id}?notice={notice}"))),
        Saved::Invalid(b) => {
            let (p, form, errors) = *b;
            Ok(html_invalid(views::assignments::edit_form(
                &ctx,
                &p.couple,
                &p.partners,
                &p.title,
                aid,
                &form,
                &errors,
                p.started,
            )))
        }
    }
}
