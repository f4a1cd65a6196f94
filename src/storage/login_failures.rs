//! Failed logins, counted per address and per client to slow down guessing (§8).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter,
};

use super::entities::login_failures::{self, Column, Entity};

pub async fn record(db: &impl ConnectionTrait, email: &str, client: &str) -> Result<(), DbErr> {
    login_failures::ActiveModel {
        email: Set(email.to_owned()),
        client: Set(client.to_owned()),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
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
