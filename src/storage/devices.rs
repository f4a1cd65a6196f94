//! Devices (§6.1): created by an administrator, each holding a seat of a DEVICE licence
//! ("Lic.#"), active once the device app registered with its code.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter,
};

use super::{
    entities::{devices, licenses, teams},
    seats,
};
use crate::domain::products::Product;

/// Stored values of `devices.client_type`.
pub const CLIENT_TYPES: [&str; 3] = ["both", "retail", "wholesale"];

/// A device as the administrator describes it.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub team_id: i64,
    /// `None`: the team's default.
    pub time_zone: Option<String>,
    pub license_id: Option<i64>,
    pub nickname: String,
    pub description: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DeviceStoreError {
    #[error("the team does not exist")]
    NoSuchTeam,
    #[error("the licence is not a DEVICE licence of this organization valid today")]
    NoSuchLicence,
    #[error("licence {0} has no free seat left")]
    LicenceFull(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The organization's DEVICE licences valid today.
pub async fn device_licences(
    db: &impl ConnectionTrait,
    organization_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<licenses::Model>, DbErr> {
    let today = now.date_naive();
    Ok(
        super::licenses::of_product(db, organization_id, Product::Device)
            .await?
            .into_iter()
            .filter(|l| l.terms().is_valid_on(today))
            .collect(),
    )
}

/// Devices holding a seat of the licence.
pub async fn seats_used(db: &impl ConnectionTrait, licence_id: i64) -> Result<u64, DbErr> {
    devices::Entity::find()
        .filter(devices::Column::LicenseId.eq(licence_id))
        .count(db)
        .await
}

/// Creates the device in the caller's transaction; a seat is taken under the licence's
/// row lock, so two administrators never both take the last one.
pub async fn create(
    db: &impl ConnectionTrait,
    organization_id: i64,
    device: NewDevice,
    now: DateTime<Utc>,
) -> Result<devices::Model, DeviceStoreError> {
    if let Some(licence_id) = device.license_id {
        seats::lock_licence(db, licence_id).await?;
        let licence = device_licences(db, organization_id, now)
            .await?
            .into_iter()
            .find(|l| l.id == licence_id)
            .ok_or(DeviceStoreError::NoSuchLicence)?;
        if seats_used(db, licence_id).await? >= u64::from(licence.terms().limit) {
            return Err(DeviceStoreError::LicenceFull(licence.licence_id));
        }
    }
    teams::Entity::find_by_id(device.team_id)
        .filter(teams::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
        .ok_or(DeviceStoreError::NoSuchTeam)?;
    Ok(devices::ActiveModel {
        organization_id: Set(organization_id),
        team_id: Set(device.team_id),
        time_zone: Set(device.time_zone),
        license_id: Set(device.license_id),
        nickname: Set(device.nickname),
        description: Set(device.description),
        platform: Set(None),
        os_type: Set(None),
        app_version: Set(None),
        device_name: Set(None),
        device_identifier: Set(None),
        token_hash: Set(None),
        registered_at: Set(None),
        changed_at: Set(now),
        created_at: Set(now),
        client_type: Set(CLIENT_TYPES[0].to_owned()),
        all_clients: Set(true),
        include_area: Set(false),
        functionality: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn find_in(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: i64,
) -> Result<Option<devices::Model>, DbErr> {
    devices::Entity::find_by_id(id)
        .filter(devices::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}
