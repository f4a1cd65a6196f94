//! Organization settings (docs/behaviour.md#organization-settings); an organization without a row has the defaults.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, sea_query::OnConflict,
};

use super::entities::organization_settings::{Entity, Model};

pub fn defaults(organization_id: i64) -> Model {
    Model {
        organization_id,
        auto_assign_licenses: false,
        auto_free_after_days: None,
        temporary_license_days: 14,
        send_assignment_notifications: false,
        notification_addresses: String::new(),
        offline_licenses_enabled: false,
        permission_request_email: None,
        sync_mode: crate::domain::settings::SyncMode::Online,
        updated_at: Utc::now(),
    }
}

pub async fn get(db: &impl ConnectionTrait, organization_id: i64) -> Result<Model, DbErr> {
    Ok(Entity::find_by_id(organization_id)
        .one(db)
        .await?
        .unwrap_or_else(|| defaults(organization_id)))
}

/// Stores `settings`: one statement that inserts or updates, so two first saves at once
/// cannot collide.
pub async fn save(db: &impl ConnectionTrait, mut settings: Model) -> Result<Model, DbErr> {
    use super::entities::organization_settings::Column;
    settings.updated_at = Utc::now();
    Entity::insert(settings.clone().into_active_model().reset_all())
        .on_conflict(
            OnConflict::column(Column::OrganizationId)
                .update_columns([
                    Column::AutoAssignLicenses,
                    Column::AutoFreeAfterDays,
                    Column::TemporaryLicenseDays,
                    Column::SendAssignmentNotifications,
                    Column::NotificationAddresses,
                    Column::OfflineLicensesEnabled,
                    Column::PermissionRequestEmail,
                    Column::SyncMode,
                    Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(settings)
}
