use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_status")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mobile_user_id: i64,
    pub organization_id: i64,
    pub device_id: Option<i64>,
    pub synced_at: DateTimeUtc,
    pub check_status: String,
    pub check_state: String,
    /// The held-back changes the device reported, JSON: `[{"entity", "id", "op", "changed_at"}]`.
    pub pending: String,
    pub pending_count: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
