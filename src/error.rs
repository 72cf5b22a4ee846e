//! One error type at the HTTP edge. Query code returns `QueryResult`, start-up and the CLI
//! use `anyhow`; handlers return `AppError`, which renders an error page that says what to
//! do next and logs the whole cause chain.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

use crate::views;

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
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    pub fn unexpected(e: impl std::fmt::Display, doing: &str) -> AppError {
        AppError::Unexpected(anyhow::anyhow!("Failed to {doing}: {e}"))
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound,
            other => {
                AppError::Unexpected(anyhow::Error::new(other).context("Database query failed"))
            }
        }
    }
}

impl std::fmt::Debug for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Unexpected(e) => write!(f, "{e:?}"),
            other => write!(f, "{other}"),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::SignInRequired(_) => StatusCode::SEE_OTHER,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::SignInRequired(path) = self {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, *path))
                .finish();
        }
        if let AppError::Unexpected(e) = self {
            tracing::error!(error.cause_chain = ?e, "request failed");
        }
        views::errors::error_response(self.status_code())
    }
}
