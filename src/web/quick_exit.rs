//! The neutral page "Leave quickly" goes to: the practice's chosen address if the admin set
//! one (a redirect), otherwise a blank page of our own. Needs no sign-in and sets nothing.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::db;
use crate::error::AppError;
use crate::views::quick_exit::{away_page, AWAY_PATH};
use crate::web::State;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(AWAY_PATH, web::get().to(away));
}

async fn away(state: State) -> Result<HttpResponse, AppError> {
    // A database that cannot answer must not keep the partner on a page: fall back to blank.
    let chosen = state
        .db
        .read(|conn| Ok(db::practice_settings::safety(conn)?))
        .await
        .map(|s| s.exit_url)
        .unwrap_or_default();
    if chosen.is_empty() {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(away_page().into_string()));
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, chosen))
        .finish())
}
