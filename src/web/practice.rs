//! Practice administration: invite, deactivate and reactivate counselors. The audit log
//! has its own page (`practice_audit`), the sign-in rules their handlers in
//! `practice_security`.

use actix_web::{web, HttpResponse};

use crate::auth::{token, Admin};
use crate::db::{self, audit::NewAudit, sessions};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::status::{PasswordTokenPurpose, UserKind};
use crate::domain::validation::{self, Errors};
use crate::error::AppError;
use crate::views::{self, counselors::NewCounselorValues, Ctx};
use crate::web::password_links::send_link;
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
    let (counselors, security) = state
        .db
        .read(move |conn| {
            Ok((
                db::counselors::all(conn)?,
                views::counselors::Security {
                    require_two_factor: db::practice_security::require_two_factor(conn)?,
                    two_factor_on: db::two_factor::enabled_ids(conn)?,
                },
            ))
        })
        .await?;
    Ok(views::counselors::practice(
        ctx,
        admin.0.id,
        &counselors,
        &security,
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
    let mut errors = Errors::default();
    let name = validation::required_text(&mut errors, "name", &v.name, 100, "a name");
    let email = validation::email(&mut errors, "email", &v.email);
    validation::time_zone(&mut errors, "time_zone", &v.time_zone);
    if !errors.is_empty() {
        return Ok(html_invalid(
            render(&state, &ctx, &admin, &v, &errors).await?,
        ));
    }
    let settings = state.settings.clone();
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
                    // They choose their own password from the invitation email.
                    password_hash: db::counselors::NO_PASSWORD_YET,
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
            let counselor = db::counselors::by_id(conn, id)?;
            send_link(
                conn,
                &settings,
                &counselor,
                PasswordTokenPurpose::Invitation,
            )?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(admin_id),
                    AuditAction::CounselorInvite,
                    &request_id,
                )
                .target("counselor", id),
            )?;
            Ok(Added::Done)
        })
        .await?;
    match outcome {
        Added::Done => Ok(see_other("/practice?notice=counselor-invited")),
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
