//! Organizations (tenants), which only operators create and change.

use sea_orm::DatabaseConnection;

use super::{Failure, Outcome, Step, refuse};
use crate::{
    domain::{
        audit::AuditAction,
        organization::{OrganizationDetails, OrganizationGuid},
    },
    storage::{
        self,
        audit::{Actor, Change},
        entities::organizations::Model,
    },
};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("an organization with the id {0} already exists")]
pub struct GuidTaken(pub OrganizationGuid);

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    guid: OrganizationGuid,
    details: OrganizationDetails,
) -> Outcome<Model, GuidTaken> {
    let txn = storage::begin_write(db).await.step("begin")?;
    if storage::organizations::find_by_guid(&txn, guid)
        .await
        .step("look for the id")?
        .is_some()
    {
        return refuse(GuidTaken(guid));
    }
    let organization = storage::organizations::insert(&txn, guid, details)
        .await
        .step("insert the organization")?;
    let change = Change::new(
        Some(organization.id),
        AuditAction::OrganizationCreate,
        &organization.name,
    );
    storage::audit::record(&txn, actor, change.after(&organization))
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(organization)
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    before: Model,
    details: OrganizationDetails,
) -> Result<Model, Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let after = storage::organizations::update(&txn, before.clone(), details)
        .await
        .step("save the organization")?;
    let change = Change::new(Some(after.id), AuditAction::OrganizationUpdate, &after.name);
    storage::audit::record(&txn, actor, change.before(&before).after(&after))
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(after)
}
