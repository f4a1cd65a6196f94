//! Areas, teams, employees and clients (docs/behaviour.md#active-devices), each scoped to its organization. A delete
//! that would leave a device without its team or one of its clients, or a team or client
//! without its area, is refused.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TryIntoModel,
};

use super::{
    contains_ci,
    entities::{areas, clients, device_clients, devices, employees, teams},
    fetch_page,
};
use crate::domain::{
    lookups::{ClientInput, ClientKind, EmployeeInput, TeamInput},
    paging::{Page, PageRequest},
};

#[derive(Debug, thiserror::Error)]
pub enum LookupStoreError {
    #[error("There is already one named “{0}”.")]
    NameTaken(String),
    #[error("{0}")]
    InUse(String),
    #[error("The area does not exist.")]
    NoSuchArea,
    #[error("The team does not exist.")]
    NoSuchTeam,
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub async fn areas_page(
    db: &impl ConnectionTrait,
    organization_id: i64,
    search: &str,
    request: PageRequest,
) -> Result<Page<areas::Model>, DbErr> {
    let mut query = areas::Entity::find().filter(areas::Column::OrganizationId.eq(organization_id));
    if !search.trim().is_empty() {
        query = query.filter(contains_ci(areas::Column::Name.into_expr(), search.trim()));
    }
    fetch_page(db, query.order_by_asc(areas::Column::Name), request).await
}

pub async fn all_areas(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<Vec<areas::Model>, DbErr> {
    areas::Entity::find()
        .filter(areas::Column::OrganizationId.eq(organization_id))
        .order_by_asc(areas::Column::Name)
        .all(db)
        .await
}

pub async fn find_area(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: i64,
) -> Result<Option<areas::Model>, DbErr> {
    areas::Entity::find_by_id(id)
        .filter(areas::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

async fn area_name_taken(
    db: &impl ConnectionTrait,
    organization_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool, DbErr> {
    let mut query = areas::Entity::find()
        .filter(areas::Column::OrganizationId.eq(organization_id))
        .filter(areas::Column::Name.eq(name));
    if let Some(id) = except {
        query = query.filter(areas::Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
}

/// Creates (`id` none) or renames an area.
pub async fn save_area(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: Option<i64>,
    name: &str,
) -> Result<areas::Model, LookupStoreError> {
    if area_name_taken(db, organization_id, name, id).await? {
        return Err(LookupStoreError::NameTaken(name.to_owned()));
    }
    let model = match id {
        Some(id) => {
            let area = find_area(db, organization_id, id)
                .await?
                .ok_or(LookupStoreError::NoSuchArea)?;
            let mut active: areas::ActiveModel = area.into();
            active.name = Set(name.to_owned());
            active.update(db).await?
        }
        None => {
            areas::ActiveModel {
                organization_id: Set(organization_id),
                name: Set(name.to_owned()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(db)
            .await?
        }
    };
    Ok(model)
}

pub async fn delete_area(
    db: &impl ConnectionTrait,
    area: &areas::Model,
) -> Result<(), LookupStoreError> {
    let teams = teams::Entity::find()
        .filter(teams::Column::AreaId.eq(area.id))
        .count(db)
        .await?;
    let clients = clients::Entity::find()
        .filter(clients::Column::AreaId.eq(area.id))
        .count(db)
        .await?;
    if teams + clients > 0 {
        return Err(LookupStoreError::InUse(format!(
            "Area {} is still the area of {teams} team(s) and {clients} client(s); move them first.",
            area.name
        )));
    }
    areas::Entity::delete_by_id(area.id).exec(db).await?;
    Ok(())
}

pub async fn teams_page(
    db: &impl ConnectionTrait,
    organization_id: i64,
    search: &str,
    request: PageRequest,
) -> Result<Page<teams::Model>, DbErr> {
    let mut query = teams::Entity::find().filter(teams::Column::OrganizationId.eq(organization_id));
    if !search.trim().is_empty() {
        query = query.filter(contains_ci(teams::Column::Name.into_expr(), search.trim()));
    }
    fetch_page(db, query.order_by_asc(teams::Column::Name), request).await
}

pub async fn find_team(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: i64,
) -> Result<Option<teams::Model>, DbErr> {
    teams::Entity::find_by_id(id)
        .filter(teams::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

/// Creates (`id` none) or changes a team.
pub async fn save_team(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: Option<i64>,
    input: &TeamInput,
) -> Result<teams::Model, LookupStoreError> {
    if let Some(area_id) = input.area_id
        && find_area(db, organization_id, area_id).await?.is_none()
    {
        return Err(LookupStoreError::NoSuchArea);
    }
    let mut taken = teams::Entity::find()
        .filter(teams::Column::OrganizationId.eq(organization_id))
        .filter(teams::Column::Name.eq(input.name.as_str()));
    if let Some(id) = id {
        taken = taken.filter(teams::Column::Id.ne(id));
    }
    if taken.count(db).await? > 0 {
        return Err(LookupStoreError::NameTaken(input.name.clone()));
    }
    let mut active = match id {
        Some(id) => find_team(db, organization_id, id)
            .await?
            .ok_or(DbErr::RecordNotFound(format!("team {id}")))?
            .into(),
        None => teams::ActiveModel {
            organization_id: Set(organization_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        },
    };
    active.name = Set(input.name.clone());
    active.time_zone = Set(input.time_zone.name().to_owned());
    active.area_id = Set(input.area_id);
    Ok(active.save(db).await?.try_into_model()?)
}

pub async fn delete_team(
    db: &impl ConnectionTrait,
    team: &teams::Model,
) -> Result<(), LookupStoreError> {
    let devices = devices::Entity::find()
        .filter(devices::Column::TeamId.eq(team.id))
        .count(db)
        .await?;
    if devices > 0 {
        return Err(LookupStoreError::InUse(format!(
            "Team {} still has {devices} device(s); move or delete them first.",
            team.name
        )));
    }
    teams::Entity::delete_by_id(team.id).exec(db).await?;
    Ok(())
}

pub async fn all_teams(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<Vec<teams::Model>, DbErr> {
    teams::Entity::find()
        .filter(teams::Column::OrganizationId.eq(organization_id))
        .order_by_asc(teams::Column::Name)
        .all(db)
        .await
}

pub async fn employees_page(
    db: &impl ConnectionTrait,
    organization_id: i64,
    search: &str,
    request: PageRequest,
) -> Result<Page<employees::Model>, DbErr> {
    use sea_orm::Condition;
    let mut query =
        employees::Entity::find().filter(employees::Column::OrganizationId.eq(organization_id));
    if !search.trim().is_empty() {
        query = query.filter(
            Condition::any()
                .add(contains_ci(
                    employees::Column::Name.into_expr(),
                    search.trim(),
                ))
                .add(contains_ci(
                    employees::Column::Email.into_expr(),
                    search.trim(),
                )),
        );
    }
    fetch_page(db, query.order_by_asc(employees::Column::Name), request).await
}

pub async fn all_employees(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<Vec<employees::Model>, DbErr> {
    employees::Entity::find()
        .filter(employees::Column::OrganizationId.eq(organization_id))
        .order_by_asc(employees::Column::Name)
        .all(db)
        .await
}

pub async fn find_employee(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: i64,
) -> Result<Option<employees::Model>, DbErr> {
    employees::Entity::find_by_id(id)
        .filter(employees::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

/// Creates (`id` none) or changes an employee.
pub async fn save_employee(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: Option<i64>,
    input: &EmployeeInput,
) -> Result<employees::Model, LookupStoreError> {
    if let Some(team_id) = input.team_id
        && find_team(db, organization_id, team_id).await?.is_none()
    {
        return Err(LookupStoreError::NoSuchTeam);
    }
    let mut active = match id {
        Some(id) => find_employee(db, organization_id, id)
            .await?
            .ok_or(DbErr::RecordNotFound(format!("employee {id}")))?
            .into(),
        None => employees::ActiveModel {
            organization_id: Set(organization_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        },
    };
    active.name = Set(input.name.clone());
    active.email = Set(input.email.to_string());
    active.team_id = Set(input.team_id);
    Ok(active.save(db).await?.try_into_model()?)
}

/// Employees only receive codes: deleting one orphans nothing.
pub async fn delete_employee(
    db: &impl ConnectionTrait,
    employee: &employees::Model,
) -> Result<(), DbErr> {
    employees::Entity::delete_by_id(employee.id)
        .exec(db)
        .await?;
    Ok(())
}

pub async fn clients_page(
    db: &impl ConnectionTrait,
    organization_id: i64,
    search: &str,
    request: PageRequest,
) -> Result<Page<clients::Model>, DbErr> {
    let mut query =
        clients::Entity::find().filter(clients::Column::OrganizationId.eq(organization_id));
    if !search.trim().is_empty() {
        query = query.filter(contains_ci(
            clients::Column::Name.into_expr(),
            search.trim(),
        ));
    }
    fetch_page(db, query.order_by_asc(clients::Column::Name), request).await
}

/// The organization's clients of one kind (all of them with `None`), by name.
pub async fn all_clients(
    db: &impl ConnectionTrait,
    organization_id: i64,
    kind: Option<ClientKind>,
) -> Result<Vec<clients::Model>, DbErr> {
    let mut query =
        clients::Entity::find().filter(clients::Column::OrganizationId.eq(organization_id));
    if let Some(kind) = kind {
        query = query.filter(clients::Column::Kind.eq(kind.key()));
    }
    query.order_by_asc(clients::Column::Name).all(db).await
}

pub async fn find_client(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: i64,
) -> Result<Option<clients::Model>, DbErr> {
    clients::Entity::find_by_id(id)
        .filter(clients::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

/// How many devices have the client among their assigned clients.
async fn devices_assigned(db: &impl ConnectionTrait, client_id: i64) -> Result<u64, DbErr> {
    device_clients::Entity::find()
        .filter(device_clients::Column::ClientId.eq(client_id))
        .count(db)
        .await
}

/// Creates (`id` none) or changes a client. A client assigned to devices (only wholesale
/// clients can be) stays wholesale.
pub async fn save_client(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: Option<i64>,
    input: &ClientInput,
) -> Result<clients::Model, LookupStoreError> {
    if let Some(area_id) = input.area_id
        && find_area(db, organization_id, area_id).await?.is_none()
    {
        return Err(LookupStoreError::NoSuchArea);
    }
    let mut taken = clients::Entity::find()
        .filter(clients::Column::OrganizationId.eq(organization_id))
        .filter(clients::Column::Name.eq(input.name.as_str()));
    if let Some(id) = id {
        taken = taken.filter(clients::Column::Id.ne(id));
    }
    if taken.count(db).await? > 0 {
        return Err(LookupStoreError::NameTaken(input.name.clone()));
    }
    let mut active = match id {
        Some(id) => {
            let client = find_client(db, organization_id, id)
                .await?
                .ok_or(DbErr::RecordNotFound(format!("client {id}")))?;
            let assigned = devices_assigned(db, client.id).await?;
            if input.kind != ClientKind::Wholesale && assigned > 0 {
                return Err(LookupStoreError::InUse(format!(
                    "Client {} is assigned to {assigned} device(s), which only wholesale \
                     clients can be; remove it from them first.",
                    client.name
                )));
            }
            client.into()
        }
        None => clients::ActiveModel {
            organization_id: Set(organization_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        },
    };
    active.name = Set(input.name.clone());
    active.kind = Set(input.kind);
    active.area_id = Set(input.area_id);
    Ok(active.save(db).await?.try_into_model()?)
}

pub async fn delete_client(
    db: &impl ConnectionTrait,
    client: &clients::Model,
) -> Result<(), LookupStoreError> {
    let assigned = devices_assigned(db, client.id).await?;
    if assigned > 0 {
        return Err(LookupStoreError::InUse(format!(
            "Client {} is assigned to {assigned} device(s); remove it from them first.",
            client.name
        )));
    }
    clients::Entity::delete_by_id(client.id).exec(db).await?;
    Ok(())
}
