//! Changing one's own setback note within the same window as entries; the earlier wording
//! is kept as a version.

use actix_web::{web, HttpResponse};

use crate::auth::Partner;
use crate::db::{self, setbacks::SetbackRow, DbConnection};
use crate::domain::audit_action::AuditAction;
use crate::domain::entry::SetbackForm;
use crate::domain::validation::Errors;
use crate::domain::visibility::within_edit_window;
use crate::error::AppError;
use crate::views::setbacks::SetbackTarget;
use crate::views::{self, Ctx};
use crate::web::portal::{event, today_for};
use crate::web::{html, html_invalid, see_other, State};

/// The note as its form shows it.
fn form_of(s: &SetbackRow) -> SetbackForm {
    SetbackForm {
        happened_on: s.happened_on.format("%Y-%m-%d").to_string(),
        what_happened: s.what_happened.clone(),
        trigger_text: s.trigger_text.clone(),
        reaction: s.reaction.clone(),
        repair_attempted: if s.repair_attempted { "yes" } else { "no" }.to_string(),
        repair_text: s.repair_text.clone(),
        severity: s.severity.to_string(),
        do_differently: s.do_differently.clone(),
        visibility: s.visibility.as_str().to_string(),
        raise_in_session: s.raise_in_session.then(|| "on".to_string()),
    }
}

/// The partner's own note (anything else is not found) and their local date.
fn own_note(
    conn: &mut DbConnection,
    me: &Partner,
    id: i32,
) -> Result<(SetbackRow, chrono::NaiveDate), AppError> {
    let s = db::setbacks::find_in_couple(conn, me.couple_id, id)?;
    if s.partner_id != me.id {
        return Err(AppError::NotFound);
    }
    let partner = db::couples::partner_by_id(conn, me.id)?;
    Ok((s, today_for(&partner)))
}

fn closed(id: i32) -> HttpResponse {
    see_other(&format!("/me/setbacks/{id}?notice=edit-window-closed"))
}

pub async fn edit_form(
    state: State,
    ctx: Ctx,
    me: Partner,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let who = me.clone();
    let (note, today) = state.db.read(move |conn| own_note(conn, &who, id)).await?;
    let window = state.settings.entries.edit_window_hours;
    if !within_edit_window(Some(note.created_at), db::now(), window) {
        return Ok(closed(id));
    }
    Ok(html(views::setbacks::form_page(
        &ctx,
        &form_of(&note),
        &Errors::default(),
        &today.format("%Y-%m-%d").to_string(),
        SetbackTarget::Edit { id },
    )))
}

enum Saved {
    Done,
    Closed,
    Invalid(Box<(SetbackForm, Errors, chrono::NaiveDate)>),
}

pub async fn save(
    state: State,
    ctx: Ctx,
    me: Partner,
    path: web::Path<i32>,
    form: web::Form<SetbackForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let form = form.into_inner();
    let window = state.settings.entries.edit_window_hours;
    let request_id = ctx.request_id.clone();
    let who = me.clone();
    let saved = state
        .db
        .write(move |conn| {
            let (note, today) = own_note(conn, &who, id)?;
            if !within_edit_window(Some(note.created_at), db::now(), window) {
                return Ok(Saved::Closed);
            }
            let new = match form.validate(today) {
                Ok(n) => n,
                Err(errors) => return Ok(Saved::Invalid(Box::new((form, errors, today)))),
            };
            db::setbacks::update(conn, &note, &new)?;
            db::audit::record(
                conn,
                &event(&who, AuditAction::SetbackEdit, &request_id)
                    .target("setback", id)
                    .detail(format!("severity={}", new.severity)),
            )?;
            Ok(Saved::Done)
        })
        .await?;
    Ok(match saved {
        Saved::Done => see_other(&format!("/me/setbacks/{id}?notice=setback-updated")),
        Saved::Closed => closed(id),
        Saved::Invalid(invalid) => {
            let (form, errors, today) = *invalid;
            html_invalid(views::setbacks::form_page(
                &ctx,
                &form,
                &errors,
                &today.format("%Y-%m-%d").to_string(),
                SetbackTarget::Edit { id },
            ))
        }
    })
}
