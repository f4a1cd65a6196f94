//! Assignment notifications (docs/behaviour.md#notification-mail): who receives them, the notice behind View in browser,
//! and the per-address subscriptions managed from the Unsubscribe link.

use std::collections::BTreeSet;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, sea_query::OnConflict,
};

use super::entities::{administrators, assignment_notices, notification_optouts, organizations};
use crate::domain::license_check::MobileSeats;

/// Administrators of the organization who receive notifications (not operators, who are
/// global), and its listed notification addresses.
async fn candidates(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<BTreeSet<String>, DbErr> {
    let mut addresses: BTreeSet<String> = administrators::Entity::find()
        .filter(administrators::Column::OrganizationId.eq(organization_id))
        .filter(administrators::Column::Active.eq(true))
        .filter(administrators::Column::Notify.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.email)
        .collect();
    let settings = super::settings::get(db, organization_id).await?;
    addresses.extend(
        settings
            .notification_addresses
            .lines()
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty()),
    );
    Ok(addresses)
}

pub(crate) async fn opted_out(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<BTreeSet<String>, DbErr> {
    Ok(notification_optouts::Entity::find()
        .filter(notification_optouts::Column::OrganizationId.eq(organization_id))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.address)
        .collect())
}

/// Records the notice of an automatic assignment (the page behind View in browser).
pub async fn insert_notice(
    db: &impl ConnectionTrait,
    organization_id: i64,
    user_id: &str,
    freed_user_id: Option<&str>,
    seats: MobileSeats,
) -> Result<assignment_notices::Model, DbErr> {
    assignment_notices::ActiveModel {
        organization_id: Set(organization_id),
        user_id: Set(user_id.to_owned()),
        freed_user_id: Set(freed_user_id.map(str::to_owned)),
        total: Set(i64::try_from(seats.total).unwrap_or(i64::MAX)),
        used: Set(i64::try_from(seats.used).unwrap_or(i64::MAX)),
        available: Set(i64::try_from(seats.free()).unwrap_or(i64::MAX)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// The addresses that receive an organization's notifications now: its subscribed
/// administrators and listed addresses, minus those that opted out.
pub async fn recipients(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<Vec<String>, DbErr> {
    let opted_out = opted_out(db, organization_id).await?;
    Ok(candidates(db, organization_id)
        .await?
        .difference(&opted_out)
        .cloned()
        .collect())
}

pub async fn notice(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<assignment_notices::Model>, DbErr> {
    assignment_notices::Entity::find_by_id(id).one(db).await
}

/// Every organization where `address` receives notifications, and whether it still does.
pub async fn subscriptions_of(
    db: &impl ConnectionTrait,
    address: &str,
) -> Result<Vec<(organizations::Model, bool)>, DbErr> {
    let address = address.trim().to_lowercase();
    let mut result = Vec::new();
    for organization in organizations::Entity::find()
        .order_by_asc(organizations::Column::Name)
        .all(db)
        .await?
    {
        if candidates(db, organization.id).await?.contains(&address) {
            let subscribed = !opted_out(db, organization.id).await?.contains(&address);
            result.push((organization, subscribed));
        }
    }
    Ok(result)
}

pub async fn set_subscribed(
    db: &impl ConnectionTrait,
    address: &str,
    organization_id: i64,
    subscribed: bool,
) -> Result<(), DbErr> {
    let address = address.trim().to_lowercase();
    if subscribed {
        notification_optouts::Entity::delete_many()
            .filter(notification_optouts::Column::Address.eq(&address))
            .filter(notification_optouts::Column::OrganizationId.eq(organization_id))
            .exec(db)
            .await?;
    } else {
        notification_optouts::Entity::insert(notification_optouts::ActiveModel {
            address: Set(address),
            organization_id: Set(organization_id),
            created_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::columns([
                notification_optouts::Column::Address,
                notification_optouts::Column::OrganizationId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}
