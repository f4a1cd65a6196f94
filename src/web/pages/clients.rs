//! Clients (docs/behaviour.md#active-devices): retail or wholesale customers, possibly of an area. Wholesale clients can
//! be assigned to devices (the device dialog's Clients tab); a client assigned to a device is
//! neither deleted nor made retail.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use super::lookups::{can_change, finish_delete};
use crate::{
    app,
    domain::lookups::{ClientInput, ClientKind},
    storage::{
        self,
        entities::{areas, clients},
    },
    web::{
        confirm::Confirmation,
        error::AppError,
        guard::{Can, ChangeDevices, CurrentAdmin, ReadDevices},
        page::{ListParams, Listing, PageContext, form_result, redirect, render_form},
        state::AppState,
    },
};

/// What the client form holds, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ClientForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    area_id: String,
}

impl ClientForm {
    fn of(client: &clients::Model) -> Self {
        Self {
            name: client.name.clone(),
            kind: client.kind.key().to_owned(),
            area_id: client.area_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }
}

pub struct ClientRow {
    client: clients::Model,
    kind: &'static str,
    area: String,
}

#[derive(Template)]
#[template(path = "clients.html")]
struct ClientsPage {
    ctx: PageContext,
    rows: Vec<ClientRow>,
    list: Listing,
    can_change: bool,
    form: ClientForm,
    error: Option<String>,
    areas: Vec<areas::Model>,
    kinds: [ClientKind; 2],
}

#[derive(Template)]
#[template(path = "client_edit.html")]
struct ClientEditPage {
    ctx: PageContext,
    client: clients::Model,
    form: ClientForm,
    error: Option<String>,
    areas: Vec<areas::Model>,
    kinds: [ClientKind; 2],
}

async fn clients_list(
    state: &AppState,
    admin: &CurrentAdmin,
    params: &ListParams,
    form: ClientForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let page = storage::lookups::clients_page(
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
        .map(|client| ClientRow {
            kind: client.kind.label(),
            area: client
                .area_id
                .and_then(|id| names.get(&id).map(|n| (*n).to_owned()))
                .unwrap_or_default(),
            client: client.clone(),
        })
        .collect();
    let list = Listing::new("/clients", params, "name", &page, Vec::new());
    render_form(
        error.is_some(),
        &ClientsPage {
            ctx: PageContext::for_admin(state, admin, "/devices").await?,
            rows,
            list,
            can_change: can_change(admin),
            form,
            error,
            areas,
            kinds: ClientKind::ALL,
        },
    )
}

#[get("/clients")]
pub async fn clients_page(
    state: web::Data<AppState>,
    admin: Can<ReadDevices>,
    query: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let form = ClientForm {
        kind: ClientKind::Wholesale.key().to_owned(),
        ..ClientForm::default()
    };
    clients_list(&state, &admin, &query, form, None).await
}

/// Saves a new (`id` none) or changed client; the message when it cannot.
async fn save_client(
    state: &AppState,
    admin: &CurrentAdmin,
    id: Option<i64>,
    form: &ClientForm,
) -> Result<Result<clients::Model, String>, AppError> {
    let organization = admin.organization()?.id;
    let input = match ClientInput::parse(&form.name, &form.kind, &form.area_id) {
        Ok(input) => input,
        Err(error) => return Ok(Err(error.to_string())),
    };
    form_result(
        app::lookups::save_client(&state.db, &admin.actor(), organization, id, &input).await,
    )
}

#[post("/clients")]
pub async fn create_client(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    form: web::Form<ClientForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match save_client(&state, &admin, None, &form).await? {
        Ok(client) => {
            admin
                .session
                .flash_success(format!("Client {} added.", client.name))?;
            Ok(redirect("/clients"))
        }
        Err(error) => clients_list(&state, &admin, &ListParams::default(), form, Some(error)).await,
    }
}

async fn client_edit(
    state: &AppState,
    admin: &CurrentAdmin,
    client: clients::Model,
    form: ClientForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let areas = storage::lookups::all_areas(&state.db, client.organization_id).await?;
    render_form(
        error.is_some(),
        &ClientEditPage {
            ctx: PageContext::for_admin(state, admin, "/devices").await?,
            client,
            form,
            error,
            areas,
            kinds: ClientKind::ALL,
        },
    )
}

async fn find(state: &AppState, admin: &CurrentAdmin, id: i64) -> Result<clients::Model, AppError> {
    storage::lookups::find_client(&state.db, admin.organization()?.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[get("/clients/{id}")]
pub async fn client_page(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let client = find(&state, &admin, *id).await?;
    let form = ClientForm::of(&client);
    client_edit(&state, &admin, client, form, None).await
}

#[post("/clients/{id}")]
pub async fn update_client(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
    form: web::Form<ClientForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match save_client(&state, &admin, Some(*id), &form).await? {
        Ok(client) => {
            admin
                .session
                .flash_success(format!("Client {} saved.", client.name))?;
            Ok(redirect("/clients"))
        }
        Err(error) => {
            let client = find(&state, &admin, *id).await?;
            client_edit(&state, &admin, client, form, Some(error)).await
        }
    }
}

#[post("/clients/{id}/delete")]
pub async fn delete_client(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
    confirmation: Confirmation,
) -> Result<HttpResponse, AppError> {
    let client = find(&state, &admin, *id).await?;
    let in_use = storage::lookups::devices_assigned(&state.db, client.id).await? > 0;
    let what = format!("client “{}”", client.name);
    let undone = "It cannot be undone.";
    if let Some(page) = confirmation
        .ask_to_delete(&state, &admin, in_use, what, undone, "/clients")
        .await?
    {
        return Ok(page);
    }
    let result = app::lookups::delete_client(&state.db, &admin.actor(), &client).await;
    finish_delete(&admin, result, format!("Client {}", client.name))?;
    Ok(redirect("/clients"))
}
