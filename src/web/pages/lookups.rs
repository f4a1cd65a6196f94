//! Teams, Areas and Employees (docs/behaviour.md#active-devices): a list with search and pagination, an Add form under it, an
//! edit page per entry, and Delete — refused while devices, teams or clients still need the
//! entry. A form with a mistake comes back with what was typed and the reason.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app,
    domain::{
        lookups::{EmployeeInput, TeamInput, parse_name, time_zones},
        permissions::{Action, ObjectClass, Permission},
    },
    storage::{
        self,
        entities::{areas, employees, teams},
    },
    web::{
        confirm::Confirmation,
        error::AppError,
        guard::{Can, ChangeDevices, CurrentAdmin, ReadDevices},
        page::{ListParams, Listing, PageContext, form_result, redirect, render, render_form},
        state::AppState,
    },
};

/// What the team form holds, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct TeamForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    area_id: String,
}

impl TeamForm {
    fn of(team: &teams::Model) -> Self {
        Self {
            name: team.name.clone(),
            time_zone: team.time_zone.clone(),
            area_id: team.area_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct AreaForm {
    #[serde(default)]
    name: String,
}

/// A team row with its area's name.
pub struct TeamRow {
    team: teams::Model,
    area: String,
}

#[derive(Template)]
#[template(path = "teams.html")]
struct TeamsPage {
    ctx: PageContext,
    rows: Vec<TeamRow>,
    list: Listing,
    can_change: bool,
    form: TeamForm,
    error: Option<String>,
    areas: Vec<areas::Model>,
    time_zones: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "team_edit.html")]
struct TeamEditPage {
    ctx: PageContext,
    team: teams::Model,
    form: TeamForm,
    error: Option<String>,
    areas: Vec<areas::Model>,
    time_zones: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "areas.html")]
struct AreasPage {
    ctx: PageContext,
    areas: Vec<areas::Model>,
    list: Listing,
    can_change: bool,
    form: AreaForm,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "area_edit.html")]
struct AreaEditPage {
    ctx: PageContext,
    area: areas::Model,
    form: AreaForm,
    error: Option<String>,
}

/// Ends a delete: the success or the refusal goes to the flash; a failure stays an error.
pub(super) fn finish_delete<R: std::fmt::Display>(
    admin: &CurrentAdmin,
    result: app::Outcome<(), R>,
    what: String,
) -> Result<(), AppError> {
    match result {
        Ok(()) => admin.session.flash_success(format!("{what} deleted."))?,
        Err(app::Error::Refused(reason)) => admin.session.flash_error(reason.to_string())?,
        Err(app::Error::Failed(failure)) => return Err(failure.into()),
    }
    Ok(())
}

pub(super) fn can_change(admin: &CurrentAdmin) -> bool {
    admin.can(Permission::new(ObjectClass::Devices, Action::Update))
}

async fn teams_list(
    state: &AppState,
    admin: &CurrentAdmin,
    params: &ListParams,
    form: TeamForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let page = storage::lookups::teams_page(
        &state.db,
        organization,
        &params.q,
        params.descending(),
        params.page_request(),
    )
    .await?;
    let areas = storage::lookups::all_areas(&state.db, organization).await?;
    let names: HashMap<i64, &str> = areas.iter().map(|a| (a.id, a.name.as_str())).collect();
    let rows = page
        .items
        .iter()
        .map(|team| TeamRow {
            area: team
                .area_id
                .and_then(|id| names.get(&id).map(|n| (*n).to_owned()))
                .unwrap_or_default(),
            team: team.clone(),
        })
        .collect();
    let list = Listing::new("/teams", params, "name", &page, Vec::new());
    render_form(
        error.is_some(),
        &TeamsPage {
            ctx: PageContext::for_admin(state, admin, "/devices").await?,
            rows,
            list,
            can_change: can_change(admin),
            form,
            error,
            areas,
            time_zones: time_zones().collect(),
        },
    )
}

