//! What administrators do to mobile users: add one, enable, disable or delete a selection,
//! import a CSV file, sign a new offline licence file. Every change that can enable anyone
//! counts the MOBILE seats afresh under the organization's lock first
//! (`storage::mobile_seats::lock_mobile_seats`), and asks `MobileSeats` whether it fits.

use chrono::Utc;
use sea_orm::DatabaseConnection;

use super::{Failure, Outcome, Step, refuse};
use crate::{
    domain::{
        audit::AuditAction, csv_import::ImportRow, email::Email, ids::Guid, keys::KeyPair,
        license_check::UserState,
    },
    storage::{
        self,
        audit::{Actor, Change},
        entities::{mobile_users::Model, offline_licences, organizations},
        mobile_users::ImportReport,
    },
};

/// A user an administrator adds in advance, before its first sync.
pub struct NewUser {
    pub user_id: Guid,
    pub name: Option<String>,
    pub email: Option<Email>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AddRefused {
    #[error("a user with the id {0} already exists")]
    Exists(Guid),
    #[error(
        "no MOBILE seat is free ({used} of {total} used). Disable a user or import a licence first"
    )]
    NoSeat { used: u64, total: u64 },
}

/// Adds an Enabled user, when a seat is free.
pub async fn add(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    new: NewUser,
) -> Outcome<Model, AddRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let seats = storage::mobile_seats::lock_mobile_seats(&txn, organization, Utc::now())
        .await
        .step("lock the MOBILE seats")?;
    let user_id = new.user_id.to_string();
    if storage::mobile_users::find_by_user_id(&txn, organization, &user_id)
        .await
        .step("look for the user id")?
        .is_some()
    {
        return refuse(AddRefused::Exists(new.user_id));
    }
    if seats.free() == 0 {
        return refuse(AddRefused::NoSeat {
            used: seats.used,
            total: seats.total,
        });
    }
    let mut user = storage::mobile_users::insert(
        &txn,
        organization,
        &user_id,
        new.name.as_deref(),
        UserState::Enabled,
    )
    .await
    .step("insert the user")?;
    if let Some(email) = new.email {
        storage::mobile_users::set_email(&txn, &user, email.as_str())
            .await
            .step("set the email")?;
        user.email = Some(email.to_string());
    }
    record(
        &txn,
        actor,
        organization,
        AuditAction::MobileUserCreate,
        &user,
    )
    .await?;
    txn.commit().await.step("commit")?;
    Ok(user)
}

/// What Enable did: who was enabled, and who was not for want of a seat.
pub struct Enabled {
    pub enabled: Vec<Model>,
    pub no_seat: Vec<Model>,
    pub seats: u64,
}

/// Enables the selected users, in order, while seats are free.
pub async fn enable(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    ids: &[i64],
) -> Result<Enabled, Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let seats = storage::mobile_seats::lock_mobile_seats(&txn, organization, Utc::now())
        .await
        .step("lock the MOBILE seats")?;
    let users = storage::mobile_users::find_many(&txn, organization, ids)
        .await
        .step("load the selection")?;
    let mut free = seats.free();
    let (mut enabled, mut no_seat) = (Vec::new(), Vec::new());
    for user in users.into_iter().filter(|u| u.state != UserState::Enabled) {
        if free == 0 {
            no_seat.push(user);
            continue;
        }
        storage::mobile_users::set_state(&txn, &user, UserState::Enabled)
            .await
            .step("enable a user")?;
        record(
            &txn,
            actor,
            organization,
            AuditAction::MobileUserEnable,
            &user,
        )
        .await?;
        free -= 1;
        enabled.push(user);
    }
    txn.commit().await.step("commit")?;
    Ok(Enabled {
        enabled,
        no_seat,
        seats: seats.total,
    })
}

