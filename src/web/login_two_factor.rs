//! The second step of a counselor's sign-in: a code from their authenticator app, or one
//! of their recovery codes. The first step (`login`) left a short-lived challenge, named
//! by a cookie; this step ends it and starts the session. "Remember this browser" keeps a
//! server-side row for 30 days that the counselor can revoke on their account page.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use serde::Deserialize;

use crate::auth::session::{self, removal_cookie, session_cookie};
use crate::auth::{token, totp, UserKind};
use crate::db::{self, audit::NewAudit};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::login::user_agent;
use crate::web::throttle::{self, Keys};
use crate::web::{html, html_invalid, see_other, State};

pub const CHALLENGE_COOKIE: &str = "trellis_2fa";
pub const REMEMBER_COOKIE: &str = "trellis_remember";
const REMEMBER_DAYS: i64 = 30;
const WRONG_CODE: &str = "That code did not work. Codes change every 30 seconds and each one works only once; a recovery code also works only once.";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login/two-factor", web::get().to(show))
        .route("/login/two-factor", web::post().to(submit));
}

/// The cookie that names a sign-in waiting for its second step.
pub fn challenge_cookie(raw: String, secure: bool) -> Cookie<'static> {
    Cookie::build(CHALLENGE_COOKIE, raw)
        .path("/login")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::minutes(10))
        .finish()
}

fn remember_cookie(raw: String, secure: bool) -> Cookie<'static> {
    Cookie::build(REMEMBER_COOKIE, raw)
        .path("/login")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::days(REMEMBER_DAYS))
        .finish()
}

/// The raw remembered-browser token this browser sent, if any.
pub fn remembered(req: &HttpRequest) -> Option<String> {
    req.cookie(REMEMBER_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 100)
}

async fn pending(state: &State, req: &HttpRequest) -> Result<Option<(i32, String)>, AppError> {
    let Some(raw) = req.cookie(CHALLENGE_COOKIE).map(|c| c.value().to_string()) else {
        return Ok(None);
    };
    let hash = token::hash(&raw);
    let found = state
        .db
        .read({
            let hash = hash.clone();
            move |conn| Ok(db::two_factor::challenge(conn, &hash, db::now())?)
        })
        .await?;
    Ok(found.map(|id| (id, hash)))
}

async fn show(state: State, ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, AppError> {
    if pending(&state, &req).await?.is_none() {
        return Ok(see_other("/login?notice=sign-in-again"));
    }
    Ok(html(views::two_factor::second_step(&ctx, None)))
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
    #[serde(default)]
    remember: Option<String>,
}

enum Outcome {
    SignedIn {
        session: String,
        remember: Option<String>,
    },
    Wrong,
}

async fn submit(
    state: State,
    ctx: Ctx,
    req: HttpRequest,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let Some((counselor_id, challenge_hash)) = pending(&state, &req).await? else {
        return Ok(see_other("/login?notice=sign-in-again"));
    };
    let keys = Keys::new(&req, &format!("second-step:{counselor_id}"));
    if let Some(wait) = throttle::wait_left(&state, &keys).await? {
        return Ok(html_invalid(views::two_factor::second_step(
            &ctx,
            Some(&throttle::wait_message(wait)),
        )));
    }
    let CodeForm { code, remember } = form.into_inner();
    let code: String = code.chars().take(64).collect();
    let remember = remember.is_some();
    let previous = ctx.user.as_ref().map(|u| u.session_id);
    let request_id = ctx.request_id.clone();
    let agent = user_agent(&req);
    let policies = state.settings.throttles();
    let now_unix = totp::unix_now();
    let outcome = state
        .db
        .write(move |conn| {
            let Some(factor) = db::two_factor::find(conn, counselor_id)? else {
                return Ok(Outcome::Wrong);
            };
            let digits = code
                .chars()
                .filter(|c| !c.is_whitespace())
                .all(|c| c.is_ascii_digit());
            let how = if digits {
                match totp::matching_step(&factor.secret, &code, now_unix) {
                    // The step must be later than the last one used: no replay.
                    Some(step) if db::two_factor::use_step(conn, counselor_id, step)? => {
                        Some("two_factor")
                    }
                    _ => None,
                }
            } else if db::two_factor::use_recovery_code(
                conn,
                counselor_id,
                &totp::recovery_code_hash(&code),
            )? {
                Some("recovery_code")
            } else {
                None
            };
            let Some(how) = how else {
                throttle::fail(conn, &keys, &policies)?;
                db::audit::record(
                    conn,
                    &NewAudit::new(
                        ActorKind::Counselor,
                        Some(counselor_id),
                        AuditAction::TwoFactorFailed,
                        &request_id,
                    ),
                )?;
                return Ok(Outcome::Wrong);
            };
            db::throttle::clear(conn, &keys.account)?;
            db::two_factor::end_challenge(conn, &challenge_hash)?;
            if how == "recovery_code" {
                db::audit::record(
                    conn,
                    &NewAudit::new(
                        ActorKind::Counselor,
                        Some(counselor_id),
                        AuditAction::RecoveryCodeUsed,
                        &request_id,
                    ),
                )?;
            }
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(counselor_id),
                    AuditAction::SignIn,
                    &request_id,
                )
                .detail(how),
            )?;
            let remember = if remember {
                let raw = token::generate();
                let agent: String = agent.chars().take(400).collect();
                db::two_factor::remember_browser(
                    conn,
                    &token::hash(&raw),
                    counselor_id,
                    &agent,
                    db::now() + Duration::days(REMEMBER_DAYS),
                )?;
                Some(raw)
            } else {
                None
            };
            let session = session::start_with_agent(
                conn,
                previous,
                UserKind::Counselor,
                counselor_id,
                &agent,
            )?;
            Ok(Outcome::SignedIn { session, remember })
        })
        .await?;
    let secure = state.settings.secure_cookies();
    match outcome {
        Outcome::Wrong => Ok(html_invalid(views::two_factor::second_step(
            &ctx,
            Some(WRONG_CODE),
        ))),
        Outcome::SignedIn { session, remember } => {
            let mut challenge_gone = removal_cookie(CHALLENGE_COOKIE, secure);
            challenge_gone.set_path("/login");
            let mut r = HttpResponse::SeeOther();
            r.insert_header(("Location", "/dashboard"))
                .cookie(session_cookie(session, secure))
                .cookie(challenge_gone);
            if let Some(raw) = remember {
                r.cookie(remember_cookie(raw, secure));
            }
            Ok(r.finish())
        }
    }
}