#[get("/teams")]
pub async fn teams_page(
    state: web::Data<AppState>,
    admin: Can<ReadDevices>,
    query: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let form = TeamForm {
        time_zone: "UTC".to_owned(),
        ..TeamForm::default()
    };
    teams_list(&state, &admin, &query, form, None).await
}

/// Saves a new (`id` none) or changed team; the message when it cannot.
async fn save_team(
    state: &AppState,
    admin: &CurrentAdmin,
    id: Option<i64>,
    form: &TeamForm,
) -> Result<Result<teams::Model, String>, AppError> {
    let organization = admin.organization()?.id;
    let input = match TeamInput::parse(&form.name, &form.time_zone, &form.area_id) {
        Ok(input) => input,
        Err(error) => return Ok(Err(error.to_string())),
    };
    form_result(app::lookups::save_team(&state.db, &admin.actor(), organization, id, &input).await)
}

#[post("/teams")]
pub async fn create_team(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    form: web::Form<TeamForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match save_team(&state, &admin, None, &form).await? {
        Ok(team) => {
            admin
                .session
                .flash_success(format!("Team {} added.", team.name))?;
            Ok(redirect("/teams"))
        }
        Err(error) => teams_list(&state, &admin, &ListParams::default(), form, Some(error)).await,
    }
}

async fn team_edit(
    state: &AppState,
    admin: &CurrentAdmin,
    team: teams::Model,
    form: TeamForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let areas = storage::lookups::all_areas(&state.db, team.organization_id).await?;
    render_form(
        error.is_some(),
        &TeamEditPage {
            ctx: PageContext::for_admin(state, admin, "/devices").await?,
            team,
            form,
            error,
            areas,
            time_zones: time_zones().collect(),
        },
    )
}

