use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "licenses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub licence_id: String,
    pub product: crate::domain::products::Product,
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

impl Model {
    /// What the licence grants, for the rules in `domain::products`.
    pub fn terms(&self) -> crate::domain::products::LicenceTerms {
        crate::domain::products::LicenceTerms {
            valid_from: self.valid_from,
            valid_till: self.valid_till,
            limit: u32::try_from(self.seat_limit).unwrap_or(0),
        }
    }
}
