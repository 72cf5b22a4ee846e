//! Partners' sign-in: single-use links (invitation or on request), confirmed by a POST, and
//! an optional password.

use actix_web::{web, HttpResponse};
use chrono::Duration;
use serde::Deserialize;

use crate::auth::session::{self, session_cookie};
use crate::auth::{password, UserKind, Visitor};
use crate::config::Settings;
use crate::db::outbox_queue::{self, NewEmail};
use crate::db::{self, audit::NewAudit, couples::PartnerRow, rate_limit, sign_in_tokens};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::couple::CoupleStatus;
use crate::domain::status::TokenPurpose;
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::{html, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in", web::get().to(show))
        .route("/sign-in", web::post().to(with_password))
        .route("/sign-in/link", web::get().to(show_request_link))
        .route("/sign-in/link", web::post().to(request_link))
        .route("/sign-in/t/{token}", web::get().to(confirm_page))
        .route("/sign-in/t/{token}", web::post().to(confirm));
}

const BAD_CREDENTIALS: &str =
    "That email and password do not match. Check both, or ask for a sign-in link instead.";
const THROTTLED: &str = "Too many attempts. Wait 15 minutes, or ask for a sign-in link instead.";

/// The link a partner follows, as it appears in emails.
pub fn link_for(settings: &Settings, raw_token: &str) -> String {
    format!(
        "{}/sign-in/t/{raw_token}",
        settings.server.base_url.trim_end_matches('/')
    )
}

async fn show(ctx: Ctx, visitor: Visitor) -> Result<HttpResponse, AppError> {
    if matches!(visitor.0.map(|i| i.kind), Some(UserKind::Partner)) {
        return Ok(see_other("/me"));
    }
    Ok(html(views::sign_in::sign_in(&ctx, "", None)))
}

async fn show_request_link(ctx: Ctx) -> Result<HttpResponse, AppError> {
    Ok(html(views::sign_in::request_link(&ctx)))
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    link_email: String,
}

/// Partners that may sign in: their couple is not closed.
fn signable(conn: &mut db::DbConnection, partner: &PartnerRow) -> diesel::QueryResult<bool> {
    let couple = db::couples::by_id(conn, partner.couple_id)?;
    Ok(couple.status() != CoupleStatus::Closed)
}

