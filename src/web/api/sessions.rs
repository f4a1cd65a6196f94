//! Competitive seats (docs/behaviour.md#sessions-api): take one, keep it with heartbeats, give it back.

use crate::domain::license_check::UserState;
use actix_web::{HttpResponse, delete, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::{
    app,
    domain::{
        ids::Guid,
        products::Product,
        tokens::{hash_token, new_token},
    },
    storage,
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

#[post("/api/v1/sessions")]
pub async fn start_session(
    state: web::Data<AppState>,
    body: web::Json<SessionRequest>,
) -> Result<HttpResponse, ApiError> {
    let guid =
        Guid::parse(&body.organization_id).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let product = Product::parse(&body.product).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let user_guid = Guid::parse(&body.user_id).map_err(|_| {
        ApiError::BadRequest(format!(
            "“{}” is not a user id (a GUID)",
            body.user_id.trim()
        ))
    })?;
    let organization = storage::organizations::find_by_guid(&state.db, guid)
        .await?
        .ok_or_else(|| ApiError::Forbidden(format!("no organization has the id {guid}")))?;
    let user =
        storage::mobile_users::find_by_user_id(&state.db, organization.id, &user_guid.to_string())
            .await?
            .ok_or_else(|| {
                ApiError::Forbidden("the user is unknown to this organization".to_owned())
            })?;
    if user.state == UserState::Disabled {
        return Err(ApiError::Forbidden("the user is disabled".to_owned()));
    }
    let now = Utc::now();
    let today = now.date_naive();
    let licences: Vec<_> = storage::licenses::of_product(&state.db, organization.id, product)
        .await?
        .into_iter()
        .filter(|l| l.competitive && l.terms().is_valid_on(today))
        .collect();
    if licences.is_empty() {
        return Err(ApiError::Forbidden(format!(
            "the organization has no valid competitive {product} licence"
        )));
    }
    let token = new_token();
    let expires_at = session_expiry(&state, now);
    let session = app::licenses::start_session(
        &state.db,
        &licences,
        &user,
        hash_token(&token),
        now,
        expires_at,
    )
    .await?;
    match session {
        Some(_) => Ok(HttpResponse::Created().json(SessionGranted { token, expires_at })),
        None => {
            let seats: i64 = licences.iter().map(|l| i64::from(l.seat_limit)).sum();
            Err(ApiError::Conflict(format!(
                "all {seats} {product} seats are in use"
            )))
        }
    }
}

async fn live_session(
    state: &AppState,
    token: &str,
) -> Result<storage::entities::license_sessions::Model, ApiError> {
    let session = storage::seats::find_session(&state.db, &hash_token(token))
        .await?
        .ok_or_else(|| ApiError::NotFound("no such session".to_owned()))?;
    if let Some(reason) = &session.end_reason {
        return Err(ApiError::Unauthorized(format!(
            "the session has ended: {reason}"
        )));
    }
    if session.expires_at <= Utc::now() {
        return Err(ApiError::Unauthorized(
            "the session has ended: no heartbeat in time".to_owned(),
        ));
    }
    Ok(session)
}

#[post("/api/v1/sessions/{token}/heartbeat")]
pub async fn heartbeat(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let session = live_session(&state, &token).await?;
    let now = Utc::now();
    let expires_at = session_expiry(&state, now);
    if !storage::seats::extend_session(&state.db, session.id, now, expires_at).await? {
        // Ended between the read and the write: report why.
        live_session(&state, &token).await?;
        return Err(ApiError::Unauthorized("the session has ended".to_owned()));
    }
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
    let session = live_session(&state, &token).await?;
    storage::seats::end_session(&state.db, session.id, "released by the client").await?;
    Ok(HttpResponse::NoContent().finish())
}
