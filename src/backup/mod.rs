//! Backups of the embedded SQLite database, and restoring one.
//!
//! - A backup is a consistent copy taken while the server runs, through SQLite's online
//!   backup API ([`online`]): everything committed before it started is in it, pages still
//!   in the write-ahead log included (copying `trellis.db` with `cp` misses those). It is
//!   written to a hidden temporary file, fsynced, then renamed into place, so a backup file
//!   that exists is complete.
//! - A restore ([`restore`]) refuses while a server uses the database ([`lock`]), checks
//!   the file first, keeps the current database aside, moves its `-wal` away with it (a
//!   leftover log would otherwise be replayed over the restored file) and renames the new
//!   file into place.
//! - Scheduled backups run inside the server ([`schedule`]).
//!
//! PostgreSQL is backed up with `pg_dump`; [`cli`] prints the command.
//! Errors are `anyhow` with context: this is operator tooling, not request handling.

pub mod cli;
pub mod lock;
mod online;
pub mod schedule;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::{DateTime, NaiveDateTime, Utc};
use sha2::{Digest, Sha256};

/// Backup files are named `trellis-YYYYMMDDTHHMMSSZ.db` (UTC); pruning touches nothing else.
const PREFIX: &str = "trellis-";
const SUFFIX: &str = ".db";
const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// The file name of a backup taken at `at`.
pub fn file_name(at: DateTime<Utc>) -> String {
    format!("{PREFIX}{}{SUFFIX}", at.format(STAMP))
}

/// When a backup with this file name was taken, if the name follows the pattern.
pub fn taken_at(name: &str) -> Option<DateTime<Utc>> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    if stamp.len() != 16 {
        return None;
    }
    NaiveDateTime::parse_from_str(stamp, STAMP)
        .ok()
        .map(|t| t.and_utc())
}

/// What a backup (or a restored database) holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub path: PathBuf,
    pub bytes: u64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Rows per table, by table name.
    pub tables: Vec<(String, i64)>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "file     {}", self.path.display())?;
        writeln!(
            f,
            "size     {:.1} MB ({} bytes)",
            self.bytes as f64 / 1_000_000.0,
            self.bytes
        )?;
        writeln!(f, "sha256   {}", self.sha256)?;
        let width = self.tables.iter().map(|(t, _)| t.len()).max().unwrap_or(0);
        for (i, (table, rows)) in self.tables.iter().enumerate() {
            let label = if i == 0 { "rows" } else { "" };
            writeln!(f, "{label:<8} {table:<width$} {rows:>10}")?;
        }
        Ok(())
    }
}

/// Copy the SQLite database at `database` to `out` (a new file) while it may be serving.
pub fn backup(database: &Path, out: &Path) -> anyhow::Result<(Summary, Duration)> {
    let started = Instant::now();
    if !database.is_file() {
        bail!("there is no database at {}", database.display());
    }
    if out.exists() {
        bail!("{} already exists; choose another name", out.display());
    }
    let dir = parent_dir(out);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("Failed to create the backup folder {}", dir.display()))?;
    let name = out
        .file_name()
        .with_context(|| format!("{} is not a file name", out.display()))?
        .to_string_lossy();
    // Hidden and outside the naming pattern, so neither pruning nor a reader mistakes it
    // for a finished backup.
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&temp);
    let copying = lock::copying(database)?;
    let copied = online::copy(database, &temp);
    drop(copying);
    let written = copied.and_then(|()| {
        File::open(&temp)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("Failed to flush {} to disk", temp.display()))?;
        std::fs::rename(&temp, out)
            .with_context(|| format!("Failed to move the backup into place at {}", out.display()))
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    sync_dir(&dir)?;
    let copied = started.elapsed();
    Ok((summarise(out)?, copied))
}

