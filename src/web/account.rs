//! A counselor's own account: the overview page, setting up and turning off the second
//! factor, recovery codes, and remembered browsers.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::{totp, Counselor, Enrolling};
use crate::db::{self, audit::NewAudit};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::error::AppError;
use crate::views::{self, account_pages::AccountView, Ctx};
use crate::web::reauth::require_recent;
use crate::web::{html, html_invalid, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(overview))
        .route("/account/two-factor", web::get().to(enrol))
        .route("/account/two-factor/qr.svg", web::get().to(qr))
        .route("/account/two-factor/confirm", web::post().to(confirm))
        .route(
            "/account/two-factor/recovery-codes",
            web::post().to(renew_codes),
        )
        .route("/account/two-factor/disable", web::post().to(disable))
        .route(
            "/account/browsers/{id}/forget",
            web::post().to(forget_browser),
        );
}

fn audit(id: i32, action: AuditAction, request_id: &str) -> NewAudit {
    NewAudit::new(ActorKind::Counselor, Some(id), action, request_id).target("counselor", id)
}

async fn overview(state: State, ctx: Ctx, me: Counselor) -> Result<HttpResponse, AppError> {
    let id = me.id;
    let view = state
        .db
        .read(move |conn| {
            let now = db::now();
            Ok(AccountView {
                two_factor_on: db::two_factor::is_on(conn, id)?,
                unused_codes: db::two_factor::unused_recovery_codes(conn, id)?,
                required: db::practice_security::require_two_factor(conn)?,
                browsers: db::two_factor::remembered_browsers(conn, id, now)?,
                tz: db::counselors::time_zone(conn, id)?,
            })
        })
        .await?;
    Ok(html(views::account_pages::overview(&ctx, &view, None)))
}

/// Start enrolment (a new secret, unconfirmed) unless one is under way; a counselor
/// whose factor is on goes back to their account page.
async fn enrol(state: State, ctx: Ctx, me: Enrolling) -> Result<HttpResponse, AppError> {
    let id = me.0.id;
    let found = state
        .db
        .write(move |conn| {
            let required = db::practice_security::require_two_factor(conn)?;
            match db::two_factor::find(conn, id)? {
                Some(f) if f.confirmed_at.is_some() => Ok(None),
                Some(f) => Ok(Some((f.secret, required))),
                None => {
                    let secret = totp::new_secret();
                    db::two_factor::begin(conn, id, &secret)?;
                    Ok(Some((secret, required)))
                }
            }
        })
        .await?;
    match found {
        None => Ok(see_other("/account")),
        Some((secret, required)) => Ok(html(views::two_factor::enrol(
            &ctx, &secret, required, None,
        ))),
    }
}

/// The QR code of the secret being set up; gone once the factor is on.
async fn qr(state: State, me: Enrolling) -> Result<HttpResponse, AppError> {
    let id = me.0.id;
    let (factor, email) = state
        .db
        .read(move |conn| {
            Ok((
                db::two_factor::find(conn, id)?,
                db::counselors::by_id(conn, id)?.email,
            ))
        })
        .await?;
    let Some(factor) = factor.filter(|f| f.confirmed_at.is_none()) else {
        return Err(AppError::NotFound);
    };
    let url = totp::provisioning_url(&factor.secret, &email)?;
    let svg = totp::qr_svg(&url)?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg))
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

enum Confirmed {
    On(Vec<String>),
    Wrong(String, bool),
    AlreadyOn,
}

async fn confirm(
    state: State,
    ctx: Ctx,
    me: Enrolling,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let id = me.0.id;
    let code: String = form.into_inner().code.chars().take(64).collect();
    let request_id = ctx.request_id.clone();
    let now_unix = totp::unix_now();
    let outcome = state
        .db
        .write(move |conn| {
            let required = db::practice_security::require_two_factor(conn)?;
            let Some(factor) = db::two_factor::find(conn, id)? else {
                return Err(AppError::NotFound);
            };
            if factor.confirmed_at.is_some() {
                return Ok(Confirmed::AlreadyOn);
            }
            let Some(step) = totp::matching_step(&factor.secret, &code, now_unix) else {
                return Ok(Confirmed::Wrong(factor.secret, required));
            };
            db::two_factor::confirm(conn, id, step)?;
            let codes = totp::new_recovery_codes();
            let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_code_hash(c)).collect();
            db::two_factor::set_recovery_codes(conn, id, &hashes)?;
            db::audit::record(conn, &audit(id, AuditAction::TwoFactorEnable, &request_id))?;
            Ok(Confirmed::On(codes))
        })
        .await?;
    match outcome {
        Confirmed::On(codes) => Ok(html(views::two_factor::recovery_codes(&ctx, &codes, true))),
        Confirmed::AlreadyOn => Ok(see_other("/account")),
        Confirmed::Wrong(secret, required) => Ok(html_invalid(views::two_factor::enrol(
            &ctx,
            &secret,
            required,
            Some("That code did not match. Check the app shows the Trellis account you just added, and enter its current code."),
        ))),
    }
}

async fn renew_codes(state: State, ctx: Ctx, me: Counselor) -> Result<HttpResponse, AppError> {
    require_recent(&state, &me).await?;
    let id = me.id;
    let request_id = ctx.request_id.clone();
    let codes = state
        .db
        .write(move |conn| {
            if !db::two_factor::is_on(conn, id)? {
                return Ok(None);
            }
            let codes = totp::new_recovery_codes();
            let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_code_hash(c)).collect();
            db::two_factor::set_recovery_codes(conn, id, &hashes)?;
            db::audit::record(
                conn,
                &audit(id, AuditAction::RecoveryCodesRenew, &request_id),
            )?;
            Ok(Some(codes))
        })
        .await?;
    match codes {
        Some(codes) => Ok(html(views::two_factor::recovery_codes(&ctx, &codes, false))),
        None => Ok(see_other("/account")),
    }
}

async fn disable(state: State, ctx: Ctx, me: Counselor) -> Result<HttpResponse, AppError> {
    require_recent(&state, &me).await?;
    let id = me.id;
    let request_id = ctx.request_id.clone();
    let done = state
        .db
        .write(move |conn| {
            if db::practice_security::require_two_factor(conn)? {
                return Ok(false);
            }
            db::two_factor::remove(conn, id)?;
            db::audit::record(conn, &audit(id, AuditAction::TwoFactorDisable, &request_id))?;
            Ok(true)
        })
        .await?;
    Ok(see_other(if done {
        "/account?notice=two-factor-off"
    } else {
        "/account?notice=two-factor-required"
    }))
}

async fn forget_browser(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (id, browser) = (me.id, path.into_inner());
    let request_id = ctx.request_id.clone();
    state
        .db
        .write(move |conn| {
            if db::two_factor::forget_browser(conn, id, browser)? == 0 {
                return Err(AppError::NotFound);
            }
            db::audit::record(
                conn,
                &audit(id, AuditAction::BrowserForget, &request_id)
                    .detail(format!("browser={browser}")),
            )?;
            Ok(())
        })
        .await?;
    Ok(see_other("/account?notice=browser-forgotten"))
}
