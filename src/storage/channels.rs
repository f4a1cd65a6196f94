//! Chat gateways and email profiles of an organization; enabling one counts against the
//! largest valid CHAT or EMAIL licence, across every organization of that licence.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};

use super::{
    entities::channels::{self, Column, Entity, Model},
    licenses,
};
use crate::domain::channels::{ChannelKind, EnableRefused, may_enable};

pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: i64,
    kind: ChannelKind,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::Kind.eq(kind.as_str()))
        .order_by_asc(Column::Name)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: i64,
    kind: ChannelKind,
    id: i64,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id)
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::Kind.eq(kind.as_str()))
        .one(db)
        .await
}

pub async fn create(
    db: &impl ConnectionTrait,
    organization_id: i64,
    kind: ChannelKind,
    name: &str,
) -> Result<Model, DbErr> {
    channels::ActiveModel {
        organization_id: Set(organization_id),
        kind: Set(kind.as_str().to_owned()),
        name: Set(name.to_owned()),
        enabled: Set(false),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn delete(db: &impl ConnectionTrait, channel: Model) -> Result<(), DbErr> {
    Entity::delete_by_id(channel.id).exec(db).await?;
    Ok(())
}

/// Switches a channel on or off; switching on checks the licence limit under the licence's
/// row lock. Call inside a transaction.
pub async fn set_enabled(
    db: &impl ConnectionTrait,
    channel: Model,
    kind: ChannelKind,
    enabled: bool,
) -> Result<Result<Model, EnableRefused>, DbErr> {
    if enabled && !channel.enabled {
        let today = Utc::now().date_naive();
        let governing = licenses::of_product(db, channel.organization_id, kind.product())
            .await?
            .into_iter()
            .filter(|l| l.terms().is_valid_on(today))
            .max_by_key(|l| l.seat_limit);
        let Some(licence) = governing else {
            return Ok(Err(EnableRefused::NoLicence(kind)));
        };
        super::locks::lock_licence(db, licence.id).await?;
        let organizations: Vec<i64> = licenses::organizations_of(db, licence.id)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
        let enabled_now = Entity::find()
            .filter(Column::Kind.eq(kind.as_str()))
            .filter(Column::Enabled.eq(true))
            .filter(Column::OrganizationId.is_in(organizations))
            .count(db)
            .await?;
        if let Err(refused) = may_enable(
            kind,
            u32::try_from(licence.seat_limit).unwrap_or(0),
            enabled_now,
        ) {
            return Ok(Err(refused));
        }
    }
    let mut model = channel.into_active_model();
    model.enabled = Set(enabled);
    Ok(Ok(model.update(db).await?))
}
