//! HTTP handlers, one module per area; each exposes `configure`.

pub mod account;
pub mod account_password;
pub mod account_sessions;
pub mod alerts;
pub mod assets;
pub mod assignment_edit;
pub mod assignments;
pub mod confirm;
pub mod couple_promises;
pub mod couples;
pub mod csv_stream;
pub mod ctx;
pub mod dashboard;
pub mod download;
pub mod entries;
pub mod exercises;
pub mod health;
pub mod home;
pub mod invitations;
pub mod journal;
pub mod login;
pub mod login_two_factor;
pub mod mail;
pub mod partner;
pub mod partner_auth;
pub mod password_links;
pub mod portal;
pub mod practice;
pub mod practice_audit;
pub mod practice_security;
pub mod progress;
pub mod promises;
pub mod quick_exit;
pub mod reauth;
pub mod reports;
pub mod scope;
pub mod setback_edit;
pub mod setbacks;
pub mod setup;
pub mod therapy_sessions;
pub mod throttle;
pub mod timeline;
pub mod unsubscribe;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use maud::Markup;

use crate::error::AppError;
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(assets::configure)
        .configure(health::configure)
        .configure(home::configure)
        .configure(setup::configure)
        .configure(login::configure)
        .configure(login_two_factor::configure)
        .configure(password_links::configure)
        .configure(account::configure)
        .configure(account_password::configure)
        .configure(account_sessions::configure)
        .configure(practice_audit::configure)
        .configure(practice_security::configure)
        .configure(practice::configure)
        .configure(mail::configure)
        .configure(exercises::configure)
        .configure(dashboard::configure)
        .configure(partner_auth::configure)
        .configure(partner::configure)
        .configure(entries::configure)
        .configure(journal::configure)
        .configure(setbacks::configure)
        .configure(promises::configure)
        .configure(download::configure)
        .configure(progress::configure)
        .configure(invitations::configure)
        .configure(timeline::configure)
        .configure(reports::configure)
        .configure(couples::configure)
        .configure(assignment_edit::configure)
        .configure(assignments::configure)
        .configure(therapy_sessions::configure)
        .configure(confirm::configure)
        .configure(unsubscribe::configure)
        .configure(alerts::configure)
        .configure(quick_exit::configure)
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

pub type State = web::Data<AppState>;

/// 303 to `location` after a successful POST.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A page with status 200.
pub fn html(markup: Markup) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// A form that came back with errors: status 400, the same page re-filled.
pub fn html_invalid(markup: Markup) -> HttpResponse {
    HttpResponse::BadRequest()
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// Parse a posted form as ordered pairs (repeated keys allowed).
pub fn form_pairs(body: &[u8]) -> Result<Vec<(String, String)>, AppError> {
    serde_urlencoded::from_bytes(body)
        .map_err(|_| AppError::BadRequest("the form could not be read".into()))
}
