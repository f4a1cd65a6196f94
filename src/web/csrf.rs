//! The one CSRF check (docs/behaviour.md#running): every state-changing request to the UI must carry the session's
//! token, as the `csrf_token` form field, the `X-CSRF-Token` header, or (for multipart
//! uploads) the `csrf_token` query parameter. `/api/` is for mobile clients and is outside it,
//! as is the one-click unsubscribe that mailbox providers post (its signed link is the proof).

use actix_session::SessionExt;
use actix_web::{
    Error, HttpMessage, ResponseError,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::Method,
    middleware::Next,
    web::Bytes,
};
use serde::Deserialize;

use super::{confirm::FormFields, error::AppError, session::TypedSession};
use crate::domain::tokens::constant_time_eq;

pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";
const ONE_CLICK_UNSUBSCRIBE: &str = "/subscriptions/one-click";

#[derive(Deserialize)]
struct TokenField {
    csrf_token: Option<String>,
}

pub async fn check(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.path().starts_with("/api/") || req.path() == ONE_CLICK_UNSUBSCRIBE {
        return next.call(req).await.map(|res| res.map_into_left_body());
    }
    let expected = TypedSession::from_session(req.get_session()).existing_csrf_token();
    let mut submitted = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            serde_urlencoded::from_str::<TokenField>(req.query_string())
                .ok()
                .and_then(|f| f.csrf_token)
        });
    let is_form = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        // Read the form to find the token (and keep its fields for a confirmation page),
        // then hand the same bytes on to the handler.
        let body = req.extract::<Bytes>().await?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        if submitted.is_none() {
            submitted = fields
                .iter()
                .find(|(name, _)| name == FIELD)
                .map(|(_, value)| value.clone());
        }
        req.extensions_mut().insert(FormFields(fields));
        req.set_payload(Payload::from(body));
    }
    let valid = matches!((&expected, &submitted), (Some(e), Some(s)) if constant_time_eq(e, s));
    if !valid {
        tracing::warn!(path = req.path(), "CSRF check failed");
        let response = AppError::Csrf.error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req).await.map(|res| res.map_into_left_body())
}
