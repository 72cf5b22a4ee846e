//! The data layer. Query functions take `&mut DbConnection` and return `QueryResult`;
//! callers reach them only through [`Db::read`] and [`Db::write`] (or their `_blocking`
//! twins), which run the work on the blocking thread pool. What fails around the queries
//! (the pool, the blocking task, the transaction) is a [`DbError`]; the closure's own error
//! type is the caller's choice, as long as a `DbError` converts into it: handlers use the
//! HTTP edge's error type, the scheduler and CLI `anyhow::Error` or `DbError` itself.

pub mod alerts;
pub mod assignment_changes;
pub mod assignments;
pub mod audit;
pub mod audit_batch;
pub mod audit_chain;
pub mod audit_page;
pub mod counselors;
pub mod couples;
pub mod dashboard;
pub mod entries;
pub mod error;
pub mod exercises;
pub mod export;
pub mod feed;
pub mod forms;
pub mod outbox;
pub mod outbox_queue;
pub mod partner_data;
pub mod partner_home;
pub mod password_tokens;
pub mod practice_security;
pub mod practice_settings;
pub mod promises;
pub mod rate_limit;
pub mod ready;
pub mod report;
pub mod schema;
pub mod sessions;
pub mod setbacks;
pub mod sign_in_tokens;
mod text_enum;
pub mod therapy_sessions;
pub mod throttle;
pub mod two_factor;
pub mod unsubscribe;

use std::marker::PhantomData;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use error::DbError;
use error::OpenError;
pub use ready::NotReady;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// One connection type for both back ends. SQLite comes last: it would accept any string.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a URL names; chosen by its scheme, never by trial.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    Postgres(String),
    Sqlite(String),
}

/// A PostgreSQL URL can hold a password: `Debug` shows only that it is PostgreSQL.
impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Postgres(_) => write!(f, "Postgres([redacted])"),
            Target::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
        }
    }
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

/// Opens connections for r2d2, applying the SQLite pragmas to each new one, and tells r2d2
/// which connections must not be handed out again.
#[derive(Debug, Clone)]
pub struct Manager {
    target: Target,
    health: Arc<Health>,
}

/// What the pools of one [`Db`] have learnt about reaching the database.
#[derive(Debug, Default)]
struct Health {
    /// The last attempt to open a connection failed (cleared when one opens): while the pool
    /// holds no connection at all, a checkout then waits [`FAIL_FAST`] instead of the full
    /// pool timeout.
    unreachable: AtomicBool,
    /// Bumped each time a connection came back broken (PostgreSQL closed it, or it failed
    /// mid-transaction): every connection last used before the bump is pinged before it is
    /// handed out again, so one dead connection found means the others are checked.
    breaks: AtomicU64,
}

/// How long a checkout waits while the database cannot be reached and no connection is left.
const FAIL_FAST: Duration = Duration::from_secs(1);

/// How often a waiting checkout looks again whether the database was found unreachable.
const CHECKOUT_SLICE: Duration = Duration::from_millis(250);

/// A PostgreSQL connection idle longer than this is pinged (`SELECT 1`, about 60 µs here)
/// before it is handed out. A busy pool reuses its connections well within it, so a ping
/// costs at most one round trip per connection per this interval, and a connection the
/// server closed while it sat idle (a restart, a failover, a cut network) is dropped before
/// a request gets it.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(2);

/// Order matters: busy_timeout before WAL, or two connections opening together fail.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA mmap_size = 268435456; \
     PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;";

/// The SQLite busy timeout of [`SQLITE_PRAGMAS`], for code that changes it for a moment.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

impl Manager {
    fn open(&self) -> Result<DbConnection, diesel::r2d2::Error> {
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
}

impl diesel::r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        let opened = self.open();
        self.health
            .unreachable
            .store(opened.is_err(), Ordering::Relaxed);
        opened
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    /// Called as a connection goes back to the pool: a connection that is still inside a
    /// transaction (a closure panicked or returned without closing it), whose transaction
    /// manager is broken (a failed rollback, or PostgreSQL closed the connection: libpq's
    /// status turns diesel's manager to its error state on the next query), or that is
    /// given back while its thread unwinds from a panic, is closed instead of reused.
    /// Closing it rolls back whatever it still had open.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        let (open_or_broken, dead) = match conn {
            DbConnection::Pg(c) => transaction_state(c),
            DbConnection::Sqlite(c) => transaction_state(c),
        };
        if dead {
            self.health.breaks.fetch_add(1, Ordering::Relaxed);
        }
        open_or_broken || std::thread::panicking()
    }
}

