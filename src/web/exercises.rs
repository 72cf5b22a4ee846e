//! The exercise library: browse, read, and counselors' own exercises.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::{token, Counselor};
use crate::db::{self, audit::NewAudit, exercises::LibraryFilter};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::custom_exercise::ExerciseForm;
use crate::domain::exercise::Performer;
use crate::domain::validation::Errors;
use crate::error::AppError;
use crate::views::{self, Ctx};
use crate::web::{form_pairs, html, html_invalid, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/exercises", web::get().to(list))
        .route("/exercises", web::post().to(create))
        .route("/exercises/new", web::get().to(new_form))
        .route("/exercises/{id}", web::get().to(detail))
        .route("/exercises/{id}/edit", web::get().to(edit_form))
        .route("/exercises/{id}/edit", web::post().to(update))
        .route("/exercises/{id}/archive", web::post().to(archive))
        .route("/exercises/{id}/restore", web::post().to(restore));
}

#[derive(Deserialize)]
pub struct ListQuery {
    element: Option<String>,
    performer: Option<String>,
    archived: Option<String>,
}

async fn list(
    state: State,
    ctx: Ctx,
    me: Counselor,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = LibraryFilter {
        element: q.element.as_deref().and_then(|s| s.parse().ok()),
        performer: q.performer.as_deref().and_then(Performer::parse),
        include_archived: q.archived.is_some(),
    };
    let f = filter.clone();
    let rows = state
        .db
        .read(move |conn| Ok(db::exercises::visible_to(conn, me.id, &f)?))
        .await?;
    Ok(html(views::exercises::list(
        &ctx,
        &rows,
        filter.element,
        filter.performer,
        filter.include_archived,
    )))
}

async fn detail(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (row, prompts) = state
        .db
        .read(move |conn| {
            let row = db::exercises::find_for(conn, me.id, id)?;
            let prompts = db::exercises::prompts(conn, row.id)?;
            Ok((row, prompts))
        })
        .await?;
    let own = row.counselor_id == Some(me.id);
    Ok(html(views::exercises::detail(&ctx, &row, &prompts, own)))
}

async fn new_form(ctx: Ctx, _me: Counselor) -> Result<HttpResponse, AppError> {
    let form = ExerciseForm::default().with_spare_rows(3);
    let once = token::generate();
    Ok(html(views::exercises::edit_form(
        &ctx,
        "Write your own exercise",
        "/exercises",
        &form,
        &Errors::default(),
        Some(&once),
    )))
}

fn intent(pairs: &[(String, String)]) -> &str {
    pairs
        .iter()
        .find(|(k, _)| k == "intent")
        .map(|(_, v)| v.as_str())
        .unwrap_or("save")
}

async fn create(
    state: State,
    ctx: Ctx,
    me: Counselor,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let pairs = form_pairs(&body)?;
    let form = ExerciseForm::from_fields(&pairs);
    let once = pairs
        .iter()
        .find(|(k, _)| k == "form_once")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let title = "Write your own exercise";
    if intent(&pairs) == "more" {
        let form = form.with_spare_rows(3);
        return Ok(html(views::exercises::edit_form(
            &ctx,
            title,
            "/exercises",
            &form,
            &Errors::default(),
            Some(&once),
        )));
    }
    let def = match form.validate() {
        Ok(def) => def,
        Err(errors) => {
            return Ok(html_invalid(views::exercises::edit_form(
                &ctx,
                title,
                "/exercises",
                &form,
                &errors,
                Some(&once),
            )));
        }
    };
    let request_id = ctx.request_id.clone();
    let created = state
        .db
        .write(move |conn| {
            if !db::forms::claim(conn, &once)? {
                return Ok(None);
            }
            let id = db::exercises::create_own(conn, me.id, &def)?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(me.id),
                    AuditAction::ExerciseCreate,
                    &request_id,
                )
                .target("exercise", id),
            )?;
            Ok(Some(id))
        })
        .await?;
    Ok(match created {
        Some(id) => see_other(&format!("/exercises/{id}?notice=exercise-created")),
        None => see_other("/exercises?notice=already-submitted"),
    })
}

async fn edit_form(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let def = state
        .db
        .read(move |conn| {
            let row = db::exercises::find_own(conn, me.id, id)?;
            let prompts = db::exercises::prompts(conn, row.id)?;
            Ok(db::exercises::to_def(&row, &prompts))
        })
        .await?;
    let form = ExerciseForm::from_def(&def).with_spare_rows(2);
    let action = format!("/exercises/{id}/edit");
    Ok(html(views::exercises::edit_form(
        &ctx,
        "Edit exercise",
        &action,
        &form,
        &Errors::default(),
        None,
    )))
}

async fn update(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    // A counselor may only edit their own: 404 before looking at the form.
    state
        .db
        .read(move |conn| Ok(db::exercises::find_own(conn, me.id, id)?))
        .await?;
    let pairs = form_pairs(&body)?;
    let form = ExerciseForm::from_fields(&pairs);
    let action = format!("/exercises/{id}/edit");
    if intent(&pairs) == "more" {
        let form = form.with_spare_rows(3);
        return Ok(html(views::exercises::edit_form(
            &ctx,
            "Edit exercise",
            &action,
            &form,
            &Errors::default(),
            None,
        )));
    }
    let def = match form.validate() {
        Ok(def) => def,
        Err(errors) => {
            return Ok(html_invalid(views::exercises::edit_form(
                &ctx,
                "Edit exercise",
                &action,
                &form,
                &errors,
                None,
            )));
        }
    };
    let request_id = ctx.request_id.clone();
    state
        .db
        .write(move |conn| {
            db::exercises::update_own(conn, me.id, id, &def)?;
            db::audit::record(
                conn,
                &NewAudit::new(
                    ActorKind::Counselor,
                    Some(me.id),
                    AuditAction::ExerciseUpdate,
                    &request_id,
                )
                .target("exercise", id),
            )?;
            Ok(())
        })
        .await?;
    Ok(see_other(&format!(
        "/exercises/{id}?notice=exercise-updated"
    )))
}

async fn archive(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    set_archived(state, ctx, me, path.into_inner(), true).await
}

async fn restore(
    state: State,
    ctx: Ctx,
    me: Counselor,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    set_archived(state, ctx, me, path.into_inner(), false).await
}

async fn set_archived(
    state: State,
    ctx: Ctx,
    me: Counselor,
    id: i32,
    archived: bool,
) -> Result<HttpResponse, AppError> {
    let request_id = ctx.request_id;
    state
        .db
        .write(move |conn| {
            db::exercises::set_archived(conn, me.id, id, archived)?;
            let action = if archived {
                AuditAction::ExerciseArchive
            } else {
                AuditAction::ExerciseRestore
            };
            db::audit::record(
                conn,
                &NewAudit::new(ActorKind::Counselor, Some(me.id), action, &request_id)
                    .target("exercise", id),
            )?;
            Ok(())
        })
        .await?;
    let notice = if archived {
        "exercise-archived"
    } else {
        "exercise-restored"
    };
    Ok(see_other(&format!("/exercises/{id}?notice={notice}")))
}
