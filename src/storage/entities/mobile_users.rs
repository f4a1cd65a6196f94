use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mobile_users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub user_id: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub state: crate::domain::license_check::UserState,
    pub created_at: DateTimeUtc,
    pub last_sync_at: Option<DateTimeUtc>,
    pub device_info: Option<String>,
    pub app_version: Option<String>,
    pub temporary_license_until: Option<DateTimeUtc>,
    /// The organization's `users_version` at this row's last change.
    pub version: i64,
    /// `None`: the organization's default access profile.
    pub access_profile_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
