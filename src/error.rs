//! One error type at the HTTP edge. Query code returns `QueryResult`, the data layer
//! `DbError` (`crate::db::error`), start-up, the scheduler and the CLI use `anyhow`;
//! handlers return `AppError`, which renders an error page that says what to do next and
//! logs the whole cause chain. Conversions keep every cause as a `source`: nothing is
//! flattened to a string on the way.

use std::error::Error as _;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::DatabaseErrorKind;

use crate::db::DbError;
use crate::views;

/// Seconds a visitor is asked to wait when the database had no connection free.
pub const RETRY_AFTER_SECONDS: u32 = 10;

#[derive(thiserror::Error)]
pub enum AppError {
    /// Missing, or not the signed-in user's: the same answer either way.
    #[error("not found")]
    NotFound,
    /// A POST without a valid CSRF token, or an action the user's role may not take.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// A malformed request that no form can explain beside a field.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Not signed in: send the visitor to the given sign-in page.
    #[error("sign-in required")]
    SignInRequired(&'static str),
    /// The change collides with a row that already exists (a unique value taken, for
    /// example by a second copy of the same form sent at once).
    #[error("the change conflicts with existing data")]
    Conflict(#[source] DbError),
    /// No database connection became free in time, or the database cannot be reached:
    /// answered with 503 and `Retry-After`.
    #[error("the database is busy or unreachable")]
    Unavailable(#[source] DbError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        if e.is_unavailable() {
            return AppError::Unavailable(e);
        }
        match e.query_error() {
            Some(diesel::result::Error::NotFound) => AppError::NotFound,
            Some(diesel::result::Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                AppError::Conflict(e)
            }
            _ => AppError::Unexpected(anyhow::Error::new(e)),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::from(DbError::from(e))
    }
}

/// The whole cause chain, one cause a line, the way `anyhow` prints it.
impl std::fmt::Debug for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let AppError::Unexpected(e) = self {
            return write!(f, "{e:?}");
        }
        write!(f, "{self}")?;
        let mut cause = self.source();
        if cause.is_some() {
            write!(f, "\n\nCaused by:")?;
        }
        let mut n = 0;
        while let Some(e) = cause {
            write!(f, "\n    {n}: {e}")?;
            n += 1;
            cause = e.source();
        }
        Ok(())
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::SignInRequired(_) => StatusCode::SEE_OTHER,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::SignInRequired(path) => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, *path))
                    .finish();
            }
            AppError::Unexpected(_) => {
                tracing::error!(error.cause_chain = ?self, "request failed");
            }
            AppError::Unavailable(_) => {
                tracing::warn!(error.cause_chain = ?self, "request refused: database busy or unreachable");
            }
            AppError::Conflict(_) => {
                tracing::warn!(error.cause_chain = ?self, "request refused: conflicting change");
            }
            _ => {}
        }
        let mut response = views::errors::error_response(self.status_code());
        if let AppError::Unavailable(_) = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from(RETRY_AFTER_SECONDS),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use diesel::prelude::*;
    use diesel::r2d2::{ConnectionManager, Pool};
    use diesel::sqlite::SqliteConnection;

    use super::*;

    /// A real "no connection free in time" from a pool of one whose connection is taken.
    fn pool_timeout() -> DbError {
        let pool = Pool::builder()
            .max_size(1)
            .connection_timeout(Duration::from_millis(50))
            .build(ConnectionManager::<SqliteConnection>::new(":memory:"))
            .unwrap();
        let _held = pool.get().unwrap();
        DbError::Unavailable(pool.get().err().unwrap())
    }

    /// A real unique-constraint violation from SQLite.
    fn unique_violation() -> diesel::result::Error {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        diesel::sql_query("CREATE TABLE t (email TEXT NOT NULL UNIQUE)")
            .execute(&mut conn)
            .unwrap();
        diesel::sql_query("INSERT INTO t VALUES ('a@b.test')")
            .execute(&mut conn)
            .unwrap();
        diesel::sql_query("INSERT INTO t VALUES ('a@b.test')")
            .execute(&mut conn)
            .unwrap_err()
    }

    #[test]
    fn a_pool_timeout_is_a_503_with_retry_after() {
        let e = AppError::from(pool_timeout());
        assert!(matches!(e, AppError::Unavailable(_)), "{e:?}");
        assert_eq!(e.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        let response = e.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("10")
        );
    }

    #[test]
    fn a_missing_row_is_a_404() {
        let e = AppError::from(DbError::from(diesel::result::Error::NotFound));
        assert!(matches!(e, AppError::NotFound));
        assert_eq!(e.error_response().status(), StatusCode::NOT_FOUND);
        let direct = AppError::from(diesel::result::Error::NotFound);
        assert!(matches!(direct, AppError::NotFound));
    }

    #[test]
    fn a_unique_violation_is_a_409() {
        let e = AppError::from(unique_violation());
        assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
        assert_eq!(e.error_response().status(), StatusCode::CONFLICT);
    }

    #[test]
    fn any_other_query_failure_is_a_500() {
        let e = AppError::from(diesel::result::Error::RollbackTransaction);
        assert!(matches!(e, AppError::Unexpected(_)), "{e:?}");
        assert_eq!(
            e.error_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn debug_prints_the_whole_cause_chain() {
        let busy = format!("{:?}", AppError::from(pool_timeout()));
        assert!(busy.starts_with("the database is busy"), "{busy}");
        assert!(
            busy.contains("no database connection became free"),
            "{busy}"
        );
        assert!(busy.contains("timed out waiting for connection"), "{busy}");

        let conflict = format!("{:?}", AppError::from(unique_violation()));
        assert!(conflict.contains("a database query failed"), "{conflict}");
        assert!(conflict.contains("UNIQUE constraint failed"), "{conflict}");

        let failed = anyhow::Error::new(DbError::from(diesel::result::Error::RollbackTransaction))
            .context("Failed to save the entry");
        let unexpected = format!("{:?}", AppError::from(failed));
        assert!(
            unexpected.starts_with("Failed to save the entry"),
            "{unexpected}"
        );
        assert!(
            unexpected.contains("a database query failed"),
            "{unexpected}"
        );
        assert!(
            unexpected.contains(&diesel::result::Error::RollbackTransaction.to_string()),
            "{unexpected}"
        );
    }
}
