use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "organization_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: i64,
    pub auto_assign_licenses: bool,
    pub auto_free_after_days: Option<i32>,
    pub temporary_license_days: i32,
    pub send_assignment_notifications: bool,
    pub notification_addresses: String,
    pub offline_licenses_enabled: bool,
    pub permission_request_email: Option<String>,
    pub sync_mode: crate::domain::settings::SyncMode,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
