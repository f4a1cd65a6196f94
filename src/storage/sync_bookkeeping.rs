//! The last-sync bookkeeping of the licence check (docs/behaviour.md#license-check: time, device info, app version),
//! collected in memory and written in batches every second, so that checks of known users
//! never wait for a write. A user's row is written at most once per `min_interval` (30 s in
//! production) — a device syncing more often has its latest sync written once the interval
//! has passed — and at most `MAX_ROWS_PER_FLUSH` rows a second, the longest waiting first:
//! a shift start of thousands of devices becomes a steady trickle of writes instead of a
//! burst that would slow every check. The stored time lags the truth by at most the
//! interval (longer only while more users sync than that many rows a second can carry). A
//! crash loses what was not written yet, never a decision. Each instance keeps its own
//! buffer; nothing in it must be shared.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, Value};
use tokio::sync::watch;

#[derive(Debug, Clone)]
struct Seen {
    at: DateTime<Utc>,
    device_info: Option<String>,
    app_version: Option<String>,
}

#[derive(Default)]
struct Buffer {
    /// The latest sync of each user not written yet.
    pending: HashMap<i64, Seen>,
    /// When each user's row was last written, for users written within `min_interval`.
    written: HashMap<i64, Instant>,
}

pub struct SyncBookkeeping {
    min_interval: Duration,
    buffer: Mutex<Buffer>,
}

/// Rows written per flush (each second) but at shutdown: at most a few statements' work.
const MAX_ROWS_PER_FLUSH: usize = 2000;

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
    /// Writes a user's row at most once per `min_interval`.
    pub fn new(min_interval: Duration) -> Self {
        Self {
            min_interval,
            buffer: Mutex::default(),
        }
    }

    fn buffer(&self) -> std::sync::MutexGuard<'_, Buffer> {
        self.buffer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Notes a sync of the user with this row id; the latest one per user wins.
    pub fn record(
        &self,
        user: i64,
        at: DateTime<Utc>,
        device_info: Option<String>,
        app_version: Option<String>,
    ) {
        self.buffer().pending.insert(
            user,
            Seen {
                at,
                device_info,
                app_version,
            },
        );
    }

    /// Writes what is due: every user not written within `min_interval` (everything with
    /// `all`, at shutdown). Returns how many users were written.
    pub async fn flush(&self, db: &DatabaseConnection, all: bool) -> Result<usize, DbErr> {
        let now = Instant::now();
        let batch: Vec<(i64, Seen)> = {
            let mut buffer = self.buffer();
            let min_interval = self.min_interval;
            buffer
                .written
                .retain(|_, at| now.duration_since(*at) < min_interval);
            let mut due: Vec<(DateTime<Utc>, i64)> = buffer
                .pending
                .iter()
                .filter(|(user, _)| all || !buffer.written.contains_key(user))
                .map(|(user, seen)| (seen.at, *user))
                .collect();
            if !all && due.len() > MAX_ROWS_PER_FLUSH {
                // The longest waiting first; the rest next time, so that a burst of syncs
                // becomes a steady trickle of writes.
                due.select_nth_unstable(MAX_ROWS_PER_FLUSH);
                due.truncate(MAX_ROWS_PER_FLUSH);
            }
            due.into_iter()
                .map(|(_, user)| user)
                .filter_map(|user| {
                    buffer.written.insert(user, now);
                    buffer.pending.remove(&user).map(|seen| (user, seen))
                })
                .collect()
        };
        if batch.is_empty() {
            return Ok(0);
        }
        if let Err(error) = self.write(db, &batch).await {
            // Keep what was not written (unless a newer sync came in meanwhile) for the
            // next flush.
            let mut buffer = self.buffer();
            for (user, seen) in batch {
                buffer.written.remove(&user);
                buffer.pending.entry(user).or_insert(seen);
            }
            return Err(error);
        }
        Ok(batch.len())
    }

    async fn write(&self, db: &DatabaseConnection, batch: &[(i64, Seen)]) -> Result<(), DbErr> {
        let txn = super::begin_write(db).await?;
        for chunk in batch.chunks(ROWS_PER_STATEMENT) {
            txn.execute_raw(update_statement(txn.get_database_backend(), chunk))
                .await?;
        }
        txn.commit().await
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
            if let Err(error) = self.flush(&db, stop).await {
                tracing::error!(%error, "cannot write last-sync bookkeeping");
            }
            if stop {
                break;
            }
        }
    }
}
