//! `serve --read-only` (docs/behaviour.md#read-only-replica): every request that would change something is refused here,
//! in one place; the licence check answers known users without recording anything.

use actix_web::{
    Error, HttpResponse, ResponseError,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::Method,
    middleware::Next,
    web,
};

use super::{error::AppError, state::AppState};

/// What a read-only instance still accepts besides reading: signing in and out (the session
/// is a cookie) and the licence check (which writes nothing there).
const ALLOWED: [&str; 3] = ["/login", "/logout", "/api/v1/license/check"];

pub const MESSAGE: &str =
    "This LicenseDesk is a read-only backup licensing server: make changes on the primary server.";

pub async fn refuse_changes(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let read_only = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| state.config.read_only);
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !read_only || safe || ALLOWED.contains(&req.path()) {
        return next.call(req).await.map(|res| res.map_into_left_body());
    }
    let response = if req.path().starts_with("/api/") {
        HttpResponse::ServiceUnavailable().json(serde_json::json!({ "error": MESSAGE }))
    } else {
        AppError::ReadOnly.error_response()
    };
    Ok(req.into_response(response).map_into_right_body())
}
