//! The lookups devices refer to — areas, teams, employees and clients: create, change,
//! delete, each with its audit entry (before → after). Refused when the name is taken in
//! the organization, when an entry it names does not exist there, and when deleting (or,
//! for a client, making it retail) would leave something that uses it without it.

use sea_orm::DatabaseConnection;

use crate::storage::WriteTransaction;
use serde::Serialize;

use super::{Failure, Outcome, Step, refuse};
use crate::{
    domain::{
        audit::AuditAction,
        lookups::{ClientInput, ClientKind, EmployeeInput, TeamInput},
    },
    storage::{
        self,
        audit::{Actor, Change},
        entities::{areas, clients, employees, teams},
    },
};

/// Why a lookup was not saved or deleted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LookupRefused {
    #[error("There is already one named “{0}”.")]
    NameTaken(String),
    #[error("The area does not exist.")]
    NoSuchArea,
    #[error("The team does not exist.")]
    NoSuchTeam,
    #[error("It was deleted meanwhile.")]
    Gone,
    #[error(
        "Area {name} is still the area of {teams} team(s) and {clients} client(s); move them first."
    )]
    AreaInUse {
        name: String,
        teams: u64,
        clients: u64,
    },
    #[error("Team {name} still has {devices} device(s); move or delete them first.")]
    TeamInUse { name: String, devices: u64 },
    #[error("Client {name} is assigned to {devices} device(s); remove it from them first.")]
    ClientInUse { name: String, devices: u64 },
    #[error(
        "Client {name} is assigned to {devices} device(s), which only wholesale clients can be; \
         remove it from them first."
    )]
    ClientMustStayWholesale { name: String, devices: u64 },
}

/// Records a created (`before` none) or changed entry and commits.
async fn commit_saved<T: Serialize>(
    txn: WriteTransaction,
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
    txn: WriteTransaction,
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

/// The entry being changed (`id` some), refused when it is gone; none for a new one.
fn existing<T>(
    found: Result<Option<T>, sea_orm::DbErr>,
    id: Option<i64>,
) -> Outcome<Option<T>, LookupRefused> {
    match (id, found.step("load the entry")?) {
        (None, _) => Ok(None),
        (Some(_), Some(entry)) => Ok(Some(entry)),
        (Some(_), None) => refuse(LookupRefused::Gone),
    }
}

/// Refuses an area id that is not one of the organization's.
async fn check_area(
    txn: &WriteTransaction,
    organization: i64,
    area_id: Option<i64>,
) -> Outcome<(), LookupRefused> {
    if let Some(area_id) = area_id
        && storage::lookups::find_area(txn, organization, area_id)
            .await
            .step("find the area")?
            .is_none()
    {
        return refuse(LookupRefused::NoSuchArea);
    }
    Ok(())
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
    if storage::lookups::area_name_taken(&txn, organization, name, id)
        .await
        .step("look for the name")?
    {
        return refuse(LookupRefused::NameTaken(name.to_owned()));
    }
    let found = match id {
        Some(id) => storage::lookups::find_area(&txn, organization, id).await,
        None => Ok(None),
    };
    let before = existing(found, id)?;
    let area = storage::lookups::save_area(&txn, organization, before.clone(), name)
        .await
        .step("save the area")?;
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
    let (teams, clients) = storage::lookups::area_uses(&txn, area.id)
        .await
        .step("count what uses the area")?;
    if teams + clients > 0 {
        return refuse(LookupRefused::AreaInUse {
            name: area.name.clone(),
            teams,
            clients,
        });
    }
    storage::lookups::delete_area(&txn, area)
        .await
        .step("delete the area")?;
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
    check_area(&txn, organization, input.area_id).await?;
    if storage::lookups::team_name_taken(&txn, organization, &input.name, id)
        .await
        .step("look for the name")?
    {
        return refuse(LookupRefused::NameTaken(input.name.clone()));
    }
    let found = match id {
        Some(id) => storage::lookups::find_team(&txn, organization, id).await,
        None => Ok(None),
    };
    let before = existing(found, id)?;
    let team = storage::lookups::save_team(&txn, organization, before.clone(), input)
        .await
        .step("save the team")?;
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
    let devices = storage::lookups::team_devices(&txn, team.id)
        .await
        .step("count the team's devices")?;
    if devices > 0 {
        return refuse(LookupRefused::TeamInUse {
            name: team.name.clone(),
            devices,
        });
    }
    storage::lookups::delete_team(&txn, team)
        .await
        .step("delete the team")?;
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
    if let Some(team_id) = input.team_id
        && storage::lookups::find_team(&txn, organization, team_id)
            .await
            .step("find the team")?
            .is_none()
    {
        return refuse(LookupRefused::NoSuchTeam);
    }
    let found = match id {
        Some(id) => storage::lookups::find_employee(&txn, organization, id).await,
        None => Ok(None),
    };
    let before = existing(found, id)?;
    let employee = storage::lookups::save_employee(&txn, organization, before.clone(), input)
        .await
        .step("save the employee")?;
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
) -> Outcome<(), LookupRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    storage::lookups::delete_employee(&txn, employee)
        .await
        .step("delete the employee")?;
    let action = AuditAction::EmployeeDelete;
    let organization = employee.organization_id;
    commit_deleted(txn, actor, organization, action, &employee.name, employee).await?;
    Ok(())
}

/// Creates (`id` none) or changes a client. A client assigned to devices (only wholesale
/// clients can be) stays wholesale.
pub async fn save_client(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    id: Option<i64>,
    input: &ClientInput,
) -> Outcome<clients::Model, LookupRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    check_area(&txn, organization, input.area_id).await?;
    if storage::lookups::client_name_taken(&txn, organization, &input.name, id)
        .await
        .step("look for the name")?
    {
        return refuse(LookupRefused::NameTaken(input.name.clone()));
    }
    let found = match id {
        Some(id) => storage::lookups::find_client(&txn, organization, id).await,
        None => Ok(None),
    };
    let before = existing(found, id)?;
    if let Some(client) = &before
        && input.kind != ClientKind::Wholesale
    {
        let devices = storage::lookups::devices_assigned(&txn, client.id)
            .await
            .step("count the client's devices")?;
        if devices > 0 {
            return refuse(LookupRefused::ClientMustStayWholesale {
                name: client.name.clone(),
                devices,
            });
        }
    }
    let client = storage::lookups::save_client(&txn, organization, before.clone(), input)
        .await
        .step("save the client")?;
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
    let devices = storage::lookups::devices_assigned(&txn, client.id)
        .await
        .step("count the client's devices")?;
    if devices > 0 {
        return refuse(LookupRefused::ClientInUse {
            name: client.name.clone(),
            devices,
        });
    }
    storage::lookups::delete_client(&txn, client)
        .await
        .step("delete the client")?;
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
