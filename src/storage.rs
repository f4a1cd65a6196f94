//! Everything that talks to the database. Functions take `&impl ConnectionTrait` so that the
//! caller decides the transaction; queries on an organization's data take its id.

pub mod access_profiles;
pub mod administrators;
pub mod audit;
pub mod channels;
pub mod devices;
pub mod entities;
pub mod expiry;
pub mod licenses;
pub mod locks;
pub mod login_failures;
pub mod lookups;
pub mod mobile_seats;
pub mod mobile_users;
pub mod notifications;
pub mod offline;
pub mod organization_cache;
pub mod organizations;
pub mod outbox;
pub mod registration;
pub mod seats;
pub mod settings;
mod stored_text;
pub mod sync_bookkeeping;
pub mod sync_entities;
pub mod sync_log;
pub mod sync_records;
mod text_search;
pub mod tokens;
pub mod web_sessions;
mod write_transaction;

pub use write_transaction::{WriteTransaction, begin_write};

use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    Condition, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QuerySelect, QueryTrait, Select,
    sea_query::{Expr, ExprTrait, Func, Query, SimpleExpr},
};

use crate::domain::paging::{Page, PageRequest};

/// How long a request waits for a database connection before it gives up with "database
/// unavailable" (sqlx waits 30 s by default: during a database outage every request hung that
/// long, and so did `/readyz`).
pub const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// Opens the database named by `url` (SQLite file or PostgreSQL) and brings its schema up to
/// date.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = Database::connect(pool_options(url)).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// On PostgreSQL, the longest a statement of a serving instance may run (a lock held
/// elsewhere, a table locked by hand): then the request gets 503 instead of waiting without
/// end. Migrations and the command line run without it.
pub const STATEMENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The database of a serving instance: migrated first, then reopened with every statement
/// limited to `STATEMENT_TIMEOUT` (PostgreSQL; SQLite's writers wait at most its 5 s busy
/// timeout anyway).
pub async fn connect_serving(url: &str) -> Result<DatabaseConnection, DbErr> {
    let migrated = connect(url).await?;
    if migrated.get_database_backend() != DbBackend::Postgres {
        return Ok(migrated);
    }
    migrated.close().await?;
    let mut options = pool_options(url);
    options.statement_timeout(STATEMENT_TIMEOUT);
    Database::connect(options).await
}

fn pool_options(url: &str) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false);
    // sea-orm opens a single connection for SQLite unless told otherwise; a small pool lets
    // readers proceed while one writer works (WAL, below).
    options.max_connections(if url.starts_with("sqlite") { 8 } else { 20 });
    options.acquire_timeout(ACQUIRE_TIMEOUT);
    options.connect_timeout(ACQUIRE_TIMEOUT);
    options.map_sqlx_sqlite_opts(|sqlite| {
        // In WAL mode NORMAL syncs the log at checkpoints, not at every commit: a commit
        // survives the process being killed, and a power cut can lose the last commits but
        // never corrupts the file. FULL spent most of a busy write's time in fsync.
        sqlite
            .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
            // A connection drops its page cache whenever another one wrote, so in a busy
            // pool nearly every page is read again: mapped, such a read is a memory access
            // to the system's page cache instead of a read() call and a copy. (Writes still
            // go through write(), so a full disk stays an error, not a crash.)
            .pragma("mmap_size", "1073741824")
            // The serving instance checkpoints every second (`checkpoint`); a commit does it
            // only when the log passed 32 MiB (1 000 pages = 4 MiB by default).
            .pragma("wal_autocheckpoint", "8000")
    });
    options.map_sqlx_sqlite_pool_opts(|pool| {
        pool.after_connect(|conn, _| Box::pin(keep_plans(conn)))
            .after_release(|conn, _| Box::pin(release_sqlite(conn)))
    });
    options.map_sqlx_postgres_pool_opts(|pool| {
        // PostgreSQL's driver lowers the depth when it queues the ROLLBACK (and closes the
        // connection if that fails): no round trip needed to look.
        pool.after_release(|conn, _| Box::pin(async move { Ok(leaves_no_transaction_open(conn)) }))
    });
    options
}

