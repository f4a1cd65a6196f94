//! Areas, teams, employees and clients (docs/behaviour.md#active-devices), each scoped to its
//! organization: the queries, the counts of what still uses an entry, and the writes.
//! `app::lookups` decides what is refused.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TryIntoModel,
};

use super::{
    contains_ci,
    entities::{areas, clients, device_clients, devices, employees, teams},
    fetch_page, lower, order,
};
use crate::domain::{
    lookups::{ClientInput, ClientKind, EmployeeInput, TeamInput},
    paging::{Page, PageRequest},
};

pub async fn areas_page(
    db: &impl ConnectionTrait,
    organization_id: i64,
    search: &str,
    descending: bool,
    request: PageRequest,
) -> Result<Page<areas::Model>, DbErr> {
    let mut query = areas::Entity::find().filter(areas::Column::OrganizationId.eq(organization_id));
    if !search.trim().is_empty() {
        query = query.filter(contains_ci(areas::Column::Name.into_expr(), search.trim()));
    }
    let query = query
        .order_by(lower(areas::Column::Name.into_expr()), order(descending))
        .order_by_asc(areas::Column::Id);
    fetch_page(db, query, request).await
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

pub async fn area_name_taken(
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

/// Renames `existing`, or creates an area when there is none.
pub async fn save_area(
    db: &impl ConnectionTrait,
    organization_id: i64,
    existing: Option<areas::Model>,
    name: &str,
) -> Result<areas::Model, DbErr> {
    match existing {
        Some(area) => {
            let mut active: areas::ActiveModel = area.into();
            active.name = Set(name.to_owned());
            active.update(db).await
        }
        None => {
            areas::ActiveModel {
                organization_id: Set(organization_id),
                name: Set(name.to_owned()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(db)
            .await
        }
    }
}

/// Teams and clients whose area this is.
pub async fn area_uses(db: &impl ConnectionTrait, area_id: i64) -> Result<(u64, u64), DbErr> {
    let teams = teams::Entity::find()
        .filter(teams::Column::AreaId.eq(area_id))
        .count(db)
        .await?;
    let clients = clients::Entity::find()
        .filter(clients::Column::AreaId.eq(area_id))
        .count(db)
        .await?;
    Ok((teams, clients))
}

pub async fn delete_area(db: &impl ConnectionTrait, area: &areas::Model) -> Result<(), DbErr> {
    areas::Entity::delete_by_id(area.id).exec(db).await?;
    Ok(())
}

pub async fn teams_page(
    db: &impl ConnectionTrait,
    organization_id: i64,
    search: &str,
    descending: bool,
    request: PageRequest,
) -> Result<Page<teams::Model>, DbErr> {
    let mut query = teams::Entity::find().filter(teams::Column::OrganizationId.eq(organization_id));
    if !search.trim().is_empty() {
        query = query.filter(contains_ci(teams::Column::Name.into_expr(), search.trim()));
    }
    let query = query
        .order_by(lower(teams::Column::Name.into_expr()), order(descending))
        .order_by_asc(teams::Column::Id);
    fetch_page(db, query, request).await
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

pub async fn team_name_taken(
    db: &impl ConnectionTrait,
    organization_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool, DbErr> {
    let mut taken = teams::Entity::find()
        .filter(teams::Column::OrganizationId.eq(organization_id))
        .filter(teams::Column::Name.eq(name));
    if let Some(id) = except {
        taken = taken.filter(teams::Column::Id.ne(id));
    }
    Ok(taken.count(db).await? > 0)
}

/// Changes `existing`, or creates a team when there is none.
pub async fn save_team(
    db: &impl ConnectionTrait,
    organization_id: i64,
    existing: Option<teams::Model>,
    input: &TeamInput,
) -> Result<teams::Model, DbErr> {
    let mut active = match existing {
        Some(team) => team.into(),
        None => teams::ActiveModel {
            organization_id: Set(organization_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        },
    };
    active.name = Set(input.name.clone());
    active.time_zone = Set(input.time_zone.name().to_owned());
    active.area_id = Set(input.area_id);
    active.save(db).await?.try_into_model()
}

/// Devices of the team.
pub async fn team_devices(db: &impl ConnectionTrait, team_id: i64) -> Result<u64, DbErr> {
    devices::Entity::find()
        .filter(devices::Column::TeamId.eq(team_id))
        .count(db)
        .await
}

pub async fn delete_team(db: &impl ConnectionTrait, team: &teams::Model) -> Result<(), DbErr> {
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
    descending: bool,
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
    let query = query
        .order_by(
            lower(employees::Column::Name.into_expr()),
            order(descending),
        )
        .order_by_asc(employees::Column::Id);
    fetch_page(db, query, request).await
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

/// Changes `existing`, or creates an employee when there is none.
pub async fn save_employee(
    db: &impl ConnectionTrait,
    organization_id: i64,
    existing: Option<employees::Model>,
    input: &EmployeeInput,
) -> Result<employees::Model, DbErr> {
    let mut active = match existing {
        Some(employee) => employee.into(),
        None => employees::ActiveModel {
            organization_id: Set(organization_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        },
    };
    active.name = Set(input.name.clone());
    active.email = Set(input.email.to_string());
    active.team_id = Set(input.team_id);
    active.save(db).await?.try_into_model()
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
    descending: bool,
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
    let query = query
        .order_by(lower(clients::Column::Name.into_expr()), order(descending))
        .order_by_asc(clients::Column::Id);
    fetch_page(db, query, request).await
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
/// Devices the client is assigned to.
pub async fn devices_assigned(db: &impl ConnectionTrait, client_id: i64) -> Result<u64, DbErr> {
    device_clients::Entity::find()
        .filter(device_clients::Column::ClientId.eq(client_id))
        .count(db)
        .await
}

pub async fn client_name_taken(
    db: &impl ConnectionTrait,
    organization_id: i64,
    name: &str,
    except: Option<i64>,
) -> Result<bool, DbErr> {
    let mut taken = clients::Entity::find()
        .filter(clients::Column::OrganizationId.eq(organization_id))
        .filter(clients::Column::Name.eq(name));
    if let Some(id) = except {
        taken = taken.filter(clients::Column::Id.ne(id));
    }
    Ok(taken.count(db).await? > 0)
}

/// Changes `existing`, or creates a client when there is none.
pub async fn save_client(
    db: &impl ConnectionTrait,
    organization_id: i64,
    existing: Option<clients::Model>,
    input: &ClientInput,
) -> Result<clients::Model, DbErr> {
    let mut active = match existing {
        Some(client) => client.into(),
        None => clients::ActiveModel {
            organization_id: Set(organization_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        },
    };
    active.name = Set(input.name.clone());
    active.kind = Set(input.kind);
    active.area_id = Set(input.area_id);
    active.save(db).await?.try_into_model()
}

pub async fn delete_client(
    db: &impl ConnectionTrait,
    client: &clients::Model,
) -> Result<(), DbErr> {
    clients::Entity::delete_by_id(client.id).exec(db).await?;
    Ok(())
}