/// Whether the connection is inside a transaction or its transaction manager is broken, and
/// whether it is broken (which on PostgreSQL is how a closed connection shows).
fn transaction_state<C>(conn: &mut C) -> (bool, bool)
where
    C: Connection<TransactionManager = AnsiTransactionManager>,
{
    let dead = AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .is_err();
    (
        AnsiTransactionManager::is_broken_transaction_manager(conn),
        dead,
    )
}

/// Kept with each pooled connection: when it was last handed out, and how many broken
/// connections the pool had seen by then.
struct LastUse {
    at: Instant,
    breaks: u64,
}

pub type Pool = diesel::r2d2::Pool<Manager>;
type Pooled = diesel::r2d2::PooledConnection<Manager>;

/// Handle to the database: a reading pool and a writing pool. On SQLite the writing pool
/// holds one connection (one writer beats many that queue on the lock); on PostgreSQL both
/// handles share one pool.
///
/// `E` is the error type of the closures this handle runs and of what it returns: anything
/// a [`DbError`] converts into. It is part of the handle's type (rather than inferred per
/// call) so that a closure written `|conn| Ok(query(conn)?)` needs no annotation: the HTTP
/// edge holds a `Db` of its own error type, the scheduler and CLI a plain `Db`
/// (`Db<DbError>`), and [`Db::with_error`] turns one into the other.
pub struct Db<E = DbError> {
    read: Pool,
    write: Pool,
    target: Target,
    health: Arc<Health>,
    error: PhantomData<fn() -> E>,
}

impl<E> Clone for Db<E> {
    fn clone(&self) -> Self {
        Db {
            read: self.read.clone(),
            write: self.write.clone(),
            target: self.target.clone(),
            health: self.health.clone(),
            error: PhantomData,
        }
    }
}

impl Db {
    pub fn connect(url: &str, pool_size: u32) -> Result<Db, DbError> {
        let target = Target::parse(url);
        if let Target::Sqlite(path) = &target {
            if path != ":memory:" {
                if let Some(dir) = Path::new(path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir).map_err(|source| {
                            DbError::Open(OpenError::Folder {
                                path: dir.display().to_string(),
                                source,
                            })
                        })?;
                    }
                }
            }
        }
        let health = Arc::new(Health::default());
        let manager = Manager {
            target: target.clone(),
            health: health.clone(),
        };
        let build = |size: u32| {
            diesel::r2d2::Pool::builder()
                .max_size(size)
                .min_idle(Some(1))
                .connection_timeout(Duration::from_secs(10))
                // A round trip per checkout; `checkout` pings only connections idle a while.
                .test_on_check_out(false)
                .build(manager.clone())
                .map_err(|e| DbError::Open(OpenError::Pool(e)))
        };
        let read = build(pool_size)?;
        let write = if target.is_sqlite() {
            build(1)?
        } else {
            read.clone()
        };
        Ok(Db {
            read,
            write,
            target,
            health,
            error: PhantomData,
        })
    }
}

impl<E> Db<E> {
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The same pools, for callers whose closures fail with `E2`. Cheap: pools are shared.
    pub fn with_error<E2>(&self) -> Db<E2> {
        Db {
            read: self.read.clone(),
            write: self.write.clone(),
            target: self.target.clone(),
            health: self.health.clone(),
            error: PhantomData,
        }
    }

