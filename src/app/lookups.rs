//! The lookups devices refer to — areas, teams, employees and clients: create, change,
//! delete, each with its audit entry (before → after), refused while something still uses
//! the entry or when its name is taken.

use sea_orm::{DatabaseConnection, DatabaseTransaction};
use serde::Serialize;

use super::{Error, Failure, Outcome, Step};
use crate::{
    domain::{
        audit::AuditAction,
        lookups::{ClientInput, EmployeeInput, TeamInput},
    },
    storage::{
        self,
        audit::{Actor, Change},
        entities::{areas, clients, employees, teams},
        lookups::LookupStoreError,
    },
};

/// Why a lookup was not saved or deleted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LookupRefused {
    #[error("There is already one named “{0}”.")]
    NameTaken(String),
    /// Something still refers to it: the sentence says what, and what to do.
    #[error("{0}")]
    InUse(String),
    #[error("The area does not exist.")]
    NoSuchArea,
    #[error("The team does not exist.")]
    NoSuchTeam,
    #[error("It was deleted meanwhile.")]
    Gone,
}

fn split(step: &'static str) -> impl FnOnce(LookupStoreError) -> Error<LookupRefused> {
    move |error| match error {
        LookupStoreError::NameTaken(name) => Error::Refused(LookupRefused::NameTaken(name)),
        LookupStoreError::InUse(why) => Error::Refused(LookupRefused::InUse(why)),
        LookupStoreError::NoSuchArea => Error::Refused(LookupRefused::NoSuchArea),
        LookupStoreError::NoSuchTeam => Error::Refused(LookupRefused::NoSuchTeam),
        LookupStoreError::Db(error) => Error::Failed(Failure {
            step,
            source: error.into(),
        }),
    }
}

/// Records a created (`before` none) or changed entry and commits.
async fn commit_saved<T: Serialize>(
    txn: DatabaseTransaction,
    actor: &Actor,
    organization: i64,
    [create, update]: [AuditAction; 2],
    name: &str,
    before: Option<&T>,
    after: &T,
) -> Result<(), Failure> {
    let change = match before {
        Some(before) => Change::new(Some(organization), update, name).before(before),
        None => Change::new(Some(organization), create, name),
    };
    storage::audit::record(&txn, actor, change.after(after))
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")
}

/// Records a deletion and commits.
async fn commit_deleted<T: Serialize>(
    txn: DatabaseTransaction,
    actor: &Actor,
    organization: i64,
    action: AuditAction,
    name: &str,
    before: &T,
) -> Result<(), Failure> {
    let change = Change::new(Some(organization), action, name).before(before);
    storage::audit::record(&txn, actor, change)
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")
}

/// Loads the entry being changed (`id` some), refusing when it is gone.
fn existing<T>(
    found: Result<Option<T>, sea_orm::DbErr>,
    id: Option<i64>,
) -> Outcome<Option<T>, LookupRefused> {
    match (id, found.step("load the entry")?) {
        (None, _) => Ok(None),
        (Some(_), Some(entry)) => Ok(Some(entry)),
        (Some(_), None) => Err(Error::Refused(LookupRefused::Gone)),
    }
}

/// Creates (`id` none) or renames an area.
pub async fn save_area(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    id: Option<i64>,
    name: &str,
) -> Outcome<areas::Model, LookupRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let found = match id {
        Some(id) => storage::lookups::find_area(&txn, organization, id).await,
        None => Ok(None),
    };
    let before = existing(found, id)?;
    let area = storage::lookups::save_area(&txn, organization, id, name)
        .await
        .map_err(split("save the area"))?;
    let actions = [AuditAction::AreaCreate, AuditAction::AreaUpdate];
    commit_saved(
        txn,
        actor,
        organization,
        actions,
        &area.name,
        before.as_ref(),
        &area,
    )
    .await?;
    Ok(area)
}

