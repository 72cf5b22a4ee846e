//! Passwords by emailed link: "Forgot your password?" (a single-use link valid for 30
//! minutes, the same answer whether or not the address has an account) and a new
//! counselor's invitation to choose their first password. Opening a link changes nothing;
//! the POST that saves the password spends it, so a mail scanner cannot use it up.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use serde::Deserialize;

use crate::auth::{token, UserKind};
use crate::config::Settings;
use crate::db::{self, audit::NewAudit, outbox::NewOutboxMessage, rate_limit, DbConnection};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::status::PasswordTokenPurpose;
use crate::domain::validation::{self, Errors};
use crate::error::AppError;
use crate::views::{self, emails::EmailBody, Ctx};
use crate::web::account_password::check_new_password;
use crate::web::throttle::{self, Keys};
use crate::web::{html, html_invalid, see_other, State};

/// Minutes a reset link works.
pub const RESET_MINUTES: i64 = 30;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login/forgot", web::get().to(show_forgot))
        .route("/login/forgot", web::post().to(forgot))
        .route("/login/reset/{token}", web::get().to(show_reset))
        .route("/login/reset/{token}", web::post().to(reset));
}

/// The address of a password link.
pub fn link_for(settings: &Settings, raw: &str) -> String {
    format!(
        "{}/login/reset/{raw}",
        settings.server.base_url.trim_end_matches('/')
    )
}

/// Queue an email to a counselor, in the caller's transaction.
pub fn queue_to_counselor(
    conn: &mut DbConnection,
    kind: &str,
    counselor: &db::counselors::CounselorRow,
    body: EmailBody,
    expires_at: Option<chrono::NaiveDateTime>,
) -> diesel::QueryResult<()> {
    let mut m = NewOutboxMessage::new(
        kind,
        &counselor.email,
        &counselor.display_name,
        &body.subject,
        body.text,
        body.html,
        db::now(),
    );
    m.counselor_id = Some(counselor.id);
    m.expires_at = expires_at;
    db::outbox::enqueue(conn, &m)?;
    Ok(())
}

/// Make a password link for `counselor` and queue its email. Returns nothing: the raw
/// token exists only in the email.
pub fn send_link(
    conn: &mut DbConnection,
    settings: &Settings,
    counselor: &db::counselors::CounselorRow,
    purpose: PasswordTokenPurpose,
) -> diesel::QueryResult<()> {
    let raw = token::generate();
    let valid = match purpose {
        PasswordTokenPurpose::Reset => Duration::minutes(RESET_MINUTES),
        PasswordTokenPurpose::Invitation => Duration::hours(settings.auth.invitation_expiry_hours),
    };
    let expires = db::now() + valid;
    db::password_tokens::create(conn, &token::hash(&raw), counselor.id, purpose, expires)?;
    let link = link_for(settings, &raw);
    let (kind, body) = match purpose {
        PasswordTokenPurpose::Reset => (
            "password_reset",
            views::account_emails::password_reset(&counselor.display_name, &link, RESET_MINUTES),
        ),
        PasswordTokenPurpose::Invitation => (
            "counselor_invitation",
            views::account_emails::counselor_invitation(
                &counselor.display_name,
                &link,
                settings.auth.invitation_expiry_hours,
            ),
        ),
    };
    queue_to_counselor(conn, kind, counselor, body, Some(expires))
}

async fn show_forgot(ctx: Ctx) -> Result<HttpResponse, AppError> {
    Ok(html(views::account_pages::forgot(
        &ctx,
        "",
        false,
        &Errors::default(),
    )))
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: String,
}

async fn forgot(
    state: State,
    ctx: Ctx,
    req: HttpRequest,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    let typed = form.into_inner().email;
    let mut errors = Errors::default();
    let email = validation::email(&mut errors, "email", &typed);
    if !errors.is_empty() {
        return Ok(html_invalid(views::account_pages::forgot(
            &ctx, &typed, false, &errors,
        )));
    }
    let keys = Keys::new(&req, "forgot");
    let settings = state.settings.clone();
    let request_id = ctx.request_id.clone();
    state
        .db
        .write(move |conn| {
            // At most so many links per client address an hour; the answer stays the same.
            let allowed = rate_limit::hit(
                conn,
                &format!("forgot:{}", keys.address),
                settings.auth.sign_in_links_per_hour,
                Duration::hours(1),
                db::now(),
            )?;
            let account = db::counselors::by_email(conn, &email)?.filter(|c| c.active);
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Anonymous,
                    None,
                    AuditAction::PasswordResetRequested,
                    &request_id,
                )
                .detail(match (&account, allowed) {
                    (_, false) => "rate_limited",
                    (Some(_), true) => "sent",
                    (None, true) => "no_account",
                }),
            )?;
            if let (Some(c), true) = (account, allowed) {
                send_link(conn, &settings, &c, PasswordTokenPurpose::Reset)?;
            }
            Ok(())
        })
        .await?;
    Ok(html(views::account_pages::forgot(
        &ctx,
        "",
        true,
        &Errors::default(),
    )))
}

