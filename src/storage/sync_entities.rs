//! The entities of an organization that devices sync (docs/behaviour.md#mobile-sync).

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TryIntoModel,
};

use super::entities::sync_entities::{self, Column, Entity, Model};
use crate::domain::sync_entities::{EntityInput, Field};

pub async fn all(db: &impl ConnectionTrait, organization_id: i64) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .order_by_asc(Column::Name)
        .all(db)
        .await
}

pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: i64,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id)
        .filter(Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

pub async fn name_taken(
    db: &impl ConnectionTrait,
    organization_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool, DbErr> {
    let mut query = Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::Name.eq(name));
    if let Some(id) = except {
        query = query.filter(Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
}

/// The entity's fields, as stored.
pub fn fields(entity: &Model) -> Result<Vec<Field>, DbErr> {
    serde_json::from_str(&entity.fields)
        .map_err(|e| DbErr::Type(format!("the fields of entity {}: {e}", entity.name)))
}

/// Changes `existing`, or creates an entity when there is none.
pub async fn save(
    db: &impl ConnectionTrait,
    organization_id: i64,
    existing: Option<Model>,
    input: &EntityInput,
) -> Result<Model, DbErr> {
    let now = Utc::now();
    let fields =
        serde_json::to_string(&input.fields).map_err(|e| DbErr::Type(format!("fields: {e}")))?;
    let mut active: sync_entities::ActiveModel = match existing {
        Some(entity) => entity.into(),
        None => sync_entities::ActiveModel {
            organization_id: Set(organization_id),
            created_at: Set(now),
            ..Default::default()
        },
    };
    active.name = Set(input.name.clone());
    active.label = Set(input.label.clone());
    active.fields = Set(fields);
    active.updated_at = Set(now);
    active.save(db).await?.try_into_model()
}
