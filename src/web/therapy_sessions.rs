//! Booking, moving and cancelling a couple's therapy sessions (times in the counselor's
//! time zone, stored as UTC).

use actix_web::{web, HttpResponse};
use chrono::{Duration, Utc};

use crate::auth::{token, Counselor};
use crate::db::{self, therapy_sessions::SessionRow};
use crate::domain::audit_action::AuditAction;
use crate::domain::session_form::SessionForm;
use crate::domain::validation::Errors;
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::scope::{
    after_change, audit_event, change_couple, counselor_tz, parse_id, record_denied, view_couple,
    Change,
};
use crate::web::{form_pairs, html, html_invalid, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/couples/{id}/sessions/new", web::get().to(new_form))
        .route("/couples/{id}/sessions/new", web::post().to(create))
        .route(
            "/couples/{id}/sessions/{sid}/edit",
            web::get().to(edit_form),
        )
        .route("/couples/{id}/sessions/{sid}/edit", web::post().to(update))
        .route(
            "/couples/{id}/sessions/{sid}/cancel",
            web::post().to(cancel),
        );
}

async fn new_form(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let (couple, tz) = view_couple(
        &state,
        me.id,
        id,
        AuditAction::SessionViewNew,
        &ctx.request_id,
        move |conn, _| counselor_tz(conn, me.id),
    )
    .await?;
    if couple.is_closed() {
        return Ok(see_other(&format!("/couples/{id}?notice=couple-closed")));
    }
    let next_week = (Utc::now() + Duration::days(7)).with_timezone(&tz);
    let form = SessionForm {
        date: next_week.format("%Y-%m-%d").to_string(),
        time: "10:00".into(),
        duration: "50".into(),
        note: String::new(),
    };
    Ok(html(views::couples::session_form(
        &ctx,
        &couple,
        &format!("/couples/{id}/sessions/new"),
        &form,
        &Errors::default(),
        Some(&token::generate()),
        tz,
    )))
}

enum Saved {
    Done,
    Resent,
    Invalid(Errors, chrono_tz::Tz),
    /// The session is not this couple's.
    Missing,
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
    let form = SessionForm::from_pairs(&pairs);
    let once = pairs
        .iter()
        .find(|(k, _)| k == "form_once")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let request_id = ctx.request_id.clone();
    let (f, o) = (form.clone(), once.clone());
    let outcome = change_couple(
        &state,
        me.id,
        id,
        AuditAction::SessionCreate,
        &ctx.request_id,
        move |conn, c| {
            let tz = counselor_tz(conn, me.id)?;
            let valid = match f.validate(tz) {
                Ok(v) => v,
                Err(e) => return Ok(Saved::Invalid(e, tz)),
            };
            if !db::forms::claim(conn, &o)? {
                return Ok(Saved::Resent);
            }
            let sid = db::therapy_sessions::create(conn, c.id, me.id, &valid)?;
            db::audit::record(
                conn,
                &audit_event(me.id, AuditAction::SessionCreate, c.id, &request_id)
                    .target("therapy_session", sid),
            )?;
            Ok(Saved::Done)
        },
    )
    .await?;
    respond(
        &state,
        &ctx,
        &me,
        id,
        outcome,
        &form,
        Some(&once),
        "session-booked",
        None,
    )
    .await
}

#[expect(
    clippy::too_many_arguments,
    reason = "one handler-private helper; the arguments are the form and its context"
)]
async fn respond(
    state: &State,
    ctx: &Ctx,
    me: &Counselor,
    id: i32,
    outcome: Change<Saved>,
    form: &SessionForm,
    once: Option<&str>,
    notice: &str,
    sid: Option<i32>,
) -> Result<HttpResponse, AppError> {
    match outcome {
        Change::Done(Saved::Invalid(errors, tz)) => {
            let (couple, ()) = view_couple(
                state,
                me.id,
                id,
                AuditAction::SessionViewForm,
                &ctx.request_id,
                |_, _| Ok(()),
            )
            .await?;
            let action = match sid {
                Some(sid) => format!("/couples/{id}/sessions/{sid}/edit"),
                None => format!("/couples/{id}/sessions/new"),
            };
            Ok(html_invalid(views::couples::session_form(
                ctx, &couple, &action, form, &errors, once, tz,
            )))
        }
        Change::Done(Saved::Resent) => Ok(see_other(&format!(
            "/couples/{id}?notice=already-submitted"
        ))),
        Change::Done(Saved::Missing) => Err(AppError::NotFound),
        other => Ok(after_change(id, other, notice)),
    }
}

