//! Write transactions. SQLite has one writer at a time; a second `BEGIN IMMEDIATE` waits in
//! SQLite's busy handler, which sleeps in growing steps (up to 100 ms) instead of waking
//! when the lock is free — under a burst of writes most of a request's time went to those
//! sleeps, and the order was random. So on SQLite the writers of this process first take
//! their turn from a fair queue (one per database file) and only then begin; the busy
//! handler is left for writers of other processes. PostgreSQL needs no queue: its row locks
//! already wake waiters in order.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
    error::ConnAcquireErr,
};
use tokio::sync::{Mutex as Queue, OwnedMutexGuard};

/// How long a writer waits for its turn: SQLite's busy timeout, the wait writers had before
/// the queue. Longer means the database is held elsewhere (a lock taken by hand, a disk
/// that hangs) and the request gets "database unavailable", as a busy SQLite gave it.
const TURN_TIMEOUT: Duration = Duration::from_secs(5);

/// A transaction that will write; on SQLite it holds this process's turn to write until it
/// commits, rolls back or is dropped.
pub struct WriteTransaction {
    // Declared first so that it is dropped (and its rollback queued) before the turn passes.
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

/// Begins a transaction that will write. On SQLite it takes the write lock at BEGIN
/// (IMMEDIATE): a deferred transaction that reads first and writes later fails with
/// SQLITE_BUSY when another connection wrote in between, instead of waiting its turn.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTransaction, DbErr> {
    let turn = match queue_of(db) {
        Some(queue) => Some(
            tokio::time::timeout(TURN_TIMEOUT, queue.lock_owned())
                .await
                .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))?,
        ),
        None => None,
    };
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    Ok(WriteTransaction { txn, _turn: turn })
}

/// The queue of writers to `db`'s file, on SQLite.
fn queue_of(db: &DatabaseConnection) -> Option<Arc<Queue<()>>> {
    static QUEUES: OnceLock<Mutex<HashMap<PathBuf, Arc<Queue<()>>>>> = OnceLock::new();
    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    let mut queues = QUEUES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Some(queues.entry(file).or_default().clone())
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
