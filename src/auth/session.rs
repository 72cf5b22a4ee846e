//! The session middleware: finds the signed-in user from the session cookie (ending idle or
//! too-old sessions), and refuses any POST sent from another site (its `Origin` or
//! `Sec-Fetch-Site` says so) or whose `csrf_token` field does not match the session's token
//! (or, before sign-in, the visitor's signed CSRF cookie).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Duration;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use super::identity::{CsrfToken, Identity, TwoFactorEnrolmentRequired, UserKind, CSRF_FIELD};
use super::token;
use crate::db::{self, sessions};
use crate::error::AppError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "trellis_session";
pub const CSRF_COOKIE: &str = "trellis_csrf";
/// A session's last-seen time is written at most this often.
const TOUCH_EVERY_SECONDS: i64 = 60;

enum Lookup {
    None,
    Expired,
    /// The user, their CSRF token, and whether they must set up a second factor first.
    Found(Identity, String, bool),
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let path = req.path();
    if path.starts_with("/assets/") || path == "/health" || path == "/ready" {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        // Without the state no session can be found and no CSRF token checked: refuse the
        // request (fail closed) rather than pass it on unchecked. Logged by the error.
        let e = anyhow::anyhow!("the session middleware found no AppState: request refused");
        return Ok(req.into_response(AppError::Unexpected(e).error_response()));
    };

    let session_cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let lookup = match session_cookie {
        Some(raw) => find_session(&state, raw).await?,
        None => Lookup::None,
    };

    let mut new_csrf_cookie = None;
    let mut clear_session_cookie = false;
    let expected_csrf = match &lookup {
        Lookup::Found(identity, csrf, must_enrol) => {
            req.extensions_mut().insert(identity.clone());
            if *must_enrol {
                req.extensions_mut().insert(TwoFactorEnrolmentRequired);
            }
            csrf.clone()
        }
        other => {
            clear_session_cookie = matches!(other, Lookup::Expired);
            match req.cookie(CSRF_COOKIE) {
                Some(c) if state.csrf_key.verifies(c.value()) => c.value().to_string(),
                _ => {
                    let fresh = state.csrf_key.sign_fresh();
                    new_csrf_cookie = Some(fresh.clone());
                    fresh
                }
            }
        }
    };

    // One-click unsubscribe (RFC 8058): the mail client POSTs `List-Unsubscribe=One-Click`
    // itself, with no cookie and no CSRF token. The secret token in the path authenticates
    // the request, and the only thing it can do is turn that partner's reminders off, so a
    // forged cross-site POST would need the token anyway. Exempt exactly this prefix.
    let one_click_unsubscribe = req.path().starts_with("/unsubscribe/");
    if req.method() == Method::POST && !one_click_unsubscribe {
        // A POST the browser says came from another site is refused before its token is
        // looked at. No Origin or Sec-Fetch-Site at all (old browsers, curl) is let through
        // to the token check; `Origin: null` too, since browsers send it for same-origin
        // posts under `Referrer-Policy: no-referrer` (they still send Sec-Fetch-Site).
        if let Some(why) = cross_site(&req, &state.settings.server.base_url) {
            tracing::warn!(
                path = %crate::telemetry::redact_path(req.path()),
                reason = why,
                "POST refused: sent from another site"
            );
            let response = AppError::Forbidden("cross-site").error_response();
            return Ok(req.into_response(response));
        }
        let body = req.extract::<web::Bytes>().await?;
        let sent = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .ok()
            .and_then(|fields| fields.into_iter().find(|(k, _)| k == CSRF_FIELD))
            .map(|(_, v)| v);
        let valid = sent.is_some_and(|s| token::constant_time_eq(&s, &expected_csrf));
        if !valid {
            tracing::warn!(
                path = %crate::telemetry::redact_path(req.path()),
                "POST refused: missing or wrong CSRF token");
            let response = AppError::Forbidden("csrf").error_response();
            return Ok(req.into_response(response));
        }
        req.set_payload(bytes_to_payload(body));
    }
    req.extensions_mut().insert(CsrfToken(expected_csrf));

