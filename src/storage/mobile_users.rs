//! Mobile users (§2.1). The Mobile Users page and the licence check build on this.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter,
};

use super::entities::mobile_users::{self, Column, Entity, Model};

pub const ENABLED: &str = "Enabled";
pub const DISABLED: &str = "Disabled";
pub const PENDING: &str = "Pending";

pub async fn find_in(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: i64,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id)
        .filter(Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

/// By the GUID the client sends (stored lower-case).
pub async fn find_by_user_id(
    db: &impl ConnectionTrait,
    organization_id: i64,
    user_id: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::UserId.eq(user_id.trim().to_lowercase()))
        .one(db)
        .await
}

/// Creates a user directly (tests, demo data); the Mobile Users page adds its own checks.
pub async fn insert(
    db: &impl ConnectionTrait,
    organization_id: i64,
    user_id: &str,
    display_name: Option<&str>,
    state: &str,
) -> Result<Model, DbErr> {
    mobile_users::ActiveModel {
        organization_id: Set(organization_id),
        user_id: Set(user_id.trim().to_lowercase()),
        display_name: Set(display_name.map(str::to_owned)),
        email: Set(None),
        state: Set(state.to_owned()),
        created_at: Set(Utc::now()),
        last_sync_at: Set(None),
        device_info: Set(None),
        app_version: Set(None),
        temporary_license_until: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn set_state(db: &impl ConnectionTrait, user: &Model, state: &str) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::State, sea_orm::sea_query::Expr::value(state))
        .filter(Column::Id.eq(user.id))
        .exec(db)
        .await?;
    Ok(())
}
