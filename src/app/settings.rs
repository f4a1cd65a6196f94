//! An organization's settings.

use sea_orm::DatabaseConnection;

use super::{Failure, Step};
use crate::{
    domain::{audit::AuditAction, settings::SettingsInput},
    storage::{
        self,
        audit::{Actor, Change},
        entities::organization_settings::Model,
    },
};

/// Saves the settings as typed. `offline_licenses` is `None` for administrators who may not
/// change it (only operators do): it stays as it was.
pub async fn save(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    input: SettingsInput,
    offline_licenses: Option<bool>,
) -> Result<Model, Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let before = storage::settings::get(&txn, organization)
        .await
        .step("load the settings")?;
    let after = Model {
        organization_id: organization,
        auto_assign_licenses: input.auto_assign_licenses,
        auto_free_after_days: input
            .auto_free_after_days
            .map(|d| i32::try_from(d).unwrap_or(i32::MAX)),
        temporary_license_days: i32::try_from(input.temporary_license_days).unwrap_or(14),
        send_assignment_notifications: input.send_assignment_notifications,
        notification_addresses: input
            .notification_addresses
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
        offline_licenses_enabled: offline_licenses.unwrap_or(before.offline_licenses_enabled),
        permission_request_email: input.permission_request_email.map(|e| e.to_string()),
        sync_mode: input.sync_mode,
        updated_at: before.updated_at,
    };
    let saved = storage::settings::save(&txn, after)
        .await
        .step("save the settings")?;
    let change = Change::new(
        Some(organization),
        AuditAction::SettingsUpdate,
        "organization settings",
    );
    storage::audit::record(&txn, actor, change.before(&before).after(&saved))
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(saved)
}
