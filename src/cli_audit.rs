//! `trellis audit verify`: walk the audit log's hash chain and report the first row that
//! does not match its content or its predecessor.

use anyhow::{bail, Context};
use clap::Subcommand;

use crate::config::Settings;
use crate::db::{self, audit_chain::Verdict};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no audit row was changed, removed or reordered since it was written.
    Verify,
}

pub fn run(settings: &Settings, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify => verify(settings),
    }
}

fn verify(settings: &Settings) -> anyhow::Result<()> {
    let db = crate::prepare_database(settings)?.with_error::<anyhow::Error>();
    // One transaction, so the whole walk sees one state of the log.
    let verdict = db
        .write_blocking(|conn| Ok(db::audit_chain::verify(conn)?))
        .context("Failed to read the audit log")?;
    match verdict {
        Verdict::Intact { rows } => {
            println!("The audit log is intact: {rows} rows, each linked to the one before.");
            Ok(())
        }
        Verdict::BrokenAt { id, checked } => bail!(
            "The audit log was changed: row {id} does not match its content or the row before it ({checked} rows before it are intact)."
        ),
        Verdict::TailMissing { rows } => bail!(
            "The audit log was changed: its {rows} rows link up, but the last rows written are missing."
        ),
    }
}
