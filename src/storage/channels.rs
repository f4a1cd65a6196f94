//! Chat gateways and email profiles of an organization; enabling one counts against the
//! largest valid CHAT or EMAIL licence, across every organization of that licence.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};

use super::{
    entities::channels::{self, Column, Entity, Model},
    entities::licenses::Model as Licence,
    licenses,
};
use crate::domain::channels::ChannelKind;

pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: i64,
    kind: ChannelKind,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::Kind.eq(kind))
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
        .filter(Column::Kind.eq(kind))
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
        kind: Set(kind),
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

/// The valid licence of `kind`'s product with the most seats: it sets how many may be
/// enabled at once.
pub async fn governing_licence(
    db: &impl ConnectionTrait,
    organization_id: i64,
    kind: ChannelKind,
    today: chrono::NaiveDate,
) -> Result<Option<Licence>, DbErr> {
    Ok(licenses::of_product(db, organization_id, kind.product())
        .await?
        .into_iter()
        .filter(|l| l.terms().is_valid_on(today))
        .max_by_key(|l| l.seat_limit))
}

/// Enabled channels of `kind` across the organizations `licence` is for.
pub async fn enabled_under(
    db: &impl ConnectionTrait,
    licence: &Licence,
    kind: ChannelKind,
) -> Result<u64, DbErr> {
    let organizations: Vec<i64> = licenses::organizations_of(db, licence.id)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    Entity::find()
        .filter(Column::Kind.eq(kind))
        .filter(Column::Enabled.eq(true))
        .filter(Column::OrganizationId.is_in(organizations))
        .count(db)
        .await
}

pub async fn set_enabled(
    db: &impl ConnectionTrait,
    channel: Model,
    enabled: bool,
) -> Result<Model, DbErr> {
    let mut model = channel.into_active_model();
    model.enabled = Set(enabled);
    model.update(db).await
}
