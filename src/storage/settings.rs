//! Organization settings (§2.4); an organization without a row has the defaults.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel};

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
        sync_mode: "online".to_owned(),
        updated_at: Utc::now(),
    }
}

pub async fn get(db: &impl ConnectionTrait, organization_id: i64) -> Result<Model, DbErr> {
    Ok(Entity::find_by_id(organization_id)
        .one(db)
        .await?
        .unwrap_or_else(|| defaults(organization_id)))
}

/// Stores `settings` (insert or update).
pub async fn save(db: &impl ConnectionTrait, mut settings: Model) -> Result<Model, DbErr> {
    settings.updated_at = Utc::now();
    let exists = Entity::find_by_id(settings.organization_id)
        .one(db)
        .await?
        .is_some();
    let active = settings.into_active_model().reset_all();
    if exists {
        active.update(db).await
    } else {
        active.insert(db).await
    }
}
