//! "Your sessions": the browsers where a counselor is signed in, and signing out all but
//! this one.

use actix_web::{web, HttpResponse};

use crate::auth::{Counselor, UserKind};
use crate::db::{self, audit::NewAudit, sessions};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::{html, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/sessions", web::get().to(show))
        .route("/account/sessions/end-others", web::post().to(end_others));
}

async fn show(state: State, ctx: Ctx, me: Counselor) -> Result<HttpResponse, AppError> {
    let id = me.id;
    let (list, tz) = state
        .db
        .read(move |conn| {
            Ok((
                sessions::of_user(conn, UserKind::Counselor, id)?,
                db::counselors::time_zone(conn, id)?,
            ))
        })
        .await?;
    Ok(html(views::account_pages::sessions(
        &ctx,
        &list,
        me.session_id,
        tz,
    )))
}

async fn end_others(state: State, ctx: Ctx, me: Counselor) -> Result<HttpResponse, AppError> {
    let (id, keep, request_id) = (me.id, me.session_id, ctx.request_id.clone());
    state
        .db
        .write(move |conn| {
            let ended = sessions::delete_others(conn, UserKind::Counselor, id, keep)?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(id),
                    AuditAction::SessionsEndOthers,
                    &request_id,
                )
                .detail(format!("ended={ended}")),
            )?;
            Ok(())
        })
        .await?;
    Ok(see_other("/account/sessions?notice=signed-out-elsewhere"))
}
