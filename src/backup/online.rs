//! SQLite's online backup API and a read-only handle for checking a copy: the one place
//! Trellis calls the C library directly.
//!
//! `sqlite3_backup_step` copies pages while the copy holds ONE read transaction on the
//! source, so the copy is the database as it was at that instant, pages still in the
//! write-ahead log included, while the server goes on reading and writing (WAL readers and
//! the writer do not block each other). Copying pages is several times faster than `VACUUM INTO`, which
//! rebuilds every table and index. diesel does not wrap this API, hence the FFI.

use std::ffi::{CStr, CString};
use std::path::Path;
use std::ptr;
use std::time::Duration;

use anyhow::{bail, Context};
use libsqlite3_sys as ffi;

/// An open `sqlite3*`, closed on drop.
pub(super) struct Handle(*mut ffi::sqlite3);

impl Handle {
    /// Open an existing database read-only: nothing is created or changed.
    pub(super) fn read_only(path: &Path) -> anyhow::Result<Handle> {
        Handle::open(path, ffi::SQLITE_OPEN_READONLY)
            .with_context(|| format!("Failed to open {}", path.display()))
    }

    /// Every row of `sql`, each column as text (NULL as an empty string).
    pub(super) fn rows(&self, sql: &str) -> anyhow::Result<Vec<Vec<String>>> {
        let c_sql = CString::new(sql).context("Failed to pass SQL to SQLite")?;
        let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
        // SAFETY: the handle is open, `c_sql` is NUL-terminated (length -1), `stmt`
        // receives the statement or stays null.
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(self.0, c_sql.as_ptr(), -1, &mut stmt, ptr::null_mut())
        };
        if rc != ffi::SQLITE_OK {
            bail!("{}", self.message(rc));
        }
        let mut out = Vec::new();
        let result = loop {
            // SAFETY: `stmt` is a prepared statement, finalized once below.
            let rc = unsafe { ffi::sqlite3_step(stmt) };
            if rc == ffi::SQLITE_DONE {
                break Ok(());
            }
            if rc != ffi::SQLITE_ROW {
                break Err(anyhow::anyhow!("{}", self.message(rc)));
            }
            // SAFETY: `stmt` has a current row; column indexes are below the count; the
            // text pointer is valid until the next step, and we copy it at once.
            let row = unsafe {
                (0..ffi::sqlite3_column_count(stmt))
                    .map(|i| {
                        let text = ffi::sqlite3_column_text(stmt, i);
                        if text.is_null() {
                            String::new()
                        } else {
                            CStr::from_ptr(text.cast()).to_string_lossy().into_owned()
                        }
                    })
                    .collect()
            };
            out.push(row);
        };
        // SAFETY: finalizing the statement once; it is not used afterwards.
        unsafe { ffi::sqlite3_finalize(stmt) };
        result.map(|()| out)
    }

    fn open(path: &Path, flags: i32) -> anyhow::Result<Handle> {
        let c_path = CString::new(path.as_os_str().as_encoded_bytes())
            .context("Failed to pass the path to SQLite (it contains a NUL byte)")?;
        let mut db: *mut ffi::sqlite3 = ptr::null_mut();
        // SAFETY: `c_path` is a valid C string that outlives the call; `db` receives the
        // handle, which SQLite allocates even on failure (it must then be closed).
        let rc = unsafe { ffi::sqlite3_open_v2(c_path.as_ptr(), &mut db, flags, ptr::null()) };
        let handle = Handle(db);
        if rc != ffi::SQLITE_OK {
            bail!("{}", handle.message(rc));
        }
        // SAFETY: `db` is an open handle.
        unsafe { ffi::sqlite3_busy_timeout(db, 10_000) };
        Ok(handle)
    }

    fn exec(&self, sql: &str) -> anyhow::Result<()> {
        let c_sql = CString::new(sql).context("Failed to pass SQL to SQLite")?;
        // SAFETY: the handle is open and `c_sql` is a valid C string; no callback.
        let rc = unsafe {
            ffi::sqlite3_exec(
                self.0,
                c_sql.as_ptr(),
                None,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK {
            bail!("{}", self.message(rc));
        }
        Ok(())
    }

    /// SQLite's message for the last error on this handle, or for `rc`.
    fn message(&self, rc: i32) -> String {
        if self.0.is_null() {
            return format!("SQLite error {rc}");
        }
        // SAFETY: the handle is non-null; sqlite3_errmsg returns a NUL-terminated string
        // owned by SQLite, valid until the next call on this handle; we copy it at once.
        unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.0)) }
            .to_string_lossy()
            .into_owned()
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: closing a handle SQLite gave us (null is a no-op); every statement and
        // backup object made on it has been finished before this runs.
        unsafe { ffi::sqlite3_close(self.0) };
    }
}

