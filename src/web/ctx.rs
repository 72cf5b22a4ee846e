//! Builds the views' request context ([`Ctx`]) from the request: the signed-in user and
//! CSRF token the session middleware left in the extensions, and the notice key.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use crate::auth::identity::{CsrfToken, Identity};
use crate::error::AppError;
use crate::views::{notices, Ctx};

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ext = req.extensions();
        let notice = notice(req.query_string());
        ready(Ok(Ctx {
            user: ext.get::<Identity>().cloned(),
            csrf: ext
                .get::<CsrfToken>()
                .map(|t| t.0.clone())
                .unwrap_or_default(),
            notice,
            path: req.path().to_string(),
            request_id: ext
                .get::<tracing_actix_web::RequestId>()
                .map(|r| r.to_string())
                .unwrap_or_default(),
        }))
    }
}

/// Confirmation banners are chosen by a fixed key in the URL, never by text from the URL.
fn notice(query: &str) -> Option<&'static str> {
    let key = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "notice")?
        .1;
    notices::notice_text(&key)
}