fn link_invalid(ctx: &Ctx) -> HttpResponse {
    HttpResponse::Gone()
        .content_type("text/html; charset=utf-8")
        .body(views::account_pages::link_invalid(ctx).into_string())
}

async fn refuse_link(
    state: &State,
    ctx: &Ctx,
    req: &HttpRequest,
) -> Result<HttpResponse, AppError> {
    let keys = Keys::new(req, "reset-link");
    let policies = state.settings.throttles();
    let request_id = ctx.request_id.clone();
    state
        .db
        .write(move |conn| {
            throttle::fail_address(conn, &keys, &policies)?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Anonymous,
                    None,
                    AuditAction::PasswordLinkRefused,
                    &request_id,
                ),
            )?;
            Ok(())
        })
        .await?;
    Ok(link_invalid(ctx))
}

async fn show_reset(
    state: State,
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let keys = Keys::new(&req, "reset-link");
    if throttle::wait_left(&state, &keys).await?.is_some() {
        return Ok(link_invalid(&ctx));
    }
    let hash = token::hash(&path.into_inner());
    let live = state
        .db
        .read(move |conn| Ok(db::password_tokens::live(conn, &hash, db::now())?))
        .await?;
    match live {
        Some((_, purpose)) => Ok(html(views::account_pages::set_password(
            &ctx,
            req.path(),
            purpose == PasswordTokenPurpose::Invitation,
            &Errors::default(),
        ))),
        None => refuse_link(&state, &ctx, &req).await,
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
    password_confirm: String,
}

async fn reset(
    state: State,
    ctx: Ctx,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let keys = Keys::new(&req, "reset-link");
    if throttle::wait_left(&state, &keys).await?.is_some() {
        return Ok(link_invalid(&ctx));
    }
    let hash = token::hash(&path.into_inner());
    let live = {
        let hash = hash.clone();
        state
            .db
            .read(move |conn| {
                let Some((id, purpose)) = db::password_tokens::live(conn, &hash, db::now())? else {
                    return Ok(None);
                };
                Ok(Some((db::counselors::by_id(conn, id)?, purpose)))
            })
            .await?
    };
    let Some((account, purpose)) = live else {
        return refuse_link(&state, &ctx, &req).await;
    };
    let f = form.into_inner();
    let mut errors = Errors::default();
    check_new_password(
        &mut errors,
        &f.password,
        &f.password_confirm,
        &[&account.email, &account.display_name],
    );
    if !errors.is_empty() {
        return Ok(html_invalid(views::account_pages::set_password(
            &ctx,
            req.path(),
            purpose == PasswordTokenPurpose::Invitation,
            &errors,
        )));
    }
    let new_hash = crate::auth::hash_password(f.password).await?;
    let request_id = ctx.request_id.clone();
    let done = state
        .db
        .write(move |conn| {
            let now = db::now();
            let Some((id, purpose)) = db::password_tokens::consume(conn, &hash, now)? else {
                return Ok(false);
            };
            db::counselors::set_password(conn, id, &new_hash)?;
            db::sessions::delete_for_user(conn, UserKind::Counselor, id)?;
            db::password_tokens::revoke_all(conn, id, now)?;
            db::throttle::clear(conn, &format!("account:email:{}", account.email))?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(id),
                    AuditAction::PasswordReset,
                    &request_id,
                )
                .target("counselor", id)
                .detail(purpose.as_str()),
            )?;
            Ok(true)
        })
        .await?;
    if !done {
        return refuse_link(&state, &ctx, &req).await;
    }
    Ok(see_other("/login?notice=password-saved"))
}
