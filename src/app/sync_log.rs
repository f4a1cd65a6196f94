//! What an administrator does with a logged conflict (docs/behaviour.md#sync-log): revert
//! the device's change, or ask for the permission it lacked — each audited.

use chrono::Utc;
use sea_orm::DatabaseConnection;

use super::{Outcome, Step, refuse};
use crate::{
    domain::{
        audit::AuditAction,
        sync::{ConflictKind, LogOutcome, LogState},
    },
    mail::messages::{self, AccessRequest},
    storage::{
        self,
        audit::{Actor, Change},
        entities::sync_log::Model,
    },
};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LogRefused {
    #[error("the log entry is gone")]
    Gone,
    #[error("only a conflict can be reverted; this change was superseded and is dropped already")]
    NotAConflict,
    #[error("the change was reverted already")]
    AlreadyReverted,
    #[error("access can be requested only for a change refused for want of permission")]
    NotAPermission,
    #[error("the organization has no permission request address; set one on the Settings page")]
    NoAddress,
}

/// Reverts a conflict: the device is told at its next sync to drop its change and keep the
/// server copy. The version taken here is what tells the device's cursor it has not yet
/// heard of the revert.
pub async fn revert(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    id: i64,
) -> Outcome<Model, LogRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let last = storage::sync_records::lock_versions(&txn, organization)
        .await
        .step("take the version lock")?;
    let Some(entry) = storage::sync_log::find(&txn, organization, id)
        .await
        .step("load the log entry")?
    else {
        return refuse(LogRefused::Gone);
    };
    if entry.outcome != LogOutcome::Conflict {
        return refuse(LogRefused::NotAConflict);
    }
    if entry.state == LogState::Reverted {
        return refuse(LogRefused::AlreadyReverted);
    }
    let version = last + 1;
    storage::sync_log::revert(&txn, &entry, version, Utc::now())
        .await
        .step("close the entry")?;
    storage::sync_records::set_last_version(&txn, organization, version)
        .await
        .step("store the last version")?;
    storage::audit::record(
        &txn,
        actor,
        Change::new(
            Some(organization),
            AuditAction::SyncRevert,
            format!(
                "{} of {} {} (change {})",
                entry.op.as_str(),
                entry.entity_name,
                entry.record_id,
                entry.change_id
            ),
        ),
    )
    .await
    .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(entry)
}

/// What `request_access` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessRequested {
    /// A mail to this address is queued.
    Queued(String),
    /// The mail was queued by an earlier press.
    Already,
}

/// Queues one mail to the permission request address naming the user, the record and the
/// missing permission — once per conflict however often it is asked.
pub async fn request_access(
    db: &DatabaseConnection,
    actor: &Actor,
    organization_id: i64,
    id: i64,
    base_url: &str,
) -> Outcome<AccessRequested, LogRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let Some(entry) = storage::sync_log::find(&txn, organization_id, id)
        .await
        .step("load the log entry")?
    else {
        return refuse(LogRefused::Gone);
    };
    if entry.kind != Some(ConflictKind::PermissionDenied) {
        return refuse(LogRefused::NotAPermission);
    }
    let settings = storage::settings::get(&txn, organization_id)
        .await
        .step("load the settings")?;
    let Some(address) = settings.permission_request_email.clone() else {
        return refuse(LogRefused::NoAddress);
    };
    if !storage::sync_log::mark_access_requested(&txn, &entry, Utc::now())
        .await
        .step("mark the request")?
    {
        return Ok(AccessRequested::Already);
    }
    let organization = storage::organizations::find(&txn, organization_id)
        .await
        .step("load the organization")?
        .map(|o| o.name)
        .unwrap_or_default();
    let user = storage::mobile_users::find_in(&txn, organization_id, entry.mobile_user_id)
        .await
        .step("load the user")?;
    let user_label =
        user.as_ref()
            .map_or(String::from("(deleted user)"), |u| match &u.display_name {
                Some(name) => format!("{name} ({})", u.user_id),
                None => u.user_id.clone(),
            });
    let profile = match &user {
        Some(user) => storage::access_profiles::of_user(&txn, user)
            .await
            .step("load the user's profile")?
            .map(|p| p.profile.name),
        None => None,
    }
    .unwrap_or_else(|| "none".to_owned());
    let link = format!("{}/access-profiles", base_url.trim_end_matches('/'));
    let mail = messages::access_request(
        organization_id,
        &address,
        &AccessRequest {
            organization: &organization,
            user: &user_label,
            entity: &entry.entity_name,
            record_id: &entry.record_id,
            permission: entry.op.as_str(),
            profile: &profile,
            message: &entry.message,
            link: &link,
        },
    )
    .step("render the access request")?;
    storage::outbox::enqueue(&txn, mail)
        .await
        .step("queue the access request")?;
    storage::audit::record(
        &txn,
        actor,
        Change::new(
            Some(organization_id),
            AuditAction::SyncRequestAccess,
            format!(
                "{} on {} for {user_label}",
                entry.op.as_str(),
                entry.entity_name
            ),
        ),
    )
    .await
    .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(AccessRequested::Queued(address))
}
