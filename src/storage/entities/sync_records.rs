use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "sync_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub entity_id: i64,
    /// The GUID its creator chose, lower-case with hyphens.
    pub record_id: String,
    /// A JSON object of field values.
    pub fields: String,
    /// A JSON object: per field, `{"v": version, "at": time}` of its last change.
    #[serde(skip)]
    pub field_stamps: String,
    pub version: i64,
    pub deleted: bool,
    pub updated_at: DateTimeUtc,
    /// `domain::sync::ChangedBy`'s words: who changed it last.
    pub updated_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
