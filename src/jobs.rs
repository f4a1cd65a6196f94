//! Periodic work besides the mail worker: licence expiry warnings, checked at start and then
//! every hour. Safe with several instances (each warning is queued once, see
//! `storage::expiry`).

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::storage;

const EVERY: Duration = Duration::from_secs(3600);

pub async fn run_expiry_warnings(
    db: DatabaseConnection,
    base_url: String,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let today = chrono::Utc::now().date_naive();
        match storage::expiry::queue_due_warnings(&db, &base_url, today).await {
            Ok(0) => {}
            Ok(queued) => tracing::info!(queued, "licence expiry warnings queued"),
            Err(error) => tracing::error!(%error, "cannot queue licence expiry warnings"),
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = shutdown.changed() => break,
        }
    }
}
