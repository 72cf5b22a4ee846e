//! The practice admin's safety settings: the crisis resources partners read and the address
//! "Leave quickly" goes to.

use actix_web::{web, HttpResponse};

use crate::auth::Admin;
use crate::db::{self, audit::NewAudit};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::safety::SafetySettingsForm;
use crate::domain::validation::Errors;
use crate::error::AppError;
use crate::views::alerts::settings_page;
use crate::views::Ctx;
use crate::web::{form_pairs, html, html_invalid, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/practice/safety", web::get().to(show))
        .route("/practice/safety", web::post().to(save));
}

async fn show(state: State, ctx: Ctx, _admin: Admin) -> Result<HttpResponse, AppError> {
    let s = state
        .db
        .read(|conn| Ok(db::practice_settings::safety(conn)?))
        .await?;
    let f = SafetySettingsForm {
        crisis_text: s.crisis_text,
        exit_url: s.exit_url,
    };
    Ok(html(settings_page(&ctx, &f, &Errors::default())))
}

async fn save(
    state: State,
    ctx: Ctx,
    admin: Admin,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let pairs = form_pairs(&body)?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let f = SafetySettingsForm {
        crisis_text: get("crisis_text"),
        exit_url: get("exit_url"),
    };
    let valid = match f.validate() {
        Ok(v) => v,
        Err(errors) => return Ok(html_invalid(settings_page(&ctx, &f, &errors))),
    };
    let (me, request_id) = (admin.0.id, ctx.request_id.clone());
    state
        .db
        .write(move |conn| {
            db::practice_settings::set_safety(conn, &valid)?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(me),
                    AuditAction::PracticeSafetyUpdate,
                    &request_id,
                ),
            )?;
            Ok(())
        })
        .await?;
    Ok(see_other("/practice/safety?notice=safety-settings-saved"))
}
