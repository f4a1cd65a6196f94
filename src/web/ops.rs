//! Endpoints for load balancers and monitoring: `/healthz`, `/readyz`, `/metrics`.

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};

use super::state::AppState;
use crate::{domain::tokens::constant_time_eq, storage};

/// The process is up.
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// How long `/readyz` waits for the database: load balancers probe with short timeouts,
/// and a slow answer there is as bad as a "no".
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(1500);

/// The instance can do its work: the database takes a write (reads only, for a read-only
/// instance). Answers within `READY_TIMEOUT` either way.
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let probe = async {
        if state.config.read_only {
            storage::ping(&state.db).await
        } else {
            storage::probe_write(&state.db).await
        }
    };
    let problem = match tokio::time::timeout(READY_TIMEOUT, probe).await {
        Ok(Ok(())) => return HttpResponse::Ok().content_type("text/plain").body("ready"),
        Ok(Err(error)) => {
            tracing::warn!(%error, "not ready: the database refuses writes");
            "the database refuses writes"
        }
        Err(_) => {
            tracing::warn!("not ready: the database did not answer in time");
            "the database did not answer in time"
        }
    };
    HttpResponse::ServiceUnavailable()
        .content_type("text/plain")
        .body(problem)
}

/// Prometheus metrics; with `LICENSEDESK_METRICS_TOKEN` set, only for `Authorization: Bearer
/// <token>`.
#[get("/metrics")]
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(expected) = &state.config.metrics_token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token)
            .unwrap_or_default();
        if !constant_time_eq(given.trim(), expected) {
            return HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                .content_type("text/plain")
                .body("metrics need the bearer token (LICENSEDESK_METRICS_TOKEN)");
        }
    }
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
