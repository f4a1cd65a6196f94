//! The API for mobile clients under `/api/`: JSON in and out, errors as `{"error": "…"}`,
//! outside the CSRF check.

pub mod devices;
pub mod license_check;
pub mod sessions;
pub mod sync;

use actix_web::{HttpResponse, ResponseError, http::StatusCode, web};

/// An API failure with the status and the sentence the client gets.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("the database is unavailable; nothing was changed, try again later")]
    Unavailable(String),
    #[error("internal error")]
    Unexpected(anyhow::Error),
}

impl From<anyhow::Error> for ApiError {
    /// A database error that reached here through `anyhow` is still the database's.
    fn from(error: anyhow::Error) -> Self {
        if crate::storage::is_unavailable_cause(&error) {
            Self::Unavailable(format!("{error:#}"))
        } else {
            Self::Unexpected(error)
        }
    }
}

impl From<crate::app::Failure> for ApiError {
    /// The step that failed goes to the log as the cause's context.
    fn from(failure: crate::app::Failure) -> Self {
        failure.into_anyhow().into()
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        if crate::storage::is_unavailable(&error) {
            Self::Unavailable(error.to_string())
        } else {
            Self::Unexpected(error.into())
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Gone(_) => StatusCode::GONE,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Unexpected(error) => {
                tracing::error!(error = format!("{error:#}"), "API request failed")
            }
            Self::Unavailable(error) => tracing::warn!(%error, "database unavailable"),
            _ => {}
        }
        HttpResponse::build(self.status_code())
            .json(serde_json::json!({ "error": self.to_string() }))
    }
}

/// Malformed JSON gets a JSON 400 that says what is wrong.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024)
        .error_handler(|error, _| {
            ApiError::BadRequest(format!("invalid JSON body: {error}")).into()
        })
}
