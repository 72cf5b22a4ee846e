//! Counselor sign-in and sign-out (for everyone). A counselor with a second factor gets a
//! second step (`login_two_factor`) unless this browser is remembered; failures slow down
//! both the account and the client address (`web::throttle`).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use serde::Deserialize;

use crate::auth::session::{self, removal_cookie, session_cookie, SESSION_COOKIE};
use crate::auth::{password, token, UserKind, Visitor};
use crate::db::{self, audit::NewAudit, sessions};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::login_two_factor::{challenge_cookie, remembered};
use crate::web::throttle::{self, Keys};
use crate::web::{see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(show))
        .route("/login", web::post().to(submit))
        .route("/logout", web::post().to(logout));
}

const BAD_CREDENTIALS: &str =
    "That email and password do not match an active account. Check both and try again.";
/// How long the second step of a sign-in may take.
const CHALLENGE_MINUTES: i64 = 10;

async fn show(ctx: Ctx, visitor: Visitor) -> Result<HttpResponse, AppError> {
    if matches!(visitor.0.map(|i| i.kind), Some(UserKind::Counselor)) {
        return Ok(see_other("/dashboard"));
    }
    Ok(crate::web::html(views::account::login(&ctx, "", None)))
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

enum Outcome {
    SignedIn(String),
    SecondStep(String),
    Refused(&'static str),
}

/// The browser's User-Agent, as sent.
pub fn user_agent(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn submit(
    state: State,
    ctx: Ctx,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let LoginForm { email, password } = form.into_inner();
    let email_norm = email.trim().to_lowercase();
    if email_norm.len() > 254 || password.len() > 1024 {
        return Ok(refused(&ctx, &email, BAD_CREDENTIALS));
    }
    let keys = Keys::new(&req, &format!("email:{email_norm}"));
    if let Some(wait) = throttle::wait_left(&state, &keys).await? {
        return Ok(refused_owned(&ctx, &email, &throttle::wait_message(wait)));
    }
    let lookup_email = email_norm.clone();
    let account = state
        .db
        .read(move |conn| Ok(db::counselors::by_email(conn, &lookup_email)?))
        .await?;
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
    let agent = user_agent(&req);
    let remember_hash = remembered(&req).map(|raw| token::hash(&raw));
    let policies = state.settings.throttles();
    let outcome = state
        .db
        .write(move |conn| match verified {
            Some(id) => {
                db::throttle::clear(conn, &keys.account)?;
                let now = db::now();
                let has_factor = db::two_factor::is_on(conn, id)?;
                let second_step = has_factor
                    && !match &remember_hash {
                        Some(h) => db::two_factor::is_remembered(conn, h, id, now)?,
                        None => false,
                    };
                if second_step {
                    let raw = token::generate();
                    db::two_factor::create_challenge(
                        conn,
                        &token::hash(&raw),
                        id,
                        now + Duration::minutes(CHALLENGE_MINUTES),
                    )?;
                    return Ok(Outcome::SecondStep(raw));
                }
                db::audit::record(
                    conn,
                    &NewAudit::new(
                        ActorKind::Counselor,
                        Some(id),
                        AuditAction::SignIn,
                        &request_id,
                    )
                    .detail(if has_factor { "remembered_browser" } else { "" }),
                )?;
                Ok(Outcome::SignedIn(session::start_with_agent(
                    conn,
                    previous,
                    UserKind::Counselor,
                    id,
                    &agent,
                )?))
            }
            None => {
                throttle::fail(conn, &keys, &policies)?;
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
    let secure = state.settings.secure_cookies();
    Ok(match outcome {
        Outcome::SignedIn(raw) => HttpResponse::SeeOther()
            .insert_header(("Location", "/dashboard"))
            .cookie(session_cookie(raw, secure))
            .finish(),
        Outcome::SecondStep(raw) => HttpResponse::SeeOther()
            .insert_header(("Location", "/login/two-factor"))
            .cookie(challenge_cookie(raw, secure))
            .finish(),
        Outcome::Refused(message) => refused(&ctx, &email, message),
    })
}

fn refused(ctx: &Ctx, email: &str, message: &str) -> HttpResponse {
    refused_owned(ctx, email, message)
}

fn refused_owned(ctx: &Ctx, email: &str, message: &str) -> HttpResponse {
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
