//! Promises between the partners: the page listing them, and rating one made to you.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::auth::Partner;
use crate::db::promises::{PromiseRow, RatingRow};
use crate::db::{self, DbConnection};
use crate::domain::audit_action::AuditAction;
use crate::domain::promise::{asks_for_rating, may_rate, note_choice_allowed, note_visible};
use crate::domain::promise::{record, RatingForm};
use crate::domain::validation::Errors;
use crate::domain::visibility::Viewer;
use crate::error::AppError;
use crate::views::format;
use crate::views::promises::{PromiseItem, PromisesPage, RatingShown};
use crate::views::{self, Ctx};
use crate::web::portal::{audit_view, event, today_for};
use crate::web::{html, html_invalid, see_other, State};

/// Weeks the partner's record covers.
pub const RECORD_WEEKS: u32 = 8;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/promises", web::get().to(show))
        .route("/me/promises/{entry}/rate", web::post().to(rate));
}

/// A rating as `viewer` may see it (`reader_tz` for the day it was given).
pub fn shown(r: &RatingRow, viewer: Viewer, by: &str, reader_tz: Tz) -> RatingShown {
    let visible = note_visible(viewer, r.note_visibility);
    RatingShown {
        outcome: r.outcome,
        note: visible.then(|| r.note.clone()),
        note_private: !r.note.is_empty()
            && r.note_visibility == crate::domain::exercise::Visibility::CounselorOnly,
        rated_on: format::local_day(r.rated_at, reader_tz),
        by: by.to_string(),
    }
}

/// A promise as a list item; `viewer` is who reads the rating's note, relative to the rater.
pub fn item(p: &PromiseRow, who: &str, rater: &str, viewer: Viewer, tz: Tz) -> PromiseItem {
    PromiseItem {
        entry_id: p.entry_id,
        who: who.to_string(),
        text: p.text.clone(),
        due: p.due,
        rating: p.rating.as_ref().map(|r| shown(r, viewer, rater, tz)),
    }
}

/// Promises the signed-in partner is asked to rate today (for the home page too).
pub fn to_rate(
    conn: &mut DbConnection,
    me: &Partner,
    today: NaiveDate,
) -> Result<(Vec<PromiseItem>, bool), AppError> {
    let couple = db::couples::by_id(conn, me.couple_id)?;
    let other = db::couples::other_partner(conn, me.couple_id, me.id)?;
    let me_row = db::couples::partner_by_id(conn, me.id)?;
    let items = db::promises::for_couple(conn, me.couple_id, None)?
        .iter()
        .filter(|p| asks_for_rating(&p.facts(), me.id, today))
        .map(|p| {
            item(
                p,
                other.first_name(),
                me_row.first_name(),
                Viewer::Author,
                me_row.tz(),
            )
        })
        .collect();
    Ok((items, note_choice_allowed(couple.confidentiality())))
}

type Failed = Option<(i32, RatingForm, Errors, Option<String>)>;

fn load_page(
    conn: &mut DbConnection,
    me: &Partner,
    failed: Failed,
) -> Result<PromisesPage, AppError> {
    let partner = db::couples::partner_by_id(conn, me.id)?;
    let other = db::couples::other_partner(conn, me.couple_id, me.id)?;
    let couple = db::couples::by_id(conn, me.couple_id)?;
    let today = today_for(&partner);
    let tz = partner.tz();
    let all = db::promises::for_couple(conn, me.couple_id, None)?;
    let mine: Vec<&PromiseRow> = all.iter().filter(|p| p.promiser_id == me.id).collect();
    // The other partner's promises, only those shared with this one.
    let theirs: Vec<&PromiseRow> = all
        .iter()
        .filter(|p| p.promiser_id == other.id && p.facts().shared)
        .collect();
    let (me_name, other_name) = (partner.first_name(), other.first_name());
    let to_rate = theirs
        .iter()
        .filter(|p| asks_for_rating(&p.facts(), me.id, today))
        .map(|p| item(p, other_name, me_name, Viewer::Author, tz))
        .collect::<Vec<_>>();
    let made_to_me = theirs
        .iter()
        .filter(|p| !asks_for_rating(&p.facts(), me.id, today))
        .map(|p| item(p, other_name, me_name, Viewer::Author, tz))
        .collect();
    let lines_mine: Vec<_> = mine.iter().map(|p| p.line()).collect();
    let lines_theirs: Vec<_> = theirs.iter().map(|p| p.line()).collect();
    Ok(PromisesPage {
        other_name: other_name.to_string(),
        to_rate,
        made_to_me,
        mine: mine
            .iter()
            .map(|p| item(p, me_name, other_name, Viewer::OtherPartner, tz))
            .collect(),
        record_mine: record(&lines_mine, today, RECORD_WEEKS),
        record_theirs: record(&lines_theirs, today, RECORD_WEEKS),
        choice_allowed: note_choice_allowed(couple.confidentiality()),
        failed,
    })
}

async fn show(state: State, ctx: Ctx, me: Partner) -> Result<HttpResponse, AppError> {
    let who = me.clone();
    let view = state
        .db
        .read(move |conn| load_page(conn, &who, None))
        .await?;
    audit_view(
        &state,
        event(&me, AuditAction::PromisesView, &ctx.request_id),
    )
    .await?;
    Ok(html(views::promises::partner_page(&ctx, &view)))
}

async fn rate(
    state: State,
    ctx: Ctx,
    me: Partner,
    path: web::Path<i32>,
    form: web::Form<RatingForm>,
) -> Result<HttpResponse, AppError> {
    let entry_id = path.into_inner();
    let form = form.into_inner();
    let who = me.clone();
    let request_id = ctx.request_id.clone();
    let typed = form.clone();
    let failed = state
        .db
        .write(move |conn| {
            let partner = db::couples::partner_by_id(conn, who.id)?;
            let couple = db::couples::by_id(conn, who.couple_id)?;
            let promise = db::promises::find_in_couple(conn, who.couple_id, entry_id)?
                .ok_or(AppError::NotFound)?;
            // A promise this partner may not see is not there at all.
            if promise.promiser_id != who.id && !promise.facts().shared {
                return Err(AppError::NotFound);
            }
            if let Err(refusal) = may_rate(&promise.facts(), who.id, today_for(&partner)) {
                return Ok(Some((Errors::default(), Some(refusal.message()))));
            }
            let rating = match form.validate(couple.confidentiality()) {
                Ok(r) => r,
                Err(errors) => return Ok(Some((errors, None))),
            };
            db::promises::insert_rating(conn, who.couple_id, entry_id, who.id, &rating)?;
            db::audit::record(
                conn,
                &event(&who, AuditAction::PromiseRate, &request_id)
                    .target("entry", entry_id)
                    .detail(format!("outcome={}", rating.outcome.as_str())),
            )?;
            Ok(None)
        })
        .await?;
    match failed {
        None => Ok(see_other(&format!(
            "/me/promises?notice=promise-rated#promise-{entry_id}"
        ))),
        Some((errors, message)) => {
            let who = me.clone();
            let view = state
                .db
                .read(move |conn| load_page(conn, &who, Some((entry_id, typed, errors, message))))
                .await?;
            Ok(html_invalid(views::promises::partner_page(&ctx, &view)))
        }
    }
}
