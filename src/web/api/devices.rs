//! `POST /api/v1/devices/register` (docs/behaviour.md#registration-codes): the device app trades its registration code for
//! a device token. A wrong code gets 400, an expired, used or replaced one 410, each with
//! the reason; failures are counted per source address and per code in the database (so
//! every instance counts the same), and past the limits the answer is 429.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use serde::Deserialize;

use super::ApiError;
use crate::{
    app::{
        self,
        registration::{Attempt, RegisterRefused},
    },
    domain::{
        registration::{RegistrationCode, code_hash},
        tokens,
    },
    storage::registration::DeviceReport,
    web::state::AppState,
};

pub use crate::app::registration::{MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_CODE};

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

impl From<app::Error<RegisterRefused>> for ApiError {
    fn from(error: app::Error<RegisterRefused>) -> Self {
        match error {
            app::Error::Refused(refused) => {
                let text = refused.to_string();
                match refused {
                    RegisterRefused::TooManyAttempts => Self::TooManyRequests(text),
                    RegisterRefused::NotACode(_) | RegisterRefused::WrongCode => {
                        Self::BadRequest(text)
                    }
                    RegisterRefused::Gone(_) => Self::Gone(text),
                }
            }
            app::Error::Failed(failure) => failure.into(),
        }
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

    let attempt = Attempt {
        client: &client,
        code_hash: &hash,
        now,
    };
    app::registration::check_limits(&state.db, &attempt).await?;
    if let Err(error) = parsed {
        return Ok(app::registration::fail(&state.db, &attempt, error.into()).await?);
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
    let token = tokens::new_token();
    app::registration::register(&state.db, &attempt, report, &tokens::hash_token(&token)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "device_token": token })))
}
