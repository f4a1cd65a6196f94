//! Login attempts, counted per address and per client to slow down guessing (docs/behaviour.md#running): the
//! queries and the lock that `app::login::reserve_attempt` counts and records them under. A
//! successful login takes its row back; a failed one leaves it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, Statement,
};

use super::entities::login_failures::{self, Column, Entity};

/// An attempt counted against the limits: a failure unless `release`d.
#[derive(Debug, Clone, Copy)]
pub struct Reservation(i64);

/// Takes, for the rest of the transaction, the locks under which attempts for `email` and
/// from `client` are counted: on PostgreSQL advisory locks, always the address's first, so
/// two attempts never wait on each other in opposite orders; on SQLite the immediate
/// transaction already runs one at a time.
pub async fn lock(db: &impl ConnectionTrait, email: &str, client: &str) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for key in [
        format!("login address {email}"),
        format!("login client {client}"),
    ] {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Records an attempt; a failure unless `release`d.
pub async fn insert(
    db: &impl ConnectionTrait,
    email: &str,
    client: &str,
) -> Result<Reservation, DbErr> {
    let row = login_failures::ActiveModel {
        email: Set(email.to_owned()),
        client: Set(client.to_owned()),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Reservation(row.id))
}

/// The attempt succeeded: it does not count as a failure.
pub async fn release(db: &impl ConnectionTrait, reservation: Reservation) -> Result<(), DbErr> {
    Entity::delete_by_id(reservation.0).exec(db).await?;
    Ok(())
}

/// Failures since `since` for this address and for this client.
pub async fn count_since(
    db: &impl ConnectionTrait,
    email: &str,
    client: &str,
    since: DateTime<Utc>,
) -> Result<(u64, u64), DbErr> {
    let by_address = Entity::find()
        .filter(Column::Email.eq(email))
        .filter(Column::At.gte(since))
        .count(db)
        .await?;
    let by_client = Entity::find()
        .filter(Column::Client.eq(client))
        .filter(Column::At.gte(since))
        .count(db)
        .await?;
    Ok((by_address, by_client))
}

/// Forgets failures older than `before`, so the table stays small.
pub async fn prune(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::At.lt(before))
        .exec(db)
        .await?;
    Ok(())
}
