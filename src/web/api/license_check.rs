//! `POST /api/v1/license/check` (docs/behaviour.md#license-check): `<MobileClient>` XML in, `<LicenseResponse>` out
//! (JSON with `Accept: application/json`); bad input gets a 400 `<Error>` and changes nothing.

use actix_web::{HttpRequest, HttpResponse, http::header, post, web};
use futures_util::StreamExt;

use crate::{
    app,
    domain::client_message::{LicenseResponse, RequestError, error_xml, parse_xml},
    storage,
    web::state::AppState,
};

const BODY_LIMIT: usize = 64 * 1024;

fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

fn bad_request(req: &HttpRequest, error: &RequestError) -> HttpResponse {
    let message = error.to_string();
    if wants_json(req) {
        HttpResponse::BadRequest().json(serde_json::json!({ "error": message }))
    } else {
        HttpResponse::BadRequest()
            .content_type("application/xml")
            .body(error_xml(&message))
    }
}

/// The body, refusing more than 64 KiB without reading further.
async fn read_body(mut payload: web::Payload) -> Result<Vec<u8>, RequestError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| RequestError::Malformed(e.to_string()))?;
        if body.len() + chunk.len() > BODY_LIMIT {
            return Err(RequestError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[post("/api/v1/license/check")]
pub async fn license_check(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> HttpResponse {
    let request = match read_body(payload).await.and_then(|body| parse_xml(&body)) {
        Ok(request) => request,
        Err(error) => return bad_request(&req, &error),
    };
    let outcome = match app::license_check::check(
        &state.db,
        &request,
        chrono::Utc::now(),
        &state.new_users,
        &state.bookkeeping,
        &state.organization_cache,
        state.config.read_only,
    )
    .await
    {
        Ok(outcome) => outcome,
        Err(error) => {
            let (mut response, message) = if error.is_unavailable() {
                tracing::warn!(%error, "licence check: database unavailable");
                (
                    HttpResponse::ServiceUnavailable(),
                    "the licence server cannot reach its database; nothing was changed, try again later",
                )
            } else {
                tracing::error!(%error, "licence check failed");
                (
                    HttpResponse::InternalServerError(),
                    "the licence check failed on the server; try again",
                )
            };
            return if wants_json(&req) {
                response.json(serde_json::json!({ "error": message }))
            } else {
                response
                    .content_type("application/xml")
                    .body(error_xml(message))
            };
        }
    };
    let response = LicenseResponse::new(&outcome.answer, outcome.sync_mode.as_str());
    if wants_json(&req) {
        HttpResponse::Ok().json(response)
    } else {
        HttpResponse::Ok()
            .content_type("application/xml")
            .body(response.to_xml())
    }
}

/// `GET /api/v1/license/offline/{organization_id}`: the organization's offline licence file.
#[actix_web::get("/api/v1/license/offline/{organization_id}")]
pub async fn offline_licence(
    state: web::Data<AppState>,
    organization_id: web::Path<String>,
) -> Result<HttpResponse, super::ApiError> {
    let not_found =
        || super::ApiError::NotFound("no offline licence for this organization".to_owned());
    let guid = crate::domain::ids::Guid::parse(&organization_id)
        .map_err(|e| super::ApiError::BadRequest(e.to_string()))?;
    let organization = storage::organizations::find_by_guid(&state.db, guid)
        .await?
        .ok_or_else(not_found)?;
    if !storage::settings::get(&state.db, organization.id)
        .await?
        .offline_licenses_enabled
    {
        return Err(not_found());
    }
    let file = storage::offline::get(&state.db, organization.id)
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(file.file))
}
