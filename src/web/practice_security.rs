//! The practice admin's sign-in controls: whether every counselor must use two-step
//! sign-in, and resetting a counselor's second factor (they are signed out and told by
//! email). Both ask for the admin's password again if it was entered long ago.

use actix_web::{web, HttpResponse};

use crate::auth::{Admin, UserKind};
use crate::db::{self, audit::NewAudit, sessions};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::password_links::queue_to_counselor;
use crate::web::reauth::require_recent;
use crate::web::{form_pairs, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/practice/two-factor-rule", web::post().to(set_rule))
        .route(
            "/practice/counselors/{id}/two-factor/reset",
            web::post().to(reset),
        );
}

async fn set_rule(
    state: State,
    ctx: Ctx,
    admin: Admin,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    require_recent(&state, &admin.0).await?;
    let on = form_pairs(&body)?
        .iter()
        .any(|(k, v)| k == "require" && !v.is_empty());
    let (admin_id, request_id) = (admin.0.id, ctx.request_id.clone());
    state
        .db
        .write(move |conn| {
            db::practice_security::set_require_two_factor(conn, on)?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(admin_id),
                    AuditAction::PracticeTwoFactorRule,
                    &request_id,
                )
                .detail(if on { "required" } else { "optional" }),
            )?;
            Ok(())
        })
        .await?;
    Ok(see_other("/practice?notice=two-factor-rule-saved"))
}

async fn reset(
    state: State,
    ctx: Ctx,
    admin: Admin,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    require_recent(&state, &admin.0).await?;
    let id = path.into_inner();
    let (admin_id, request_id) = (admin.0.id, ctx.request_id.clone());
    let sign_in = format!(
        "{}/login",
        state.settings.server.base_url.trim_end_matches('/')
    );
    state
        .db
        .write(move |conn| {
            let counselor = db::counselors::by_id(conn, id)?;
            db::two_factor::remove(conn, id)?;
            sessions::delete_for_user(conn, UserKind::Counselor, id)?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(admin_id),
                    AuditAction::TwoFactorReset,
                    &request_id,
                )
                .target("counselor", id),
            )?;
            let body = views::account_emails::two_factor_reset(&counselor.display_name, &sign_in);
            queue_to_counselor(conn, "two_factor_reset", &counselor, body, None)?;
            Ok(())
        })
        .await?;
    Ok(see_other("/practice?notice=two-factor-reset"))
}
