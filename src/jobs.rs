//! Periodic work besides the mail worker: at start and then every hour, licence expiry
//! warnings, forgetting expired web sessions, pruning the audit log past its retention and
//! refreshing SQLite's planner statistics; every second, on SQLite, a checkpoint of the
//! write-ahead log, and ten times a second, on PostgreSQL, a flush of the trigram indexes'
//! pending lists. Safe with several instances
//! (each warning is queued once, see `storage::expiry`; deleting old rows twice does no
//! harm).

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use crate::{
    app,
    domain::audit::AuditAction,
    storage::{
        self,
        audit::{Actor, Change},
    },
};

const EVERY: Duration = Duration::from_secs(3600);

pub async fn run_expiry_warnings(
    db: DatabaseConnection,
    base_url: String,
    audit_retention: Option<chrono::Duration>,
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
        if let Some(keep) = audit_retention {
            match prune_audit(&db, chrono::Utc::now() - keep).await {
                Ok(0) => {}
                Ok(pruned) => tracing::info!(pruned, "audit entries past their retention pruned"),
                Err(error) => tracing::warn!(%error, "cannot prune the audit log"),
            }
        }
        if let Err(error) = storage::refresh_statistics(&db).await {
            tracing::warn!(%error, "cannot refresh the planner statistics");
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = shutdown.changed() => break,
        }
    }
}

/// Audit entries deleted per transaction: short transactions, so requests that write wait
/// for a batch at most, not for the whole prune.
const PRUNE_BATCH: u64 = 5_000;

/// Deletes the audit entries written before `cutoff`, oldest first, in batches; records
/// in the log itself how many went. Returns that number.
pub async fn prune_audit(
    db: &DatabaseConnection,
    cutoff: chrono::DateTime<chrono::Utc>,
) -> Result<u64, sea_orm::DbErr> {
    let mut pruned = 0;
    loop {
        let txn = storage::begin_write(db).await?;
        let deleted = storage::audit::prune_before(&txn, cutoff, PRUNE_BATCH).await?;
        // The last batch says how many went in all.
        if deleted < PRUNE_BATCH && pruned + deleted > 0 {
            let change = Change::new(
                None,
                AuditAction::AuditPrune,
                format!(
                    "{} entries written before {}",
                    pruned + deleted,
                    cutoff.format("%Y-%m-%d %H:%M UTC")
                ),
            );
            storage::audit::record(&txn, &Actor::system("audit retention"), change).await?;
        }
        txn.commit().await?;
        pruned += deleted;
        if deleted < PRUNE_BATCH {
            return Ok(pruned);
        }
        // Let waiting writers in between two batches.
        tokio::task::yield_now().await;
    }
}

/// How often the write-ahead log is copied into the SQLite file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// How often PostgreSQL's trigram indexes take in their pending entries.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// Keeps the write path's backlog short from outside the requests, so that no request pays
/// for it. SQLite: the write-ahead log, which the commit that fills it would copy back and
/// sync itself (that request waits 10–20 ms longer, see `storage::checkpoint`); a
/// checkpoint also syncs the log, so commits are on disk within about a second
/// (`synchronous = NORMAL`), and at shutdown all of them are. PostgreSQL: the pending lists
/// of the trigram indexes (`storage::flush_search_indexes`).
pub async fn run_checkpoints(db: DatabaseConnection, mut shutdown: watch::Receiver<bool>) {
    let sqlite = db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    let every = if sqlite {
        CHECKPOINT_EVERY
    } else {
        FLUSH_EVERY
    };
    // A flush that fails fails ten times a second (say, the indexes belong to another
    // role): said once as a warning, then quietly.
    let mut flush_failed = false;
    loop {
        let stopping = tokio::select! {
            _ = tokio::time::sleep(every) => false,
            _ = shutdown.changed() => true,
        };
        if sqlite {
            if let Err(error) = storage::checkpoint(&db).await {
                tracing::warn!(%error, "cannot checkpoint the write-ahead log");
            }
        } else if let Err(error) = storage::flush_search_indexes(&db).await {
            if flush_failed {
                tracing::debug!(%error, "cannot flush the search indexes' pending lists");
            } else {
                tracing::warn!(%error, "cannot flush the search indexes' pending lists");
            }
            flush_failed = true;
        }
        if stopping {
            break;
        }
    }
}
