use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_record_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub record_pk: i64,
    pub version: i64,
    pub fields: String,
    pub deleted: bool,
    pub changed_by: String,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