/// Disables the selected users (those not Disabled already); returns them.
pub async fn disable(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    ids: &[i64],
) -> Result<Vec<Model>, Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let users = storage::mobile_users::find_many(&txn, organization, ids)
        .await
        .step("load the selection")?;
    let mut disabled = Vec::new();
    for user in users.into_iter().filter(|u| u.state != UserState::Disabled) {
        storage::mobile_users::set_state(&txn, &user, UserState::Disabled)
            .await
            .step("disable a user")?;
        record(
            &txn,
            actor,
            organization,
            AuditAction::MobileUserDisable,
            &user,
        )
        .await?;
        disabled.push(user);
    }
    txn.commit().await.step("commit")?;
    Ok(disabled)
}

/// Deletes the selected users; returns them.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    ids: &[i64],
) -> Result<Vec<Model>, Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let users = storage::mobile_users::find_many(&txn, organization, ids)
        .await
        .step("load the selection")?;
    for user in &users {
        storage::mobile_users::delete(&txn, user)
            .await
            .step("delete a user")?;
        record(
            &txn,
            actor,
            organization,
            AuditAction::MobileUserDelete,
            user,
        )
        .await?;
    }
    txn.commit().await.step("commit")?;
    Ok(users)
}

async fn record(
    txn: &crate::storage::WriteTransaction,
    actor: &Actor,
    organization: i64,
    action: AuditAction,
    user: &Model,
) -> Result<(), Failure> {
    storage::audit::record(
        txn,
        actor,
        Change::new(Some(organization), action, format!("user {}", user.user_id)),
    )
    .await
    .step("record the audit entry")
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "the file would make {enabled} users Enabled, but the valid MOBILE licences have {seats} seats"
)]
pub struct ImportRefused {
    pub enabled: u64,
    pub seats: u64,
}

/// Applies checked CSV rows: all of them, or none when they would enable more users than
/// there are seats.
pub async fn import(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    rows: &[ImportRow],
) -> Outcome<ImportReport, ImportRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let seats = storage::mobile_seats::lock_mobile_seats(&txn, organization, Utc::now())
        .await
        .step("lock the MOBILE seats")?;
    // Pending users get the organization's temporary licence, as from the licence check.
    let days = storage::settings::get(&txn, organization)
        .await
        .step("load the settings")?
        .temporary_license_days;
    let ids: Vec<String> = rows.iter().map(|r| r.user_id.to_string()).collect();
    let existing = storage::mobile_users::find_by_user_ids(&txn, organization, &ids)
        .await
        .step("load the users in the file")?;
    let mut enabled = seats.used;
    for row in rows {
        let was = existing
            .get(&row.user_id.to_string())
            .is_some_and(|u| u.state == UserState::Enabled);
        match (was, row.state == UserState::Enabled) {
            (false, true) => enabled += 1,
            (true, false) => enabled -= 1,
            _ => {}
        }
    }
    if !seats.allow_enabled(enabled) {
        return refuse(ImportRefused {
            enabled,
            seats: seats.total,
        });
    }
    let report =
        storage::mobile_users::apply_import(&txn, organization, rows, &existing, i64::from(days))
            .await
            .step("write the users")?;
    storage::audit::record(
        &txn,
        actor,
        Change::new(
            Some(organization),
            AuditAction::MobileUserImport,
            format!("{} added, {} updated", report.added, report.updated),
        ),
    )
    .await
    .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(report)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("offline licences are off for this organization; an operator switches them on in Settings")]
pub struct OfflineOff;

/// Signs a new offline licence file from the current Enabled users.
pub async fn update_offline_licence(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: &organizations::Model,
    key: &KeyPair,
) -> Outcome<offline_licences::Model, OfflineOff> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let enabled = storage::settings::get(&txn, organization.id)
        .await
        .step("load the settings")?
        .offline_licenses_enabled;
    if !enabled {
        return refuse(OfflineOff);
    }
    let file = storage::offline::update(&txn, organization, key, Utc::now())
        .await
        .step("sign and store the file")?;
    storage::audit::record(
        &txn,
        actor,
        Change::new(
            Some(organization.id),
            AuditAction::OfflineLicenceUpdate,
            format!("{} users", file.users),
        ),
    )
    .await
    .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(file)
}
