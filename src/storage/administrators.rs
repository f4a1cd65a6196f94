use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};

use super::{
    contains_ci,
    entities::administrators::{self, Column, Entity, Model},
    fetch_page, order,
};
use crate::domain::{
    email::Email,
    paging::{Page, PageRequest},
    permissions::Role,
};

pub struct NewAdministrator {
    pub organization_id: Option<i64>,
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub password_hash: Option<String>,
}

/// Which administrators a viewer of the Administrators page sees.
#[derive(Debug, Clone, Copy)]
pub enum AdministratorScope {
    /// Those of one organization, plus the global operators when `with_operators`.
    Organization { id: i64, with_operators: bool },
    /// Only the operators (an operator with no organization selected).
    Operators,
}

impl AdministratorScope {
    fn condition(self) -> Condition {
        match self {
            Self::Organization { id, with_operators } => {
                let mut any = Condition::any().add(Column::OrganizationId.eq(id));
                if with_operators {
                    any = any.add(Column::OrganizationId.is_null());
                }
                any
            }
            Self::Operators => Condition::all().add(Column::OrganizationId.is_null()),
        }
    }
}

pub async fn any_exist(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(Entity::find().count(db).await? > 0)
}

pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// An administrator by id, but only when `scope` may see it: others are simply not found.
pub async fn find_in(
    db: &impl ConnectionTrait,
    scope: AdministratorScope,
    id: i64,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id)
        .filter(scope.condition())
        .one(db)
        .await
}

pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Email.eq(email.as_str()))
        .one(db)
        .await
}

pub async fn list(
    db: &impl ConnectionTrait,
    scope: AdministratorScope,
    search: &str,
    sort: Column,
    descending: bool,
    request: PageRequest,
) -> Result<Page<Model>, DbErr> {
    let mut query = Entity::find().filter(scope.condition());
    let search = search.trim();
    if !search.is_empty() {
        query = query.filter(
            Condition::any()
                .add(contains_ci(Column::Email.into_expr(), search))
                .add(contains_ci(Column::DisplayName.into_expr(), search)),
        );
    }
    let query = query
        .order_by(sort, order(descending))
        .order_by_asc(Column::Id);
    fetch_page(db, query, request).await
}

/// Inserts an administrator; the caller has checked the email is free.
pub async fn insert(db: &impl ConnectionTrait, new: NewAdministrator) -> Result<Model, DbErr> {
    let now = Utc::now();
    administrators::ActiveModel {
        organization_id: Set(new.organization_id),
        email: Set(new.email.to_string()),
        display_name: Set(new.display_name),
        password_hash: Set(new.password_hash),
        role: Set(new.role),
        active: Set(true),
        notify: Set(true),
        session_epoch: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Changes role and/or active flag; deactivation ends the administrator's sessions.
pub async fn update_access(
    db: &impl ConnectionTrait,
    before: &Model,
    role: Role,
    active: bool,
) -> Result<Model, DbErr> {
    let mut model = before.clone().into_active_model();
    model.role = Set(role);
    model.active = Set(active);
    if before.active && !active {
        model.session_epoch = Set(before.session_epoch + 1);
        super::web_sessions::delete_of_administrator(db, before.id).await?;
    }
    model.updated_at = Set(Utc::now());
    model.update(db).await
}

/// Stores a new password hash and ends every other session of this administrator.
pub async fn set_password(
    db: &impl ConnectionTrait,
    admin: Model,
    password_hash: String,
) -> Result<Model, DbErr> {
    let epoch = admin.session_epoch + 1;
    let mut model = admin.into_active_model();
    model.password_hash = Set(Some(password_hash));
    model.session_epoch = Set(epoch);
    model.updated_at = Set(Utc::now());
    let after = model.update(db).await?;
    super::web_sessions::delete_of_administrator(db, after.id).await?;
    Ok(after)
}

/// Ends every session of the administrator, on every instance ("sign out everywhere").
pub async fn end_sessions(db: &impl ConnectionTrait, admin: &Model) -> Result<(), DbErr> {
    let mut model = admin.clone().into_active_model();
    model.session_epoch = Set(admin.session_epoch + 1);
    model.update(db).await?;
    super::web_sessions::delete_of_administrator(db, admin.id).await?;
    Ok(())
}

/// Removes the password (a reset): the old one stops working and every session ends; the
/// administrator chooses a new one from the mailed link.
pub async fn clear_password(db: &impl ConnectionTrait, admin: &Model) -> Result<(), DbErr> {
    let mut model = admin.clone().into_active_model();
    model.password_hash = Set(None);
    model.session_epoch = Set(admin.session_epoch + 1);
    model.updated_at = Set(Utc::now());
    model.update(db).await?;
    super::web_sessions::delete_of_administrator(db, admin.id).await?;
    Ok(())
}
