//! Logging: readable lines with structured fields; level from RUST_LOG (default info).
//!
//! Request spans name the matched route template (`/sign-in/t/{token}`) and the path only as
//! [`redact_path`] leaves it, so tokens from URLs stay out of the logs. Every log line or span
//! that prints a path or URL goes through [`redact_path`].

use std::borrow::Cow;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};
use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// What a secret path segment or query value becomes in a log line.
pub const REDACTED: &str = "[redacted]";

/// Path prefixes whose next segment is a secret (a sign-in, invitation, unsubscribe or
/// reset token). A new link that carries a token in its path is added here.
const SECRET_SEGMENT_AFTER: &[&str] = &[
    "/sign-in/t/",
    "/unsubscribe/",
    "/invitations/",
    "/invite/",
    "/reset/",
    "/password/reset/",
];

/// Query keys whose values are secrets. Matched case-insensitively, and any key containing
/// one of these words counts (`reset_token`, `access_code`).
const SECRET_QUERY_KEYS: &[&str] = &["token", "code", "secret", "password", "key", "sig"];

/// A path (or path with query string, or full URL) fit for a log line: the token segment of
/// every link that carries one is replaced by `[redacted]`, and the values of secret-looking
/// query keys are dropped. The only redaction function: every log line and span that prints
/// a URL uses it.
pub fn redact_path(path: &str) -> Cow<'_, str> {
    let (before_query, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let path_part = redact_segments(before_query);
    let query_part = query.map(redact_query);
    match (path_part, query_part) {
        (Cow::Borrowed(_), None | Some(Cow::Borrowed(_))) => Cow::Borrowed(path),
        (p, None) => p,
        (p, Some(q)) => Cow::Owned(format!("{p}?{q}")),
    }
}

fn redact_segments(path: &str) -> Cow<'_, str> {
    let mut path: Cow<'_, str> = Cow::Borrowed(path);
    for prefix in SECRET_SEGMENT_AFTER {
        let mut from = 0;
        while let Some(at) = path[from..].find(prefix) {
            let start = from + at + prefix.len();
            let end = path[start..].find('/').map_or(path.len(), |i| start + i);
            from = start;
            if start == end || &path[start..end] == REDACTED {
                continue;
            }
            let mut s = String::with_capacity(path.len());
            s.push_str(&path[..start]);
            s.push_str(REDACTED);
            s.push_str(&path[end..]);
            path = Cow::Owned(s);
        }
    }
    path
}

fn redact_query(query: &str) -> Cow<'_, str> {
    let mut changed = false;
    let pairs: Vec<Cow<'_, str>> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) if !value.is_empty() && is_secret_key(key) => {
                changed = true;
                Cow::Owned(format!("{key}={REDACTED}"))
            }
            _ => Cow::Borrowed(pair),
        })
        .collect();
    if changed {
        Cow::Owned(pairs.join("&"))
    } else {
        Cow::Borrowed(query)
    }
}

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_QUERY_KEYS.iter().any(|k| key.contains(k))
}

/// Root span for each request, without the path's values.
pub struct RedactedRootSpan;

impl RootSpanBuilder for RedactedRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "(unmatched)".to_string());
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|r| r.to_string())
            .unwrap_or_default();
        let target = request
            .uri()
            .path_and_query()
            .map_or(request.path(), |pq| pq.as_str());
        tracing::info_span!(
            "request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %redact_path(target),
            request_id = %request_id,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_segments_are_redacted() {
        assert_eq!(redact_path("/sign-in/t/abc123"), "/sign-in/t/[redacted]");
        assert_eq!(redact_path("/unsubscribe/xyz"), "/unsubscribe/[redacted]");
        assert_eq!(
            redact_path("https://h.test/sign-in/t/abc/more?x=1"),
            "https://h.test/sign-in/t/[redacted]/more?x=1"
        );
        assert_eq!(redact_path("/reset/tok"), "/reset/[redacted]");
    }

    #[test]
    fn secret_query_values_are_dropped() {
        assert_eq!(
            redact_path("/x?token=abc&notice=ok"),
            "/x?token=[redacted]&notice=ok"
        );
        assert_eq!(
            redact_path("/x?Reset_Token=abc&code=1"),
            "/x?Reset_Token=[redacted]&code=[redacted]"
        );
        assert_eq!(
            redact_path("/sign-in/t/abc?token=def"),
            "/sign-in/t/[redacted]?token=[redacted]"
        );
    }

    #[test]
    fn other_paths_are_borrowed_unchanged() {
        for p in [
            "/couples/3",
            "/couples?notice=couple-created",
            "/sign-in/t/",
            "/",
        ] {
            assert!(matches!(redact_path(p), Cow::Borrowed(b) if b == p), "{p}");
        }
    }
}
