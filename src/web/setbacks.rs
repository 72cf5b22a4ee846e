//! Setback notes: any partner, any time, no assignment needed.

use actix_web::{web, HttpResponse};

use crate::auth::{token, Partner};
use crate::db;
use crate::domain::audit_action::AuditAction;
use crate::domain::entry::SetbackForm;
use crate::domain::exercise::Visibility;
use crate::domain::validation::Errors;
use crate::domain::visibility::{setback_visible, within_edit_window, Viewer};
use crate::error::AppError;
use crate::views::setbacks::SetbackTarget;
use crate::views::{self, Ctx};
use crate::web::portal::{audit_view, event, today_for};
use crate::web::{html, html_invalid, see_other, State};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/setbacks", web::get().to(list))
        .route("/me/setbacks", web::post().to(create))
        .route("/me/setbacks/new", web::get().to(new_form))
        .route("/me/setbacks/{id}", web::get().to(detail))
        .route(
            "/me/setbacks/{id}",
            web::post().to(super::setback_edit::save),
        )
        .route(
            "/me/setbacks/{id}/edit",
            web::get().to(super::setback_edit::edit_form),
        );
}

async fn new_form(state: State, ctx: Ctx, me: Partner) -> Result<HttpResponse, AppError> {
    let id = me.id;
    let p = state
        .db
        .read(move |conn| Ok(db::couples::partner_by_id(conn, id)?))
        .await?;
    let today = today_for(&p);
    Ok(html(views::setbacks::form_page(
        &ctx,
        &SetbackForm::blank(today),
        &Errors::default(),
        &today.format("%Y-%m-%d").to_string(),
        SetbackTarget::New {
            once: &token::generate(),
        },
    )))
}

/// The setback form with its once-only token.
#[derive(serde::Deserialize)]
struct PostedSetback {
    #[serde(flatten)]
    form: SetbackForm,
    #[serde(default)]
    form_once: String,
}

async fn create(
    state: State,
    ctx: Ctx,
    me: Partner,
    posted: web::Form<PostedSetback>,
) -> Result<HttpResponse, AppError> {
    let PostedSetback { form, form_once } = posted.into_inner();
    let id = me.id;
    let p = state
        .db
        .read(move |conn| Ok(db::couples::partner_by_id(conn, id)?))
        .await?;
    let today = today_for(&p);
    let new = match form.validate(today) {
        Ok(n) => n,
        Err(errors) => {
            return Ok(html_invalid(views::setbacks::form_page(
                &ctx,
                &form,
                &errors,
                &today.format("%Y-%m-%d").to_string(),
                SetbackTarget::New { once: &form_once },
            )))
        }
    };
    let request_id = ctx.request_id.clone();
    let created = state
        .db
        .write(move |conn| {
            if !db::forms::claim(conn, &form_once)? {
                return Ok(false);
            }
            let sid = db::setbacks::create(conn, me.couple_id, me.id, &new)?;
            db::audit::record(
                conn,
                &event(&me, AuditAction::SetbackCreate, &request_id)
                    .target("setback", sid)
                    .detail(format!("severity={}", new.severity)),
            )?;
            Ok(true)
        })
        .await?;
    if !created {
        return Ok(see_other("/me/setbacks?notice=already-submitted"));
    }
    Ok(see_other("/me/setbacks?notice=setback-saved"))
}

async fn list(state: State, ctx: Ctx, me: Partner) -> Result<HttpResponse, AppError> {
    let (my_id, couple_id) = (me.id, me.couple_id);
    let notes = state
        .db
        .read(move |conn| {
            let other = db::couples::other_partner(conn, couple_id, my_id)?;
            Ok(db::setbacks::visible_to_partner(conn, couple_id, my_id)?
                .into_iter()
                .filter(|s| {
                    s.partner_id == my_id || s.visibility() == Visibility::CounselorAndPartner
                })
                .map(|s| {
                    let who = if s.partner_id == my_id {
                        "You".to_string()
                    } else {
                        other.first_name().to_string()
                    };
                    (s, who)
                })
                .collect::<Vec<_>>())
        })
        .await?;
    audit_view(
        &state,
        event(&me, AuditAction::SetbacksView, &ctx.request_id),
    )
    .await?;
    Ok(html(views::setbacks::list(&ctx, &notes)))
}

async fn detail(
    state: State,
    ctx: Ctx,
    me: Partner,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (my_id, couple_id) = (me.id, me.couple_id);
    let window = state.settings.entries.edit_window_hours;
    let (note, author, versions) = state
        .db
        .read(move |conn| {
            let s = db::setbacks::find_in_couple(conn, couple_id, id)?;
            let viewer = if s.partner_id == my_id {
                Viewer::Author
            } else {
                Viewer::OtherPartner
            };
            if !setback_visible(viewer, s.visibility()) {
                return Err(AppError::NotFound);
            }
            let author = if viewer == Viewer::Author {
                "You".to_string()
            } else {
                db::couples::partner_by_id(conn, s.partner_id)?
                    .first_name()
                    .to_string()
            };
            let versions = db::setbacks::version_count(conn, s.id)?;
            Ok((s, author, versions))
        })
        .await?;
    let editable =
        note.partner_id == my_id && within_edit_window(Some(note.created_at), db::now(), window);
    audit_view(
        &state,
        event(&me, AuditAction::SetbackView, &ctx.request_id).target("setback", note.id),
    )
    .await?;
    Ok(html(views::setbacks::detail(
        &ctx, &note, &author, editable, versions,
    )))
}
