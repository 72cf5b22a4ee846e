//! Assigning library exercises to a couple, and pausing, resuming or ending them.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use crate::auth::{token, Counselor};
use crate::db::{self, assignments::Changed, exercises::LibraryFilter, DbConnection};
use crate::domain::assignment_edit::{unowed_past, PastDates};
use crate::domain::assignment_form::{propose, AssignmentForm, ExerciseFacts};
use crate::domain::audit_action::AuditAction;
use crate::domain::couple::BreachBy;
use crate::domain::validation::Errors;
use crate::error::AppError;
use crate::views::{self, assignments::ExerciseChoice, Ctx};
use crate::web::scope::{
    after_change, audit_event, change_couple, counselor_tz, parse_id, record_denied, view_couple,
    Change,
};
use crate::web::{form_pairs, html, html_invalid, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/couples/{id}/assignments/new", web::get().to(new_form))
        .route("/couples/{id}/assignments/new", web::post().to(create))
        .route(
            "/couples/{id}/assignments/{aid}/{action}",
            web::post().to(change_status),
        );
}

#[derive(Deserialize)]
pub struct NewQuery {
    exercise: Option<String>,
}

/// The exercises this counselor may assign, with the partner each one would go to.
fn choices(
    conn: &mut DbConnection,
    me: i32,
    breach_by: BreachBy,
) -> Result<Vec<ExerciseChoice>, AppError> {
    let rows = db::exercises::visible_to(conn, me, &LibraryFilter::default())?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let performer = r.performer();
            ExerciseChoice {
                id: r.id,
                performer_label: performer.label(),
                proposed: if r.safety_check {
                    None
                } else {
                    propose(performer, breach_by)
                },
                safety_check: r.safety_check,
                title: r.title,
            }
        })
        .collect())
}

async fn new_form(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<String>,
    q: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let (couple, (partners, exercises, tz)) = view_couple(
        &state,
        me.id,
        id,
        AuditAction::AssignmentViewNew,
        &ctx.request_id,
        move |conn, c| {
            Ok((
                db::couples::partners_of(conn, c.id)?,
                choices(conn, me.id, c.breach_by())?,
                counselor_tz(conn, me.id)?,
            ))
        },
    )
    .await?;
    if couple.is_closed() {
        return Ok(see_other(&format!("/couples/{id}?notice=couple-closed")));
    }
    let chosen = q
        .exercise
        .as_deref()
        .and_then(|s| s.parse::<i32>().ok())
        .and_then(|x| exercises.iter().find(|e| e.id == x));
    let form = AssignmentForm {
        exercise_id: chosen.map(|x| x.id.to_string()).unwrap_or_default(),
        assignee: chosen
            .and_then(|x| x.proposed)
            .map(|a| a.as_str().to_string())
            .unwrap_or_default(),
        cadence: "daily".into(),
        start_date: Utc::now().with_timezone(&tz).date_naive().to_string(),
        interval_days: "2".into(),
        reminders: true,
        ..AssignmentForm::default()
    };
    Ok(html(views::assignments::new_form(
        &ctx,
        &couple,
        &partners,
        &exercises,
        &form,
        &Errors::default(),
        &token::generate(),
    )))
}

enum Created {
    Done,
    Resent,
    Invalid(Box<(AssignmentForm, Errors)>),
}

