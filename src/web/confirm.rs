//! The confirmation pages in front of closing a couple, ending an assignment and
//! cancelling a session. The change itself stays with its own handler, which sends a post
//! without the confirmation field back here.

use actix_web::{web, HttpResponse};

use crate::auth::Counselor;
use crate::db::{self, couples::CoupleRow, DbConnection};
use crate::domain::audit_action::AuditAction;
use crate::domain::couple::CoupleStatus;
use crate::error::AppError;
use crate::views::confirm::{confirm_page, Confirm, CONFIRMED};
use crate::views::format::local_datetime;
use crate::views::Ctx;
use crate::web::scope::{audit_event, counselor_tz, parse_id, record_denied, with_couple};
use crate::web::{html, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/couples/{id}/close", web::get().to(close_couple))
        .route(
            "/couples/{id}/assignments/{aid}/end",
            web::get().to(end_assignment),
        )
        .route(
            "/couples/{id}/sessions/{sid}/cancel",
            web::get().to(cancel_session),
        );
}

/// Whether a posted form came from a confirmation page.
pub fn confirmed(pairs: &[(String, String)]) -> bool {
    pairs.iter().any(|(k, v)| k == CONFIRMED && v == "yes")
}

/// Audit the confirmation page's view (which change it was for) inside `with_couple`.
fn audit_confirm(
    conn: &mut DbConnection,
    me: i32,
    c: &CoupleRow,
    request_id: &str,
    what: AuditAction,
    target: Option<(&str, i32)>,
) -> Result<(), AppError> {
    let mut event =
        audit_event(me, AuditAction::ConfirmView, c.id, request_id).detail(what.as_str());
    if let Some((kind, id)) = target {
        event = event.target(kind, id);
    }
    db::audit::record(conn, &event)?;
    Ok(())
}

async fn close_couple(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path)?;
    let request_id = ctx.request_id.clone();
    let couple = with_couple(
        &state,
        me.id,
        id,
        AuditAction::ConfirmView,
        &ctx.request_id,
        move |conn, c| {
            if !c.is_closed() {
                audit_confirm(conn, me.id, c, &request_id, AuditAction::CoupleClose, None)?;
            }
            Ok(c.clone())
        },
    )
    .await?;
    if couple.is_closed() {
        return Ok(see_other(&format!("/couples/{id}")));
    }
    let happens = [
        "The couple leaves your caseload and your dashboard.".to_string(),
        "Assignments stop: nothing more is owed and no reminders go out.".to_string(),
        "Both partners can still sign in and read what they wrote, but cannot add anything."
            .to_string(),
        "The record stays as it is; you can reopen the couple later from its page.".to_string(),
    ];
    let action = format!("/couples/{id}/status");
    let back = format!("/couples/{id}");
    let title = format!("Close the work with {}?", couple.label);
    Ok(html(confirm_page(
        &ctx,
        &Confirm {
            title: &title,
            happens: &happens,
            action: &action,
            hidden: &[("status", CoupleStatus::Closed.as_str())],
            button: "Close the couple",
            back: &back,
        },
    )))
}

async fn end_assignment(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.0)?;
    let aid = parse_id(&path.1)?;
    let request_id = ctx.request_id.clone();
    let found = with_couple(
        &state,
        me.id,
        id,
        AuditAction::ConfirmView,
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
                        AuditAction::AssignmentEnd,
                        &request_id,
                    )?;
                    return Ok(None);
                }
                Err(e) => return Err(e.into()),
            };
            let title = db::assignments::exercise_titles(conn, &[a.exercise_id])?
                .into_iter()
                .next()
                .map(|t| t.1)
                .unwrap_or_default();
            audit_confirm(
                conn,
                me.id,
                c,
                &request_id,
                AuditAction::AssignmentEnd,
                Some(("assignment", aid)),
            )?;
            Ok(Some((c.is_closed(), a.status, title)))
        },
    )
    .await?;
    let Some((closed, status, exercise)) = found else {
        return Err(AppError::NotFound);
    };
    if closed || status == crate::domain::status::AssignmentStatus::Ended {
        return Ok(see_other(&format!("/couples/{id}")));
    }
    let happens = [
        "Nothing is owed after today and no more reminders go out for it.".to_string(),
        "Everything already written for it stays in the record.".to_string(),
        "An ended assignment cannot be restarted; to continue, assign the exercise again."
            .to_string(),
    ];
    let action = format!("/couples/{id}/assignments/{aid}/end");
    let back = format!("/couples/{id}");
    let title = format!("End the assignment “{exercise}”?");
    Ok(html(confirm_page(
        &ctx,
        &Confirm {
            title: &title,
            happens: &happens,
            action: &action,
            hidden: &[],
            button: "End the assignment",
            back: &back,
        },
    )))
}

async fn cancel_session(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.0)?;
    let sid = parse_id(&path.1)?;
    let request_id = ctx.request_id.clone();
    let found = with_couple(
        &state,
        me.id,
        id,
        AuditAction::ConfirmView,
        &ctx.request_id,
        move |conn, c| {
            let s = match db::therapy_sessions::find_in_couple(conn, c.id, sid) {
                Ok(s) => s,
                Err(diesel::result::Error::NotFound) => {
                    record_denied(
                        conn,
                        me.id,
                        c.id,
                        AuditAction::SessionDenied,
                        AuditAction::SessionCancel,
                        &request_id,
                    )?;
                    return Ok(None);
                }
                Err(e) => return Err(e.into()),
            };
            let tz = counselor_tz(conn, me.id)?;
            audit_confirm(
                conn,
                me.id,
                c,
                &request_id,
                AuditAction::SessionCancel,
                Some(("therapy_session", sid)),
            )?;
            Ok(Some((c.is_closed(), s, tz)))
        },
    )
    .await?;
    let Some((closed, session, tz)) = found else {
        return Err(AppError::NotFound);
    };
    if closed || !session.is_booked() {
        return Ok(see_other(&format!("/couples/{id}")));
    }
    let when = local_datetime(session.starts_at, tz);
    let happens = [
        format!("The session on {when} is marked cancelled; it stays in the record as cancelled."),
        "The partners get no more reminders about it.".to_string(),
        "To see them at another time, move the session instead.".to_string(),
    ];
    let action = format!("/couples/{id}/sessions/{sid}/cancel");
    let back = format!("/couples/{id}");
    Ok(html(confirm_page(
        &ctx,
        &Confirm {
            title: "Cancel this session?",
            happens: &happens,
            action: &action,
            hidden: &[],
            button: "Cancel the session",
            back: &back,
        },
    )))
}
