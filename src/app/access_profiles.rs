//! Access profiles: create, change, delete, and pick one for a mobile user. Each is
//! audited with before and after.

use sea_orm::DatabaseConnection;

use super::{Outcome, Step, refuse};
use crate::{
    domain::{access_profiles::ProfileInput, audit::AuditAction},
    storage::{
        self,
        audit::{Actor, Change},
        entities::{access_profiles::Model, mobile_users},
    },
};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProfileRefused {
    #[error("there is already a profile named {0}")]
    NameTaken(String),
    #[error("the profile was deleted meanwhile")]
    Gone,
    #[error("the default profile cannot be deleted; make another profile the default first")]
    DeleteDefault,
}

/// What the audit entry shows of a profile: its name, default flag, and rights per entity.
#[derive(serde::Serialize)]
struct Snapshot<'a> {
    name: &'a str,
    is_default: bool,
    rights: Vec<(String, String)>,
}

async fn snapshot(
    db: &impl sea_orm::ConnectionTrait,
    organization: i64,
    profile: &Model,
) -> Result<serde_json::Value, sea_orm::DbErr> {
    let with_rules = storage::access_profiles::with_rules(db, profile.clone()).await?;
    let rights = storage::sync_entities::all(db, organization)
        .await?
        .into_iter()
        .map(|entity| (entity.name, with_rules.rights(entity.id).summary()))
        .collect();
    Ok(serde_json::to_value(Snapshot {
        name: &profile.name,
        is_default: profile.is_default,
        rights,
    })
    .unwrap_or_default())
}

/// Creates (`id` none) or changes a profile. The organization's first profile is its
/// default whatever the form said, so every user always has one.
pub async fn save(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    id: Option<i64>,
    input: &ProfileInput,
) -> Outcome<Model, ProfileRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    if storage::access_profiles::name_taken(&txn, organization, &input.name, id)
        .await
        .step("look for the name")?
    {
        return refuse(ProfileRefused::NameTaken(input.name.clone()));
    }
    let before = match id {
        Some(id) => match storage::access_profiles::find(&txn, organization, id)
            .await
            .step("load the profile")?
        {
            Some(profile) => Some(profile),
            None => return refuse(ProfileRefused::Gone),
        },
        None => None,
    };
    let before_snapshot = match &before {
        Some(profile) => Some(
            snapshot(&txn, organization, profile)
                .await
                .step("describe the profile")?,
        ),
        None => None,
    };
    let mut input = input.clone();
    let first = before.is_none()
        && storage::access_profiles::count(&txn, organization)
            .await
            .step("count the profiles")?
            == 0;
    // Keep a default: the first profile is it, and the default cannot be unset here (another
    // profile takes it by becoming the default).
    if first || before.as_ref().is_some_and(|p| p.is_default) {
        input.is_default = true;
    }
    let after = storage::access_profiles::save(&txn, organization, before.clone(), &input)
        .await
        .step("save the profile")?;
    let after_snapshot = snapshot(&txn, organization, &after)
        .await
        .step("describe the profile")?;
    let change = match before_snapshot {
        Some(before) => Change::new(
            Some(organization),
            AuditAction::AccessProfileUpdate,
            &after.name,
        )
        .before(&before),
        None => Change::new(
            Some(organization),
            AuditAction::AccessProfileCreate,
            &after.name,
        ),
    };
    storage::audit::record(&txn, actor, change.after(&after_snapshot))
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(after)
}

/// Deletes a profile that is not the default; its users fall back to the default.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    id: i64,
) -> Outcome<Model, ProfileRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let Some(profile) = storage::access_profiles::find(&txn, organization, id)
        .await
        .step("load the profile")?
    else {
        return refuse(ProfileRefused::Gone);
    };
    if profile.is_default {
        return refuse(ProfileRefused::DeleteDefault);
    }
    let before = snapshot(&txn, organization, &profile)
        .await
        .step("describe the profile")?;
    storage::access_profiles::delete(&txn, &profile)
        .await
        .step("delete the profile")?;
    storage::audit::record(
        &txn,
        actor,
        Change::new(
            Some(organization),
            AuditAction::AccessProfileDelete,
            &profile.name,
        )
        .before(&before),
    )
    .await
    .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(profile)
}

/// Picks the profile a mobile user syncs with (`None`: the organization's default).
pub async fn assign(
    db: &DatabaseConnection,
    actor: &Actor,
    user: &mobile_users::Model,
    profile_id: Option<i64>,
) -> Outcome<Option<Model>, ProfileRefused> {
    let organization = user.organization_id;
    let txn = storage::begin_write(db).await.step("begin")?;
    let name_of = |profile: &Option<Model>| {
        profile
            .as_ref()
            .map_or("the default profile".to_owned(), |p| p.name.clone())
    };
    let before = match user.access_profile_id {
        Some(id) => storage::access_profiles::find(&txn, organization, id)
            .await
            .step("load the profile")?,
        None => None,
    };
    let after = match profile_id {
        Some(id) => match storage::access_profiles::find(&txn, organization, id)
            .await
            .step("load the profile")?
        {
            Some(profile) => Some(profile),
            None => return refuse(ProfileRefused::Gone),
        },
        None => None,
    };
    storage::access_profiles::assign(&txn, user, profile_id)
        .await
        .step("pick the profile")?;
    storage::audit::record(
        &txn,
        actor,
        Change::new(
            Some(organization),
            AuditAction::MobileUserProfile,
            format!("user {}", user.user_id),
        )
        .before(&serde_json::json!({ "access_profile": name_of(&before) }))
        .after(&serde_json::json!({ "access_profile": name_of(&after) })),
    )
    .await
    .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(after)
}