async fn create(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let pairs = form_pairs(&body)?;
    let mut form = AssignmentForm::from_pairs(&pairs);
    let once = pairs
        .iter()
        .find(|(k, _)| k == "form_once")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let request_id = ctx.request_id.clone();
    let outcome = change_couple(
        &state,
        me.id,
        id,
        AuditAction::AssignmentCreate,
        &ctx.request_id,
        move |conn, c| {
            let choices = choices(conn, me.id, c.breach_by())?;
            let chosen = form
                .exercise_id()
                .and_then(|x| choices.iter().find(|e| e.id == x));
            if form.assignee.trim().is_empty() {
                if let Some(p) = chosen.and_then(|x| x.proposed) {
                    form.assignee = p.as_str().to_string();
                }
            }
            let facts = chosen.map(|x| ExerciseFacts {
                id: x.id,
                safety_check: x.safety_check,
            });
            let valid = match form.validate(facts) {
                Ok(v) => v,
                Err(mut errors) => {
                    if form.assignee.trim().is_empty() && chosen.is_some() {
                        errors.0.insert(
                            "assignee".into(),
                            "The couple's record does not say which partner this exercise is for. Choose who does it.".into(),
                        );
                    }
                    return Ok(Created::Invalid(Box::new((form, errors))));
                }
            };
            if !db::forms::claim(conn, &once)? {
                return Ok(Created::Resent);
            }
            let aid = db::assignments::create(conn, c.id, &valid)?;
            // A start in the past owes the past dates only if the counselor said so.
            let tz = counselor_tz(conn, me.id)?;
            let today = Utc::now().with_timezone(&tz).date_naive();
            let past = PastDates::parse(&form.past_owed);
            if let Some(p) = unowed_past(valid.start_date, today, past) {
                db::assignment_changes::add_pause(conn, aid, &p)?;
            }
            db::audit::record(
                conn,
                &audit_event(me.id, AuditAction::AssignmentCreate, c.id, &request_id)
                    .target("assignment", aid)
                    .detail(format!(
                        "assignee={} past_owed={}",
                        valid.assignee.as_str(),
                        past.code()
                    )),
            )?;
            Ok(Created::Done)
        },
    )
    .await?;
    match outcome {
        Change::Closed => Ok(see_other(&format!("/couples/{id}?notice=couple-closed"))),
        Change::Done(Created::Done) => Ok(see_other(&format!(
            "/couples/{id}?notice=assignment-created"
        ))),
        Change::Done(Created::Resent) => Ok(see_other(&format!(
            "/couples/{id}?notice=already-submitted"
        ))),
        Change::Done(Created::Invalid(invalid)) => {
            let (form, errors) = *invalid;
            let (couple, (partners, exercises)) = view_couple(
                &state,
                me.id,
                id,
                AuditAction::AssignmentViewNew,
                &ctx.request_id,
                move |conn, c| {
                    Ok((
                        db::couples::partners_of(conn, c.id)?,
                        choices(conn, me.id, c.breach_by())?,
                    ))
                },
            )
            .await?;
            let once = pairs
                .iter()
                .find(|(k, _)| k == "form_once")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            Ok(html_invalid(views::assignments::new_form(
                &ctx, &couple, &partners, &exercises, &form, &errors, &once,
            )))
        }
    }
}

async fn change_status(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (id, aid, action) = path.into_inner();
    let id = parse_id(&id)?;
    let aid = parse_id(&aid)?;
    // Ending is only ever done from its confirmation page.
    if action == "end" && !crate::web::confirm::confirmed(&form_pairs(&body)?) {
        return Ok(see_other(&format!("/couples/{id}/assignments/{aid}/end")));
    }
    let (audit_action, notice) = match action.as_str() {
        "pause" => (AuditAction::AssignmentPause, "assignment-paused"),
        "resume" => (AuditAction::AssignmentResume, "assignment-resumed"),
        "end" => (AuditAction::AssignmentEnd, "assignment-ended"),
        _ => return Err(AppError::NotFound),
    };
    let request_id = ctx.request_id.clone();
    let outcome = change_couple(
        &state,
        me.id,
        id,
        audit_action,
        &ctx.request_id,
        move |conn, c| {
            let a = match db::assignments::find_in_couple(conn, c.id, aid) {
                Ok(a) => a,
                Err(diesel::result::Error::NotFound) => {
                    record_denied(
                        conn,
                        me.id,
                        c.id,
                        AuditAction::AssignmentDenied,
                        audit_action,
                        &request_id,
                    )?;
                    return Ok(None);
                }
                Err(e) => return Err(e.into()),
            };
            let tz = counselor_tz(conn, me.id)?;
            let today = Utc::now().with_timezone(&tz).date_naive();
            let changed = match audit_action {
                AuditAction::AssignmentPause => db::assignments::pause(conn, &a, today)?,
                AuditAction::AssignmentResume => db::assignments::resume(conn, &a, today)?,
                _ => db::assignments::end(conn, &a, today)?,
            };
            if changed == Changed::Done {
                db::audit::record(
                    conn,
                    &audit_event(me.id, audit_action, c.id, &request_id).target("assignment", aid),
                )?;
            }
            Ok(Some(()))
        },
    )
    .await?;
    match outcome {
        Change::Done(None) => Err(AppError::NotFound),
        other => Ok(after_change(id, other, notice)),
    }
}
