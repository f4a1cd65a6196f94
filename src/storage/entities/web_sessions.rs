use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "web_sessions")]
pub struct Model {
    /// SHA-256 of the session key the cookie carries.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_hash: String,
    /// The signed-in administrator, so that all their sessions can be ended at once.
    pub administrator_id: Option<i64>,
    /// The session's values as a JSON object.
    pub state: String,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
