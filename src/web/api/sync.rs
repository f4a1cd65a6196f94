//! `POST /api/v1/sync` (docs/behaviour.md#sync-api): a device pushes its changes and pulls
//! what changed, authenticated by its device token. The answer is compressed when the
//! device accepts it.

use actix_web::{HttpRequest, HttpResponse, http::header, post, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::Deserialize;

use super::ApiError;
use crate::{
    app::{
        self,
        sync::{Licensing, Push, SyncRefused},
    },
    domain::{
        ids::Guid,
        sync::{ChangeInput, Cursor, MAX_CHANGES, MAX_PENDING, PendingChange},
        tokens::hash_token,
    },
    web::state::AppState,
};

pub const PATH: &str = "/api/v1/sync";

/// The largest body a sync may send.
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Debug, Deserialize)]
struct SyncBody {
    user_id: String,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    device_time: Option<String>,
    #[serde(default)]
    changes: Vec<ChangeInput>,
    #[serde(default)]
    pending: Vec<PendingChange>,
    #[serde(default)]
    app_version: Option<String>,
}

/// The body, refusing more than `BODY_LIMIT` without reading further.
async fn read_body(mut payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("the body could not be read: {e}")))?;
        if body.len() + chunk.len() > BODY_LIMIT {
            return Err(ApiError::PayloadTooLarge(format!(
                "the body is larger than {} KiB; send fewer changes at a time",
                BODY_LIMIT / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The push in the body, checked for shape: 413 for too much, 400 for what is malformed.
fn parse(body: &[u8]) -> Result<Push, ApiError> {
    let bad = ApiError::BadRequest;
    let body: SyncBody =
        serde_json::from_slice(body).map_err(|e| bad(format!("invalid JSON body: {e}")))?;
    if body.changes.len() > MAX_CHANGES {
        return Err(ApiError::PayloadTooLarge(format!(
            "{} changes in one sync; send at most {MAX_CHANGES} at a time",
            body.changes.len()
        )));
    }
    if body.pending.len() > MAX_PENDING {
        return Err(ApiError::PayloadTooLarge(format!(
            "{} pending changes listed; list at most {MAX_PENDING}",
            body.pending.len()
        )));
    }
    let user_id = Guid::parse(&body.user_id).map_err(|e| bad(format!("user_id: {e}")))?;
    let cursor = Cursor::parse(body.cursor.as_deref().unwrap_or(""))
        .map_err(|e| bad(format!("cursor: {e}")))?;
    let device_time = match body.device_time.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            DateTime::parse_from_rfc3339(text)
                .map_err(|_| {
                    bad(format!(
                        "device_time is “{text}”, not a time like 2026-12-01T08:15:03Z"
                    ))
                })?
                .with_timezone(&Utc),
        ),
    };
    let changes = body
        .changes
        .into_iter()
        .enumerate()
        .map(|(i, change)| change.check(i))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    Ok(Push {
        user_id,
        cursor,
        device_time,
        changes,
        pending: body.pending,
        app_version: body
            .app_version
            .map(|v| v.trim().chars().take(64).collect::<String>())
            .filter(|v| !v.is_empty()),
    })
}

/// The device token of `Authorization: Bearer <token>`.
fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn refused(refusal: SyncRefused) -> HttpResponse {
    let error = refusal.to_string();
    match refusal {
        SyncRefused::UnknownToken => {
            HttpResponse::Unauthorized().json(serde_json::json!({ "error": error }))
        }
        SyncRefused::Licence { status } => {
            HttpResponse::Forbidden().json(serde_json::json!({ "error": error, "status": status }))
        }
        SyncRefused::NotAUser(_) => {
            HttpResponse::Forbidden().json(serde_json::json!({ "error": error }))
        }
        SyncRefused::ReadOnly => {
            HttpResponse::ServiceUnavailable().json(serde_json::json!({ "error": error }))
        }
    }
}

#[post("/api/v1/sync", wrap = "actix_web::middleware::Compress::default()")]
pub async fn sync(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    let now = Utc::now();
    let Some(token) = bearer(&req) else {
        return HttpResponse::Unauthorized().json(serde_json::json!({
            "error": "send the device token as Authorization: Bearer <token>"
        }));
    };
    let token_hash = hash_token(token);
    let push = match read_body(payload).await.and_then(|body| parse(&body)) {
        Ok(push) => push,
        // Who asks comes before what was sent: an unknown token gets 401 whatever its body.
        Err(error) => {
            return match app::sync::token_is_known(&state.db, &token_hash).await {
                Ok(true) => actix_web::ResponseError::error_response(&error),
                Ok(false) => refused(SyncRefused::UnknownToken),
                Err(app::Error::Refused(refusal)) => refused(refusal),
                Err(app::Error::Failed(failure)) => {
                    actix_web::ResponseError::error_response(&ApiError::from(failure))
                }
            };
        }
    };
    let licensing = Licensing {
        new_users: &state.new_users,
        bookkeeping: &state.bookkeeping,
        cache: &state.organization_cache,
        read_only: state.config.read_only,
    };
    match app::sync::sync(&state.db, &licensing, &state.pushes, &token_hash, push, now).await {
        Ok(answer) => HttpResponse::Ok().json(answer),
        Err(app::Error::Refused(refusal)) => refused(refusal),
        Err(app::Error::Failed(failure)) => {
            actix_web::ResponseError::error_response(&ApiError::from(failure))
        }
    }
}