    let secure = state.settings.secure_cookies();
    let mut res = next.call(req).await?.map_into_boxed_body();
    if let Some(value) = new_csrf_cookie {
        let cookie = Cookie::build(CSRF_COOKIE, value)
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .finish();
        res.response_mut().add_cookie(&cookie)?;
    }
    if clear_session_cookie && res.response().cookies().all(|c| c.name() != SESSION_COOKIE) {
        res.response_mut()
            .add_cookie(&removal_cookie(SESSION_COOKIE, secure))?;
    }
    Ok(res)
}

/// Why this request counts as sent from another site, if it does: its `Sec-Fetch-Site` is
/// `cross-site`, or its `Origin` names another origin than `base_url`'s.
fn cross_site(req: &ServiceRequest, base_url: &str) -> Option<&'static str> {
    let header = |name: &str| {
        req.headers().get(name).map(|v| {
            v.to_str()
                .unwrap_or("(not text)")
                .trim()
                .to_ascii_lowercase()
        })
    };
    if header("sec-fetch-site").is_some_and(|v| v == "cross-site") {
        return Some("sec-fetch-site");
    }
    match header("origin") {
        None => None,
        Some(origin) if origin == "null" => None,
        Some(origin) => {
            let origin = normalize_origin(&origin);
            // The request's own host counts as ours too (a server reached on another
            // address than base_url's, as the browser tests do); behind a proxy that
            // rewrites Host, base_url is the one that matches.
            let scheme = base_url.split_once("://").map_or("https", |(s, _)| s);
            let ours = origin_of(base_url);
            let this_host = header("host").map(|h| normalize_origin(&format!("{scheme}://{h}")));
            if ours.as_ref() == Some(&origin) || this_host.as_ref() == Some(&origin) {
                None
            } else {
                Some("origin")
            }
        }
    }
}

/// `scheme://host[:port]` of a URL, lower-cased, without a default port.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return None;
    }
    Some(normalize_origin(&format!("{scheme}://{authority}")))
}

fn normalize_origin(origin: &str) -> String {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    for (scheme, port) in [("https://", ":443"), ("http://", ":80")] {
        if origin.starts_with(scheme) {
            if let Some(bare) = origin.strip_suffix(port) {
                return bare.to_string();
            }
        }
    }
    origin
}

/// The key that signs pre-sign-in CSRF cookies (HMAC-SHA256), shared by every server
/// process on the database: a cookie the server did not make is not accepted, so a
/// planted cookie cannot fix a visitor's CSRF token.
#[derive(Clone)]
pub struct CsrfKey(std::sync::Arc<[u8]>);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(..)")
    }
}

impl CsrfKey {
    /// Its row in `server_secrets`.
    const SECRET_NAME: &'static str = "csrf_cookie_key";
    /// What is signed besides the random part, so this key signs nothing else by accident.
    const CONTEXT: &'static [u8] = b"trellis pre-sign-in csrf cookie\0";

    /// The database's key, made at the first start-up.
    pub fn load(conn: &mut db::DbConnection) -> diesel::QueryResult<CsrfKey> {
        let secret = db::forms::shared_secret(conn, Self::SECRET_NAME, &token::generate())?;
        Ok(CsrfKey::from_secret(secret.as_bytes()))
    }

    pub fn from_secret(secret: &[u8]) -> CsrfKey {
        CsrfKey(secret.into())
    }

    fn mac(&self) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(Self::CONTEXT);
        mac
    }

    /// A new cookie value: `random.signature`.
    pub fn sign_fresh(&self) -> String {
        let nonce = token::generate();
        let mut mac = self.mac();
        mac.update(nonce.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{nonce}.{signature}")
    }

    /// Whether this server (or another on the same database) made `value`.
    pub fn verifies(&self, value: &str) -> bool {
        let Some((nonce, signature)) = value.split_once('.') else {
            return false;
        };
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        if nonce.len() < 32 {
            return false;
        }
        let mut mac = self.mac();
        mac.update(nonce.as_bytes());
        mac.verify_slice(&signature).is_ok()
    }
}

