//! Active devices: add one (with its first registration code), change it, replace its
//! code, delete it. A device takes a DEVICE seat under its licence's lock
//! (`storage::devices`), so no licence gives more seats than it has.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{Failure, Outcome, Step, refuse};
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
        devices::DeviceSettings,
        entities::{devices::Model, organizations},
    },
};

/// A code shown once to the administrator, and mailed to the recipients.
pub struct IssuedCode {
    pub code: RegistrationCode,
    pub expires_at: DateTime<Utc>,
}

/// Why a device's settings were refused: each names the choice of the form at fault.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeviceRefused {
    #[error("the team does not exist")]
    NoSuchTeam,
    #[error("the licence is not a DEVICE licence of this organization valid today")]
    NoSuchLicence,
    #[error("licence {0} has no free seat left")]
    LicenceFull(String),
    #[error("a chosen client is not a wholesale client of this organization")]
    NoSuchClient,
    #[error("team {0} has no area, so there are no clients of its area to include")]
    TeamHasNoArea(String),
}

/// Takes a seat of `license_id`: a DEVICE licence of the organization valid now with a seat
/// free, counted under the licence's row lock (held to commit), so two administrators never
/// both take the last one.
async fn take_seat(
    txn: &impl ConnectionTrait,
    organization: i64,
    license_id: i64,
    now: DateTime<Utc>,
) -> Outcome<(), DeviceRefused> {
    storage::locks::lock_licence(txn, license_id)
        .await
        .step("lock the licence")?;
    let Some(licence) = storage::devices::device_licences(txn, organization, now)
        .await
        .step("find the DEVICE licences")?
        .into_iter()
        .find(|l| l.id == license_id)
    else {
        return refuse(DeviceRefused::NoSuchLicence);
    };
    let used = storage::devices::seats_used(txn, organization, license_id)
        .await
        .step("count the licence's devices")?;
    if !licence.terms().has_free_seat(used) {
        return refuse(DeviceRefused::LicenceFull(licence.licence_id));
    }
    Ok(())
}

/// The team, the assigned clients and the team's area the settings name exist in the
/// organization.
async fn check(
    txn: &impl ConnectionTrait,
    organization: i64,
    settings: &DeviceSettings,
) -> Outcome<(), DeviceRefused> {
    let Some(team) = storage::lookups::find_team(txn, organization, settings.team_id)
        .await
        .step("find the team")?
    else {
        return refuse(DeviceRefused::NoSuchTeam);
    };
    if settings.clients.include_area && team.area_id.is_none() {
        return refuse(DeviceRefused::TeamHasNoArea(team.name));
    }
    let assigned = &settings.clients.assigned;
    if !assigned.is_empty() {
        let wholesale = storage::devices::wholesale_clients_among(txn, organization, assigned)
            .await
            .step("find the chosen clients")?;
        if wholesale != assigned.len() as u64 {
            return refuse(DeviceRefused::NoSuchClient);
        }
    }
    Ok(())
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

/// Adds a device (taking its licence's seat) and issues its first code.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    signer: &LinkSigner,
    organization: &organizations::Model,
    settings: DeviceSettings,
    recipients: &[Email],
    expiry: Expiry,
) -> Outcome<(Model, IssuedCode), DeviceRefused> {
    let now = Utc::now();
    let txn = storage::begin_write(db).await.step("begin")?;
    if let Some(license_id) = settings.license_id {
        take_seat(&txn, organization.id, license_id, now).await?;
    }
    check(&txn, organization.id, &settings).await?;
    let device = storage::devices::insert(&txn, organization.id, settings, now)
        .await
        .step("insert the device")?;
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

/// Changes a device; a new licence's seat is taken as on creation, the old one given back.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    before: &Model,
    settings: DeviceSettings,
) -> Outcome<Model, DeviceRefused> {
    let organization = before.organization_id;
    let now = Utc::now();
    let txn = storage::begin_write(db).await.step("begin")?;
    if let Some(license_id) = settings.license_id
        && before.license_id != Some(license_id)
    {
        take_seat(&txn, organization, license_id, now).await?;
    }
    check(&txn, organization, &settings).await?;
    let after = storage::devices::update(&txn, before, settings, now)
        .await
        .step("save the device")?;
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
