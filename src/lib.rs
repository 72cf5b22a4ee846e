//! Trellis: a portal for couples counselors helping clients rebuild trust.
//!
//! [`Application::build`] binds the listener first (tests use port 0), then
//! [`Application::run_until_stopped`] serves until the process is told to stop.

pub mod auth;
pub mod backup;
pub mod cli;
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

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress, DefaultHeaders};
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
    /// Signs the pre-sign-in CSRF cookie; the same for every server on the database.
    pub csrf_key: auth::session::CsrfKey,
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
                .wrap(security_headers())
                .wrap(Compress::default())
                .wrap(TracingLogger::<telemetry::RedactedRootSpan>::new())
                .configure(web::configure)
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

/// Headers on every response, error pages and assets included. Handlers that set their
/// own Cache-Control (assets) keep it.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cache-Control", "no-store"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ))
}
