//! One-click unsubscribe from reminder emails (RFC 8058). `GET /unsubscribe/{token}` shows a
//! confirm page (so a mail scanner following links changes nothing); `POST` turns the
//! partner's reminders off. The POST carries no CSRF token: mail clients send
//! `List-Unsubscribe=One-Click` on their own, and the unguessable token in the path is the
//! authentication (see the exemption in `auth::session`). The token never reaches a log:
//! request spans record only the route template.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

use crate::db::{self, audit::NewAudit};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::error::AppError;
use crate::views::layout::bare;
use crate::views::Ctx;
use crate::web::State;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/unsubscribe/{token}", web::get().to(confirm))
        .route("/unsubscribe/{token}", web::post().to(unsubscribe));
}

fn page(status: StatusCode, title: &str, body: maud::Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(bare(title, body).into_string())
}

fn not_valid() -> HttpResponse {
    page(
        StatusCode::NOT_FOUND,
        "Link not valid",
        html! {
            h1 { "This link does not work any more" }
            p { "It may be old or mistyped. You can turn reminders off at any time on your Settings page after signing in." }
            p { a href="/sign-in" { "Sign in" } }
        },
    )
}

async fn confirm(state: State, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let lookup = raw.clone();
    let partner = state
        .db
        .read(move |conn| Ok(db::unsubscribe::partner_for(conn, &lookup, db::now())?))
        .await?;
    if partner.is_none() {
        return Ok(not_valid());
    }
    Ok(page(
        StatusCode::OK,
        "Stop reminders",
        html! {
            h1 { "Stop reminder emails?" }
            p { "You will no longer get reminder emails from Trellis. You can turn them back on in Settings whenever you like." }
            form method="post" action={ "/unsubscribe/" (raw) } {
                input type="hidden" name="List-Unsubscribe" value="One-Click";
                button.btn.btn-primary type="submit" { "Turn reminders off" }
            }
        },
    ))
}

async fn unsubscribe(
    state: State,
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let request_id = ctx.request_id.clone();
    let done = state
        .db
        .write(move |conn| {
            let now = db::now();
            let Some(partner_id) = db::unsubscribe::partner_for(conn, &raw, now)? else {
                return Ok(false);
            };
            let changed = db::unsubscribe::turn_off(conn, partner_id, now)?;
            let couple_id = db::couples::partner_by_id(conn, partner_id)?.couple_id;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Partner,
                    Some(partner_id),
                    AuditAction::PartnerRemindersUnsubscribe,
                    &request_id,
                )
                .target("partner", partner_id)
                .couple(couple_id)
                .detail(format!("changed={changed}")),
            )?;
            Ok(true)
        })
        .await?;
    if !done {
        return Ok(not_valid());
    }
    Ok(page(
        StatusCode::OK,
        "Reminders are off",
        html! {
            h1 { "Reminders are off" }
            p { "You will not get reminder emails any more. To turn them back on, sign in and open Settings." }
        },
    ))
}
