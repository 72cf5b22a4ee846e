//! Readiness: can this process read and write the database right now? For `/ready`, which
//! a load balancer asks every few seconds, so every step has a short budget and nothing is
//! left behind: the write is made inside a transaction that is always rolled back.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use super::{connection_died, Db, DbConnection, DbError, SQLITE_BUSY_TIMEOUT_MS};

/// How long each step (a connection from the pool, the write lock, a statement) may wait.
pub const READY_BUDGET: Duration = Duration::from_secs(2);

/// Why the database is not ready. `reason()` is a short text for the load balancer (no
/// URL, no server message); the cause, if any, is for the log.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("no database connection for reading")]
    NoReadConnection(#[source] DbError),
    #[error("the database read failed")]
    ReadFailed(#[source] DbError),
    #[error("no database connection for writing")]
    NoWriteConnection(#[source] DbError),
    #[error("the database write lock is held elsewhere")]
    WriteLockBusy(#[source] DbError),
    #[error("the database is read-only")]
    ReadOnly,
    #[error("the database write failed")]
    WriteFailed(#[source] DbError),
}

impl NotReady {
    /// The text `/ready` answers with: what failed, never why in the server's words.
    pub fn reason(&self) -> &'static str {
        match self {
            NotReady::NoReadConnection(_) => "database unreachable (read)",
            NotReady::ReadFailed(_) => "database read failed",
            NotReady::NoWriteConnection(_) => "database unreachable (write)",
            NotReady::WriteLockBusy(_) => "database write lock busy",
            NotReady::ReadOnly => "database is read-only",
            NotReady::WriteFailed(_) => "database write failed",
        }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct ReadOnly {
    #[diesel(sql_type = Bool)]
    read_only: bool,
}

/// A real row write that changes nothing and is rolled back: the newest migration's row
/// takes its own `run_on` again. The migrations table exists on every database Trellis
/// has opened, so no table of its own is needed.
const WRITE_PROBE: &str = "UPDATE __diesel_schema_migrations SET run_on = run_on \
     WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations)";

impl<E> Db<E> {
    /// Read from the reading pool, then, on the writing connection, open a transaction
    /// (`BEGIN IMMEDIATE` on SQLite: the write lock), write one row and roll back.
    /// Blocking: call it off the async workers. Takes at most a few times [`READY_BUDGET`].
    pub fn check_ready(&self) -> Result<(), NotReady> {
        let mut conn = self
            .checkout(&self.read, Some(READY_BUDGET))
            .map_err(NotReady::NoReadConnection)?;
        let read = diesel::sql_query("SELECT COUNT(*) AS n FROM __diesel_schema_migrations")
            .get_result::<Count>(&mut *conn)
            .map_err(|e| NotReady::ReadFailed(e.into()))
            .and_then(|c| match c.n {
                0 => Err(NotReady::ReadFailed(DbError::Query(
                    diesel::result::Error::NotFound,
                ))),
                _ => Ok(()),
            });
        if let Err(e) = read {
            return Err(match connection_died(&mut conn) {
                true => NotReady::NoReadConnection(DbError::ConnectionLost),
                false => e,
            });
        }
        drop(conn);

        let mut conn = self
            .checkout(&self.write, Some(READY_BUDGET))
            .map_err(NotReady::NoWriteConnection)?;
        let written = match &mut *conn {
            DbConnection::Sqlite(c) => sqlite_write_probe(c),
            DbConnection::Pg(c) => pg_write_probe(c),
        };
        match written {
            Err(_) if connection_died(&mut conn) => {
                Err(NotReady::NoWriteConnection(DbError::ConnectionLost))
            }
            written => written,
        }
    }
}

fn sqlite_write_probe(conn: &mut SqliteConnection) -> Result<(), NotReady> {
    let budget = READY_BUDGET.as_millis();
    conn.batch_execute(&format!("PRAGMA busy_timeout = {budget}"))
        .map_err(|e| NotReady::WriteFailed(e.into()))?;
    let probed = AnsiTransactionManager::begin_transaction_sql(conn, "BEGIN IMMEDIATE")
        .map_err(|e| NotReady::WriteLockBusy(e.into()))
        .and_then(|()| {
            let written = diesel::sql_query(WRITE_PROBE)
                .execute(conn)
                .map_err(|e| NotReady::WriteFailed(e.into()));
            // A failed rollback breaks the transaction manager: the pool then closes the
            // connection instead of reusing it.
            let rolled_back = AnsiTransactionManager::rollback_transaction(conn)
                .map_err(|e| NotReady::WriteFailed(e.into()));
            written.and(rolled_back).map(|_| ())
        });
    let restored = conn
        .batch_execute(&format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"))
        .map_err(|e| NotReady::WriteFailed(e.into()));
    probed.and(restored)
}

fn pg_write_probe(conn: &mut PgConnection) -> Result<(), NotReady> {
    AnsiTransactionManager::begin_transaction(conn).map_err(|e| NotReady::WriteFailed(e.into()))?;
    let budget = READY_BUDGET.as_millis();
    let probed = conn
        // Local to this transaction: gone with the rollback.
        .batch_execute(&format!(
            "SET LOCAL lock_timeout = {budget}; SET LOCAL statement_timeout = {}",
            2 * budget
        ))
        .map_err(|e| NotReady::WriteFailed(e.into()))
        .and_then(|()| {
            diesel::sql_query(
                "SELECT pg_is_in_recovery() \
                 OR current_setting('transaction_read_only') = 'on' AS read_only",
            )
            .get_result::<ReadOnly>(conn)
            .map_err(|e| NotReady::WriteFailed(e.into()))
        })
        .and_then(|r| match r.read_only {
            true => Err(NotReady::ReadOnly),
            false => Ok(()),
        })
        .and_then(|()| {
            diesel::sql_query(WRITE_PROBE)
                .execute(conn)
                .map(|_| ())
                .map_err(|e| match &e {
                    diesel::result::Error::DatabaseError(_, info)
                        if info.message().contains("lock timeout") =>
                    {
                        NotReady::WriteLockBusy(e.into())
                    }
                    _ => NotReady::WriteFailed(e.into()),
                })
        });
    let rolled_back = AnsiTransactionManager::rollback_transaction(conn)
        .map_err(|e| NotReady::WriteFailed(e.into()));
    probed.and(rolled_back)
}
