use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "licenses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub licence_id: String,
    pub product: String,
    pub valid_from: Date,
    pub valid_till: Date,
    pub seat_limit: i32,
    pub competitive: bool,
    #[serde(skip)]
    pub license_key: String,
    pub issued_at: DateTimeUtc,
    pub imported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