    /// A connection from `pool`. Waits up to `wait` (the pool's timeout by default) for one
    /// to come free, but no more than [`FAIL_FAST`] once the database could not be reached
    /// at the last attempt and the pool holds no connection: during an outage every request
    /// would otherwise hang for the full timeout. A PostgreSQL connection idle for a while,
    /// or last used before a broken connection was found, is pinged first; one that fails
    /// the ping is closed (its transaction manager is broken, see [`Manager::has_broken`])
    /// and the next one tried.
    fn checkout(&self, pool: &Pool, wait: Option<Duration>) -> Result<Pooled, DbError> {
        let deadline = Instant::now() + wait.unwrap_or_else(|| pool.connection_timeout());
        let mut failed_pings = 0;
        loop {
            let down =
                self.health.unreachable.load(Ordering::Relaxed) && pool.state().connections == 0;
            // Waiting in slices notices an outage found meanwhile (the pool's own attempt
            // to open a connection failing) instead of sleeping through it.
            let left = deadline.saturating_duration_since(Instant::now());
            let slice = left.min(if down { FAIL_FAST } else { CHECKOUT_SLICE });
            let mut conn = match pool.get_timeout(slice) {
                Ok(conn) => conn,
                Err(e) if down || slice >= left => return Err(DbError::Unavailable(e)),
                Err(_) => continue,
            };
            let breaks = self.health.breaks.load(Ordering::Relaxed);
            let stale = match Pooled::extensions(&conn).get::<LastUse>() {
                Some(last) => last.breaks != breaks || last.at.elapsed() >= PING_IF_IDLE_FOR,
                // Opened by the pool in the background, perhaps long ago.
                None => true,
            };
            Pooled::extensions_mut(&mut conn).insert(LastUse {
                at: Instant::now(),
                breaks,
            });
            if stale && matches!(*conn, DbConnection::Pg(_)) {
                if let Err(e) = conn.batch_execute("SELECT 1") {
                    tracing::info!(error = %e, "closed a database connection that failed its ping");
                    failed_pings += 1;
                    // Each failed ping closes a connection, so this ends within the pool's size.
                    if failed_pings > pool.max_size() {
                        return Err(DbError::Query(e));
                    }
                    continue;
                }
            }
            return Ok(conn);
        }
    }

    /// Apply any pending migrations (idempotent).
    pub fn migrate(&self) -> Result<usize, DbError> {
        let mut conn = self.checkout(&self.write, None)?;
        let applied = match &mut *conn {
            DbConnection::Pg(c) => c
                .run_pending_migrations(PG_MIGRATIONS)
                .map_err(DbError::Migration)?
                .len(),
            DbConnection::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(DbError::Migration)?
                .len(),
        };
        Ok(applied)
    }

    /// Fold the SQLite write-ahead log back into the database file, from a reading
    /// connection so that the one writing connection stays free. First passive checkpoints
    /// copy the pages while commits go on; then a restart copies what was committed
    /// meanwhile and waits for the readers still on older pages, holding back new commits
    /// for that moment (1-56 ms measured under 4,000 dashboard views a second), so the next
    /// commit starts the log from its beginning. Under steady reads and writes passive
    /// checkpoints alone never get the log restarted: it grew past 1 GB in a minute of load,
    /// and every page lookup got slower with it.
    pub fn checkpoint(&self) -> Result<(), DbError> {
        if self.target.is_sqlite() {
            let mut conn = self.checkout(&self.read, None)?;
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

impl<E: From<DbError>> Db<E> {
    /// Run read-only work on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.read_blocking(f))
            .await
            .map_err(DbError::Blocking)?
    }

    /// Run a change in one immediate transaction on the blocking pool.
    pub async fn write<T, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.write_blocking(f))
            .await
            .map_err(DbError::Blocking)?
    }

    /// [`Db::write`] for code already off the async workers (CLI, scheduler).
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
    {
        let mut conn = self.checkout(&self.write, None)?;
        let result = transaction(&mut conn, f);
        lost_connection_is_unavailable(&mut conn, result)
    }

    /// [`Db::read`] for code already off the async workers. Should `f` panic, the
    /// connection is closed rather than reused (see [`Manager::has_broken`]).
    pub fn read_blocking<T, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
    {
        let mut conn = self.checkout(&self.read, None)?;
        let result = f(&mut conn);
        lost_connection_is_unavailable(&mut conn, result)
    }
}

/// When work failed because its PostgreSQL connection died under it, say so
/// ([`DbError::ConnectionLost`]: "try again shortly", 503 at the HTTP edge) rather than pass
/// on whatever the query happened to report: libpq's first error on a closed socket may be
/// "server closed the connection" or "no connection to the server", and code may even have
/// gone on after the first.
///
/// It also makes sure the pool learns the connection is dead. diesel puts its transaction
/// manager in the error state (which [`Manager::has_broken`] sees) when libpq reports a bad
/// connection, but not when the failure came while preparing a statement the connection had
/// not cached yet: such a connection went back to the pool looking healthy and failed every
/// request after ("no connection to the server" for minutes). So after any failed work a
/// PostgreSQL connection is pinged (one round trip on the error path only; on a dead
/// connection libpq fails at once, without the network), which sets that state.
fn lost_connection_is_unavailable<T, E: From<DbError>>(
    conn: &mut DbConnection,
    result: Result<T, E>,
) -> Result<T, E> {
    if result.is_err() && connection_died(conn) {
        tracing::warn!("the database connection was lost during a query");
        return Err(E::from(DbError::ConnectionLost));
    }
    result
}

