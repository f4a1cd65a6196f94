use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};

use super::{
    contains_ci,
    entities::organizations::{self, Column, Entity, Model},
    fetch_page, order,
};
use crate::domain::{
    organization::{OrganizationDetails, OrganizationGuid},
    paging::{Page, PageRequest},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationSort {
    Name,
    Created,
    TrialUntil,
}

pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn find_by_guid(
    db: &impl ConnectionTrait,
    guid: OrganizationGuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.eq(guid.to_string()))
        .one(db)
        .await
}

/// Every organization by name, for the operator's organization selector.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find().order_by_asc(Column::Name).all(db).await
}

pub async fn list(
    db: &impl ConnectionTrait,
    search: &str,
    sort: OrganizationSort,
    descending: bool,
    request: PageRequest,
) -> Result<Page<Model>, DbErr> {
    let search = search.trim();
    let mut query = Entity::find();
    if !search.is_empty() {
        query = query.filter(
            Condition::any()
                .add(contains_ci(Column::Name.into_expr(), search))
                .add(contains_ci(Column::OrganizationId.into_expr(), search))
                .add(contains_ci(Column::Url.into_expr(), search)),
        );
    }
    let column = match sort {
        OrganizationSort::Name => Column::Name,
        OrganizationSort::Created => Column::CreatedAt,
        OrganizationSort::TrialUntil => Column::TrialUntil,
    };
    let query = query
        .order_by(column, order(descending))
        .order_by_asc(Column::Id);
    fetch_page(db, query, request).await
}

/// The organizations among `guids` that exist here.
pub async fn by_guids(db: &impl ConnectionTrait, guids: &[String]) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.is_in(guids.to_vec()))
        .all(db)
        .await
}

pub async fn insert(
    db: &impl ConnectionTrait,
    guid: OrganizationGuid,
    details: OrganizationDetails,
) -> Result<Model, DbErr> {
    let now = Utc::now();
    organizations::ActiveModel {
        organization_id: Set(guid.to_string()),
        name: Set(details.name),
        url: Set(details.url),
        trial_until: Set(details.trial_until),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn update(
    db: &impl ConnectionTrait,
    before: Model,
    details: OrganizationDetails,
) -> Result<Model, DbErr> {
    let mut active = before.into_active_model();
    active.name = Set(details.name);
    active.url = Set(details.url);
    active.trial_until = Set(details.trial_until);
    active.updated_at = Set(Utc::now());
    active.update(db).await
}