/// Size, checksum and row counts of a SQLite file (opened read-only).
pub fn summarise(path: &Path) -> anyhow::Result<Summary> {
    let bytes = std::fs::metadata(path)
        .with_context(|| format!("Failed to read {}", path.display()))?
        .len();
    let sha256 = sha256_file(path)?;
    let db = online::Handle::read_only(path)?;
    let names = db
        .rows(
            "SELECT name FROM sqlite_schema WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .with_context(|| format!("Failed to list the tables in {}", path.display()))?;
    let mut tables = Vec::with_capacity(names.len());
    for row in names {
        let Some(table) = row.into_iter().next() else {
            continue;
        };
        let count = db
            .rows(&format!(
                "SELECT count(*) FROM \"{}\"",
                table.replace('"', "\"\"")
            ))
            .with_context(|| format!("Failed to count the rows of {table}"))?;
        let rows = count
            .first()
            .and_then(|r| r.first())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        tables.push((table, rows));
    }
    Ok(Summary {
        path: path.to_path_buf(),
        bytes,
        sha256,
        tables,
    })
}

/// Open `path` read-only and run `integrity_check` and `foreign_key_check`. Returns the
/// problems found (empty: the file is sound); a file SQLite cannot read at all is an error.
pub fn verify(path: &Path) -> anyhow::Result<Vec<String>> {
    if !path.is_file() {
        bail!("there is no file at {}", path.display());
    }
    let db = online::Handle::read_only(path)?;
    let mut problems: Vec<String> = db
        .rows("PRAGMA integrity_check")
        .with_context(|| format!("Failed to check {}", path.display()))?
        .into_iter()
        .filter_map(|r| r.into_iter().next())
        .filter(|line| line != "ok")
        .collect();
    let orphans = db
        .rows("PRAGMA foreign_key_check")
        .with_context(|| format!("Failed to check the foreign keys in {}", path.display()))?;
    problems.extend(orphans.into_iter().map(|r| match r.as_slice() {
        [table, rowid, parent, ..] => {
            format!("{table} row {rowid} refers to a missing row in {parent}")
        }
        other => format!("foreign key problem: {}", other.join(" ")),
    }));
    Ok(problems)
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    /// The database as it was before, if there was one.
    pub kept_aside: Option<PathBuf>,
    pub summary: Summary,
}

/// Put the backup `file` in place of the SQLite database at `database`. Refuses while a
/// server holds the database, or when the file fails [`verify`].
pub fn restore(database: &Path, file: &Path, now: DateTime<Utc>) -> anyhow::Result<Restored> {
    // Held until the swap is done, so no server starts on a half-restored folder.
    let _lock = lock::exclusive(database)?;
    if same_file(database, file) {
        bail!("{} is the database itself", file.display());
    }
    let problems = verify(file)?;
    if !problems.is_empty() {
        bail!(
            "{} failed its checks, nothing was changed: {}",
            file.display(),
            problems.join("; ")
        );
    }
    let dir = parent_dir(database);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("Failed to create the folder {}", dir.display()))?;
    let temp = with_suffix(database, ".restore-tmp");
    std::fs::copy(file, &temp)
        .with_context(|| format!("Failed to copy {} to {}", file.display(), temp.display()))?;
    File::open(&temp)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("Failed to flush {} to disk", temp.display()))?;

    let kept_aside = if database.exists() {
        let aside = with_suffix(database, &format!(".before-restore-{}", now.format(STAMP)));
        // A hard link keeps the old file aside while the database path never goes missing.
        std::fs::hard_link(database, &aside)
            .or_else(|_| std::fs::copy(database, &aside).map(|_| ()))
            .with_context(|| {
                format!("Failed to keep the current database as {}", aside.display())
            })?;
        Some(aside)
    } else {
        None
    };
    // The old log goes with the old file (SQLite finds it there by name); the shared-memory
    // index is rebuilt on open. Left in place, the log would be replayed over the restore.
    for (ext, keep) in [("-wal", true), ("-journal", true), ("-shm", false)] {
        let leftover = with_suffix(database, ext);
        if !leftover.exists() {
            continue;
        }
        match (&kept_aside, keep) {
            (Some(aside), true) => std::fs::rename(&leftover, with_suffix(aside, ext)),
            _ => std::fs::remove_file(&leftover),
        }
        .with_context(|| format!("Failed to move {} out of the way", leftover.display()))?;
    }
    std::fs::rename(&temp, database)
        .with_context(|| format!("Failed to move the restored file to {}", database.display()))?;
    sync_dir(&dir)?;
    Ok(Restored {
        kept_aside,
        summary: summarise(database)?,
    })
}

/// Delete all but the newest `keep` backups in `dir`; only files named like a backup.
pub fn prune(dir: &Path, keep: usize) -> anyhow::Result<Vec<PathBuf>> {
    let mut backups = list(dir)?;
    backups.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut removed = Vec::new();
    for (_, path) in backups.into_iter().skip(keep) {
        std::fs::remove_file(&path)
            .with_context(|| format!("Failed to delete the old backup {}", path.display()))?;
        removed.push(path);
    }
    Ok(removed)
}

/// When the newest backup in `dir` was taken.
pub fn newest(dir: &Path) -> anyhow::Result<Option<DateTime<Utc>>> {
    Ok(list(dir)?.into_iter().map(|(at, _)| at).max())
}

fn list(dir: &Path) -> anyhow::Result<Vec<(DateTime<Utc>, PathBuf)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(e).with_context(|| format!("Failed to read the folder {}", dir.display()))
        }
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry =
            entry.with_context(|| format!("Failed to read the folder {}", dir.display()))?;
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        if let Some(at) = entry.file_name().to_str().and_then(taken_at) {
            found.push((at, entry.path()));
        }
    }
    Ok(found)
}

fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut file =
        File::open(path).with_context(|| format!("Failed to open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("Failed to read {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Make a rename in `dir` survive a power cut.
fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("Failed to flush the folder {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_names_carry_their_utc_time_and_nothing_else_matches() {
        let at = DateTime::parse_from_rfc3339("2026-11-29T21:30:05Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(file_name(at), "trellis-20261129T213005Z.db");
        assert_eq!(taken_at(&file_name(at)), Some(at));
        for other in [
            "trellis.db",
            "trellis-latest.db",
            "trellis-20261129T213005Z.db-wal",
            ".trellis-20261129T213005Z.db.tmp-12",
            "notes-20261129T213005Z.db",
        ] {
            assert_eq!(taken_at(other), None, "{other}");
        }
    }

    #[test]
    fn pruning_keeps_the_newest_and_leaves_other_files_alone() {
        let dir = std::env::temp_dir().join(format!("trellis-prune-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for day in 1..=5 {
            std::fs::write(dir.join(format!("trellis-202611{day:02}T000000Z.db")), b"x").unwrap();
        }
        std::fs::write(dir.join("keep-me.db"), b"x").unwrap();
        let removed = prune(&dir, 2).unwrap();
        assert_eq!(removed.len(), 3);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "keep-me.db",
                "trellis-20261104T000000Z.db",
                "trellis-20261105T000000Z.db"
            ]
        );
        assert_eq!(
            newest(&dir).unwrap(),
            taken_at("trellis-20261105T000000Z.db")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
