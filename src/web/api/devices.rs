//! `POST /api/v1/devices/register` (docs/behaviour.md#registration-codes): the device app trades its registration code for
//! a device token. A wrong code gets 400, an expired, used or replaced one 410, each with
//! the reason; failures are counted per source address and per code in the database (so
//! every instance counts the same), and past the limits the answer is 429.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::ApiError;
use crate::{
    app,
    domain::{
        registration::{Gone, RegistrationCode, code_hash},
        tokens,
    },
    storage::{self, registration::DeviceReport},
    web::state::AppState,
};

/// Failed attempts allowed per source address, and per code, within `WINDOW_MINUTES`.
pub const MAX_FAILURES_PER_CLIENT: u64 = 10;
pub const MAX_FAILURES_PER_CODE: u64 = 5;
const WINDOW_MINUTES: i64 = 15;

#[derive(Debug, Deserialize)]
pub struct RegisterBody {
    code: Option<String>,
    device_id: Option<String>,
    os_type: Option<String>,
    platform: Option<String>,
    app_version: Option<String>,
    device_name: Option<String>,
}

/// A short text field the device reports: trimmed, empty as none, at most `max` characters.
fn field(value: Option<String>, name: &str, max: usize) -> Result<Option<String>, ApiError> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    match value {
        Some(v) if v.chars().count() > max => Err(ApiError::BadRequest(format!(
            "{name} is longer than {max} characters"
        ))),
        other => Ok(other),
    }
}

/// A failed attempt: counted, then answered.
struct Failure<'a> {
    state: &'a AppState,
    client: &'a str,
    hash: &'a str,
    now: chrono::DateTime<Utc>,
}

impl Failure<'_> {
    async fn answer(&self, error: ApiError) -> Result<HttpResponse, ApiError> {
        storage::registration::record_failure(&self.state.db, self.client, self.hash, self.now)
            .await?;
        Err(error)
    }
}

#[post("/api/v1/devices/register")]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let now = Utc::now();
    let client = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let raw_code = body.code.unwrap_or_default();
    let parsed = RegistrationCode::parse(&raw_code);
    // Attempts with one code count together however it was typed.
    let hash = code_hash(
        &state.signer,
        parsed
            .as_ref()
            .map_or(raw_code.trim(), RegistrationCode::as_str),
    );

    let since = now - Duration::minutes(WINDOW_MINUTES);
    let (by_client, by_code) =
        storage::registration::failures_since(&state.db, &client, &hash, since).await?;
    if by_client >= MAX_FAILURES_PER_CLIENT || by_code >= MAX_FAILURES_PER_CODE {
        return Err(ApiError::TooManyRequests(format!(
            "too many failed registration attempts; try again in {WINDOW_MINUTES} minutes"
        )));
    }
    let failed = Failure {
        state: &state,
        client: &client,
        hash: &hash,
        now,
    };
    if let Err(error) = parsed {
        return failed.answer(ApiError::BadRequest(error.to_string())).await;
    }
    let device_identifier = match field(body.device_id, "device_id", 128)? {
        Some(id) => id,
        None => return Err(ApiError::BadRequest("device_id is missing".to_owned())),
    };
    let report = DeviceReport {
        device_identifier,
        os_type: field(body.os_type, "os_type", 64)?,
        platform: field(body.platform, "platform", 64)?,
        app_version: field(body.app_version, "app_version", 64)?,
        device_name: field(body.device_name, "device_name", 120)?,
    };

    let Some((issued, device)) = storage::registration::find(&state.db, &hash).await? else {
        return failed
            .answer(ApiError::BadRequest(
                "this registration code is wrong; check it and try again".to_owned(),
            ))
            .await;
    };
    if let Err(gone) = storage::registration::issued(&issued).redeemable(now) {
        return failed.answer(ApiError::Gone(gone.to_string())).await;
    }

    let token = tokens::new_token();
    let token_hash = tokens::hash_token(&token);
    match app::devices::register(&state.db, issued.id, &device, report, &token_hash, now).await {
        Ok(_) => {}
        Err(app::Error::Refused(_)) => {
            return failed.answer(ApiError::Gone(Gone::Used.to_string())).await;
        }
        Err(app::Error::Failed(failure)) => return Err(failure.into()),
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "device_token": token })))
}