/// Whether a SQLite connection coming back to its pool may be handed out again (see
/// `leaves_no_transaction_open`).
pub(crate) async fn release_sqlite(
    conn: &mut sea_orm::sqlx::SqliteConnection,
) -> Result<bool, sea_orm::sqlx::Error> {
    // A dropped transaction queues its ROLLBACK on SQLite's worker thread, which lowers the
    // depth only once it succeeded: a connection that still looks inside one waits for it.
    if sea_orm::sqlx::Connection::is_in_transaction(conn) {
        sea_orm::sqlx::Connection::ping(conn).await?;
    }
    Ok(leaves_no_transaction_open(conn))
}

/// Keeps each prepared statement's plan (SQLite's query planner stability guarantee).
/// Without it, a statement whose plan looked at a bound value — every `LIMIT ?`, so every
/// lookup of one row — is parsed and planned again each time it runs with a new binding.
/// (The one `unsafe` of the crate: sqlx has no option for this setting.)
#[allow(unsafe_code)]
pub(crate) async fn keep_plans(
    conn: &mut sea_orm::sqlx::SqliteConnection,
) -> Result<(), sea_orm::sqlx::Error> {
    use libsqlite3_sys::{SQLITE_DBCONFIG_ENABLE_QPSG, SQLITE_OK, sqlite3_db_config};
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is locked away from sqlx's worker thread while `handle` lives, and
    // the call only sets a flag of this connection (the second argument may be null).
    let code = unsafe {
        sqlite3_db_config(
            handle.as_raw_handle().as_ptr(),
            SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            std::ptr::null_mut::<std::ffi::c_int>(),
        )
    };
    if code == SQLITE_OK {
        Ok(())
    } else {
        Err(sea_orm::sqlx::Error::Configuration(
            format!("SQLite refused the planner stability setting (code {code})").into(),
        ))
    }
}

/// Whether a connection coming back to the pool may be handed out again: only when no
/// transaction is left open on it. A transaction that failed to commit or roll back (a full
/// disk, an I/O error) leaves sqlx believing it is still inside it, and the next
/// "transaction" on that connection would only be a savepoint of one that never commits —
/// writes reported as done, then lost, and the write lock held meanwhile. Such a connection
/// is closed instead (closing it rolls back whatever it held).
pub(crate) fn leaves_no_transaction_open<C: sea_orm::sqlx::Connection>(conn: &C) -> bool {
    let open = conn.is_in_transaction();
    if open {
        tracing::warn!("closing a database connection left inside a failed transaction");
    }
    !open
}

/// Keeps SQLite's planner statistics in step as tables grow (PostgreSQL's autovacuum does
/// this by itself): `PRAGMA optimize` (its default mask, which samples at most a few
/// thousand rows per index) analyzes each table whose statistics are missing, as after a
/// migration added an index, or that this connection found ten times larger or smaller
/// than they say. Without them SQLite can pick an index that reads a large organization's
/// rows in random order.
pub async fn refresh_statistics(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    db.execute_unprepared("PRAGMA optimize").await.map(drop)
}

/// Moves the entries waiting in the pending lists of PostgreSQL's trigram (GIN) indexes into
/// the indexes. An insert adds its trigrams to a pending list, and the insert that finds
/// the list full (4 MB) merges it, 60–90 ms during a first-sync storm, twice a second: every
/// request queued behind that group waited too. Merged from here, often, the lists stay
/// short and an insert rarely finds one full (and skips the merge while another runs).
/// Needs the app's role to own the indexes. Does nothing on SQLite.
pub async fn flush_search_indexes(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    db.execute_unprepared(
        "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE a.amname = 'gin' AND n.nspname = current_schema()",
    )
    .await
    .map(drop)
}

/// Copies what the write-ahead log holds into the SQLite file, without waiting for readers
/// or writers (a PASSIVE checkpoint): what it cannot copy yet, the next one does.
pub async fn checkpoint(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
        .await
        .map(drop)
}

/// Opens the database so that nothing can be written (`serve --read-only`, docs/behaviour.md#read-only-replica): SQLite in
/// read-only mode, PostgreSQL with read-only transactions. The schema must already be there.
pub async fn connect_read_only(url: &str) -> Result<DatabaseConnection, DbErr> {
    let url = if url.starts_with("sqlite") {
        let base = url.split('?').next().unwrap_or(url);
        format!("{base}?mode=ro")
    } else {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}options=-c%20default_transaction_read_only%3Don")
    };
    Database::connect(pool_options(&url)).await
}

/// Whether the database answers at all (`/readyz` of a read-only instance).
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

