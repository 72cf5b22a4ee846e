//! Scheduled backups inside the server, beside the reminder planner.
//!
//! Once a minute the task looks at the newest backup in `backup.dir` (by its file name);
//! when it is older than `backup.every_hours`, or there is none, it takes one and prunes
//! the folder to `backup.keep` files. Going by the files rather than a timer means a
//! server restarted every hour still backs up on time, and the first backup is taken soon
//! after the feature is turned on. The copy runs on the blocking pool.

use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::config::Settings;
use crate::db::Target;

/// How often the task looks at the folder.
const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Start the task if `backup.every_hours` is set (SQLite only; PostgreSQL has pg_dump).
pub fn spawn(settings: &Settings) {
    let config = settings.backup.clone();
    if config.every_hours == 0 || tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    let database = match Target::parse(settings.database.url.expose_secret()) {
        Target::Sqlite(path) if path != ":memory:" => PathBuf::from(path),
        Target::Sqlite(_) => return,
        Target::Postgres(_) => {
            tracing::warn!(
                "backup.every_hours is set, but scheduled backups are for SQLite; back up \
                 PostgreSQL with pg_dump (`trellis backup` prints the command)"
            );
            return;
        }
    };
    let dir = PathBuf::from(config.dir);
    let every = chrono::Duration::hours(i64::from(config.every_hours));
    let keep = config.keep;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECK_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let (database, dir) = (database.clone(), dir.clone());
            let pass = tokio::task::spawn_blocking(move || {
                run_if_due(&database, &dir, every, keep, Utc::now())
            })
            .await;
            match pass {
                Ok(Ok(Some(summary))) => tracing::info!(
                    file = %summary.path.display(),
                    bytes = summary.bytes,
                    sha256 = %summary.sha256,
                    "Scheduled backup written"
                ),
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::warn!(error = %format!("{e:#}"), "Scheduled backup failed"),
                Err(e) => tracing::warn!(error = %e, "Scheduled backup task failed"),
            }
        }
    });
}

/// Take a backup into `dir` if the newest there is older than `every`, then prune.
pub fn run_if_due(
    database: &Path,
    dir: &Path,
    every: chrono::Duration,
    keep: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<super::Summary>> {
    if let Some(last) = super::newest(dir)? {
        if now.signed_duration_since(last) < every {
            return Ok(None);
        }
    }
    let out = dir.join(super::file_name(now));
    let (summary, _) = super::backup(database, &out)?;
    let removed = super::prune(dir, keep)?;
    if !removed.is_empty() {
        tracing::info!(removed = removed.len(), "Old backups pruned");
    }
    Ok(Some(summary))
}
