//! Write transactions. SQLite has one writer at a time; a second `BEGIN IMMEDIATE` waits in
//! SQLite's busy handler, which sleeps in growing steps (up to 100 ms) instead of waking
//! when the lock is free — under a burst of writes most of a request's time went to those
//! sleeps, and the order was random. So on SQLite the writers of this process take their
//! turn from a fair queue (one per database file) and write through one connection of their
//! own; the busy handler is left for writers of other processes. That connection also keeps
//! its page cache: SQLite drops a connection's cache whenever another connection wrote, so
//! with writes spread over the pool every transaction read its pages again. PostgreSQL
//! needs neither: its row locks already wake waiters in order.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, SqlxSqliteConnector, Statement, TransactionOptions,
    TransactionTrait,
    error::ConnAcquireErr,
    sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions},
};
use tokio::sync::{Mutex as Queue, OwnedMutexGuard};

/// How long a writer waits in all, for its turn and then for writers of other processes:
/// SQLite's busy timeout, the wait writers had before the queue. Longer means the database
/// is held elsewhere (a lock taken by hand, a disk that hangs) and the request gets
/// "database unavailable", as a busy SQLite gave it.
const WRITE_WAIT: Duration = Duration::from_secs(5);

/// The writer connection's busy timeout moves in steps of this many milliseconds, so that it
/// is set again only when a writer waited long for its turn.
const BUSY_STEP_MS: u64 = 250;

/// A transaction that will write; on SQLite it holds this process's turn to write until it
/// commits, rolls back or is dropped.
pub struct WriteTransaction {
    // Declared first so that it is dropped (and its rollback queued) before the turn passes.
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<BusyTimeout>>,
}

/// The busy timeout (ms) the writer connection has now; held with the turn.
type BusyTimeout = u64;

/// Begins a transaction that will write. On SQLite it takes the write lock at BEGIN
/// (IMMEDIATE): a deferred transaction that reads first and writes later fails with
/// SQLITE_BUSY when another connection wrote in between, instead of waiting its turn.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTransaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    let Some(writer) = writer_of(db) else {
        let txn = db.begin_with_options(options).await?;
        return Ok(WriteTransaction { txn, _turn: None });
    };
    let started = std::time::Instant::now();
    let mut turn = tokio::time::timeout(WRITE_WAIT, writer.turn.clone().lock_owned())
        .await
        .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))?;
    // What is left of the wait goes to other processes' writers (SQLite's busy handler).
    let left = WRITE_WAIT.saturating_sub(started.elapsed()).as_millis() as u64;
    let busy = left / BUSY_STEP_MS * BUSY_STEP_MS;
    if *turn != busy {
        writer
            .connection
            .execute_unprepared(&format!("PRAGMA busy_timeout = {busy}"))
            .await?;
        *turn = busy;
    }
    let txn = writer.connection.begin_with_options(options).await?;
    Ok(WriteTransaction {
        txn,
        _turn: Some(turn),
    })
}

/// The writers' queue and connection of one SQLite file.
struct Writer {
    turn: Arc<Queue<BusyTimeout>>,
    connection: DatabaseConnection,
}

impl Writer {
    fn new(options: &SqliteConnectOptions) -> Self {
        // 64 MiB of cache (2 MiB by default): the pages writes touch stay in memory.
        let options = options
            .clone()
            .pragma("cache_size", "-65536")
            .busy_timeout(WRITE_WAIT);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            // Kept open: a new connection would start with an empty cache (and the full
            // busy timeout, which `begin_write` may have lowered on this one).
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(super::ACQUIRE_TIMEOUT)
            // As in the pool (`storage::pool_options`): plans kept, and a connection left
            // inside a transaction that failed to end is closed, not used again.
            .after_connect(|conn, _| Box::pin(super::keep_plans(conn)))
            .after_release(|conn, _| Box::pin(super::release_sqlite(conn)))
            .connect_lazy_with(options);
        Self {
            turn: Arc::new(Queue::new(WRITE_WAIT.as_millis() as u64)),
            connection: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
        }
    }
}

/// The writer of `db`'s file and settings, on SQLite. The settings are part of the key (by
/// their `Debug` text, as sqlx does not expose them all): a read-only pool of the same file
/// (`serve --read-only` beside a primary in one test process) must not get a writer that
/// can write.
fn writer_of(db: &DatabaseConnection) -> Option<Arc<Writer>> {
    static WRITERS: OnceLock<Mutex<HashMap<String, Arc<Writer>>>> = OnceLock::new();
    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    let options = db.get_sqlite_connection_pool().connect_options();
    let mut writers = WRITERS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Some(
        writers
            .entry(format!("{options:?}"))
            .or_insert_with(|| Arc::new(Writer::new(&options)))
            .clone(),
    )
}

impl WriteTransaction {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTransaction {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}
