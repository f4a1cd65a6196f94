//! Endpoints for load balancers and monitoring: `/healthz`, `/readyz`, `/metrics`.

use actix_web::{HttpResponse, get, web};

use super::state::AppState;
use crate::storage;

/// The process is up.
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The process can reach its database.
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if storage::ping(&state.db).await {
        HttpResponse::Ok().content_type("text/plain").body("ready")
    } else {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body("database unreachable")
    }
}

#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let backlog = storage::outbox::backlog(&state.db)
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot count the outbox backlog");
            0
        });
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(backlog))
}
