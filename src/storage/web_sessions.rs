//! Sessions of the web UI, kept on the server (docs/behaviour.md#running): the cookie carries a random key, this
//! table the state. Deleting a row ends that session on every instance at once. Keys are
//! stored as SHA-256 hashes, so reading this table gives no one a session.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use sha2::{Digest, Sha256};

use super::entities::web_sessions::{ActiveModel, Column, Entity};

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The state of a live session.
pub async fn load(
    db: &impl ConnectionTrait,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbErr> {
    Ok(Entity::find_by_id(hash(key))
        .filter(Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .map(|row| row.state))
}

pub async fn insert(
    db: &impl ConnectionTrait,
    key: &str,
    administrator_id: Option<i64>,
    state: String,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::insert(ActiveModel {
        key_hash: Set(hash(key)),
        administrator_id: Set(administrator_id),
        state: Set(state),
        expires_at: Set(expires_at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Replaces a live session's state; `false` when it has ended meanwhile.
pub async fn update(
    db: &impl ConnectionTrait,
    key: &str,
    administrator_id: Option<i64>,
    state: String,
    expires_at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::AdministratorId, Expr::value(administrator_id))
        .col_expr(Column::State, Expr::value(state))
        .col_expr(Column::ExpiresAt, Expr::value(expires_at))
        .filter(Column::KeyHash.eq(hash(key)))
        .filter(Column::ExpiresAt.gt(Utc::now()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn extend(
    db: &impl ConnectionTrait,
    key: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::ExpiresAt, Expr::value(expires_at))
        .filter(Column::KeyHash.eq(hash(key)))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    Entity::delete_by_id(hash(key)).exec(db).await?;
    Ok(())
}

/// Ends every session of an administrator (sign out everywhere, password change,
/// deactivation); returns how many there were.
pub async fn delete_of_administrator(
    db: &impl ConnectionTrait,
    administrator_id: i64,
) -> Result<u64, DbErr> {
    Ok(Entity::delete_many()
        .filter(Column::AdministratorId.eq(administrator_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// Forgets expired sessions (background job).
pub async fn prune(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(Entity::delete_many()
        .filter(Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected)
}
