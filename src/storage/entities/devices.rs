use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "devices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub team_id: i64,
    /// `None`: the team's default.
    pub time_zone: Option<String>,
    pub license_id: Option<i64>,
    pub nickname: String,
    pub description: Option<String>,
    pub platform: Option<String>,
    pub os_type: Option<String>,
    pub app_version: Option<String>,
    pub device_name: Option<String>,
    pub device_identifier: Option<String>,
    #[serde(skip)]
    pub token_hash: Option<String>,
    pub registered_at: Option<DateTimeUtc>,
    pub changed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub client_type: String,
    pub all_clients: bool,
    pub include_area: bool,
    /// `None`: the company settings.
    pub functionality: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