pub async fn delete_area(
    db: &DatabaseConnection,
    actor: &Actor,
    area: &areas::Model,
) -> Outcome<(), LookupRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    storage::lookups::delete_area(&txn, area)
        .await
        .map_err(split("delete the area"))?;
    let action = AuditAction::AreaDelete;
    commit_deleted(txn, actor, area.organization_id, action, &area.name, area).await?;
    Ok(())
}

/// Creates (`id` none) or changes a team.
pub async fn save_team(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    id: Option<i64>,
    input: &TeamInput,
) -> Outcome<teams::Model, LookupRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let found = match id {
        Some(id) => storage::lookups::find_team(&txn, organization, id).await,
        None => Ok(None),
    };
    let before = existing(found, id)?;
    let team = storage::lookups::save_team(&txn, organization, id, input)
        .await
        .map_err(split("save the team"))?;
    let actions = [AuditAction::TeamCreate, AuditAction::TeamUpdate];
    commit_saved(
        txn,
        actor,
        organization,
        actions,
        &team.name,
        before.as_ref(),
        &team,
    )
    .await?;
    Ok(team)
}

pub async fn delete_team(
    db: &DatabaseConnection,
    actor: &Actor,
    team: &teams::Model,
) -> Outcome<(), LookupRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    storage::lookups::delete_team(&txn, team)
        .await
        .map_err(split("delete the team"))?;
    let action = AuditAction::TeamDelete;
    commit_deleted(txn, actor, team.organization_id, action, &team.name, team).await?;
    Ok(())
}

/// Creates (`id` none) or changes an employee.
pub async fn save_employee(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    id: Option<i64>,
    input: &EmployeeInput,
) -> Outcome<employees::Model, LookupRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let found = match id {
        Some(id) => storage::lookups::find_employee(&txn, organization, id).await,
        None => Ok(None),
    };
    let before = existing(found, id)?;
    let employee = storage::lookups::save_employee(&txn, organization, id, input)
        .await
        .map_err(split("save the employee"))?;
    let actions = [AuditAction::EmployeeCreate, AuditAction::EmployeeUpdate];
    let name = employee.name.clone();
    commit_saved(
        txn,
        actor,
        organization,
        actions,
        &name,
        before.as_ref(),
        &employee,
    )
    .await?;
    Ok(employee)
}

/// Employees only receive codes: deleting one orphans nothing.
pub async fn delete_employee(
    db: &DatabaseConnection,
    actor: &Actor,
    employee: &employees::Model,
) -> Result<(), Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    storage::lookups::delete_employee(&txn, employee)
        .await
        .step("delete the employee")?;
    let action = AuditAction::EmployeeDelete;
    let organization = employee.organization_id;
    commit_deleted(txn, actor, organization, action, &employee.name, employee).await
}

/// Creates (`id` none) or changes a client.
pub async fn save_client(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    id: Option<i64>,
    input: &ClientInput,
) -> Outcome<clients::Model, LookupRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let found = match id {
        Some(id) => storage::lookups::find_client(&txn, organization, id).await,
        None => Ok(None),
    };
    let before = existing(found, id)?;
    let client = storage::lookups::save_client(&txn, organization, id, input)
        .await
        .map_err(split("save the client"))?;
    let actions = [AuditAction::ClientCreate, AuditAction::ClientUpdate];
    let name = client.name.clone();
    commit_saved(
        txn,
        actor,
        organization,
        actions,
        &name,
        before.as_ref(),
        &client,
    )
    .await?;
    Ok(client)
}

pub async fn delete_client(
    db: &DatabaseConnection,
    actor: &Actor,
    client: &clients::Model,
) -> Outcome<(), LookupRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    storage::lookups::delete_client(&txn, client)
        .await
        .map_err(split("delete the client"))?;
    let action = AuditAction::ClientDelete;
    commit_deleted(
        txn,
        actor,
        client.organization_id,
        action,
        &client.name,
        client,
    )
    .await?;
    Ok(())
}
