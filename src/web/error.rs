//! One error type for the UI. Users see a page with the right status and a sentence; logs get
//! the whole cause chain. Unexpected errors are never shown in detail.

use actix_web::{HttpResponse, ResponseError, http::StatusCode, http::header};
use askama::Template;

use crate::domain::permissions::Permission;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("page not found")]
    NotFound,
    #[error("permission {0} is missing")]
    Forbidden(Permission),
    #[error("the form expired or did not come from LicenseDesk")]
    Csrf,
    #[error("login required")]
    /// Not signed in: to the sign-in page, which then leads to the page asked for (a GET's
    /// path and query), if any.
    LoginRequired(Option<String>),
    #[error("no organization selected")]
    NoOrganization,
    #[error("{0}")]
    BadRequest(String),
    #[error("read-only instance")]
    ReadOnly,
    /// The database cannot be used right now (down, out of space, locked): try again later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Too much work of one kind at once (password hashing): try again in a moment.
    #[error("busy")]
    Busy,
    #[error(transparent)]
    Unexpected(anyhow::Error),
}

impl From<super::password_work::WorkError> for AppError {
    fn from(error: super::password_work::WorkError) -> Self {
        match error {
            super::password_work::WorkError::Busy => Self::Busy,
            other => Self::Unexpected(other.into()),
        }
    }
}

impl From<anyhow::Error> for AppError {
    /// A database error that reached here through `anyhow` is still the database's.
    fn from(error: anyhow::Error) -> Self {
        if crate::storage::is_unavailable_cause(&error) {
            Self::Unavailable(format!("{error:#}"))
        } else {
            Self::Unexpected(error)
        }
    }
}

impl From<crate::app::Failure> for AppError {
    /// The step that failed goes to the log as the cause's context.
    fn from(failure: crate::app::Failure) -> Self {
        failure.into_anyhow().into()
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> Self {
        if crate::storage::is_unavailable(&error) {
            Self::Unavailable(error.to_string())
        } else {
            Self::Unexpected(error.into())
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        Self::Unexpected(error.into())
    }
}

impl From<actix_session::SessionInsertError> for AppError {
    fn from(error: actix_session::SessionInsertError) -> Self {
        Self::Unexpected(anyhow::anyhow!("session: {error}"))
    }
}

impl From<actix_session::SessionGetError> for AppError {
    fn from(error: actix_session::SessionGetError) -> Self {
        Self::Unexpected(anyhow::anyhow!("session: {error}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::Unexpected(anyhow::anyhow!("blocking task: {error}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: String,
    /// Where to go from here: (label, address), the first the main one.
    ways_on: &'a [(&'a str, &'a str)],
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden(_) | Self::Csrf => StatusCode::FORBIDDEN,
            Self::LoginRequired(_) => StatusCode::SEE_OTHER,
            Self::NoOrganization => StatusCode::CONFLICT,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::ReadOnly | Self::Unavailable(_) | Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (title, message) = match self {
            Self::LoginRequired(wanted) => {
                let login = match wanted {
                    Some(next) => format!(
                        "/login?{}",
                        serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
                    ),
                    None => "/login".to_owned(),
                };
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, login))
                    .finish();
            }
            Self::NotFound => ("Not found", "There is nothing at this address, or it belongs to another organization.".to_owned()),
            Self::Forbidden(permission) => (
                "Not allowed",
                format!(
                    "Your role does not allow you to {}. If you need to, ask an administrator of your organization to change your role.",
                    permission.in_words()
                ),
            ),
            Self::Csrf => ("Form expired", "This form expired or did not come from LicenseDesk. Go back, reload the page and try again.".to_owned()),
            Self::NoOrganization => ("Choose an organization", "This page shows the data of one organization, and none is chosen. Choose one on the Organizations page, or create the first one.".to_owned()),
            Self::BadRequest(message) => ("Bad request", message.clone()),
            Self::ReadOnly => ("Read-only", super::read_only::MESSAGE.to_owned()),
            Self::Busy => ("Busy", "Too many sign-ins are being checked at this moment. Try again in a few seconds.".to_owned()),
            Self::Unavailable(error) => {
                tracing::warn!(%error, "database unavailable");
                ("Database unavailable", "LicenseDesk cannot reach its database at the moment, so nothing was changed. Try again in a minute.".to_owned())
            }
            Self::Unexpected(error) => {
                tracing::error!(error = format!("{error:#}"), "request failed");
                ("Something went wrong", "LicenseDesk could not complete this request. The error was logged; try again in a moment.".to_owned())
            }
        };
        let ways_on: &[(&str, &str)] = match self {
            Self::NoOrganization => &[
                ("Organizations", "/organizations"),
                ("Create an organization", "/organizations/new"),
            ],
            _ => &[("Back to LicenseDesk", "/")],
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title,
            message,
            ways_on,
        };
        let body = page.render().unwrap_or_else(|_| title.to_owned());
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}