/// Pages copied per step (32 MB of 4 KB pages).
const PAGES_PER_STEP: i32 = 8192;

/// Copy the database at `source` into a new file `dest` (which must not exist) as one
/// consistent snapshot. The copy is left in rollback-journal mode, so it is one
/// self-contained file that opens read-only anywhere; it is fsynced as it goes.
///
/// The copy goes in steps, all inside ONE read transaction on the source, so every step sees
/// the same snapshot (without it, a write by the server between steps would make SQLite
/// start the copy over). After each step the pages written so far are flushed to disk: one
/// flush of the whole file at the end would queue hundreds of megabytes in front of the
/// server's own small fsyncs (each commit's), and they would wait behind it.
pub fn copy(source: &Path, dest: &Path) -> anyhow::Result<()> {
    let src = Handle::open(source, ffi::SQLITE_OPEN_READONLY)
        .with_context(|| format!("Failed to open {}", source.display()))?;
    // Reading through the memory map is what the server does too; it makes the copy faster.
    src.exec("PRAGMA mmap_size = 268435456")
        .context("Failed to set up the source connection")?;
    let dst = Handle::open(dest, ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE)
        .with_context(|| format!("Failed to create {}", dest.display()))?;
    // The file is renamed into place by the caller; a journal would only slow the copy down.
    dst.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")
        .context("Failed to set up the backup file")?;
    let flush = std::fs::File::open(dest)
        .with_context(|| format!("Failed to open {} to flush it", dest.display()))?;
    // Start the snapshot every step reads from (BEGIN alone is deferred: the first read
    // starts it).
    src.exec("BEGIN; SELECT count(*) FROM sqlite_schema")
        .context("Failed to start reading the database")?;
    let copied = step_through(&src, &dst, &flush);
    // Ending a read transaction cannot lose anything; a failure here is not the copy's.
    let _ = src.exec("COMMIT");
    copied?;
    // The copied header says WAL, like the source; a backup file is better off without one.
    dst.exec("PRAGMA journal_mode = DELETE")
        .context("Failed to set the backup file's journal mode")?;
    Ok(())
}

fn step_through(src: &Handle, dst: &Handle, flush: &std::fs::File) -> anyhow::Result<()> {
    let main = c"main";
    // SAFETY: both handles are open and distinct; "main" is a valid C string.
    let backup = unsafe { ffi::sqlite3_backup_init(dst.0, main.as_ptr(), src.0, main.as_ptr()) };
    if backup.is_null() {
        bail!("Failed to start the backup: {}", dst.message(0));
    }
    let mut rc;
    let mut waited = 0;
    loop {
        // SAFETY: `backup` is a live backup object until sqlite3_backup_finish below.
        rc = unsafe { ffi::sqlite3_backup_step(backup, PAGES_PER_STEP) };
        if rc == ffi::SQLITE_OK {
            if let Err(e) = flush.sync_data() {
                // SAFETY: finishing the backup object once; it is not used afterwards.
                unsafe { ffi::sqlite3_backup_finish(backup) };
                return Err(e).context("Failed to flush the backup file to disk");
            }
            continue;
        }
        let busy = rc == ffi::SQLITE_BUSY || rc == ffi::SQLITE_LOCKED;
        if !busy || waited >= 200 {
            break;
        }
        waited += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: finishing the backup object once; it is not used afterwards.
    let finish = unsafe { ffi::sqlite3_backup_finish(backup) };
    if rc != ffi::SQLITE_DONE {
        bail!("Failed to copy the database: {}", dst.message(rc));
    }
    if finish != ffi::SQLITE_OK {
        bail!("Failed to finish the backup: {}", dst.message(finish));
    }
    Ok(())
}
