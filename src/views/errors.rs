//! Error pages that say what happened and what to do next.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use maud::html;

use super::layout::bare;

pub fn error_response(status: StatusCode) -> HttpResponse {
    let (title, advice) = match status.as_u16() {
        400 => (
            "That request could not be understood",
            "Something in the request was not in the form we expected. Go back, check the page and try again.",
        ),
        403 => (
            "This form has expired",
            "For your safety each form can only be sent from the page that showed it. Go back, reload the page, and send it again.",
        ),
        404 => (
            "Page not found",
            "The page may have moved, or it is not one you have access to. Check the address, or return to your home page.",
        ),
        409 => (
            "That was changed at the same moment",
            "Someone (perhaps you, in another tab) saved the same thing just before you. Go back, reload the page to see what is saved now, and try again if it is still needed.",
        ),
        503 => (
            "The portal is busy right now",
            "Your last change was not saved. Please wait a few seconds and try again.",
        ),
        _ => (
            "Something went wrong on our side",
            "Your last change was not saved. Please try again in a moment; if it keeps happening, tell your practice administrator the time it happened.",
        ),
    };
    let body = bare(
        title,
        html! {
            div.error-page {
                p.error-code { (status.as_u16()) }
                h1 { (title) }
                p.lead { (advice) }
                p { a.btn.btn-primary href="/" { "Go to your home page" } }
            }
        },
    );
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(body.into_string())
}
