//! Everything that talks to the database. Functions take `&impl ConnectionTrait` so that the
//! caller decides the transaction; queries on an organization's data take its id.

pub mod administrators;
pub mod audit;
pub mod channels;
pub mod devices;
pub mod entities;
pub mod expiry;
pub mod license_check;
pub mod licenses;
pub mod login_failures;
pub mod lookups;
pub mod mobile_users;
pub mod notifications;
pub mod offline;
pub mod organization_cache;
pub mod organizations;
pub mod outbox;
pub mod registration;
pub mod seats;
pub mod settings;
pub mod sync_bookkeeping;
pub mod tokens;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QuerySelect, QueryTrait, Select,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sea_query::{Expr, ExprTrait, Func, Query, SimpleExpr},
};

use crate::domain::paging::{Page, PageRequest};

/// Opens the database named by `url` (SQLite file or PostgreSQL) and brings its schema up to
/// date.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false);
    // sea-orm opens a single connection for SQLite unless told otherwise; a small pool lets
    // readers proceed while one writer works (WAL, below).
    options.max_connections(if url.starts_with("sqlite") { 8 } else { 20 });
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// Begins a transaction that will write. On SQLite it takes the write lock at BEGIN
/// (IMMEDIATE): a deferred transaction that reads first and writes later fails with
/// SQLITE_BUSY when another connection wrote in between, instead of waiting its turn.
/// PostgreSQL ignores the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Opens the database so that nothing can be written (`serve --read-only`, §3.2): SQLite in
/// read-only mode, PostgreSQL with read-only transactions. The schema must already be there.
pub async fn connect_read_only(url: &str) -> Result<DatabaseConnection, DbErr> {
    let url = if url.starts_with("sqlite") {
        let base = url.split('?').next().unwrap_or(url);
        format!("{base}?mode=ro")
    } else {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}options=-c%20default_transaction_read_only%3Don")
    };
    let mut options = ConnectOptions::new(url.as_str());
    options.sqlx_logging(false);
    options.max_connections(if url.starts_with("sqlite") { 8 } else { 20 });
    Database::connect(options).await
}

/// Whether the database answers at all (for `/readyz`).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
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
    Ok(Page {
        items,
        total,
        more: false,
        request,
    })
}

/// Counting stops here for `fetch_page_counting_to`: enough for twenty pages, and a search
/// matching a large part of a large table is not counted to its end.
pub(crate) const COUNT_CAP: u64 = 1000;

/// Where counting stops for a page: `COUNT_CAP`, or the end of the page if that is further,
/// so that a page always knows whether another follows.
pub(crate) fn count_cap(request: PageRequest) -> u64 {
    Ord::max(COUNT_CAP, request.offset() + request.size)
}

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

/// Like `fetch_page`, but counts only up to `count_cap`: the page says when there are more.
/// For searches, whose full count would read every match.
pub(crate) async fn fetch_page_counting_to<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    request: PageRequest,
) -> Result<Page<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
{
    let cap = count_cap(request);
    let (counted, items) = tokio::try_join!(
        count_up_to(db, query.clone(), cap),
        query.offset(request.offset()).limit(request.size).all(db),
    )?;
    Ok(Page {
        items,
        total: Ord::min(counted, cap),
        more: counted > cap,
        request,
    })
}

pub(crate) fn order(descending: bool) -> sea_orm::Order {
    if descending {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    }
}
