//! Registration codes and the device registration they allow (docs/behaviour.md#registration-codes). Codes are stored only
//! as a keyed hash; a code is used by one conditional UPDATE, so two devices racing with
//! the same code cannot both register.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, sea_query::Expr,
};

use super::entities::{devices, registration_codes, registration_failures};
use crate::domain::{
    registration::{Expiry, IssuedCode, RegistrationCode, code_hash},
    signed_links::LinkSigner,
};

/// Issues a code for `device` (hash `code_hash`), first marking every code it had as
/// replaced: only the newest code of a device works.
pub async fn issue(
    db: &impl ConnectionTrait,
    device_id: i64,
    code_hash: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    registration_codes::Entity::update_many()
        .col_expr(registration_codes::Column::ReplacedAt, Expr::value(now))
        .filter(registration_codes::Column::DeviceId.eq(device_id))
        .filter(registration_codes::Column::ReplacedAt.is_null())
        .filter(registration_codes::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    registration_codes::ActiveModel {
        device_id: Set(device_id),
        code_hash: Set(code_hash.to_owned()),
        expires_at: Set(expires_at),
        used_at: Set(None),
        replaced_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Generates a code for the device, stores its hash (replacing any earlier code) and hands
/// the code back: the only moment it exists in clear.
pub async fn issue_new_code(
    db: &impl ConnectionTrait,
    signer: &LinkSigner,
    device_id: i64,
    expiry: Expiry,
    now: DateTime<Utc>,
) -> Result<RegistrationCode, DbErr> {
    let code = RegistrationCode::generate();
    issue(
        db,
        device_id,
        &code_hash(signer, code.as_str()),
        now + expiry.duration(),
        now,
    )
    .await?;
    Ok(code)
}

/// The code with this hash and its device.
pub async fn find(
    db: &impl ConnectionTrait,
    code_hash: &str,
) -> Result<Option<(registration_codes::Model, devices::Model)>, DbErr> {
    let Some(code) = registration_codes::Entity::find()
        .filter(registration_codes::Column::CodeHash.eq(code_hash))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(devices::Entity::find_by_id(code.device_id)
        .one(db)
        .await?
        .map(|device| (code, device)))
}

pub fn issued(code: &registration_codes::Model) -> IssuedCode {
    IssuedCode {
        expires_at: code.expires_at,
        used_at: code.used_at,
        replaced_at: code.replaced_at,
    }
}

/// The device's most recent code, whatever became of it.
pub async fn latest_code(
    db: &impl ConnectionTrait,
    device_id: i64,
) -> Result<Option<registration_codes::Model>, DbErr> {
    registration_codes::Entity::find()
        .filter(registration_codes::Column::DeviceId.eq(device_id))
        .order_by_desc(registration_codes::Column::Id)
        .one(db)
        .await
}

/// The codes that can still be used of these devices (for the Pending Registrations list,
/// in one query).
pub async fn open_codes(
    db: &impl ConnectionTrait,
    device_ids: &[i64],
) -> Result<Vec<registration_codes::Model>, DbErr> {
    registration_codes::Entity::find()
        .filter(registration_codes::Column::DeviceId.is_in(device_ids.to_vec()))
        .filter(registration_codes::Column::UsedAt.is_null())
        .filter(registration_codes::Column::ReplacedAt.is_null())
        .all(db)
        .await
}

/// Marks the code used if it still can be, in one statement; `false` when another request
/// got there first or it expired meanwhile.
pub async fn use_code(
    db: &impl ConnectionTrait,
    code_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = registration_codes::Entity::update_many()
        .col_expr(registration_codes::Column::UsedAt, Expr::value(now))
        .filter(registration_codes::Column::Id.eq(code_id))
        .filter(registration_codes::Column::UsedAt.is_null())
        .filter(registration_codes::Column::ReplacedAt.is_null())
        .filter(registration_codes::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// What the device app told about itself when it registered.
#[derive(Debug, Clone)]
pub struct DeviceReport {
    pub device_identifier: String,
    pub os_type: Option<String>,
    pub platform: Option<String>,
    pub app_version: Option<String>,
    pub device_name: Option<String>,
}

/// Makes the device active: what it reported, when, and the hash of its token.
pub async fn activate(
    db: &impl ConnectionTrait,
    device: &devices::Model,
    report: DeviceReport,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<devices::Model, DbErr> {
    let mut active: devices::ActiveModel = device.clone().into();
    active.device_identifier = Set(Some(report.device_identifier));
    active.os_type = Set(report.os_type);
    active.platform = Set(report.platform);
    active.app_version = Set(report.app_version);
    active.device_name = Set(report.device_name);
    active.token_hash = Set(Some(token_hash.to_owned()));
    active.registered_at = Set(Some(now));
    active.changed_at = Set(now);
    active.update(db).await
}

/// Notes a failed attempt from `client` with a code whose hash is `code_hash`.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    client: &str,
    code_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    registration_failures::ActiveModel {
        client: Set(client.to_owned()),
        code_hash: Set(code_hash.to_owned()),
        at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Failures since `since` from this client and with this code.
pub async fn failures_since(
    db: &impl ConnectionTrait,
    client: &str,
    code_hash: &str,
    since: DateTime<Utc>,
) -> Result<(u64, u64), DbErr> {
    use registration_failures::{Column, Entity};
    let by_client = Entity::find()
        .filter(Column::Client.eq(client))
        .filter(Column::At.gte(since))
        .count(db)
        .await?;
    let by_code = Entity::find()
        .filter(Column::CodeHash.eq(code_hash))
        .filter(Column::At.gte(since))
        .count(db)
        .await?;
    Ok((by_client, by_code))
}

/// Forgets failures older than `before`, so the table stays small.
pub async fn prune_failures(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<(), DbErr> {
    registration_failures::Entity::delete_many()
        .filter(registration_failures::Column::At.lt(before))
        .exec(db)
        .await?;
    Ok(())
}
