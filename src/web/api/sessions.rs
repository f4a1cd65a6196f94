//! Competitive seats (docs/behaviour.md#sessions-api): take one, keep it with heartbeats, give it back.

use actix_web::{HttpResponse, delete, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::{
    app::{self, sessions::SessionRefused},
    domain::{
        ids::Guid,
        products::Product,
        tokens::{hash_token, new_token},
    },
    web::state::AppState,
};

#[derive(Deserialize)]
pub struct SessionRequest {
    organization_id: String,
    user_id: String,
    product: String,
}

#[derive(Serialize)]
struct SessionGranted {
    token: String,
    expires_at: DateTime<Utc>,
}

fn session_expiry(state: &AppState, now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::from_std(state.config.session_timeout)
        .unwrap_or(chrono::Duration::minutes(5))
}

impl From<app::Error<SessionRefused>> for ApiError {
    fn from(error: app::Error<SessionRefused>) -> Self {
        match error {
            app::Error::Refused(refused) => {
                let text = refused.to_string();
                match refused {
                    SessionRefused::UnknownOrganization(_)
                    | SessionRefused::UnknownUser
                    | SessionRefused::UserDisabled
                    | SessionRefused::NoLicence(_) => Self::Forbidden(text),
                    SessionRefused::AllInUse { .. } => Self::Conflict(text),
                    SessionRefused::NoSuchSession => Self::NotFound(text),
                    SessionRefused::Ended(_)
                    | SessionRefused::TimedOut
                    | SessionRefused::EndedMeanwhile => Self::Unauthorized(text),
                }
            }
            app::Error::Failed(failure) => failure.into(),
        }
    }
}

#[post("/api/v1/sessions")]
pub async fn start_session(
    state: web::Data<AppState>,
    body: web::Json<SessionRequest>,
) -> Result<HttpResponse, ApiError> {
    let guid =
        Guid::parse(&body.organization_id).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let product = Product::parse(&body.product).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let user = Guid::parse(&body.user_id).map_err(|_| {
        ApiError::BadRequest(format!(
            "“{}” is not a user id (a GUID)",
            body.user_id.trim()
        ))
    })?;
    let now = Utc::now();
    let token = new_token();
    let expires_at = session_expiry(&state, now);
    let token_hash = hash_token(&token);
    app::sessions::start(&state.db, guid, user, product, token_hash, now, expires_at).await?;
    Ok(HttpResponse::Created().json(SessionGranted { token, expires_at }))
}

#[post("/api/v1/sessions/{token}/heartbeat")]
pub async fn heartbeat(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let now = Utc::now();
    let expires_at = session_expiry(&state, now);
    app::sessions::heartbeat(&state.db, &hash_token(&token), now, expires_at).await?;
    Ok(HttpResponse::Ok().json(SessionGranted {
        token: token.into_inner(),
        expires_at,
    }))
}

#[delete("/api/v1/sessions/{token}")]
pub async fn end_session(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    app::sessions::end(&state.db, &hash_token(&token), Utc::now()).await?;
    Ok(HttpResponse::NoContent().finish())
}
