//! The data layer's error: what went wrong getting to the database, not what it means for
//! a page. Query functions return diesel's `QueryResult`; [`super::Db`] wraps what can
//! fail around them (the pool, the blocking task, the transaction) in [`DbError`], keeping
//! each cause as its `source`. The HTTP edge maps it to a status (`crate::error`), the
//! scheduler, email worker and CLI carry it inside `anyhow::Error`.

use std::sync::Arc;

/// Why database work did not complete.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection became free within the pool's timeout: every connection is busy
    /// (pool exhausted) or the database cannot be reached. Worth retrying shortly.
    #[error("no database connection became free in time (pool exhausted or database unreachable)")]
    Unavailable(#[source] diesel::r2d2::PoolError),
    /// The connection to the database died during the work (PostgreSQL went away, or the
    /// network to it). The pool closes that connection; worth retrying shortly.
    #[error("the connection to the database was lost")]
    ConnectionLost,
    /// The task on the blocking thread pool did not finish (it panicked or was cancelled).
    #[error("the database task did not finish")]
    Blocking(#[source] actix_web::error::BlockingError),
    /// A query, or the transaction around it, failed.
    #[error("a database query failed")]
    Query(#[from] diesel::result::Error),
    /// Opening the database at start-up failed.
    #[error("could not open the database")]
    Open(#[source] OpenError),
    /// A pending migration could not be applied.
    #[error("could not apply the database migrations")]
    Migration(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The audit batcher's flusher task is gone, so the row cannot be queued or confirmed.
    #[error("the audit row writer is not running")]
    AuditWriterGone,
    /// The batch this audit row belonged to was not committed (shared by every row in it).
    #[error("the batch of audit rows was not written")]
    AuditBatch(#[source] Arc<DbError>),
}

/// What failed while opening the database.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("could not create the database folder {path}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("could not open a pool of connections")]
    Pool(#[source] diesel::r2d2::PoolError),
}

impl DbError {
    /// Whether the database was out of reach for now (no connection free in time, or the
    /// connection was lost under the query), as opposed to the work itself failing:
    /// callers may answer "try again shortly". A lost connection is closed by the pool
    /// when it comes back (`Manager::has_broken`), so the retry gets a fresh one.
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Unavailable(_) | DbError::ConnectionLost => true,
            DbError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ClosedConnection,
                _,
            )) => true,
            DbError::AuditBatch(inner) => inner.is_unavailable(),
            _ => false,
        }
    }

    /// The diesel error behind a failed query, if that is what failed.
    pub fn query_error(&self) -> Option<&diesel::result::Error> {
        match self {
            DbError::Query(e) => Some(e),
            DbError::AuditBatch(inner) => inner.query_error(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_query_error_keeps_diesel_as_its_source() {
        let e = DbError::from(diesel::result::Error::NotFound);
        assert!(e.source().is_some());
        assert!(matches!(
            e.query_error(),
            Some(diesel::result::Error::NotFound)
        ));
        assert!(!e.is_unavailable());
    }

    #[test]
    fn a_lost_connection_is_unavailable_not_a_failure() {
        assert!(DbError::ConnectionLost.is_unavailable());
        let closed = DbError::from(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ClosedConnection,
            Box::new(String::from("server closed the connection unexpectedly")),
        ));
        assert!(closed.is_unavailable());
        let in_batch = DbError::AuditBatch(Arc::new(DbError::ConnectionLost));
        assert!(in_batch.is_unavailable());
        let other = DbError::from(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UnableToSendCommand,
            Box::new(String::from("too many bind parameters")),
        ));
        assert!(!other.is_unavailable());
    }

    #[test]
    fn a_failed_batch_says_what_failed_inside_it() {
        let inner = Arc::new(DbError::from(diesel::result::Error::RollbackTransaction));
        let e = DbError::AuditBatch(inner);
        assert!(matches!(
            e.query_error(),
            Some(diesel::result::Error::RollbackTransaction)
        ));
        let mut chain = vec![e.to_string()];
        let mut cause = e.source();
        while let Some(c) = cause {
            chain.push(c.to_string());
            cause = c.source();
        }
        assert_eq!(chain.len(), 3, "{chain:?}");
    }
}