/// A session of the couple, or a denied attempt recorded and 404.
fn own_session(
    conn: &mut db::DbConnection,
    me: i32,
    couple_id: i32,
    sid: i32,
    action: AuditAction,
    request_id: &str,
) -> Result<Option<SessionRow>, AppError> {
    match db::therapy_sessions::find_in_couple(conn, couple_id, sid) {
        Ok(s) => Ok(Some(s)),
        Err(diesel::result::Error::NotFound) => {
            record_denied(
                conn,
                me,
                couple_id,
                AuditAction::SessionDenied,
                action,
                request_id,
            )?;
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.0)?;
    let sid = parse_id(&path.1)?;
    let (couple, (session, tz)) = view_couple(
        &state,
        me.id,
        id,
        AuditAction::SessionViewEdit,
        &ctx.request_id,
        move |conn, c| {
            let s = db::therapy_sessions::find_in_couple(conn, c.id, sid).ok();
            Ok((s, counselor_tz(conn, me.id)?))
        },
    )
    .await?;
    let Some(session) = session.filter(|s| s.is_booked()) else {
        return Err(AppError::NotFound);
    };
    if couple.is_closed() {
        return Ok(see_other(&format!("/couples/{id}?notice=couple-closed")));
    }
    let form = SessionForm::from_stored(
        session.starts_at,
        session.duration_minutes,
        &session.note,
        tz,
    );
    Ok(html(views::couples::session_form(
        &ctx,
        &couple,
        &format!("/couples/{id}/sessions/{sid}/edit"),
        &form,
        &Errors::default(),
        None,
        tz,
    )))
}

async fn update(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.0)?;
    let sid = parse_id(&path.1)?;
    let pairs = form_pairs(&body)?;
    let form = SessionForm::from_pairs(&pairs);
    let request_id = ctx.request_id.clone();
    let f = form.clone();
    let outcome = change_couple(
        &state,
        me.id,
        id,
        AuditAction::SessionUpdate,
        &ctx.request_id,
        move |conn, c| {
            let Some(s) = own_session(
                conn,
                me.id,
                c.id,
                sid,
                AuditAction::SessionUpdate,
                &request_id,
            )?
            else {
                return Ok(Saved::Missing);
            };
            if !s.is_booked() {
                return Ok(Saved::Missing);
            }
            let tz = counselor_tz(conn, me.id)?;
            let valid = match f.validate(tz) {
                Ok(v) => v,
                Err(e) => return Ok(Saved::Invalid(e, tz)),
            };
            db::therapy_sessions::update(conn, sid, &valid)?;
            db::audit::record(
                conn,
                &audit_event(me.id, AuditAction::SessionUpdate, c.id, &request_id)
                    .target("therapy_session", sid),
            )?;
            Ok(Saved::Done)
        },
    )
    .await?;
    respond(
        &state,
        &ctx,
        &me,
        id,
        outcome,
        &form,
        None,
        "session-moved",
        Some(sid),
    )
    .await
}

async fn cancel(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.0)?;
    let sid = parse_id(&path.1)?;
    // Cancelling is only ever done from its confirmation page.
    if !crate::web::confirm::confirmed(&form_pairs(&body)?) {
        return Ok(see_other(&format!("/couples/{id}/sessions/{sid}/cancel")));
    }
    let request_id = ctx.request_id.clone();
    let outcome = change_couple(
        &state,
        me.id,
        id,
        AuditAction::SessionCancel,
        &ctx.request_id,
        move |conn, c| {
            let Some(s) = own_session(
                conn,
                me.id,
                c.id,
                sid,
                AuditAction::SessionCancel,
                &request_id,
            )?
            else {
                return Ok(Saved::Missing);
            };
            if s.is_booked() {
                db::therapy_sessions::cancel(conn, sid)?;
                db::audit::record(
                    conn,
                    &audit_event(me.id, AuditAction::SessionCancel, c.id, &request_id)
                        .target("therapy_session", sid),
                )?;
            }
            Ok(Saved::Done)
        },
    )
    .await?;
    respond(
        &state,
        &ctx,
        &me,
        id,
        outcome,
        &SessionForm::default(),
        None,
        "session-cancelled",
        Some(sid),
    )
    .await
}
