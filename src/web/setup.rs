//! First run: create the practice admin. Gone (404) once any counselor exists.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::password;
use crate::auth::session::{self, session_cookie};
use crate::db::{self, audit::NewAudit};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::status::UserKind;
use crate::domain::validation::{self, Errors};
use crate::error::AppError;
use crate::views::{self, account::SetupValues, Ctx};
use crate::web::{html, html_invalid, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/setup", web::get().to(show))
        .route("/setup", web::post().to(submit));
}

async fn show(state: State, ctx: Ctx) -> Result<HttpResponse, AppError> {
    if state.db.read(|c| Ok(db::counselors::count(c)?)).await? > 0 {
        return Err(AppError::NotFound);
    }
    let values = SetupValues {
        time_zone: "UTC".into(),
        ..SetupValues::default()
    };
    Ok(html(views::account::setup(
        &ctx,
        &values,
        &Errors::default(),
    )))
}

#[derive(Deserialize)]
pub struct SetupForm {
    name: String,
    email: String,
    password: String,
    password_confirm: String,
    time_zone: String,
}

async fn submit(
    state: State,
    ctx: Ctx,
    req: actix_web::HttpRequest,
    form: web::Form<SetupForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut errors = Errors::default();
    let name = validation::required_text(&mut errors, "name", &form.name, 100, "your name");
    let email = validation::email(&mut errors, "email", &form.email);
    if let Err(m) = password::check_new_for(&form.password, &[&form.email, &form.name]) {
        errors.add("password", m);
    } else if form.password != form.password_confirm {
        errors.add("password_confirm", "The two passwords do not match.");
    }
    let tz = validation::time_zone(&mut errors, "time_zone", &form.time_zone);
    let values = SetupValues {
        name: form.name.clone(),
        email: form.email.clone(),
        time_zone: form.time_zone.clone(),
    };
    if !errors.is_empty() {
        return Ok(html_invalid(views::account::setup(&ctx, &values, &errors)));
    }
    let hash = crate::auth::hash_password(form.password.clone()).await?;
    let tz = tz
        .map(|t| t.name().to_string())
        .unwrap_or_else(|| "UTC".into());
    let request_id = ctx.request_id.clone();
    let agent = crate::web::login::user_agent(&req);
    let raw = state
        .db
        .write(move |conn| {
            // Checked inside the transaction: two first visitors cannot both become admin.
            if db::counselors::count(conn)? > 0 {
                return Err(AppError::NotFound);
            }
            let id = db::counselors::create_counselor(
                conn,
                &db::counselors::NewAccount {
                    email: &email,
                    display_name: &name,
                    password_hash: &hash,
                    is_admin: true,
                    time_zone: &tz,
                },
            )?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(id),
                    AuditAction::PracticeSetup,
                    &request_id,
                )
                .target("counselor", id),
            )?;
            // A new practice asks every counselor for two-step sign-in.
            db::practice_security::set_require_two_factor(conn, true)?;
            session::start_with_agent(conn, None, UserKind::Counselor, id, &agent)
        })
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", "/dashboard?notice=welcome"))
        .cookie(session_cookie(raw, state.settings.secure_cookies()))
        .finish())
}
