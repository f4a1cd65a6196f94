use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "sync_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub mobile_user_id: i64,
    pub device_id: Option<i64>,
    pub change_id: String,
    pub entity_name: String,
    pub record_id: String,
    pub op: crate::domain::sync::Op,
    pub outcome: crate::domain::sync::LogOutcome,
    pub kind: Option<crate::domain::sync::ConflictKind>,
    pub message: String,
    /// The change's field values, JSON.
    pub device_values: String,
    /// The record's field values when the change arrived, JSON; none for a new record.
    pub server_values: Option<String>,
    pub changed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub state: crate::domain::sync::LogState,
    /// The version taken when an administrator reverted the change: a device whose cursor
    /// is older gets the record in `discard`.
    pub reverted_version: Option<i64>,
    pub closed_at: Option<DateTimeUtc>,
    pub access_requested_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
