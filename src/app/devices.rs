//! Active devices: add one (with its first registration code), change it, replace its
//! code, delete it. A device takes a DEVICE seat under its licence's lock
//! (`storage::devices`), so no licence gives more seats than it has.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{Error, Failure, Outcome, Step};
use crate::{
    domain::{
        audit::AuditAction,
        email::Email,
        registration::{Expiry, RegistrationCode},
        signed_links::LinkSigner,
    },
    mail::messages,
    storage::{
        self,
        audit::{Actor, Change},
        devices::{DeviceSettings, DeviceStoreError},
        entities::{devices::Model, organizations},
    },
};

/// A code shown once to the administrator, and mailed to the recipients.
pub struct IssuedCode {
    pub code: RegistrationCode,
    pub expires_at: DateTime<Utc>,
}

fn split(step: &'static str) -> impl FnOnce(DeviceStoreError) -> Error<DeviceStoreError> {
    move |error| match error {
        DeviceStoreError::Db(error) => Error::Failed(Failure {
            step,
            source: error.into(),
        }),
        refused => Error::Refused(refused),
    }
}

/// Issues a new code for `device` (the old one stops working) and queues one mail per
/// recipient, in the caller's transaction.
async fn issue_and_send(
    txn: &impl ConnectionTrait,
    signer: &LinkSigner,
    organization: &organizations::Model,
    device: &Model,
    recipients: &[Email],
    expiry: Expiry,
) -> Result<IssuedCode, Failure> {
    let now = Utc::now();
    let code = storage::registration::issue_new_code(txn, signer, device.id, expiry, now)
        .await
        .step("issue the code")?;
    let expires_at = now + expiry.duration();
    for recipient in recipients {
        let mail = messages::registration_code(
            organization,
            recipient.as_str(),
            &device.nickname,
            &code.to_string(),
            expires_at,
        )
        .step("render the code mail")?;
        storage::outbox::enqueue(txn, mail)
            .await
            .step("queue the code mail")?;
    }
    Ok(IssuedCode { code, expires_at })
}

/// Adds a device and issues its first code. The refusal (`DeviceStoreError` other than
/// `Db`) says which choice of the form was not possible.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    signer: &LinkSigner,
    organization: &organizations::Model,
    settings: DeviceSettings,
    recipients: &[Email],
    expiry: Expiry,
) -> Outcome<(Model, IssuedCode), DeviceStoreError> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let device = storage::devices::create(&txn, organization.id, settings, Utc::now())
        .await
        .map_err(split("insert the device"))?;
    let issued = issue_and_send(&txn, signer, organization, &device, recipients, expiry).await?;
    let change = Change::new(
        Some(organization.id),
        AuditAction::DeviceCreate,
        &device.nickname,
    );
    storage::audit::record(&txn, actor, change.after(&device))
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok((device, issued))
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    before: &Model,
    settings: DeviceSettings,
) -> Outcome<Model, DeviceStoreError> {
    let organization = before.organization_id;
    let txn = storage::begin_write(db).await.step("begin")?;
    let after = storage::devices::update(&txn, organization, before, settings, Utc::now())
        .await
        .map_err(split("save the device"))?;
    let change = Change::new(
        Some(organization),
        AuditAction::DeviceUpdate,
        &after.nickname,
    );
    storage::audit::record(&txn, actor, change.before(before).after(&after))
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(after)
}

/// A new code for a device (the old one stops working), mailed to `recipients`.
pub async fn replace_code(
    db: &DatabaseConnection,
    actor: &Actor,
    signer: &LinkSigner,
    organization: &organizations::Model,
    device: &Model,
    recipients: &[Email],
    expiry: Expiry,
) -> Result<IssuedCode, Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let issued = issue_and_send(&txn, signer, organization, device, recipients, expiry).await?;
    let change = Change::new(
        Some(organization.id),
        AuditAction::DeviceReplaceCode,
        &device.nickname,
    );
    storage::audit::record(&txn, actor, change)
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(issued)
}

/// Deletes a device; its seat is free at once.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, device: &Model) -> Result<(), Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    storage::devices::delete(&txn, device)
        .await
        .step("delete the device")?;
    let change = Change::new(
        Some(device.organization_id),
        AuditAction::DeviceDelete,
        &device.nickname,
    );
    storage::audit::record(&txn, actor, change)
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")
}
