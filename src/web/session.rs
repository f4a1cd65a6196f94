//! What LicenseDesk keeps in the (signed, encrypted) session cookie, behind typed accessors.

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use serde::{Deserialize, Serialize};

use super::error::AppError;
use crate::domain::tokens::new_token;

pub(crate) const ADMIN_ID: &str = "admin_id";
const EPOCH: &str = "epoch";
const LOGGED_IN_AT: &str = "logged_in_at";
const CSRF: &str = "csrf";
const ORGANIZATION: &str = "organization";
const FLASH: &str = "flash";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    /// `success` or `error`.
    pub kind: String,
    pub text: String,
    /// What its Copy button copies (a new registration code), if it has one.
    #[serde(default)]
    pub copy: Option<String>,
}

pub struct TypedSession(Session);

impl TypedSession {
    pub fn from_session(session: Session) -> Self {
        Self(session)
    }

    /// Starts a logged-in session under a new key, with a new CSRF token: neither a key nor
    /// a token seen before the login works after it.
    pub fn log_in(&self, admin_id: i64, epoch: i32) -> Result<(), AppError> {
        self.0.renew();
        self.0.insert(CSRF, new_token())?;
        self.0.insert(ADMIN_ID, admin_id)?;
        self.0.insert(EPOCH, epoch)?;
        self.0
            .insert(LOGGED_IN_AT, chrono::Utc::now().timestamp())?;
        Ok(())
    }

    /// Ends the session on the server (its key stops working everywhere, copies of the cookie
    /// included) and starts an empty one, which can carry a goodbye message.
    pub fn log_out(&self) {
        self.0.clear();
        self.0.renew();
    }

    /// (administrator id, session epoch, login time as a Unix timestamp).
    pub fn logged_in(&self) -> Result<Option<(i64, i32, i64)>, AppError> {
        let id = self.0.get::<i64>(ADMIN_ID)?;
        let epoch = self.0.get::<i32>(EPOCH)?;
        let at = self.0.get::<i64>(LOGGED_IN_AT)?;
        Ok(match (id, epoch, at) {
            (Some(id), Some(epoch), Some(at)) => Some((id, epoch, at)),
            _ => None,
        })
    }

    /// The CSRF token of this session, created on first use.
    pub fn csrf_token(&self) -> Result<String, AppError> {
        if let Some(token) = self.0.get::<String>(CSRF)? {
            return Ok(token);
        }
        let token = new_token();
        self.0.insert(CSRF, &token)?;
        Ok(token)
    }

    pub fn existing_csrf_token(&self) -> Option<String> {
        self.0.get::<String>(CSRF).ok().flatten()
    }

    pub fn selected_organization(&self) -> Result<Option<i64>, AppError> {
        Ok(self.0.get::<i64>(ORGANIZATION)?)
    }

    pub fn select_organization(&self, id: i64) -> Result<(), AppError> {
        Ok(self.0.insert(ORGANIZATION, id)?)
    }

    pub fn flash_success(&self, text: impl Into<String>) -> Result<(), AppError> {
        self.flash("success", text.into())
    }

    pub fn flash_error(&self, text: impl Into<String>) -> Result<(), AppError> {
        self.flash("error", text.into())
    }

    /// A success message with a Copy button for `copy`.
    pub fn flash_success_to_copy(
        &self,
        text: impl Into<String>,
        copy: impl Into<String>,
    ) -> Result<(), AppError> {
        Ok(self.0.insert(
            FLASH,
            Flash {
                kind: "success".to_owned(),
                text: text.into(),
                copy: Some(copy.into()),
            },
        )?)
    }

    fn flash(&self, kind: &str, text: String) -> Result<(), AppError> {
        Ok(self.0.insert(
            FLASH,
            Flash {
                kind: kind.to_owned(),
                text,
                copy: None,
            },
        )?)
    }

    /// The message left by the previous request, shown once.
    pub fn take_flash(&self) -> Option<Flash> {
        self.0.remove_as::<Flash>(FLASH).and_then(Result::ok)
    }
}

impl FromRequest for TypedSession {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(req.get_session())))
    }
}
