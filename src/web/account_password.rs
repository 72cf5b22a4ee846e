//! Changing one's password (needs the current one; ends every other session) and
//! confirming the password before a sensitive change (`web::reauth`).

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::{password, Counselor, UserKind};
use crate::db::{self, audit::NewAudit, sessions};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::validation::Errors;
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::throttle::{self, Keys};
use crate::web::{html, html_invalid, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/password", web::get().to(show))
        .route("/account/password", web::post().to(change))
        .route("/account/confirm", web::get().to(show_confirm))
        .route("/account/confirm", web::post().to(confirm));
}

async fn show(ctx: Ctx, _me: Counselor) -> Result<HttpResponse, AppError> {
    Ok(html(views::account_pages::change_password(
        &ctx,
        &Errors::default(),
    )))
}

#[derive(Deserialize)]
pub struct ChangeForm {
    current_password: String,
    password: String,
    password_confirm: String,
}

/// Check a new password and its repeat; errors beside the fields.
pub fn check_new_password(
    errors: &mut Errors,
    password_raw: &str,
    confirm: &str,
    user_inputs: &[&str],
) {
    if let Err(m) = password::check_new_for(password_raw, user_inputs) {
        errors.add("password", m);
    } else if password_raw != confirm {
        errors.add("password_confirm", "The two passwords are not the same.");
    }
}

async fn stored_hash(state: &State, id: i32) -> Result<db::counselors::CounselorRow, AppError> {
    state
        .db
        .read(move |conn| Ok(db::counselors::by_id(conn, id)?))
        .await
}

async fn verify(hash: String, password_raw: String) -> Result<bool, AppError> {
    Ok(web::block(move || password::verify(&password_raw, &hash))
        .await
        .map_err(|e| anyhow::Error::new(e).context("Failed to check a password"))?)
}

async fn change(
    state: State,
    ctx: Ctx,
    me: Counselor,
    req: actix_web::HttpRequest,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, AppError> {
    let f = form.into_inner();
    let account = stored_hash(&state, me.id).await?;
    let keys = Keys::new(&req, &format!("email:{}", account.email));
    let mut errors = Errors::default();
    if let Some(wait) = throttle::wait_left(&state, &keys).await? {
        errors.add("current_password", throttle::wait_message(wait));
        return Ok(html_invalid(views::account_pages::change_password(
            &ctx, &errors,
        )));
    }
    let current_ok = f.current_password.len() <= 1024
        && verify(account.password_hash.clone(), f.current_password.clone()).await?;
    if !current_ok {
        errors.add("current_password", "That is not your current password.");
    }
    check_new_password(
        &mut errors,
        &f.password,
        &f.password_confirm,
        &[&account.email, &account.display_name],
    );
    let (id, session, request_id) = (me.id, me.session_id, ctx.request_id.clone());
    if !errors.is_empty() {
        if !current_ok {
            let policies = state.settings.throttles();
            state
                .db
                .write(move |conn| {
                    throttle::fail(conn, &keys, &policies)?;
                    db::audit::record(
                        conn,
                        &NewAudit::new(
                            ActorKind::Counselor,
                            Some(id),
                            AuditAction::SignInFailed,
                            &request_id,
                        )
                        .detail("password_change"),
                    )?;
                    Ok(())
                })
                .await?;
        }
        return Ok(html_invalid(views::account_pages::change_password(
            &ctx, &errors,
        )));
    }
    let hash = crate::auth::hash_password(f.password).await?;
    state
        .db
        .write(move |conn| {
            let now = db::now();
            db::counselors::set_password(conn, id, &hash)?;
            sessions::delete_others(conn, UserKind::Counselor, id, session)?;
            sessions::mark_authenticated(conn, session, now)?;
            db::password_tokens::revoke_all(conn, id, now)?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(id),
                    AuditAction::PasswordChange,
                    &request_id,
                )
                .target("counselor", id),
            )?;
            Ok(())
        })
        .await?;
    Ok(see_other("/account?notice=password-changed"))
}

async fn show_confirm(ctx: Ctx, _me: Counselor) -> Result<HttpResponse, AppError> {
    Ok(html(views::account_pages::confirm_password(&ctx, None)))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    password: String,
}

async fn confirm(
    state: State,
    ctx: Ctx,
    me: Counselor,
    req: actix_web::HttpRequest,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let password_raw = form.into_inner().password;
    let account = stored_hash(&state, me.id).await?;
    let keys = Keys::new(&req, &format!("email:{}", account.email));
    if let Some(wait) = throttle::wait_left(&state, &keys).await? {
        return Ok(html_invalid(views::account_pages::confirm_password(
            &ctx,
            Some(&throttle::wait_message(wait)),
        )));
    }
    let ok = password_raw.len() <= 1024 && verify(account.password_hash, password_raw).await?;
    let (id, session, request_id) = (me.id, me.session_id, ctx.request_id.clone());
    let policies = state.settings.throttles();
    state
        .db
        .write(move |conn| {
            if ok {
                sessions::mark_authenticated(conn, session, db::now())?;
            } else {
                throttle::fail(conn, &keys, &policies)?;
                db::audit::record(
                    conn,
                    &NewAudit::new(
                        ActorKind::Counselor,
                        Some(id),
                        AuditAction::SignInFailed,
                        &request_id,
                    )
                    .detail("confirm_password"),
                )?;
            }
            Ok(())
        })
        .await?;
    if ok {
        Ok(see_other("/account?notice=password-confirmed"))
    } else {
        Ok(html_invalid(views::account_pages::confirm_password(
            &ctx,
            Some("That is not your password."),
        )))
    }
}
