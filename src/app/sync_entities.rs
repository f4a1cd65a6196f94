//! Entities devices sync: create one, change its label and fields (making a field required
//! later is allowed: old records stay as they are).

use sea_orm::DatabaseConnection;

use super::{Outcome, Step, refuse};
use crate::{
    domain::{audit::AuditAction, sync_entities::EntityInput},
    storage::{
        self,
        audit::{Actor, Change},
        entities::sync_entities::Model,
    },
};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EntityRefused {
    #[error("there is already an entity named {0}")]
    NameTaken(String),
    #[error("the entity was deleted meanwhile")]
    Gone,
}

/// Creates (`id` none) or changes an entity, audited with before and after.
pub async fn save(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    id: Option<i64>,
    input: &EntityInput,
) -> Outcome<Model, EntityRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    if storage::sync_entities::name_taken(&txn, organization, &input.name, id)
        .await
        .step("look for the name")?
    {
        return refuse(EntityRefused::NameTaken(input.name.clone()));
    }
    let before = match id {
        Some(id) => match storage::sync_entities::find(&txn, organization, id)
            .await
            .step("load the entity")?
        {
            Some(entity) => Some(entity),
            None => return refuse(EntityRefused::Gone),
        },
        None => None,
    };
    let after = storage::sync_entities::save(&txn, organization, before.clone(), input)
        .await
        .step("save the entity")?;
    let change = match &before {
        Some(before) => {
            Change::new(Some(organization), AuditAction::EntityUpdate, &after.name).before(before)
        }
        None => Change::new(Some(organization), AuditAction::EntityCreate, &after.name),
    };
    storage::audit::record(&txn, actor, change.after(&after))
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(after)
}