/// Writes one row and commits it: whether the database takes writes right now (`/readyz`).
/// A full disk, a read-only file or a lock nobody releases all fail here, while a ping
/// would still succeed.
pub async fn probe_write(db: &DatabaseConnection) -> Result<(), DbErr> {
    let readiness = sea_orm::sea_query::Alias::new("readiness");
    let (id, checked_at) = (
        sea_orm::sea_query::Alias::new("id"),
        sea_orm::sea_query::Alias::new("checked_at"),
    );
    let upsert = Query::insert()
        .into_table(readiness)
        .columns([id.clone(), checked_at.clone()])
        .values_panic([1i64.into(), chrono::Utc::now().into()])
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(id)
                .update_column(checked_at)
                .to_owned(),
        )
        .to_owned();
    let txn = begin_write(db).await?;
    txn.execute(&upsert).await?;
    txn.commit().await
}

/// `is_unavailable` for an error that reached its caller through `anyhow`.
pub fn is_unavailable_cause(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<DbErr>().is_some_and(is_unavailable))
}

/// Whether an error means the database cannot be used right now (unreachable, out of
/// connections, disk full, locked), as opposed to a bug or bad data: the request gets a
/// 503 "try again" instead of a 500.
pub fn is_unavailable(error: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx::Error as SqlxError};
    let sqlx = match error {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        DbErr::Conn(_) => return true,
        _ => return false,
    };
    match sqlx.as_ref() {
        SqlxError::Io(_)
        | SqlxError::Tls(_)
        | SqlxError::PoolTimedOut
        | SqlxError::PoolClosed
        | SqlxError::WorkerCrashed
        | SqlxError::Protocol(_) => true,
        SqlxError::Database(db) => {
            let code = db.code().unwrap_or_default();
            // SQLite: BUSY, LOCKED, IOERR, FULL, CANTOPEN, READONLY (and their extended
            // codes, which keep the primary code in the low byte). PostgreSQL: class 08
            // (connection), 53 (insufficient resources), 57 (operator intervention: a
            // shutdown, a statement timeout), 55P03 (lock not available).
            if db
                .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
                .is_some()
            {
                code.parse::<i32>()
                    .is_ok_and(|number| matches!(number & 0xff, 5 | 6 | 8 | 10 | 13 | 14))
            } else {
                code.starts_with("08")
                    || code.starts_with("53")
                    || code.starts_with("57")
                    || code == "55P03"
            }
        }
        _ => false,
    }
}

/// `contains_ci` without `lower()` on SQLite, whose LIKE already ignores ASCII case (and
/// whose `lower()` knows only ASCII too): half the work on a scan of a large table.
pub(crate) fn contains_ci_on(
    backend: DbBackend,
    column: impl Into<SimpleExpr>,
    needle: &str,
) -> SimpleExpr {
    if backend != DbBackend::Sqlite {
        return contains_ci(column, needle);
    }
    Expr::expr(column.into()).like(
        sea_orm::sea_query::LikeExpr::new(format!("%{}%", escape_like(&needle.to_lowercase())))
            .escape('\\'),
    )
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `column` lower-cased: a name sorted as people read it ("acme" beside "Acme", not after
/// "Zulu").
pub(crate) fn lower(column: impl Into<SimpleExpr>) -> SimpleExpr {
    Expr::expr(Func::lower(column.into()))
}

/// `column` contains `needle`, ignoring case, on every engine.
pub(crate) fn contains_ci(column: impl Into<SimpleExpr>, needle: &str) -> SimpleExpr {
    let escaped = escape_like(&needle.to_lowercase());
    Expr::expr(Func::lower(column.into()))
        .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// One page of an already filtered and ordered query, with the total count.
pub(crate) async fn fetch_page<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    request: PageRequest,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
{
    // Both at once: on a pool they run on two connections, and a search over a large table
    // costs the slower of the two scans instead of their sum.
    let (total, items) = tokio::try_join!(
        query.clone().count(db),
        query.offset(request.offset()).limit(request.size).all(db),
    )?;
    Ok(Page::counted(items, total, request))
}

/// Counting stops here for lists that cap their count: enough for twenty pages, and a
/// search matching a large part of a large table is not counted to its end.
pub(crate) const COUNT_CAP: u64 = 1000;

/// How many rows the query has, counting no further than `cap + 1`.
pub(crate) async fn count_up_to<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    cap: u64,
) -> Result<u64, DbErr> {
    let mut capped = QueryTrait::into_query(query);
    capped
        .clear_order_by()
        .clear_selects()
        .expr(Expr::val(1))
        .limit(cap + 1);
    let count = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), "counted")
        .from_subquery(capped, "capped")
        .to_owned();
    match db.query_one(&count).await? {
        Some(row) => Ok(u64::try_from(row.try_get::<i64>("", "counted")?).unwrap_or(0)),
        None => Ok(0),
    }
}

