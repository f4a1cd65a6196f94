use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sync_working_set")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mobile_user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_pk: i64,
    pub touched_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
