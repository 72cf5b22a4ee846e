//! Trellis: a portal for couples counselors helping clients rebuild trust.
//!
//! [`Application::build`] binds the listener first (tests use port 0), then
//! [`Application::run_until_stopped`] serves until the process is told to stop.

pub mod auth;
pub mod backup;
pub mod cli;
pub mod cli_audit;
pub mod cli_export;
pub mod config;
pub mod db;
pub mod domain;
pub mod email;
pub mod error;
pub mod export;
pub mod scheduler;
pub mod telemetry;
pub mod views;
pub mod web;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::Server;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Compress, Next};
use actix_web::{web as aw, App, HttpServer};
use anyhow::Context;
use secrecy::ExposeSecret;
use tracing_actix_web::TracingLogger;

use crate::config::Settings;
use crate::db::Db;

/// What every handler can reach.
pub struct AppState {
    /// The database, for handlers: closures and results fail with the HTTP edge's error.
    pub db: Db<error::AppError>,
    pub settings: Arc<Settings>,
    /// Where outgoing mail goes; tests read the memory backend.
    pub mailer: email::Mailer,
    /// Computed dashboards, shared by all workers.
    pub dashboards: Arc<web::dashboard::DashboardCache>,
    /// The group-commit writer of page-view audit rows, shared by all workers.
    pub audit: Arc<db::audit_batch::AuditBatcher>,
    /// Signs the pre-sign-in CSRF cookie; the same for every server on the database.
    pub csrf_key: auth::session::CsrfKey,
}

impl AppState {
    /// Record a page view's audit row: the one way every page does it. The row is batched
    /// with whatever other views are waiting and committed before this returns, so a view
    /// is never shown unaudited.
    pub async fn audit_view(&self, event: db::audit::NewAudit) -> Result<(), error::AppError> {
        self.audit.record(&self.db, event).await
    }
}

pub struct Application {
    port: u16,
    server: Server,
    pub db: Db,
    /// Tells `trellis restore` this database is in use (see `backup::lock`); held until
    /// the server stops.
    _lock: Option<backup::lock::DatabaseLock>,
}

/// Open the database, apply migrations and install the built-in library.
pub fn prepare_database(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(
        settings.database.url.expose_secret(),
        settings.database.pool_size,
    )
    .context("Failed to open the database")?;
    db.migrate()
        .context("Failed to apply database migrations")?;
    let library =
        domain::library::builtin_exercises().context("Failed to load the exercise library")?;
    db.write_blocking(|conn| Ok(db::exercises::install_builtins(conn, &library)?))
        .context("Failed to install the exercise library")?;
    db.write_blocking(|conn| Ok(db::audit_chain::seal_legacy(conn)?))
        .context("Failed to link older audit rows into the hash chain")?;
    Ok(db)
}

impl Application {
    pub fn build(settings: Settings) -> anyhow::Result<Application> {
        let lock = backup::lock::for_server(settings.database.url.expose_secret())?;
        let db = prepare_database(&settings)?;
        let csrf_key = db
            .write_blocking(|conn| Ok(auth::session::CsrfKey::load(conn)?))
            .context("Failed to load the CSRF cookie key")?;
        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&address)
            .with_context(|| format!("Failed to listen on {address}"))?;
        let port = listener.local_addr()?.port();
        let mailer =
            email::Mailer::from_settings(&settings.email).context("Failed to set up the mailer")?;
        let state = aw::Data::new(AppState {
            db: db.with_error(),
            settings: Arc::new(settings.clone()),
            mailer: mailer.clone(),
            dashboards: Arc::default(),
            audit: Arc::default(),
            csrf_key,
        });
        let workers = match settings.server.workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(aw::FormConfig::default().limit(256 * 1024))
                .app_data(aw::PayloadConfig::new(256 * 1024))
                .wrap(from_fn(auth::session::middleware))
                .wrap(from_fn(security_headers))
                .wrap(Compress::default())
                .wrap(TracingLogger::<telemetry::RedactedRootSpan>::new())
                .configure(web::configure)
        })
        // Responses go out as several writes (headers, then body chunks, e.g. gzip's); with
        // Nagle on, a later small write waits for the client's delayed ACK (~40 ms on
        // Linux) on every keep-alive request. Turn it off on every accepted connection.
        .on_connect(|conn, _| {
            if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
                if let Err(e) = tcp.set_nodelay(true) {
                    tracing::debug!(error = %e, "could not set TCP_NODELAY");
                }
            }
        })
        .workers(workers)
        .listen(listener)?
        .run();
        if settings.reminders.enabled {
            email::spawn_worker(db.clone(), mailer, settings.email.clone());
            scheduler::spawn_planner(db.clone(), settings.clone());
        }
        spawn_checkpointer(db.clone());
        backup::schedule::spawn(&settings);
        Ok(Application {
            port,
            server,
            db,
            _lock: lock,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// SQLite connections run with `wal_autocheckpoint = 0` so no request ever pays for a
/// checkpoint inside its commit (it showed as 150-600 ms p99 spikes); the WAL is folded back
/// here instead, every 10 seconds, whether or not the reminder scheduler runs.
fn spawn_checkpointer(db: Db) {
    if !db.target().is_sqlite() || tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(10));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let db = db.clone();
            // Skipped while a backup copies (see `backup::lock`).
            let Some(_turn) = backup::lock::checkpoint_turn(db.target()) else {
                continue;
            };
            match aw::block(move || db.checkpoint()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    let e = anyhow::Error::new(e);
                    tracing::warn!(error.cause_chain = ?e, "SQLite checkpoint failed")
                }
                Err(e) => tracing::warn!(error = %e, "SQLite checkpoint task failed"),
            }
        }
    });
}

