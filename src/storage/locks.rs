//! Row locks that serialize the transactions that count and take seats.

use sea_orm::{ConnectionTrait, DbErr, Statement};

/// Takes a row's lock for the rest of the transaction with an UPDATE that changes nothing:
/// on PostgreSQL concurrent transactions wait for each other; on SQLite it must be the
/// transaction's first statement, so the write lock is held before anything is read.
async fn lock_row(db: &impl ConnectionTrait, table: &str, id: i64) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let placeholder = if backend == sea_orm::DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let sql = format!("UPDATE {table} SET id = id WHERE id = {placeholder}");
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
        .await?;
    Ok(())
}

/// Takes the licence's row lock for the rest of the transaction.
pub async fn lock_licence(db: &impl ConnectionTrait, license_id: i64) -> Result<(), DbErr> {
    lock_row(db, "licenses", license_id).await
}

/// Takes the organization's row lock (MOBILE seats are the organization's).
pub async fn lock_organization(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<(), DbErr> {
    lock_row(db, "organizations", organization_id).await
}
