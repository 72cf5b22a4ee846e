//! The data layer. Query functions take `&mut DbConnection` and return `QueryResult`;
//! handlers reach them only through [`Db::read`] and [`Db::write`], which run the work on
//! the blocking thread pool and turn failures into `AppError`.

pub mod assignments;
pub mod audit;
pub mod audit_batch;
pub mod counselors;
pub mod couples;
pub mod dashboard;
pub mod entries;
pub mod exercises;
pub mod export;
pub mod forms;
pub mod outbox;
pub mod outbox_queue;
pub mod partner_home;
pub mod rate_limit;
pub mod report;
pub mod schema;
pub mod sessions;
pub mod setbacks;
pub mod sign_in_tokens;
mod text_enum;
pub mod therapy_sessions;
pub mod unsubscribe;

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::AppError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection type for both back ends. SQLite comes last: it would accept any string.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a URL names; chosen by its scheme, never by trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Postgres(String),
    Sqlite(String),
}

impl Target {
    pub fn parse(url: &str) -> Target {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Target::Postgres(url.to_string())
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            let path = path.strip_prefix("sqlite:").unwrap_or(path);
            Target::Sqlite(path.to_string())
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Target::Sqlite(_))
    }
}

/// Opens connections for r2d2, applying the SQLite pragmas to each new one.
#[derive(Debug, Clone)]
pub struct Manager {
    target: Target,
}

/// Order matters: busy_timeout before WAL, or two connections opening together fail.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA mmap_size = 268435456; \
     PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;";

impl diesel::r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        match &self.target {
            Target::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Pg)
                .map_err(diesel::r2d2::Error::ConnectionError),
            Target::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub type Pool = diesel::r2d2::Pool<Manager>;

/// Handle to the database: a reading pool and a writing pool. On SQLite the writing pool
/// holds one connection (one writer beats many that queue on the lock); on PostgreSQL both
/// handles share one pool.
#[derive(Clone)]
pub struct Db {
    read: Pool,
    write: Pool,
    target: Target,
}

impl Db {
    pub fn connect(url: &str, pool_size: u32) -> anyhow::Result<Db> {
        let target = Target::parse(url);
        if let Target::Sqlite(path) = &target {
            if path != ":memory:" {
                if let Some(dir) = Path::new(path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir).with_context(|| {
                            format!("Failed to create the database folder {}", dir.display())
                        })?;
                    }
                }
            }
        }
        let manager = Manager {
            target: target.clone(),
        };
        let build = |size: u32| {
            diesel::r2d2::Pool::builder()
                .max_size(size)
                .min_idle(Some(1))
                .connection_timeout(Duration::from_secs(10))
                .test_on_check_out(false)
                .build(manager.clone())
        };
        let read = build(pool_size).context("Failed to open the database")?;
        let write = if target.is_sqlite() {
            build(1).context("Failed to open the database for writing")?
        } else {
            read.clone()
        };
        Ok(Db {
            read,
            write,
            target,
        })
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Apply any pending migrations (idempotent).
    pub fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = self.write.get().context("Failed to get a connection")?;
        let applied = match &mut *conn {
            DbConnection::Pg(c) => c
                .run_pending_migrations(PG_MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .len(),
            DbConnection::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .len(),
        };
        Ok(applied)
    }

    /// Run read-only work on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.read.clone();
        actix_web::web::block(move || {
            let mut conn = pool
                .get()
                .map_err(|e| AppError::unexpected(e, "get a connection"))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::unexpected(e, "run database work"))?
    }

    /// Run a change in one immediate transaction on the blocking pool.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.write_blocking(f))
            .await
            .map_err(|e| AppError::unexpected(e, "run database work"))?
    }

    /// [`Db::write`] for code already off the async workers (CLI, scheduler).
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError>,
    {
        let mut conn = self
            .write
            .get()
            .map_err(|e| AppError::unexpected(e, "get a connection"))?;
        transaction(&mut conn, f)
    }

    /// [`Db::read`] for code already off the async workers.
    pub fn read_blocking<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError>,
    {
        let mut conn = self
            .read
            .get()
            .map_err(|e| AppError::unexpected(e, "get a connection"))?;
        f(&mut conn)
    }

    /// Fold the SQLite write-ahead log back into the database file, from a reading
    /// connection so that the one writing connection stays free. First passive checkpoints
    /// copy the pages while commits go on; then a restart copies what was committed
    /// meanwhile and waits for the readers still on older pages, holding back new commits
    /// for that moment (1-56 ms measured under 4,000 dashboard views a second), so the next
    /// commit starts the log from its beginning. Under steady reads and writes passive
    /// checkpoints alone never get the log restarted: it grew past 1 GB in a minute of load,
    /// and every page lookup got slower with it.
    pub fn checkpoint(&self) -> anyhow::Result<()> {
        if self.target.is_sqlite() {
            let mut conn = self.read.get()?;
            let started = std::time::Instant::now();
            // The second passive pass catches up with what was committed during the first,
            // so the restart has little left to copy while it holds commits back.
            conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE); PRAGMA wal_checkpoint(PASSIVE);")?;
            let passive = started.elapsed();
            conn.batch_execute("PRAGMA wal_checkpoint(RESTART);")?;
            tracing::debug!(?passive, restart = ?(started.elapsed() - passive), "SQLite checkpoint");
        }
        Ok(())
    }
}

