//! HTTP handlers, one module per area; each exposes `configure`.

pub mod assets;
pub mod assignments;
pub mod couples;
pub mod csv_stream;
pub mod dashboard;
pub mod entries;
pub mod exercises;
pub mod home;
pub mod invitations;
pub mod journal;
pub mod login;
pub mod mail;
pub mod partner;
pub mod partner_auth;
pub mod practice;
pub mod reports;
pub mod setbacks;
pub mod setup;
pub mod therapy_sessions;
pub mod timeline;
pub mod unsubscribe;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use maud::Markup;

use crate::error::AppError;
use crate::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(assets::configure)
        .configure(home::configure)
        .configure(setup::configure)
        .configure(login::configure)
        .configure(practice::configure)
        .configure(mail::configure)
        .configure(exercises::configure)
        .configure(dashboard::configure)
        .configure(partner_auth::configure)
        .configure(partner::configure)
        .configure(entries::configure)
        .configure(journal::configure)
        .configure(setbacks::configure)
        .configure(invitations::configure)
        .configure(timeline::configure)
        .configure(reports::configure)
        .configure(couples::configure)
        .configure(assignments::configure)
        .configure(therapy_sessions::configure)
        .configure(unsubscribe::configure)
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

/// Banners after a redirect, chosen by key so no user text ever travels in a URL.
pub fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "welcome" => "Your practice is set up. Welcome to Trellis.",
        "signed-out" => "You have signed out.",
        "counselor-added" => "The counselor was added. Share their email and password with them in person or by phone.",
        "counselor-deactivated" => "The counselor was deactivated and signed out everywhere.",
        "counselor-reactivated" => "The counselor can sign in again.",
        "exercise-created" => "Your exercise was saved to the library.",
        "exercise-updated" => "Your changes to the exercise were saved.",
        "exercise-archived" => "The exercise was archived. Existing assignments keep working.",
        "exercise-restored" => "The exercise is back in the library.",
        "already-submitted" => "That form had already been sent, so nothing was saved twice.",
        _ => return crate::web::extra_notice(key),
    })
}

/// Notices added by later areas.
fn extra_notice(key: &str) -> Option<&'static str> {
    if let Some(text) = partner::notice(key) {
        return Some(text);
    }
    Some(match key {
        "couple-created" => {
            "The couple was added. Next, assign an exercise or book their first session."
        }
        "couple-updated" => "The couple's details were saved.",
        "couple-paused" => {
            "The work with this couple is paused. They are off your dashboard until you resume."
        }
        "couple-resumed" => "The work with this couple has resumed.",
        "couple-closed-now" => "The couple is closed. Their record stays readable.",
        "couple-closed" => "This couple is closed, so nothing was changed.",
        "couple-reassigned" => "The couple was reassigned.",
        "assignment-created" => "The exercise was assigned.",
        "assignment-paused" => "The assignment is paused; nothing is owed until you resume it.",
        "assignment-resumed" => "The assignment has resumed from today.",
        "assignment-ended" => "The assignment has ended; nothing is owed after today.",
        "session-booked" => "The session was booked.",
        "session-moved" => "The session was moved.",
        "session-cancelled" => "The session was cancelled.",
        _ => return None,
    })
}

/// Parse a posted form as ordered pairs (repeated keys allowed).
pub fn form_pairs(body: &[u8]) -> Result<Vec<(String, String)>, AppError> {
    serde_urlencoded::from_bytes(body)
        .map_err(|_| AppError::BadRequest("the form could not be read".into()))
}