async fn find_session(state: &web::Data<AppState>, raw: String) -> Result<Lookup, AppError> {
    let hash = token::hash(&raw);
    let idle = Duration::minutes(state.settings.auth.idle_timeout_minutes);
    let absolute = Duration::hours(state.settings.auth.absolute_timeout_hours);
    let found = state
        .db
        .read(move |conn| {
            let Some(s) = sessions::find(conn, &hash)? else {
                return Ok(None);
            };
            let user = sessions::user_of(conn, &s)?;
            // A counselor without a second factor in a practice that requires one may
            // only reach the enrolment pages (see the `Counselor` guard).
            let must_enrol = s.user_kind == UserKind::Counselor
                && db::practice_security::require_two_factor(conn)?
                && !db::two_factor::is_on(conn, s.user_id)?;
            Ok(Some((s, user, must_enrol)))
        })
        .await?;
    let Some((s, user, must_enrol)) = found else {
        return Ok(Lookup::None);
    };
    let now = db::now();
    let expired = now - s.last_seen_at > idle || now - s.created_at > absolute;
    let user = match user {
        Some(u) if u.active && !expired => u,
        _ => {
            let id = s.id;
            state
                .db
                .write(move |conn| Ok(sessions::delete(conn, id)?))
                .await?;
            return Ok(Lookup::Expired);
        }
    };
    if (now - s.last_seen_at).num_seconds() >= TOUCH_EVERY_SECONDS {
        let id = s.id;
        state
            .db
            .write(move |conn| Ok(sessions::touch(conn, id, now)?))
            .await?;
    }
    let kind = s.user_kind;
    Ok(Lookup::Found(
        Identity {
            session_id: s.id,
            kind,
            user_id: s.user_id,
            display_name: user.display_name,
            is_admin: user.is_admin,
            couple_id: user.couple_id,
        },
        s.csrf_token,
        must_enrol,
    ))
}

fn bytes_to_payload(buf: web::Bytes) -> Payload {
    let (_, mut pl) = actix_http::h1::Payload::create(true);
    pl.unread_data(buf);
    Payload::from(pl)
}

/// The session cookie handed out at sign-in.
pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .finish()
}

pub fn removal_cookie(name: &'static str, secure: bool) -> Cookie<'static> {
    Cookie::build(name, "")
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::ZERO)
        .finish()
}

/// Start a session for a user who has just proven who they are; any session the browser
/// had before is deleted so its id cannot be reused (session fixation).
pub fn start(
    conn: &mut db::DbConnection,
    previous: Option<i32>,
    kind: UserKind,
    user_id: i32,
) -> Result<String, AppError> {
    start_with_agent(conn, previous, kind, user_id, "")
}

/// [`start`], remembering the browser's User-Agent (for "Your sessions") and that the
/// password was just entered (for the re-authentication rule).
pub fn start_with_agent(
    conn: &mut db::DbConnection,
    previous: Option<i32>,
    kind: UserKind,
    user_id: i32,
    user_agent: &str,
) -> Result<String, AppError> {
    if let Some(old) = previous {
        sessions::delete(conn, old)?;
    }
    let raw = token::generate();
    let csrf = token::generate();
    let now = db::now();
    let id = sessions::create(
        conn,
        &sessions::NewWebSession {
            token_hash: &token::hash(&raw),
            user_kind: kind,
            user_id,
            csrf_token: &csrf,
            created_at: now,
            last_seen_at: now,
        },
    )?;
    let agent: String = user_agent.chars().take(400).collect();
    sessions::set_details(conn, id, &agent, now)?;
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_without_default_ports_or_case() {
        assert_eq!(
            origin_of("https://Trellis.Example:443/app/").as_deref(),
            Some("https://trellis.example")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin_of("not a url"), None);
        assert_eq!(normalize_origin("HTTP://h.test:80/"), "http://h.test");
    }

    #[test]
    fn only_cookies_signed_with_the_key_verify() {
        let key = CsrfKey::from_secret(b"one secret");
        let cookie = key.sign_fresh();
        assert!(key.verifies(&cookie));
        assert!(!CsrfKey::from_secret(b"another").verifies(&cookie));
        assert!(!key.verifies(&"x".repeat(40)));
        let (nonce, _) = cookie.split_once('.').unwrap();
        assert!(!key.verifies(&format!("{nonce}.AAAA")));
        assert!(
            !key.verifies(&format!("{}{}", &cookie[..cookie.len() - 1], "A"))
                || cookie.ends_with('A')
        );
    }
}