/// Run `f` in a transaction; on SQLite it is `BEGIN IMMEDIATE`, so the write lock is taken
/// up front instead of failing with SQLITE_BUSY when a read upgrades.
pub fn transaction<T, F>(conn: &mut DbConnection, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, AppError>,
{
    match conn {
        DbConnection::Pg(_) => conn.transaction(f),
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => {
                    if let DbConnection::Sqlite(inner) = conn {
                        AnsiTransactionManager::commit_transaction(inner)?;
                    }
                    Ok(value)
                }
                Err(e) => {
                    if let DbConnection::Sqlite(inner) = conn {
                        // The original error matters more than a failed rollback.
                        let _ = AnsiTransactionManager::rollback_transaction(inner);
                    }
                    Err(e)
                }
            }
        }
    }
}

/// Insert a row and return its new id, without `RETURNING` on SQLite (it leaves the
/// statement open and stops the WAL from checkpointing).
#[macro_export]
macro_rules! insert_returning_id {
    ($conn:expr, $table:path, $values:expr) => {{
        use diesel::prelude::*;
        use $table as t;
        match $conn {
            $crate::db::DbConnection::Pg(c) => diesel::insert_into(t::table)
                .values($values)
                .returning(t::id)
                .get_result::<i32>(c),
            $crate::db::DbConnection::Sqlite(c) => diesel::insert_into(t::table)
                .values($values)
                .execute(c)
                .and_then(|_| diesel::select($crate::db::last_insert_rowid()).get_result::<i32>(c)),
        }
    }};
}

diesel::define_sql_function! {
    /// SQLite's id of the row the connection inserted last.
    fn last_insert_rowid() -> diesel::sql_types::Integer;
}

/// Current time as stored in the database (UTC, microsecond precision).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    now.with_nanosecond_trunc()
}

trait TruncMicros {
    fn with_nanosecond_trunc(self) -> Self;
}

impl TruncMicros for chrono::NaiveDateTime {
    fn with_nanosecond_trunc(self) -> Self {
        use chrono::Timelike;
        let micros = self.nanosecond() / 1000 * 1000;
        self.with_nanosecond(micros).unwrap_or(self)
    }
}

diesel::define_sql_function! {
    /// Lower-case text, so searches match the same on SQLite and PostgreSQL.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

#[cfg(test)]
mod tests {
    use super::Target;

    #[test]
    fn the_url_scheme_picks_the_database() {
        assert_eq!(
            Target::parse("postgres://u@h/db"),
            Target::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            Target::parse("postgresql://u@h/db"),
            Target::Postgres("postgresql://u@h/db".into())
        );
        assert_eq!(
            Target::parse("sqlite://data/trellis.db"),
            Target::Sqlite("data/trellis.db".into())
        );
        assert_eq!(
            Target::parse("sqlite:///tmp/x.db"),
            Target::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            Target::parse("data/plain.db"),
            Target::Sqlite("data/plain.db".into())
        );
    }
}
