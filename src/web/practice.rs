//! Practice administration: add, deactivate and reactivate counselors; read the audit log.

use actix_web::{web, HttpResponse};

use crate::auth::{password, token, Admin};
use crate::db::{self, audit::NewAudit, sessions};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::status::UserKind;
use crate::domain::validation::{self, Errors};
use crate::error::AppError;
use crate::views::{self, counselors::NewCounselorValues, Ctx};
use crate::web::{form_pairs, html, html_invalid, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/practice", web::get().to(show))
        .route("/practice/counselors", web::post().to(add))
        .route(
            "/practice/counselors/{id}/deactivate",
            web::post().to(deactivate),
        )
        .route(
            "/practice/counselors/{id}/reactivate",
            web::post().to(reactivate),
        );
}

async fn render(
    state: &State,
    ctx: &Ctx,
    admin: &Admin,
    v: &NewCounselorValues,
    errors: &Errors,
) -> Result<maud::Markup, AppError> {
    let me = admin.0.id;
    let (counselors, audit, tz) = state
        .db
        .read(move |conn| {
            Ok((
                db::counselors::all(conn)?,
                db::audit::recent(conn, 50)?,
                db::counselors::time_zone(conn, me)?,
            ))
        })
        .await?;
    Ok(views::counselors::practice(
        ctx,
        admin.0.id,
        &counselors,
        &audit,
        tz,
        v,
        errors,
    ))
}

async fn show(state: State, ctx: Ctx, admin: Admin) -> Result<HttpResponse, AppError> {
    let v = NewCounselorValues {
        time_zone: "UTC".into(),
        once: token::generate(),
        ..Default::default()
    };
    Ok(html(
        render(&state, &ctx, &admin, &v, &Errors::default()).await?,
    ))
}

enum Added {
    Done,
    Duplicate,
    Resent,
}

async fn add(
    state: State,
    ctx: Ctx,
    admin: Admin,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let pairs = form_pairs(&body)?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let v = NewCounselorValues {
        name: get("name"),
        email: get("email"),
        time_zone: get("time_zone"),
        admin: !get("admin").is_empty(),
        once: get("form_once"),
    };
    let password_raw = get("password");
    let mut errors = Errors::default();
    let name = validation::required_text(&mut errors, "name", &v.name, 100, "a name");
    let email = validation::email(&mut errors, "email", &v.email);
    if let Err(m) = password::check_new(&password_raw) {
        errors.add("password", m);
    }
    validation::time_zone(&mut errors, "time_zone", &v.time_zone);
    if !errors.is_empty() {
        return Ok(html_invalid(
            render(&state, &ctx, &admin, &v, &errors).await?,
        ));
    }
    let hash = crate::auth::hash_password(password_raw).await?;
    let (tz, is_admin, once, admin_id, request_id) = (
        v.time_zone.clone(),
        v.admin,
        v.once.clone(),
        admin.0.id,
        ctx.request_id.clone(),
    );
    let email_for_tx = email.clone();
    let outcome = state
        .db
        .write(move |conn| {
            if db::counselors::email_taken(conn, &email_for_tx)? {
                return Ok(Added::Duplicate);
            }
            if !db::forms::claim(conn, &once)? {
                return Ok(Added::Resent);
            }
            let id = db::counselors::create_counselor(
                conn,
                &db::counselors::NewAccount {
                    email: &email_for_tx,
                    display_name: &name,
                    password_hash: &hash,
                    is_admin,
                    time_zone: &tz,
                },
            )?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(admin_id),
                    AuditAction::CounselorCreate,
                    &request_id,
                )
                .target("counselor", id),
            )?;
            Ok(Added::Done)
        })
        .await?;
    match outcome {
        Added::Done => Ok(see_other("/practice?notice=counselor-added")),
        Added::Resent => Ok(see_other("/practice?notice=already-submitted")),
        Added::Duplicate => {
            errors.add("email", "A counselor with this email already exists.");
            Ok(html_invalid(
                render(&state, &ctx, &admin, &v, &errors).await?,
            ))
        }
    }
}

async fn deactivate(
    state: State,
    ctx: Ctx,
    admin: Admin,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    set_active(state, ctx, admin, path.into_inner(), false).await?;
    Ok(see_other("/practice?notice=counselor-deactivated"))
}

async fn reactivate(
    state: State,
    ctx: Ctx,
    admin: Admin,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    set_active(state, ctx, admin, path.into_inner(), true).await?;
    Ok(see_other("/practice?notice=counselor-reactivated"))
}

async fn set_active(
    state: State,
    ctx: Ctx,
    admin: Admin,
    id: i32,
    active: bool,
) -> Result<(), AppError> {
    if id == admin.0.id {
        // The last admin must not lock the practice out.
        return Err(AppError::NotFound);
    }
    let (admin_id, request_id) = (admin.0.id, ctx.request_id);
    state
        .db
        .write(move |conn| {
            db::counselors::by_id(conn, id)?;
            db::counselors::set_active(conn, id, active, db::now())?;
            if !active {
                sessions::delete_for_user(conn, UserKind::Counselor, id)?;
            }
            let action = if active {
                AuditAction::CounselorReactivate
            } else {
                AuditAction::CounselorDeactivate
            };
            db::audit::record(
                conn,
                &NewAudit::new(ActorKind::Counselor, Some(admin_id), action, &request_id)
                    .target("counselor", id),
            )?;
            Ok(())
        })
        .await
}
