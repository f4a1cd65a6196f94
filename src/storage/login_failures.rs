//! Login attempts, counted per address and per client to slow down guessing (§8). An attempt
//! is written *before* its password is checked — after counting, in one transaction under
//! the address's and the client's lock — so attempts arriving at the same moment count
//! against each other. A successful login takes its row back; a failed one leaves it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DbBackend, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Statement,
};

use super::entities::login_failures::{self, Column, Entity};

/// An attempt counted against the limits: a failure unless `release`d.
#[derive(Debug, Clone, Copy)]
pub struct Reservation(i64);

/// Counts the attempts for `email` and from `client` since `since` and, when both are under
/// their limits, adds this one — atomically, on both engines and across instances. `None`
/// when a limit is reached.
pub async fn reserve(
    db: &DatabaseConnection,
    email: &str,
    client: &str,
    since: DateTime<Utc>,
    (per_address, per_client): (u64, u64),
) -> Result<Option<Reservation>, DbErr> {
    let txn = super::begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // Always the address first, then the client: two attempts never wait on each other
        // in opposite orders. SQLite's immediate transaction already runs one at a time.
        for key in [
            format!("login address {email}"),
            format!("login client {client}"),
        ] {
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                [key.into()],
            ))
            .await?;
        }
    }
    let (by_address, by_client) = count_since(&txn, email, client, since).await?;
    if by_address >= per_address || by_client >= per_client {
        return Ok(None);
    }
    let row = login_failures::ActiveModel {
        email: Set(email.to_owned()),
        client: Set(client.to_owned()),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(Some(Reservation(row.id)))
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
