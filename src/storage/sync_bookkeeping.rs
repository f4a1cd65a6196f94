//! The last-sync bookkeeping of the licence check (§3: time, device info, app version),
//! collected in memory and written in one transaction every second, so that checks of
//! known users never wait for a write. A crash loses at most that second of bookkeeping,
//! never a decision. Each instance keeps its own buffer; nothing in it must be shared.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait, Value,
};
use tokio::sync::watch;

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

/// Rows written per statement: one statement per user would cost a round trip each.
const ROWS_PER_STATEMENT: usize = 1000;

/// `UPDATE … FROM (VALUES …)` for a chunk of users, on both engines (SQLite ≥ 3.33 and
/// PostgreSQL name the columns of a VALUES list column1, column2, …).
fn update_statement(backend: DbBackend, chunk: &[(i64, Seen)]) -> Statement {
    let mut values = Vec::with_capacity(chunk.len() * 4);
    let mut rows = Vec::with_capacity(chunk.len());
    for (user, seen) in chunk {
        let n = values.len();
        rows.push(match backend {
            DbBackend::Postgres => format!(
                "(${}::bigint, ${}::timestamptz, ${}::text, ${}::text)",
                n + 1,
                n + 2,
                n + 3,
                n + 4
            ),
            _ => "(?, ?, ?, ?)".to_owned(),
        });
        values.extend([
            Value::from(*user),
            Value::from(seen.at),
            Value::from(seen.device_info.clone()),
            Value::from(seen.app_version.clone()),
        ]);
    }
    let sql = format!(
        "UPDATE mobile_users SET last_sync_at = v.column2, \
         device_info = COALESCE(v.column3, mobile_users.device_info), \
         app_version = COALESCE(v.column4, mobile_users.app_version) \
         FROM (VALUES {}) AS v WHERE mobile_users.id = v.column1",
        rows.join(", ")
    );
    Statement::from_sql_and_values(backend, sql, values)
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
        for chunk in batch.chunks(ROWS_PER_STATEMENT) {
            txn.execute_raw(update_statement(txn.get_database_backend(), chunk))
                .await?;
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
