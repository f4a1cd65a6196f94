//! Access profiles and their rules per entity (docs/behaviour.md#mobile-sync).

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TryIntoModel, sea_query::Expr,
};

use super::entities::{
    access_profiles::{self, Column, Entity, Model},
    access_rules, mobile_users,
};
use crate::domain::access_profiles::{ProfileInput, Rights};

/// A profile with its rights per entity (by the entity's row id; an entity without a rule
/// allows nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub profile: Model,
    pub rules: HashMap<i64, Rights>,
}

impl Profile {
    pub fn rights(&self, entity_id: i64) -> Rights {
        self.rules.get(&entity_id).copied().unwrap_or_default()
    }
}

fn rights(rule: &access_rules::Model) -> Rights {
    Rights {
        read: rule.can_read,
        create: rule.can_create,
        update: rule.can_update,
        delete: rule.can_delete,
    }
}

pub async fn all(db: &impl ConnectionTrait, organization_id: i64) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .order_by_desc(Column::IsDefault)
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

/// The profile with its rules.
pub async fn with_rules(db: &impl ConnectionTrait, profile: Model) -> Result<Profile, DbErr> {
    let rules = access_rules::Entity::find()
        .filter(access_rules::Column::ProfileId.eq(profile.id))
        .all(db)
        .await?
        .iter()
        .map(|rule| (rule.entity_id, rights(rule)))
        .collect();
    Ok(Profile { profile, rules })
}

/// The profile a mobile user syncs with: the one picked for them, else the organization's
/// default; none when the organization has no profile.
pub async fn of_user(
    db: &impl ConnectionTrait,
    user: &mobile_users::Model,
) -> Result<Option<Profile>, DbErr> {
    let picked = match user.access_profile_id {
        Some(id) => find(db, user.organization_id, id).await?,
        None => None,
    };
    let profile = match picked {
        Some(profile) => Some(profile),
        None => {
            Entity::find()
                .filter(Column::OrganizationId.eq(user.organization_id))
                .filter(Column::IsDefault.eq(true))
                .one(db)
                .await?
        }
    };
    match profile {
        Some(profile) => Ok(Some(with_rules(db, profile).await?)),
        None => Ok(None),
    }
}

pub async fn name_taken(
    db: &impl ConnectionTrait,
    organization_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::{ExprTrait, Func};
    let mut query = Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Func::lower(Column::Name.into_expr()).eq(name.to_lowercase()));
    if let Some(id) = except {
        query = query.filter(Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
}

pub async fn count(db: &impl ConnectionTrait, organization_id: i64) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .count(db)
        .await
}

/// How many mobile users have picked each profile.
pub async fn users_per_profile(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<HashMap<i64, i64>, DbErr> {
    use sea_orm::{FromQueryResult, QuerySelect};
    #[derive(FromQueryResult)]
    struct Row {
        access_profile_id: Option<i64>,
        users: i64,
    }
    let rows = mobile_users::Entity::find()
        .select_only()
        .column(mobile_users::Column::AccessProfileId)
        .column_as(mobile_users::Column::Id.count(), "users")
        .filter(mobile_users::Column::OrganizationId.eq(organization_id))
        .filter(mobile_users::Column::AccessProfileId.is_not_null())
        .group_by(mobile_users::Column::AccessProfileId)
        .into_model::<Row>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| row.access_profile_id.map(|id| (id, row.users)))
        .collect())
}

/// Changes `existing`, or creates a profile, and replaces its rules. A default profile
/// takes the default from the organization's others.
pub async fn save(
    db: &impl ConnectionTrait,
    organization_id: i64,
    existing: Option<Model>,
    input: &ProfileInput,
) -> Result<Model, DbErr> {
    let now = Utc::now();
    if input.is_default {
        Entity::update_many()
            .col_expr(Column::IsDefault, Expr::value(false))
            .filter(Column::OrganizationId.eq(organization_id))
            .exec(db)
            .await?;
    }
    let mut active: access_profiles::ActiveModel = match existing {
        Some(profile) => profile.into(),
        None => access_profiles::ActiveModel {
            organization_id: Set(organization_id),
            created_at: Set(now),
            ..Default::default()
        },
    };
    active.name = Set(input.name.clone());
    active.is_default = Set(input.is_default);
    active.updated_at = Set(now);
    let profile = active.save(db).await?.try_into_model()?;
    access_rules::Entity::delete_many()
        .filter(access_rules::Column::ProfileId.eq(profile.id))
        .exec(db)
        .await?;
    let rules: Vec<access_rules::ActiveModel> = input
        .rules
        .iter()
        .filter(|(_, rights)| *rights != Rights::default())
        .map(|(entity_id, rights)| access_rules::ActiveModel {
            profile_id: Set(profile.id),
            entity_id: Set(*entity_id),
            can_read: Set(rights.read),
            can_create: Set(rights.create),
            can_update: Set(rights.update),
            can_delete: Set(rights.delete),
        })
        .collect();
    if !rules.is_empty() {
        access_rules::Entity::insert_many(rules).exec(db).await?;
    }
    Ok(profile)
}

/// Deletes a profile; its users fall back to the default.
pub async fn delete(db: &impl ConnectionTrait, profile: &Model) -> Result<(), DbErr> {
    mobile_users::Entity::update_many()
        .col_expr(
            mobile_users::Column::AccessProfileId,
            Expr::value(Option::<i64>::None),
        )
        .filter(mobile_users::Column::AccessProfileId.eq(profile.id))
        .exec(db)
        .await?;
    Entity::delete_by_id(profile.id).exec(db).await?;
    Ok(())
}

/// Picks a profile for a mobile user (`None`: the default).
pub async fn assign(
    db: &impl ConnectionTrait,
    user: &mobile_users::Model,
    profile_id: Option<i64>,
) -> Result<(), DbErr> {
    mobile_users::Entity::update_many()
        .col_expr(
            mobile_users::Column::AccessProfileId,
            Expr::value(profile_id),
        )
        .filter(mobile_users::Column::Id.eq(user.id))
        .exec(db)
        .await?;
    Ok(())
}
