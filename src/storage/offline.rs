//! Offline licence files (docs/behaviour.md#offline-licences): built from the Enabled users and the valid MOBILE
//! licences, signed, and stored per organization.

use crate::domain::license_check::UserState;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, sea_query::OnConflict,
};

use super::{
    entities::{mobile_users, offline_licences, organizations},
    mobile_seats::mobile_seats,
};
use crate::domain::{
    keys::KeyPair,
    offline_file::{OfflineLicence, OfflineUser},
};

/// Signs a new file for the organization and stores it in place of the previous one.
pub async fn update(
    db: &impl ConnectionTrait,
    organization: &organizations::Model,
    key: &KeyPair,
    now: DateTime<Utc>,
) -> Result<offline_licences::Model, DbErr> {
    let seats = mobile_seats(db, organization.id, now).await?;
    // Enabled users may sync offline until the last valid MOBILE licence ends.
    let valid_until = seats.valid_till.map(|day| {
        (day + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc()
    });
    let users: Vec<OfflineUser> = match valid_until {
        Some(valid_until) => mobile_users::Entity::find()
            .filter(mobile_users::Column::OrganizationId.eq(organization.id))
            .filter(mobile_users::Column::State.eq(UserState::Enabled))
            .order_by_asc(mobile_users::Column::UserId)
            .all(db)
            .await?
            .into_iter()
            .map(|u| OfflineUser {
                user_id: u.user_id,
                valid_until,
            })
            .collect(),
        None => Vec::new(),
    };
    let licence = OfflineLicence {
        organization_id: organization.organization_id.clone(),
        organization_url: organization.url.clone(),
        issued_at: now,
        users,
    };
    let model = offline_licences::Model {
        organization_id: organization.id,
        file: licence.sign(key),
        users: i32::try_from(licence.users.len()).unwrap_or(i32::MAX),
        issued_at: now,
    };
    offline_licences::Entity::insert(model.clone().into_active_model().reset_all())
        .on_conflict(
            OnConflict::column(offline_licences::Column::OrganizationId)
                .update_columns([
                    offline_licences::Column::File,
                    offline_licences::Column::Users,
                    offline_licences::Column::IssuedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(model)
}

pub async fn get(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<Option<offline_licences::Model>, DbErr> {
    offline_licences::Entity::find_by_id(organization_id)
        .one(db)
        .await
}