/// Always the same answer, known address or not; at most `sign_in_links_per_hour` links per
/// address per hour.
async fn request_link(
    state: State,
    ctx: Ctx,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, AppError> {
    let email = form.link_email.trim().to_lowercase();
    if email.is_empty() || email.len() > 254 {
        return Ok(html(views::sign_in::link_sent(&ctx)));
    }
    let settings = state.settings.clone();
    let request_id = ctx.request_id.clone();
    state
        .db
        .write(move |conn| {
            let key = format!("sign-in-link:{email}");
            let allowed = rate_limit::hit(
                conn,
                &key,
                settings.auth.sign_in_links_per_hour,
                Duration::hours(1),
                db::now(),
            )?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Anonymous,
                    None,
                    AuditAction::SignInLinkRequested,
                    &request_id,
                )
                .detail(if allowed { "" } else { "rate_limited" }),
            )?;
            if !allowed {
                return Ok(());
            }
            let valid_minutes = settings.auth.sign_in_link_expiry_minutes;
            for partner in db::couples::partners_by_email(conn, &email)? {
                if !signable(conn, &partner)? {
                    continue;
                }
                let raw = sign_in_tokens::create(
                    conn,
                    partner.id,
                    TokenPurpose::SignIn,
                    Duration::minutes(valid_minutes),
                )?;
                let counselor = db::partner_home::counselor_name(conn, partner.couple_id)?;
                let body = views::emails::sign_in_link(
                    partner.first_name(),
                    &counselor,
                    &link_for(&settings, &raw),
                    valid_minutes,
                );
                outbox_queue::queue(
                    conn,
                    &NewEmail {
                        kind: "sign_in_link",
                        to_address: partner.email.clone(),
                        to_name: partner.first_name().to_string(),
                        subject: body.subject,
                        body_text: body.text,
                        body_html: body.html,
                        unsubscribe_url: None,
                        partner_id: Some(partner.id),
                        expires_at: Some(db::now() + Duration::minutes(valid_minutes)),
                    },
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(html(views::sign_in::link_sent(&ctx)))
}

fn invalid_link(ctx: &Ctx) -> HttpResponse {
    HttpResponse::Gone()
        .content_type("text/html; charset=utf-8")
        .body(views::sign_in::link_invalid(ctx).into_string())
}

/// GET never uses the link up; it only shows the button that does.
async fn confirm_page(
    state: State,
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let lookup = raw.clone();
    let partner = state
        .db
        .read(
            move |conn| match sign_in_tokens::peek(conn, &lookup, db::now())? {
                Some(id) => {
                    let p = db::couples::partner_by_id(conn, id)?;
                    Ok(signable(conn, &p)?.then_some(p))
                }
                None => Ok(None),
            },
        )
        .await?;
    Ok(match partner {
        Some(p) => html(views::sign_in::confirm(&ctx, &raw, p.first_name())),
        None => invalid_link(&ctx),
    })
}

async fn confirm(
    state: State,
    ctx: Ctx,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let previous = ctx.user.as_ref().map(|u| u.session_id);
    let request_id = ctx.request_id.clone();
    let started = state
        .db
        .write(move |conn| {
            let now = db::now();
            let Some(partner_id) = sign_in_tokens::consume(conn, &raw, now)? else {
                db::audit::record(
                    conn,
                    &NewAudit::new(
                        ActorKind::Anonymous,
                        None,
                        AuditAction::SignInLinkRefused,
                        &request_id,
                    ),
                )?;
                return Ok(None);
            };
            let partner = db::couples::partner_by_id(conn, partner_id)?;
            if !signable(conn, &partner)? {
                return Ok(None);
            }
            Ok(Some(start_partner_session(
                conn,
                previous,
                &partner,
                "link",
                &request_id,
            )?))
        })
        .await?;
    Ok(match started {
        Some(cookie) => HttpResponse::SeeOther()
            .insert_header(("Location", "/me"))
            .cookie(session_cookie(cookie, state.settings.secure_cookies()))
            .finish(),
        None => invalid_link(&ctx),
    })
}

/// New session, last sign-in time, audit row; returns the raw session cookie value.
fn start_partner_session(
    conn: &mut db::DbConnection,
    previous: Option<i32>,
    partner: &PartnerRow,
    how: &str,
    request_id: &str,
) -> Result<String, AppError> {
    use crate::db::schema::partners;
    use diesel::prelude::*;
    diesel::update(partners::table.find(partner.id))
        .set(partners::last_sign_in_at.eq(db::now()))
        .execute(conn)?;
    db::audit::record(
        conn,
        &NewAudit::new(
            ActorKind::Partner,
            Some(partner.id),
            AuditAction::SignIn,
            request_id,
        )
        .couple(partner.couple_id)
        .detail(how),
    )?;
    session::start(conn, previous, UserKind::Partner, partner.id)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn with_password(
    state: State,
    ctx: Ctx,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let PasswordForm { email, password } = form.into_inner();
    let email_norm = email.trim().to_lowercase();
    let refused = |message: &str| {
        HttpResponse::BadRequest()
            .content_type("text/html; charset=utf-8")
            .body(views::sign_in::sign_in(&ctx, &email, Some(message)).into_string())
    };
    if email_norm.is_empty() || email_norm.len() > 254 || password.len() > 1024 {
        return Ok(refused(BAD_CREDENTIALS));
    }
    let limit = state.settings.auth.login_attempts_per_window;
    let window = Duration::minutes(15);
    let key = format!("partner-login:{email_norm}");
    let (candidates, blocked) = state
        .db
        .read({
            let key = key.clone();
            move |conn| {
                let blocked = rate_limit::is_blocked(conn, &key, limit, window, db::now())?;
                let mut found = Vec::new();
                for p in db::couples::partners_by_email(conn, &email_norm)? {
                    if p.password_hash.is_some() && signable(conn, &p)? {
                        found.push(p);
                    }
                }
                Ok((found, blocked))
            }
        })
        .await?;
    if blocked {
        return Ok(refused(THROTTLED));
    }
    let verified = web::block(move || {
        if candidates.is_empty() {
            password::verify_dummy(&password);
            return None;
        }
        candidates.into_iter().find(|p| {
            p.password_hash
                .as_deref()
                .is_some_and(|h| password::verify(&password, h))
        })
    })
    .await
    .map_err(|e| anyhow::Error::new(e).context("Failed to check a password"))?;
    let previous = ctx.user.as_ref().map(|u| u.session_id);
    let request_id = ctx.request_id.clone();
    let started = state
        .db
        .write(move |conn| match verified {
            Some(p) => {
                rate_limit::clear(conn, &key)?;
                Ok(Some(start_partner_session(
                    conn,
                    previous,
                    &p,
                    "password",
                    &request_id,
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
                    )
                    .detail("partner"),
                )?;
                Ok(None)
            }
        })
        .await?;
    Ok(match started {
        Some(cookie) => HttpResponse::SeeOther()
            .insert_header(("Location", "/me"))
            .cookie(session_cookie(cookie, state.settings.secure_cookies()))
            .finish(),
        None => refused(BAD_CREDENTIALS),
    })
}
