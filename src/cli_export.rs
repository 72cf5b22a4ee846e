//! `trellis export couple|practice|completion`: the portal's CSV exports from the command
//! line, for a cron job or a backup. A progress bar shows on a terminal and stays hidden
//! when standard error is not one (or when the CSV itself goes to standard output).

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{anyhow, Context};
use chrono::Utc;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::Settings;
use crate::db::{self, audit::NewAudit, export};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::web::csv_stream::csv_writer;

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Every entry (one row per answer), setback and session of one couple.
    Couple {
        #[arg(long)]
        id: i32,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Include private safety checks (left out unless asked for).
        #[arg(long)]
        include_safety: bool,
    },
    /// One row per couple with the dashboard's figures and flags.
    Practice {
        /// Only this counselor's caseload (default: the whole practice).
        #[arg(long)]
        counselor_email: Option<String>,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        include_safety: bool,
    },
    /// One row per partner per assignment per ISO week for one couple.
    Completion {
        #[arg(long)]
        couple: i32,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        include_safety: bool,
    },
}

fn output(out: &Option<PathBuf>) -> anyhow::Result<Box<dyn Write + Send>> {
    Ok(match out {
        Some(path) => {
            Box::new(BufWriter::new(File::create(path).with_context(|| {
                format!("Failed to create {}", path.display())
            })?))
        }
        None => Box::new(BufWriter::new(io::stdout())),
    })
}

fn progress_bar(to_file: bool) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if to_file && io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {human_pos} rows written ({per_sec}, {elapsed})",
        ) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

pub fn run(settings: &Settings, what: ExportCommand) -> anyhow::Result<()> {
    let db = crate::prepare_database(settings)?;
    let now = Utc::now();
    let thresholds = settings.thresholds();
    let (action, couple_id, out_path, safety) = match &what {
        ExportCommand::Couple {
            id,
            out,
            include_safety,
        } => (AuditAction::CoupleExport, Some(*id), out, *include_safety),
        ExportCommand::Practice {
            out,
            include_safety,
            ..
        } => (AuditAction::PracticeExport, None, out, *include_safety),
        ExportCommand::Completion {
            couple,
            out,
            include_safety,
        } => (
            AuditAction::CompletionExport,
            Some(*couple),
            out,
            *include_safety,
        ),
    };
    let counselor_email = match &what {
        ExportCommand::Practice {
            counselor_email, ..
        } => counselor_email.clone(),
        _ => None,
    };
    // Resolve the scope and record the export before writing anything.
    let (couple, scope, tz) = db
        .write_blocking(move |conn| {
            let couple = couple_id
                .map(|id| db::couples::by_id(conn, id))
                .transpose()?;
            let counselor = match (&couple, &counselor_email) {
                (Some(c), _) => Some(c.counselor_id),
                (None, Some(email)) => Some(
                    db::counselors::by_email(conn, email)?
                        .ok_or(crate::error::AppError::NotFound)?
                        .id,
                ),
                (None, None) => None,
            };
            let tz = match counselor {
                Some(id) => db::report::counselor_tz(conn, id)?,
                None => chrono_tz::UTC,
            };
            let mut event = NewAudit::new(ActorKind::System, None, action, "cli")
                .detail(format!("include_safety={}", u8::from(safety)));
            if let Some(c) = &couple {
                event = event.target("couple", c.id).couple(c.id);
            }
            db::audit::record(conn, &event)?;
            let scope = if couple.is_none() { counselor } else { None };
            Ok((couple, scope, tz))
        })
        .map_err(|e| match e {
            crate::error::AppError::NotFound => anyhow!("No such couple or counselor."),
            other => anyhow!("{other:?}"),
        })?;
    let bar = progress_bar(out_path.is_some());
    let mut out = csv_writer(output(out_path)?);
    let mut tick = |n: u64| bar.set_position(n);
    let rows = db
        .read_blocking(|conn| {
            let written = match (&what, &couple) {
                (ExportCommand::Couple { .. }, Some(c)) => {
                    export::couple_csv(conn, c, tz, safety, &mut out, &mut tick)
                }
                (ExportCommand::Completion { .. }, Some(c)) => {
                    export::completion_csv(conn, c, safety, now, &mut out, &mut tick)
                }
                _ => export::practice_csv(
                    conn,
                    scope,
                    tz,
                    &thresholds,
                    safety,
                    now,
                    &mut out,
                    &mut tick,
                ),
            };
            written.map_err(crate::error::AppError::Unexpected)
        })
        .map_err(|e| anyhow!("{e:?}"))?;
    out.flush()?;
    bar.finish_and_clear();
    if let Some(path) = out_path {
        eprintln!("Wrote {rows} rows to {}.", path.display());
    }
    Ok(())
}
