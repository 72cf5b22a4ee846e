//! How `trellis restore` knows a server is using the database.
//!
//! Every server holds a SHARED advisory lock (`flock`) on `<database>.lock`, e.g.
//! `data/trellis.db.lock`, for as long as it runs; several servers on one file may share it.
//! A restore takes the lock EXCLUSIVELY, without waiting: if any server holds it, the restore
//! refuses; while the restore holds it, a server refuses to start. The kernel releases an
//! flock when the process dies, `kill -9` included, so it cannot be left stale; the file
//! itself stays (deleting a lock file invites races) and holds nothing.
//!
//! A second lock, `<database>.backup-lock`, keeps backups and the server's checkpoints
//! apart. A backup's read snapshot makes the 10-second `wal_checkpoint(RESTART)` wait for
//! it, holding every write back meanwhile (1.2 s stalls were measured during a 400 MB
//! backup). So a backup holds that lock shared for its copy, and the checkpointer skips its
//! turn when it cannot take it exclusively at once; a backup waits for a checkpoint that
//! is under way (milliseconds).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// The lock file beside a SQLite database.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// A held lock; released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct DatabaseLock {
    _file: File,
}

fn open(database: &Path) -> anyhow::Result<(File, PathBuf)> {
    open_at(lock_path(database))
}

fn open_at(path: PathBuf) -> anyhow::Result<(File, PathBuf)> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("Failed to create the folder {}", dir.display()))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("Failed to open the lock file {}", path.display()))?;
    Ok((file, path))
}

/// Taken by a server for its whole life.
pub fn serving(database: &Path) -> anyhow::Result<DatabaseLock> {
    let (file, path) = open(database)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(DatabaseLock { _file: file }),
        Err(TryLockError::WouldBlock) => bail!(
            "{} is being restored (another process holds {} exclusively); \
             start the server when the restore has finished",
            database.display(),
            path.display()
        ),
        Err(TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("Failed to lock {}", path.display()))
        }
    }
}

/// Taken by a restore; refuses at once if any server holds the database.
pub fn exclusive(database: &Path) -> anyhow::Result<DatabaseLock> {
    let (file, path) = open(database)?;
    match file.try_lock() {
        Ok(()) => Ok(DatabaseLock { _file: file }),
        Err(TryLockError::WouldBlock) => bail!(
            "a Trellis server is using {} (it holds {}); stop every server on this database, \
             then run the restore again",
            database.display(),
            path.display()
        ),
        Err(TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("Failed to lock {}", path.display()))
        }
    }
}

/// The server's lock for the configured database: SQLite files only.
pub fn for_server(database_url: &str) -> anyhow::Result<Option<DatabaseLock>> {
    match crate::db::Target::parse(database_url) {
        crate::db::Target::Sqlite(path) if path != ":memory:" => {
            serving(Path::new(&path)).map(Some)
        }
        _ => Ok(None),
    }
}

fn backup_lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".backup-lock");
    PathBuf::from(name)
}

/// Held by a backup while it copies; waits for a checkpoint under way.
pub fn copying(database: &Path) -> anyhow::Result<DatabaseLock> {
    let (file, path) = open_at(backup_lock_path(database))?;
    file.lock_shared()
        .with_context(|| format!("Failed to lock {}", path.display()))?;
    Ok(DatabaseLock { _file: file })
}

/// Held by the server's checkpointer while it checkpoints; `None` while a backup copies
/// (the checkpoint then waits for the next turn). Always `Some` for PostgreSQL.
pub fn checkpoint_turn(target: &crate::db::Target) -> Option<Option<DatabaseLock>> {
    let crate::db::Target::Sqlite(path) = target else {
        return Some(None);
    };
    if path == ":memory:" {
        return Some(None);
    }
    let Ok((file, _)) = open_at(backup_lock_path(Path::new(path))) else {
        // No lock file to be had (a read-only folder): checkpoint as before.
        return Some(None);
    };
    match file.try_lock() {
        Ok(()) => Some(Some(DatabaseLock { _file: file })),
        Err(TryLockError::WouldBlock) => None,
        Err(TryLockError::Error(_)) => Some(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_and_checkpoints_give_way_to_what_holds_the_database() {
        let dir = std::env::temp_dir().join(format!("trellis-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let database = dir.join("trellis.db");
        let target = crate::db::Target::Sqlite(database.display().to_string());

        let server = serving(&database).unwrap();
        let second_server = serving(&database).unwrap();
        assert!(exclusive(&database).is_err(), "a restore while servers run");
        drop((server, second_server));
        let restore = exclusive(&database).unwrap();
        assert!(
            serving(&database).is_err(),
            "a server start during a restore"
        );
        drop(restore);

        let backup = copying(&database).unwrap();
        assert!(
            checkpoint_turn(&target).is_none(),
            "a checkpoint during a backup"
        );
        drop(backup);
        assert!(matches!(checkpoint_turn(&target), Some(Some(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