/// Sent with every response, error pages and assets included (names in lower case, as
/// `HeaderName::from_static` wants them; HTTP header names are case-insensitive).
const SECURITY_HEADERS: [(&str, &str); 6] = [
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
];

/// Add [`SECURITY_HEADERS`] the response lacks (handlers that set their own Cache-Control,
/// the assets, keep it).
fn add_security_headers(headers: &mut actix_web::http::header::HeaderMap) {
    use actix_web::http::header::{HeaderName, HeaderValue};
    for (name, value) in SECURITY_HEADERS {
        let name = HeaderName::from_static(name);
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
}

/// Security headers on every response, including one made from an error a middleware
/// returned (the session middleware when the database is unreachable): such an error
/// never becomes a response inside the app, so it carries a mapper that adds the headers
/// whenever it is turned into one. (`DefaultHeaders` let those through bare.)
async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    match next.call(req).await {
        Ok(mut response) => {
            add_security_headers(response.headers_mut());
            Ok(response)
        }
        Err(mut e) => {
            e.add_response_mapper(|mut response| {
                add_security_headers(response.headers_mut());
                response
            });
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;
    use actix_web::dev::{ServiceRequest, ServiceResponse};
    use actix_web::middleware::{from_fn, Next};
    use actix_web::{test, web as aw, App, HttpResponse, ResponseError};

    use super::security_headers;
    use crate::db::DbError;
    use crate::error::AppError;

    /// Fails the way the session middleware does when the database cannot be reached.
    async fn failing(
        _req: ServiceRequest,
        _next: Next<impl MessageBody + 'static>,
    ) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
        let unreachable = AppError::from(DbError::ConnectionLost);
        assert_eq!(unreachable.status_code(), 503);
        Err::<ServiceResponse, _>(unreachable.into())
    }

    #[actix_web::test]
    async fn an_error_from_a_middleware_gets_the_security_headers() {
        let app = test::init_service(
            App::new()
                .wrap(from_fn(failing))
                .wrap(from_fn(security_headers))
                .route("/", aw::get().to(HttpResponse::Ok)),
        )
        .await;
        let e = test::try_call_service(&app, test::TestRequest::get().uri("/").to_request())
            .await
            .err()
            .expect("the middleware fails");
        // What the server does with an error that leaves the app.
        let response = e.error_response();
        assert_eq!(response.status(), 503);
        for (name, value) in super::SECURITY_HEADERS {
            assert_eq!(
                response.headers().get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "{name}"
            );
        }
        assert!(response.headers().get("retry-after").is_some());
    }

    #[actix_web::test]
    async fn a_response_keeps_its_own_cache_control() {
        let app = test::init_service(App::new().wrap(from_fn(security_headers)).route(
            "/",
            aw::get().to(|| async {
                HttpResponse::Ok()
                    .insert_header(("Cache-Control", "public, max-age=60"))
                    .finish()
            }),
        ))
        .await;
        let response =
            test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
        let headers = response.headers();
        assert_eq!(headers.get("cache-control").unwrap(), "public, max-age=60");
        assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    }
}
