use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "license_warnings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub license_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub days_before: i32,
    pub queued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
