//! Command line: `trellis [--config FILE] [serve|migrate|create-counselor|...]`.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db;
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::domain::validation::{self, Errors};

#[derive(Debug, Parser)]
#[command(name = "trellis", version, about = "A portal for couples counselors")]
pub struct Cli {
    /// A TOML file whose settings override config/default.toml.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web portal (the default).
    Serve,
    /// Apply database migrations and install the exercise library, then exit.
    Migrate,
    /// Create a counselor account; the password is read from standard input.
    CreateCounselor {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Make this counselor a practice admin.
        #[arg(long)]
        admin: bool,
        /// IANA time zone, e.g. Europe/London.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
    },
    /// Outgoing mail: send a test message, deliver the outbox now, show its state.
    #[command(subcommand)]
    Mail(crate::email::cli::MailCommand),
    /// Write a CSV export (the same files the portal offers) to a file or standard output.
    Export {
        #[command(subcommand)]
        what: crate::cli_export::ExportCommand,
    },
    /// Copy the SQLite database while the portal runs (PostgreSQL: prints the pg_dump
    /// command), or check a copy with --verify.
    Backup {
        /// Where to write the copy (default: backup.dir/trellis-<UTC time>.db).
        #[arg(long, conflicts_with = "verify")]
        out: Option<PathBuf>,
        /// Check a backup file (integrity and foreign keys) instead of making one.
        #[arg(long, value_name = "FILE")]
        verify: Option<PathBuf>,
    },
    /// Replace the SQLite database with a backup file; every server must be stopped.
    Restore { file: PathBuf },
    /// The audit log: check its hash chain.
    Audit {
        #[command(subcommand)]
        what: crate::cli_audit::AuditCommand,
    },
    /// Plan due reminders into the outbox and deliver them: one pass, for cron.
    SendReminders,
    /// Seed synthetic couples into the (fresh) configured database and time one planning
    /// pass. For measuring only.
    #[command(hide = true)]
    BenchPlan {
        #[arg(long, default_value_t = 5000)]
        couples: usize,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => {
            crate::prepare_database(&settings)?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::CreateCounselor {
            email,
            name,
            admin,
            time_zone,
        } => create_counselor(&settings, &email, &name, admin, &time_zone),
        Command::Mail(command) => crate::email::cli::run(&settings, command),
        Command::Export { what } => crate::cli_export::run(&settings, what),
        Command::Backup {
            verify: Some(file), ..
        } => crate::backup::cli::verify(&file),
        Command::Backup { out, .. } => crate::backup::cli::backup(&settings, out),
        Command::Restore { file } => crate::backup::cli::restore(&settings, &file),
        Command::Audit { what } => crate::cli_audit::run(&settings, what),
        Command::SendReminders => crate::scheduler::cli::send_reminders(&settings),
        Command::BenchPlan { couples } => crate::scheduler::cli::bench_plan(&settings, couples),
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let started = std::time::Instant::now();
        let app = crate::Application::build(settings.clone())?;
        tracing::info!(
            address = %format!("http://{}:{}", settings.server.host, app.port()),
            database = %match app.db.target() {
                db::Target::Postgres(_) => "postgresql",
                db::Target::Sqlite(_) => "sqlite",
            },
            ready_in_ms = started.elapsed().as_millis() as u64,
            "Trellis is listening"
        );
        app.run_until_stopped()
            .await
            .context("The server stopped with an error")
    })
}

fn create_counselor(
    settings: &Settings,
    email: &str,
    name: &str,
    admin: bool,
    tz: &str,
) -> anyhow::Result<()> {
    let mut errors = Errors::default();
    let email = validation::email(&mut errors, "email", email);
    let name = validation::required_text(&mut errors, "name", name, 100, "a name");
    validation::time_zone(&mut errors, "time_zone", tz);
    if let Some((field, message)) = errors.0.iter().next() {
        bail!("{field}: {message}");
    }
    eprintln!("Password (at least 12 characters), then Enter:");
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("Failed to read the password")?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    if let Err(message) = crate::auth::password::check_new(&password) {
        bail!("password: {message}");
    }
    let hash = crate::auth::password::hash(&password)?;
    let db = crate::prepare_database(settings)?.with_error::<anyhow::Error>();
    let tz = tz.to_string();
    let id = db
        .write_blocking(move |conn| {
            if db::counselors::email_taken(conn, &email)? {
                bail!("a counselor with this email already exists");
            }
            let id = db::counselors::create_counselor(
                conn,
                &db::counselors::NewAccount {
                    email: &email,
                    display_name: &name,
                    password_hash: &hash,
                    is_admin: admin,
                    time_zone: &tz,
                },
            )?;
            db::audit::record(
                conn,
                &db::audit::NewAudit::new(
                    ActorKind::System,
                    None,
                    AuditAction::CounselorCreate,
                    "cli",
                )
                .target("counselor", id),
            )?;
            Ok(id)
        })
        .context("Failed to create the counselor")?;
    println!("Created counselor #{id}.");
    Ok(())
}
