//! Periodic work besides the mail worker: at start and then every hour, licence expiry
//! warnings and forgetting expired web sessions; every second, on SQLite, a checkpoint of
//! the write-ahead log. Safe with several instances (each warning is queued once, see
//! `storage::expiry`; deleting expired rows twice does no harm).

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::{app, storage};

const EVERY: Duration = Duration::from_secs(3600);

pub async fn run_expiry_warnings(
    db: DatabaseConnection,
    base_url: String,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let today = chrono::Utc::now().date_naive();
        match app::expiry_warnings::queue_due_warnings(&db, &base_url, today).await {
            Ok(0) => {}
            Ok(queued) => tracing::info!(queued, "licence expiry warnings queued"),
            Err(error) => tracing::error!(%error, "cannot queue licence expiry warnings"),
        }
        if let Err(error) = storage::web_sessions::prune(&db, chrono::Utc::now()).await {
            tracing::warn!(%error, "cannot forget expired sessions");
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = shutdown.changed() => break,
        }
    }
}

/// How often the write-ahead log is copied into the SQLite file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Keeps SQLite's write-ahead log short from outside the requests: otherwise the commit that
/// fills it copies it back and syncs the file itself, and that request waits 10–20 ms
/// longer (see `storage::checkpoint`). A checkpoint also syncs the log, so commits are on
/// disk within about a second (`synchronous = NORMAL`), and at shutdown all of them are.
/// Returns at once on PostgreSQL.
pub async fn run_checkpoints(db: DatabaseConnection, mut shutdown: watch::Receiver<bool>) {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return;
    }
    loop {
        let stopping = tokio::select! {
            _ = tokio::time::sleep(CHECKPOINT_EVERY) => false,
            _ = shutdown.changed() => true,
        };
        if let Err(error) = storage::checkpoint(&db).await {
            tracing::warn!(%error, "cannot checkpoint the write-ahead log");
        }
        if stopping {
            break;
        }
    }
}