/// The order of a list that seeks (`PageRequest::anchor`): by a key, then by id, both
/// the same way.
pub(crate) struct SeekOrder<E: EntityTrait> {
    /// Never NULL: a row whose key is NULL would be skipped by the seek (an index on the
    /// organization and this expression keeps the pages quick).
    pub key: SimpleExpr,
    pub id: E::Column,
    pub descending: bool,
}

impl<E: EntityTrait> SeekOrder<E> {
    fn sorted(&self, query: Select<E>, descending: bool) -> Select<E> {
        use sea_orm::QueryOrder;
        query
            .order_by(self.key.clone(), order(descending))
            .order_by(self.id, order(descending))
    }

    /// Rows past the anchor row, walking `descending`: `key ≥ K AND (key > K OR id > anchor)`
    /// with K the anchor's key (looked up by id in the same statement). The first half is
    /// what lets the database start from K in its index; the second drops the rows up to
    /// the anchor among those sharing its key.
    fn past(&self, anchor: i64, descending: bool) -> Condition {
        let key_of_anchor = || {
            let lookup = Query::select()
                .expr(self.key.clone())
                .from(E::default())
                .and_where(Expr::col((E::default(), self.id)).eq(anchor))
                .to_owned();
            SimpleExpr::SubQuery(
                None,
                Box::new(sea_orm::sea_query::SubQueryStatement::SelectStatement(
                    lookup,
                )),
            )
        };
        let key = Expr::expr(self.key.clone());
        let id = Expr::col((E::default(), self.id));
        if descending {
            Condition::all().add(key.clone().lte(key_of_anchor())).add(
                Condition::any()
                    .add(key.lt(key_of_anchor()))
                    .add(id.lt(anchor)),
            )
        } else {
            Condition::all().add(key.clone().gte(key_of_anchor())).add(
                Condition::any()
                    .add(key.gt(key_of_anchor()))
                    .add(id.gt(anchor)),
            )
        }
    }
}

/// A row's id, for the anchors of the pages around it.
pub(crate) trait RowId {
    fn row_id(&self) -> i64;
}

/// How a seeking list counts its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counting {
    /// To the end (small lists, or ones an index counts quickly).
    Exact,
    /// Up to `COUNT_CAP`: "more than 1 000" (large lists and searches, whose full count
    /// would read every row).
    Capped,
    /// Counted already by the caller.
    Known { total: u64, more: bool },
}

/// One page of a filtered (unordered) query in `order`: from its anchor when it has one,
/// else counted off from the top. One row more than the page is read, so the page knows
/// whether another follows without counting to it.
pub(crate) async fn fetch_seeking<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    order: &SeekOrder<E>,
    request: PageRequest,
    counting: Counting,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: FromQueryResult + RowId + Sized + Send + Sync,
{
    let count = async {
        match counting {
            Counting::Exact => Ok((query.clone().count(db).await?, false)),
            Counting::Capped => {
                let counted = count_up_to(db, query.clone(), COUNT_CAP).await?;
                Ok((Ord::min(counted, COUNT_CAP), counted > COUNT_CAP))
            }
            Counting::Known { total, more } => Ok((total, more)),
        }
    };
    let ((total, more), (items, next)) =
        tokio::try_join!(count, seek_rows(db, query.clone(), order, request))?;
    // The last page of a capped count: its end tells the exact number.
    let (total, more) = if more && !next {
        (request.offset() + items.len() as u64, false)
    } else {
        (total, more)
    };
    Ok(Page {
        ends: items
            .first()
            .zip(items.last())
            .map(|(first, last)| (first.row_id(), last.row_id())),
        items,
        total,
        more,
        request,
        next: Some(next),
    })
}

/// Searches that a text index finds at most this many matches for are fetched through it;
/// with more, the rows are walked in order and tested (see `fetch_searching`).
pub(crate) const FETCHED_THROUGH_INDEX: u64 = 10_000;

