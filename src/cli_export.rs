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
use crate::db::{self, audit::NewAudit, couples::CoupleRow};
use crate::domain::audit_action::{ActorKind, AuditAction};
use crate::export::{self, csv_writer};

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

impl ExportCommand {
    /// (audit action, couple id, output path, include safety checks).
    fn parts(&self) -> (AuditAction, Option<i32>, &Option<PathBuf>, bool) {
        match self {
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
        }
    }
}

/// What an export covers: a couple, or a counselor's caseload (`None`: the practice), and
/// the time zone its times are written in.
struct Scope {
    couple: Option<CoupleRow>,
    counselor: Option<i32>,
    tz: chrono_tz::Tz,
}

/// Resolve the scope and record the export, before anything is written.
fn open(db: &db::Db, what: &ExportCommand) -> anyhow::Result<Scope> {
    let (action, couple_id, _, safety) = what.parts();
    let counselor_email = match what {
        ExportCommand::Practice {
            counselor_email, ..
        } => counselor_email.clone(),
        _ => None,
    };
    db.with_error::<anyhow::Error>()
        .write_blocking(move |conn| {
            let couple = match couple_id {
                Some(id) => Some(
                    diesel::OptionalExtension::optional(db::couples::by_id(conn, id))?
                        .ok_or_else(|| anyhow!("No such couple or counselor."))?,
                ),
                None => None,
            };
            let counselor = match (&couple, &counselor_email) {
                (Some(c), _) => Some(c.counselor_id),
                (None, Some(email)) => Some(
                    db::counselors::by_email(conn, email)?
                        .ok_or_else(|| anyhow!("No such couple or counselor."))?
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
            let counselor = if couple.is_none() { counselor } else { None };
            Ok(Scope {
                couple,
                counselor,
                tz,
            })
        })
        .context("Failed to prepare the export")
}

pub fn run(settings: &Settings, what: ExportCommand) -> anyhow::Result<()> {
    let db = crate::prepare_database(settings)?;
    let now = Utc::now();
    let thresholds = settings.thresholds();
    let (_, _, out_path, safety) = what.parts();
    let Scope {
        couple,
        counselor,
        tz,
    } = open(&db, &what)?;
    let bar = progress_bar(out_path.is_some());
    let mut out = csv_writer(output(out_path)?);
    let mut tick = |n: u64| bar.set_position(n);
    // One short checkout per batch, as for a download: a slow reader of stdout holds no
    // connection.
    let mut src = db.with_error::<anyhow::Error>();
    let rows = match (&what, &couple) {
        (ExportCommand::Couple { .. }, Some(c)) => {
            export::couple_csv(&mut src, c, tz, safety, &mut out, &mut tick)
        }
        (ExportCommand::Completion { .. }, Some(c)) => {
            export::completion_csv(&mut src, c, safety, now, &mut out, &mut tick)
        }
        _ => export::practice_csv(
            &mut src,
            counselor,
            tz,
            &thresholds,
            safety,
            now,
            &mut out,
            &mut tick,
        ),
    }
    .context("Failed to write the export")?;
    out.flush().context("Failed to finish the export")?;
    bar.finish_and_clear();
    if let Some(path) = out_path {
        eprintln!("Wrote {rows} rows to {}.", path.display());
    }
    Ok(())
}
