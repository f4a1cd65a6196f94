//! Destructive and irreversible actions ask first. A form marked `data-confirm` asks in a
//! dialog (static/app.js) and, once answered yes, is sent with `?confirmed=yes`. Sent
//! without it — JavaScript off, or a form that forgot to ask — the handler answers with a
//! confirmation page instead of acting: the question, what follows, and the same fields
//! posted again with `?confirmed=yes`, or Cancel.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, dev::Payload};
use askama::Template;

use super::{
    error::AppError,
    guard::CurrentAdmin,
    page::{PageContext, render},
    state::AppState,
};

/// The query parameter that says the person has answered yes.
pub const CONFIRMED: &str = "confirmed=yes";

/// The fields of the request's form, as sent (kept by the CSRF check, which reads them).
#[derive(Clone, Default)]
pub struct FormFields(pub Vec<(String, String)>);

/// What to ask before a destructive action.
pub struct Question {
    /// "Delete team “North”?"
    pub title: String,
    /// What happens, in a sentence: "Its devices keep working but lose their team."
    pub consequence: String,
    /// The button that goes ahead: "Delete".
    pub button: &'static str,
    /// Where Cancel leads.
    pub cancel: String,
}

impl Question {
    /// "Delete …?" with a Delete button.
    pub fn delete(title: String, consequence: &str, cancel: &str) -> Self {
        Self {
            title,
            consequence: consequence.to_owned(),
            button: "Delete",
            cancel: cancel.to_owned(),
        }
    }
}

/// Whether the request comes with the yes, and what to post again if it does not.
pub struct Confirmation {
    confirmed: bool,
    path: String,
    fields: Vec<(String, String)>,
}

impl FromRequest for Confirmation {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let confirmed = req.query_string().split('&').any(|pair| pair == CONFIRMED);
        let fields = req
            .extensions()
            .get::<FormFields>()
            .cloned()
            .unwrap_or_default()
            .0;
        ready(Ok(Self {
            confirmed,
            path: req.path().to_owned(),
            fields,
        }))
    }
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    ctx: PageContext,
    question: Question,
    action: String,
    fields: Vec<(String, String)>,
}

impl Confirmation {
    /// `None` when the person has said yes; otherwise the page that asks `question`.
    pub async fn ask(
        &self,
        state: &AppState,
        admin: &CurrentAdmin,
        question: Question,
    ) -> Result<Option<HttpResponse>, AppError> {
        if self.confirmed {
            return Ok(None);
        }
        let page = ConfirmPage {
            ctx: PageContext::for_admin(state, admin, "").await?,
            question,
            action: format!("{}?{CONFIRMED}", self.path),
            // The page carries the session's token itself (the request may have sent it
            // in a header or the query instead).
            fields: self
                .fields
                .iter()
                .filter(|(name, _)| name != super::csrf::FIELD)
                .cloned()
                .collect(),
        };
        render(&page).map(Some)
    }

    /// Asks before deleting `what` ("team “North”"), unless it is still `in_use`: the delete
    /// then refuses at once, saying why, and there is nothing to ask.
    pub async fn ask_to_delete(
        &self,
        state: &AppState,
        admin: &CurrentAdmin,
        in_use: bool,
        what: String,
        consequence: &str,
        cancel: &str,
    ) -> Result<Option<HttpResponse>, AppError> {
        if in_use {
            return Ok(None);
        }
        let question = Question::delete(format!("Delete {what}?"), consequence, cancel);
        self.ask(state, admin, question).await
    }
}
