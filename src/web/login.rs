//! Counselor sign-in and sign-out (for everyone).

use actix_web::{web, HttpResponse};
use chrono::Duration;
use serde::Deserialize;

use crate::auth::session::{self, removal_cookie, session_cookie, SESSION_COOKIE};
use crate::auth::{password, UserKind, Visitor};
use crate::db::{self, audit::NewAudit, rate_limit, sessions};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::{html, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(show))
        .route("/login", web::post().to(submit))
        .route("/logout", web::post().to(logout));
}

const BAD_CREDENTIALS: &str =
    "That email and password do not match an active account. Check both and try again.";
const THROTTLED: &str = "Too many attempts for this account. Wait 15 minutes, then try again.";

async fn show(ctx: Ctx, visitor: Visitor) -> Result<HttpResponse, AppError> {
    if matches!(visitor.0.map(|i| i.kind), Some(UserKind::Counselor)) {
        return Ok(see_other("/dashboard"));
    }
    Ok(html(views::account::login(&ctx, "", None)))
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

enum Outcome {
    SignedIn(String),
    Refused(&'static str),
}

async fn submit(
    state: State,
    ctx: Ctx,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let LoginForm { email, password } = form.into_inner();
    let email_norm = email.trim().to_lowercase();
    if email_norm.len() > 254 || password.len() > 1024 {
        return Ok(refused(&ctx, &email, BAD_CREDENTIALS));
    }
    let limit = state.settings.auth.login_attempts_per_window;
    let window = Duration::minutes(15);
    let key = format!("login:{email_norm}");
    let lookup_email = email_norm.clone();
    let (account, blocked) = state
        .db
        .read({
            let key = key.clone();
            move |conn| {
                let blocked = rate_limit::is_blocked(conn, &key, limit, window, db::now())?;
                Ok((db::counselors::by_email(conn, &lookup_email)?, blocked))
            }
        })
        .await?;
    if blocked {
        return Ok(refused(&ctx, &email, THROTTLED));
    }
    // Hashing is slow on purpose; keep it off the async workers.
    let verified = web::block(move || match &account {
        Some(c) if c.active => password::verify(&password, &c.password_hash).then_some(c.id),
        _ => {
            password::verify_dummy(&password);
            None
        }
    })
    .await
    .map_err(|e| anyhow::Error::new(e).context("Failed to check a password"))?;

    let previous = ctx.user.as_ref().map(|u| u.session_id);
    let request_id = ctx.request_id.clone();
    let outcome = state
        .db
        .write(move |conn| match verified {
            Some(id) => {
                rate_limit::clear(conn, &key)?;
                db::audit::record(
                    conn,
                    &NewAudit::new(
                        ActorKind::Counselor,
                        Some(id),
                        AuditAction::SignIn,
                        &request_id,
                    ),
                )?;
                Ok(Outcome::SignedIn(session::start(
                    conn,
                    previous,
                    UserKind::Counselor,
                    id,
                )?))
            }
            None => {
                rate_limit::hit(conn, &key, limit, window, db::now())?;
                db::audit::record(
                    conn,
                    &NewAudit::new(
                        ActorKind::Anonymous,
                        None,
                        AuditAction::SignInFailed,
                        &request_id,
                    ),
                )?;
                Ok(Outcome::Refused(BAD_CREDENTIALS))
            }
        })
        .await?;
    Ok(match outcome {
        Outcome::SignedIn(raw) => HttpResponse::SeeOther()
            .insert_header(("Location", "/dashboard"))
            .cookie(session_cookie(raw, state.settings.secure_cookies()))
            .finish(),
        Outcome::Refused(message) => refused(&ctx, &email, message),
    })
}

fn refused(ctx: &Ctx, email: &str, message: &str) -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type("text/html; charset=utf-8")
        .body(views::account::login(ctx, email, Some(message)).into_string())
}

async fn logout(state: State, ctx: Ctx) -> Result<HttpResponse, AppError> {
    let target = match ctx.user.as_ref().map(|u| u.kind) {
        Some(UserKind::Partner) => "/sign-in?notice=signed-out",
        _ => "/login?notice=signed-out",
    };
    if let Some(user) = ctx.user.clone() {
        let request_id = ctx.request_id.clone();
        state
            .db
            .write(move |conn| {
                sessions::delete(conn, user.session_id)?;
                let kind = match user.kind {
                    UserKind::Counselor => ActorKind::Counselor,
                    UserKind::Partner => ActorKind::Partner,
                };
                db::audit::record(
                    conn,
                    &NewAudit::new(kind, Some(user.user_id), AuditAction::SignOut, &request_id),
                )?;
                Ok(())
            })
            .await?;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", target))
        .cookie(removal_cookie(
            SESSION_COOKIE,
            state.settings.secure_cookies(),
        ))
        .finish())
}