/// Whether a PostgreSQL connection on which something just failed is dead; pings it if
/// diesel does not know yet, so that [`Manager::has_broken`] closes it. Always false on
/// SQLite (a connection to a file does not die).
fn connection_died(conn: &mut DbConnection) -> bool {
    let DbConnection::Pg(c) = conn else {
        return false;
    };
    let broken = |c: &mut PgConnection| {
        AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()
            .is_err()
    };
    if !broken(c) {
        let _ = c.batch_execute("SELECT 1");
    }
    broken(c)
}

/// Run `f` in a transaction: committed if it returns `Ok`, rolled back if it returns `Err`
/// or panics. On SQLite it is `BEGIN IMMEDIATE`, so the write lock is taken up front instead
/// of failing with SQLITE_BUSY when a read upgrades; on PostgreSQL a plain `BEGIN`.
///
/// A panic in `f` rolls back every level `f` left open and then carries on unwinding (on
/// the blocking pool it becomes a `DbError::Blocking`, answered 500 for that request only).
/// The connection is also closed rather than reused, since r2d2 gets it back while the
/// thread unwinds ([`Manager::has_broken`]): nothing can ever run inside a transaction a
/// panic left open (on PostgreSQL later writes became savepoints of a transaction that
/// never committed; on SQLite every later write was refused).
///
/// Written out here rather than with diesel's `Connection::transaction` so the closure's
/// error type only has to accept a [`DbError`] (not diesel's error as well).
pub fn transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<DbError>,
{
    match conn {
        DbConnection::Pg(inner) => AnsiTransactionManager::begin_transaction(inner),
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")
        }
    }
    .map_err(DbError::Query)?;
    match catch_unwind(AssertUnwindSafe(|| f(&mut *conn))) {
        Ok(Ok(value)) => {
            // On failure diesel's commit already tries to roll back.
            match conn {
                DbConnection::Pg(inner) => AnsiTransactionManager::commit_transaction(inner),
                DbConnection::Sqlite(inner) => AnsiTransactionManager::commit_transaction(inner),
            }
            .map_err(DbError::Query)?;
            Ok(value)
        }
        Ok(Err(e)) => {
            // The original error matters more than a failed rollback.
            let _ = match conn {
                DbConnection::Pg(inner) => AnsiTransactionManager::rollback_transaction(inner),
                DbConnection::Sqlite(inner) => AnsiTransactionManager::rollback_transaction(inner),
            };
            Err(e)
        }
        Err(panic) => {
            let rolled_back = match conn {
                DbConnection::Pg(inner) => roll_back_all(inner),
                DbConnection::Sqlite(inner) => roll_back_all(inner),
            };
            tracing::error!(
                rolled_back,
                "a database write panicked: its transaction was rolled back and its connection is closed"
            );
            resume_unwind(panic)
        }
    }
}

/// Roll back every open level (a panic may leave savepoints inside the transaction).
/// Whether the connection ended outside any transaction.
fn roll_back_all<C>(conn: &mut C) -> bool
where
    C: Connection<TransactionManager = AnsiTransactionManager>,
{
    // Each rollback closes one level or fails (and then the manager is broken): bounded.
    for _ in 0..64 {
        match AnsiTransactionManager::transaction_manager_status_mut(conn).transaction_depth() {
            Ok(None) => return true,
            Ok(Some(_)) => {
                if AnsiTransactionManager::rollback_transaction(conn).is_err() {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
    false
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

/// `at` cut to the microseconds both databases keep.
pub fn truncate_micros(at: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    at.with_nanosecond_trunc()
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

    #[test]
    fn debug_hides_a_postgres_url() {
        let printed = format!("{:?}", Target::parse("postgres://u:hunter2@h/db"));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert_eq!(printed, "Postgres([redacted])");
    }
}
