//! The last-sync bookkeeping of the licence check (§3: time, device info, app version),
//! collected in memory and written in one transaction every second, so that checks of
//! known users never wait for a write. A crash loses at most that second of bookkeeping,
//! never a decision. Each instance keeps its own buffer; nothing in it must be shared.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, TransactionTrait,
    sea_query::Expr,
};
use tokio::sync::watch;

use super::entities::mobile_users;

#[derive(Debug, Clone)]
struct Seen {
    at: DateTime<Utc>,
    device_info: Option<String>,
    app_version: Option<String>,
}

#[derive(Default)]
pub struct SyncBookkeeping {
    pending: Mutex<HashMap<i64, Seen>>,
}

impl SyncBookkeeping {
    /// Notes a sync of the user with this row id; the latest one per user wins.
    pub fn record(
        &self,
        user: i64,
        at: DateTime<Utc>,
        device_info: Option<String>,
        app_version: Option<String>,
    ) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.insert(
                user,
                Seen {
                    at,
                    device_info,
                    app_version,
                },
            );
        }
    }

    /// Writes everything noted so far.
    pub async fn flush(&self, db: &DatabaseConnection) -> Result<usize, DbErr> {
        let batch: Vec<(i64, Seen)> = match self.pending.lock() {
            Ok(mut pending) => pending.drain().collect(),
            Err(_) => return Ok(0),
        };
        if batch.is_empty() {
            return Ok(0);
        }
        let txn = db.begin().await?;
        for (user, seen) in &batch {
            let mut update = mobile_users::Entity::update_many()
                .col_expr(mobile_users::Column::LastSyncAt, Expr::value(seen.at))
                .filter(mobile_users::Column::Id.eq(*user));
            if let Some(info) = &seen.device_info {
                update =
                    update.col_expr(mobile_users::Column::DeviceInfo, Expr::value(info.clone()));
            }
            if let Some(version) = &seen.app_version {
                update = update.col_expr(
                    mobile_users::Column::AppVersion,
                    Expr::value(version.clone()),
                );
            }
            update.exec(&txn).await?;
        }
        txn.commit().await?;
        Ok(batch.len())
    }

    /// Flushes every `every` until shutdown, then once more.
    pub async fn run(
        &self,
        db: DatabaseConnection,
        every: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            let stop = tokio::select! {
                _ = tokio::time::sleep(every) => false,
                _ = shutdown.changed() => true,
            };
            if let Err(error) = self.flush(&db).await {
                tracing::error!(%error, "cannot write last-sync bookkeeping");
            }
            if stop {
                break;
            }
        }
    }
}
