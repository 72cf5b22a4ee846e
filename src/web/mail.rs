//! Email delivery for the practice admin: `/practice/mail` shows the outbox, and failed
//! messages can be queued again, one at a time or all at once.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::Admin;
use crate::db::{self, audit::NewAudit, outbox};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::status::OutboxStatus;
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::{html, see_other, State};

/// Rows of each list shown on the page.
const SHOWN: i64 = 50;

/// Route table for this area.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/practice/mail", web::get().to(show))
        .route("/practice/mail/{id}/retry", web::post().to(retry))
        .route("/practice/mail/retry-failed", web::post().to(retry_all));
}

#[derive(Deserialize)]
struct ShowQuery {
    retried: Option<u8>,
    retried_all: Option<u32>,
}

async fn show(
    state: State,
    ctx: Ctx,
    admin: Admin,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    let me = admin.0.id;
    let (counts, failed, pending, oldest, tz) = state
        .db
        .read(move |conn| {
            Ok((
                outbox::counts(conn)?,
                outbox::list(conn, Some(OutboxStatus::Failed), SHOWN)?,
                outbox::list(conn, Some(OutboxStatus::Pending), SHOWN)?,
                outbox::oldest_waiting(conn)?,
                db::counselors::time_zone(conn, me)?,
            ))
        })
        .await?;
    let notice = match (query.retried, query.retried_all) {
        (_, Some(n)) => Some(views::mail::retry_all_notice(n)),
        (Some(r), None) => Some(views::mail::retry_notice(r == 1).to_string()),
        (None, None) => None,
    };
    let oldest_waiting = oldest.map(|at| db::now() - at);
    Ok(html(views::mail::page_for(
        &ctx,
        &counts,
        &failed,
        &pending,
        oldest_waiting,
        notice.as_deref(),
        tz,
    )))
}

async fn retry(
    state: State,
    ctx: Ctx,
    admin: Admin,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (admin_id, request_id) = (admin.0.id, ctx.request_id);
    let retried = state
        .db
        .write(move |conn| {
            let retried = outbox::retry(conn, id, db::now())?;
            if retried {
                db::audit::record(
                    conn,
                    &NewAudit::new(
                        ActorKind::Counselor,
                        Some(admin_id),
                        AuditAction::EmailRetry,
                        &request_id,
                    )
                    .target("email", id),
                )?;
            }
            Ok(retried)
        })
        .await?;
    Ok(see_other(if retried {
        "/practice/mail?retried=1"
    } else {
        "/practice/mail?retried=0"
    }))
}

/// Queue every failed message again; one audit row says how many.
async fn retry_all(state: State, ctx: Ctx, admin: Admin) -> Result<HttpResponse, AppError> {
    let (admin_id, request_id) = (admin.0.id, ctx.request_id);
    let retried = state
        .db
        .write(move |conn| {
            let retried = outbox::retry_all_failed(conn, db::now())?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(admin_id),
                    AuditAction::EmailRetryAll,
                    &request_id,
                )
                .detail(format!("{retried} messages")),
            )?;
            Ok(retried)
        })
        .await?;
    Ok(see_other(&format!("/practice/mail?retried_all={retried}")))
}