#[get("/teams/{id}")]
pub async fn team_page(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let team = storage::lookups::find_team(&state.db, admin.organization()?.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = TeamForm::of(&team);
    team_edit(&state, &admin, team, form, None).await
}

#[post("/teams/{id}")]
pub async fn update_team(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
    form: web::Form<TeamForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match save_team(&state, &admin, Some(*id), &form).await? {
        Ok(team) => {
            admin
                .session
                .flash_success(format!("Team {} saved.", team.name))?;
            Ok(redirect("/teams"))
        }
        Err(error) => {
            let team = storage::lookups::find_team(&state.db, admin.organization()?.id, *id)
                .await?
                .ok_or(AppError::NotFound)?;
            team_edit(&state, &admin, team, form, Some(error)).await
        }
    }
}

#[post("/teams/{id}/delete")]
pub async fn delete_team(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
    confirmation: Confirmation,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let team = storage::lookups::find_team(&state.db, organization, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    // One still in use is refused at once (saying why): nothing to ask.
    let in_use = storage::lookups::team_devices(&state.db, team.id).await? > 0;
    let what = format!("team “{}”", team.name);
    let undone = "It cannot be undone.";
    if let Some(page) = confirmation
        .ask_to_delete(&state, &admin, in_use, what, undone, "/teams")
        .await?
    {
        return Ok(page);
    }
    let result = app::lookups::delete_team(&state.db, &admin.actor(), &team).await;
    finish_delete(&admin, result, format!("Team {}", team.name))?;
    Ok(redirect("/teams"))
}

async fn areas_list(
    state: &AppState,
    admin: &CurrentAdmin,
    params: &ListParams,
    form: AreaForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let page = storage::lookups::areas_page(
        &state.db,
        admin.organization()?.id,
        &params.q,
        params.descending(),
        params.page_request(),
    )
    .await?;
    let list = Listing::new("/areas", params, "name", &page, Vec::new());
    render_form(
        error.is_some(),
        &AreasPage {
            ctx: PageContext::for_admin(state, admin, "/devices").await?,
            areas: page.items,
            list,
            can_change: can_change(admin),
            form,
            error,
        },
    )
}

#[get("/areas")]
pub async fn areas_page(
    state: web::Data<AppState>,
    admin: Can<ReadDevices>,
    query: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    areas_list(&state, &admin, &query, AreaForm::default(), None).await
}

async fn save_area(
    state: &AppState,
    admin: &CurrentAdmin,
    id: Option<i64>,
    form: &AreaForm,
) -> Result<Result<areas::Model, String>, AppError> {
    let organization = admin.organization()?.id;
    let name = match parse_name(&form.name) {
        Ok(name) => name,
        Err(error) => return Ok(Err(error.to_string())),
    };
    form_result(app::lookups::save_area(&state.db, &admin.actor(), organization, id, &name).await)
}

#[post("/areas")]
pub async fn create_area(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    form: web::Form<AreaForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match save_area(&state, &admin, None, &form).await? {
        Ok(area) => {
            admin
                .session
                .flash_success(format!("Area {} added.", area.name))?;
            Ok(redirect("/areas"))
        }
        Err(error) => areas_list(&state, &admin, &ListParams::default(), form, Some(error)).await,
    }
}

#[get("/areas/{id}")]
pub async fn area_page(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let area = storage::lookups::find_area(&state.db, admin.organization()?.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = AreaForm {
        name: area.name.clone(),
    };
    render(&AreaEditPage {
        ctx: PageContext::for_admin(&state, &admin, "/devices").await?,
        area,
        form,
        error: None,
    })
}

#[post("/areas/{id}")]
pub async fn update_area(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
    form: web::Form<AreaForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match save_area(&state, &admin, Some(*id), &form).await? {
        Ok(area) => {
            admin
                .session
                .flash_success(format!("Area {} saved.", area.name))?;
            Ok(redirect("/areas"))
        }
        Err(error) => {
            let area = storage::lookups::find_area(&state.db, admin.organization()?.id, *id)
                .await?
                .ok_or(AppError::NotFound)?;
            render_form(
                true,
                &AreaEditPage {
                    ctx: PageContext::for_admin(&state, &admin, "/devices").await?,
                    area,
                    form,
                    error: Some(error),
                },
            )
        }
    }
}

#[post("/areas/{id}/delete")]
pub async fn delete_area(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
    confirmation: Confirmation,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let area = storage::lookups::find_area(&state.db, organization, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let in_use = storage::lookups::area_uses(&state.db, area.id).await? != (0, 0);
    let what = format!("area “{}”", area.name);
    let undone = "It cannot be undone.";
    if let Some(page) = confirmation
        .ask_to_delete(&state, &admin, in_use, what, undone, "/areas")
        .await?
    {
        return Ok(page);
    }
    let result = app::lookups::delete_area(&state.db, &admin.actor(), &area).await;
    finish_delete(&admin, result, format!("Area {}", area.name))?;
    Ok(redirect("/areas"))
}

/// What the employee form holds, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct EmployeeForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    team_id: String,
}

pub struct EmployeeRow {
    employee: employees::Model,
    team: String,
}

#[derive(Template)]
#[template(path = "employees.html")]
struct EmployeesPage {
    ctx: PageContext,
    rows: Vec<EmployeeRow>,
    list: Listing,
    can_change: bool,
    form: EmployeeForm,
    error: Option<String>,
    teams: Vec<teams::Model>,
}

#[derive(Template)]
#[template(path = "employee_edit.html")]
struct EmployeeEditPage {
    ctx: PageContext,
    employee: employees::Model,
    form: EmployeeForm,
    error: Option<String>,
    teams: Vec<teams::Model>,
}

async fn employees_list(
    state: &AppState,
    admin: &CurrentAdmin,
    params: &ListParams,
    form: EmployeeForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let page = storage::lookups::employees_page(
        &state.db,
        organization,
        &params.q,
        params.descending(),
        params.page_request(),
    )
    .await?;
    let teams = storage::lookups::all_teams(&state.db, organization).await?;
    let names: HashMap<i64, &str> = teams.iter().map(|t| (t.id, t.name.as_str())).collect();
    let rows = page
        .items
        .iter()
        .map(|employee| EmployeeRow {
            team: employee
                .team_id
                .and_then(|id| names.get(&id).map(|n| (*n).to_owned()))
                .unwrap_or_default(),
            employee: employee.clone(),
        })
        .collect();
    let list = Listing::new("/employees", params, "name", &page, Vec::new());
    render_form(
        error.is_some(),
        &EmployeesPage {
            ctx: PageContext::for_admin(state, admin, "/devices").await?,
            rows,
            list,
            can_change: can_change(admin),
            form,
            error,
            teams,
        },
    )
}

#[get("/employees")]
pub async fn employees_page(
    state: web::Data<AppState>,
    admin: Can<ReadDevices>,
    query: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    employees_list(&state, &admin, &query, EmployeeForm::default(), None).await
}

async fn save_employee(
    state: &AppState,
    admin: &CurrentAdmin,
    id: Option<i64>,
    form: &EmployeeForm,
) -> Result<Result<employees::Model, String>, AppError> {
    let organization = admin.organization()?.id;
    let input = match EmployeeInput::parse(&form.name, &form.email, &form.team_id) {
        Ok(input) => input,
        Err(error) => return Ok(Err(error.to_string())),
    };
    form_result(
        app::lookups::save_employee(&state.db, &admin.actor(), organization, id, &input).await,
    )
}

#[post("/employees")]
pub async fn create_employee(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    form: web::Form<EmployeeForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match save_employee(&state, &admin, None, &form).await? {
        Ok(employee) => {
            admin
                .session
                .flash_success(format!("Employee {} added.", employee.name))?;
            Ok(redirect("/employees"))
        }
        Err(error) => {
            employees_list(&state, &admin, &ListParams::default(), form, Some(error)).await
        }
    }
}

async fn employee_edit(
    state: &AppState,
    admin: &CurrentAdmin,
    employee: employees::Model,
    form: EmployeeForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let teams = storage::lookups::all_teams(&state.db, employee.organization_id).await?;
    render_form(
        error.is_some(),
        &EmployeeEditPage {
            ctx: PageContext::for_admin(state, admin, "/devices").await?,
            employee,
            form,
            error,
            teams,
        },
    )
}

#[get("/employees/{id}")]
pub async fn employee_page(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let employee = storage::lookups::find_employee(&state.db, admin.organization()?.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = EmployeeForm {
        name: employee.name.clone(),
        email: employee.email.clone(),
        team_id: employee
            .team_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
    };
    employee_edit(&state, &admin, employee, form, None).await
}

#[post("/employees/{id}")]
pub async fn update_employee(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
    form: web::Form<EmployeeForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match save_employee(&state, &admin, Some(*id), &form).await? {
        Ok(employee) => {
            admin
                .session
                .flash_success(format!("Employee {} saved.", employee.name))?;
            Ok(redirect("/employees"))
        }
        Err(error) => {
            let employee =
                storage::lookups::find_employee(&state.db, admin.organization()?.id, *id)
                    .await?
                    .ok_or(AppError::NotFound)?;
            employee_edit(&state, &admin, employee, form, Some(error)).await
        }
    }
}

#[post("/employees/{id}/delete")]
pub async fn delete_employee(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
    confirmation: Confirmation,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let employee = storage::lookups::find_employee(&state.db, organization, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let what = format!("employee “{}”", employee.name);
    let undone = "It cannot be undone. Registration codes are no longer mailed to this employee.";
    if let Some(page) = confirmation
        .ask_to_delete(&state, &admin, false, what, undone, "/employees")
        .await?
    {
        return Ok(page);
    }
    let result = app::lookups::delete_employee(&state.db, &admin.actor(), &employee).await;
    finish_delete(&admin, result, format!("Employee {}", employee.name))?;
    Ok(redirect("/employees"))
}