/// A page of a list that may be searched: `by_index` finds the matches through a text
/// index, `by_row` tests each row for them. On SQLite, `id IN (…)` of an FTS5 index
/// collects every match and sorts them: right for a few thousand, slow for hundreds of
/// thousands, where walking the rows in order and testing each fills a page quickly (one
/// row in a hundred matching or more). `in_index`: how many matches the index has (up to
/// `FETCHED_THROUGH_INDEX + 1`; `None` where no FTS5 index is asked — PostgreSQL's planner
/// weighs the same itself). `filtered`: whether other filters narrow the matches, so that
/// the index's count is not theirs.
pub(crate) async fn fetch_searching<E>(
    db: &impl ConnectionTrait,
    in_index: Option<u64>,
    filtered: bool,
    by_index: Select<E>,
    by_row: Select<E>,
    order: &SeekOrder<E>,
    request: PageRequest,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: FromQueryResult + RowId + Sized + Send + Sync,
{
    // Without other filters the index's count is the list's: no second count.
    let counting = match in_index {
        Some(matches) if !filtered => Counting::Known {
            total: Ord::min(matches, COUNT_CAP),
            more: matches > COUNT_CAP,
        },
        _ => Counting::Capped,
    };
    let query = if in_index.is_some_and(|matches| matches > FETCHED_THROUGH_INDEX) {
        by_row
    } else {
        by_index
    };
    fetch_seeking(db, query, order, request, counting).await
}

/// The page's rows and whether more follow. The ids first, then their rows: an index on the
/// order that also holds what the filters test (a search's text, a state) answers the first
/// query alone, so a search walking many rows before its matches, or a page number typed by
/// hand, reads index entries and not the rows it passes.
async fn seek_rows<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    order: &SeekOrder<E>,
    request: PageRequest,
) -> Result<(Vec<E::Model>, bool), DbErr>
where
    E: EntityTrait,
    E::Model: FromQueryResult + RowId + Sized + Send + Sync,
{
    let size = request.size as usize;
    if let Some(anchor) = request.anchor {
        let (id, forward) = match anchor {
            crate::domain::paging::Anchor::After(id) => (id, true),
            crate::domain::paging::Anchor::Before(id) => (id, false),
        };
        // Previous walks back from the anchor, then turns the rows around.
        let walk = order.descending == forward;
        let mut ids = page_ids(
            db,
            order.sorted(query.clone().filter(order.past(id, walk)), walk),
            order,
            0,
            request.size + 1,
        )
        .await?;
        // None: the anchor row is gone (deleted, or not of this list): the page number
        // still says where the page is.
        if !ids.is_empty() {
            let more = forward && ids.len() > size;
            ids.truncate(size);
            if !forward {
                ids.reverse();
            }
            return Ok((rows_of::<E>(db, order.id, ids).await?, more || !forward));
        }
    }
    let sorted = order.sorted(query, order.descending);
    let mut ids = page_ids(db, sorted, order, request.offset(), request.size + 1).await?;
    let more = ids.len() > size;
    ids.truncate(size);
    Ok((rows_of::<E>(db, order.id, ids).await?, more))
}

/// The ids of `limit` rows of a sorted query from `offset`.
async fn page_ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    sorted: Select<E>,
    order: &SeekOrder<E>,
    offset: u64,
    limit: u64,
) -> Result<Vec<i64>, DbErr> {
    let mut ids = sorted.select_only().column(order.id).limit(limit);
    if offset > 0 {
        ids = ids.offset(offset);
    }
    ids.into_tuple().all(db).await
}

/// The rows of `ids`, in the order of `ids` (read by id alone: the filters that found them
/// are not run again).
async fn rows_of<E>(
    db: &impl ConnectionTrait,
    id: E::Column,
    ids: Vec<i64>,
) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: FromQueryResult + RowId + Sized + Send + Sync,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = E::find()
        .filter(sea_orm::ColumnTrait::is_in(&id, ids.iter().copied()))
        .all(db)
        .await?;
    let place: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(at, &id)| (id, at)).collect();
    rows.sort_by_key(|row| place.get(&row.row_id()).copied());
    Ok(rows)
}

pub(crate) fn order(descending: bool) -> sea_orm::Order {
    if descending {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    }
}
