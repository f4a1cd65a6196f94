//! The device dialog (docs/behaviour.md#active-devices): Add new device and Edit, with the tabs Device Settings, Clients
//! and Allowed Functionality (sections without JavaScript, tabs with it). Adding issues the
//! registration code, shown once in the flash and mailed to the chosen employees and
//! further recipients; editing shows what the device reported (Device, Device ID, OS Type).

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::devices::code_message;
use crate::{
    app,
    domain::{
        devices::{
            ClientChoice, ClientSelection, DeviceFields, DeviceInput, Feature, Functionality,
        },
        email::Email,
        lookups::ClientKind,
        registration::Expiry,
    },
    storage::{
        self,
        devices::DeviceSettings,
        entities::{clients, devices, employees, licenses, teams},
    },
    web::{
        error::AppError,
        guard::{Can, ChangeDevices, CurrentAdmin},
        page::{PageContext, form_result, redirect, render_form},
        state::AppState,
    },
};

/// The device form as typed. Checkbox lists repeat one field name, so it is read with
/// serde_html_form (not `web::Form`).
#[derive(Debug, Clone, Deserialize)]
pub struct DeviceForm {
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    license_id: String,
    #[serde(default)]
    nickname: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    recipients: String,
    #[serde(default)]
    expires_in: String,
    /// Employees whose addresses get the code.
    #[serde(default, rename = "employee")]
    employees: Vec<String>,
    #[serde(default)]
    client_type: String,
    /// `all` or `selected`.
    #[serde(default)]
    client_scope: String,
    /// Assigned wholesale clients.
    #[serde(default, rename = "client")]
    clients: Vec<String>,
    #[serde(default)]
    include_area: Option<String>,
    /// `company` or `custom`.
    #[serde(default)]
    functionality: String,
    #[serde(default, rename = "feature")]
    features: Vec<String>,
}

impl Default for DeviceForm {
    fn default() -> Self {
        Self {
            team_id: String::new(),
            time_zone: String::new(),
            license_id: String::new(),
            nickname: String::new(),
            description: String::new(),
            recipients: String::new(),
            expires_in: String::new(),
            employees: Vec::new(),
            client_type: ClientSelection::Both.key().to_owned(),
            client_scope: "all".to_owned(),
            clients: Vec::new(),
            include_area: None,
            functionality: "company".to_owned(),
            features: Vec::new(),
        }
    }
}

impl DeviceForm {
    /// The form of a stored device.
    fn of(device: &devices::Model, clients: &ClientChoice) -> Self {
        let functionality = Functionality::from_stored(device.functionality.as_deref());
        Self {
            team_id: device.team_id.to_string(),
            time_zone: device.time_zone.clone().unwrap_or_default(),
            license_id: device
                .license_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            nickname: device.nickname.clone(),
            description: device.description.clone().unwrap_or_default(),
            client_type: clients.selection.key().to_owned(),
            client_scope: if clients.all { "all" } else { "selected" }.to_owned(),
            clients: clients.assigned.iter().map(i64::to_string).collect(),
            include_area: clients.include_area.then(|| "on".to_owned()),
            functionality: match functionality {
                Functionality::CompanySettings => "company",
                Functionality::Custom(_) => "custom",
            }
            .to_owned(),
            features: Feature::ALL
                .into_iter()
                .filter(|f| functionality.allows(*f))
                .map(|f| f.key().to_owned())
                .collect(),
            ..Self::default()
        }
    }

    fn read(body: &[u8]) -> Result<Self, AppError> {
        serde_html_form::from_bytes(body)
            .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))
    }

    fn parse(&self) -> Result<DeviceInput, String> {
        DeviceInput::parse(&DeviceFields {
            team_id: &self.team_id,
            time_zone: &self.time_zone,
            license_id: &self.license_id,
            nickname: &self.nickname,
            description: &self.description,
            recipients: &self.recipients,
            expires_in: &self.expires_in,
            client_type: &self.client_type,
            client_scope: &self.client_scope,
            clients: &self.clients,
            include_area: self.include_area.is_some(),
            functionality: &self.functionality,
            features: &self.features,
        })
        .map_err(|e| e.to_string())
    }
}

fn settings(input: &DeviceInput) -> DeviceSettings {
    DeviceSettings {
        team_id: input.team_id,
        time_zone: input.time_zone.map(|tz| tz.name().to_owned()),
        license_id: input.license_id,
        nickname: input.nickname.clone(),
        description: input.description.clone(),
        clients: input.clients.clone(),
        functionality: input.functionality.clone(),
    }
}

#[derive(Template)]
#[template(path = "device_form.html")]
struct DeviceFormPage {
    ctx: PageContext,
    /// The device being edited; none when adding.
    device: Option<devices::Model>,
    form: DeviceForm,
    error: Option<String>,
    teams: Vec<teams::Model>,
    licences: Vec<(licenses::Model, u64)>,
    employees: Vec<employees::Model>,
    wholesale: Vec<clients::Model>,
    expiries: [Expiry; 5],
    selections: [ClientSelection; 3],
    features: [Feature; 6],
    time_zones: Vec<&'static str>,
}

impl DeviceFormPage {
    fn employee_chosen(&self, id: &i64) -> bool {
        self.form.employees.iter().any(|e| e == &id.to_string())
    }

    fn client_chosen(&self, id: &i64) -> bool {
        self.form.clients.iter().any(|c| c == &id.to_string())
    }

    fn feature_chosen(&self, feature: &Feature) -> bool {
        self.form.features.iter().any(|f| f == feature.key())
    }

    fn action(&self) -> String {
        match &self.device {
            Some(device) => format!("/devices/{}", device.id),
            None => "/devices".to_owned(),
        }
    }
}

async fn show_form(
    state: &AppState,
    admin: &CurrentAdmin,
    device: Option<devices::Model>,
    form: DeviceForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let (licences, _) = storage::devices::seats(&state.db, organization, Utc::now()).await?;
    // Licences with a free seat, and the one the device holds.
    let held = device.as_ref().and_then(|d| d.license_id);
    let licences = licences
        .into_iter()
        .filter(|(licence, free)| *free > 0 || Some(licence.id) == held)
        .collect();
    let page = DeviceFormPage {
        ctx: PageContext::for_admin(state, admin, "/devices").await?,
        device,
        form,
        teams: storage::lookups::all_teams(&state.db, organization).await?,
        licences,
        employees: storage::lookups::all_employees(&state.db, organization).await?,
        wholesale: storage::lookups::all_clients(
            &state.db,
            organization,
            Some(ClientKind::Wholesale),
        )
        .await?,
        expiries: Expiry::ALL,
        selections: ClientSelection::ALL,
        features: Feature::ALL,
        time_zones: crate::domain::lookups::time_zones().collect(),
        error,
    };
    render_form(page.error.is_some(), &page)
}

#[get("/devices/new")]
pub async fn new_device_page(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
) -> Result<HttpResponse, AppError> {
    show_form(&state, &admin, None, DeviceForm::default(), None).await
}

/// Add: a refused choice comes back on the form with the reason (422).
#[post("/devices")]
pub async fn create_device(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let form = DeviceForm::read(&body)?;
    let organization = admin.organization()?.clone();
    let input = match form.parse() {
        Ok(input) => input,
        Err(error) => return show_form(&state, &admin, None, form, Some(error)).await,
    };
    // The chosen employees' addresses join the typed ones.
    let chosen: Vec<i64> = form
        .employees
        .iter()
        .filter_map(|e| e.parse().ok())
        .collect();
    let mut recipients = input.recipients.clone();
    for employee in storage::lookups::all_employees(&state.db, organization.id).await? {
        if chosen.contains(&employee.id)
            && let Ok(email) = Email::parse(&employee.email)
            && !recipients.contains(&email)
        {
            recipients.push(email);
        }
    }
    let created = app::devices::create(
        &state.db,
        &admin.actor(),
        &state.signer,
        &organization,
        settings(&input),
        &recipients,
        input.expires_in,
    )
    .await;
    let (device, issued) = match form_result(created)? {
        Ok(created) => created,
        Err(message) => return show_form(&state, &admin, None, form, Some(message)).await,
    };
    admin.session.flash_success_to_copy(
        code_message(&device, &issued, recipients.len()),
        issued.code.to_string(),
    )?;
    Ok(redirect("/devices"))
}

async fn find(state: &AppState, admin: &CurrentAdmin, id: i64) -> Result<devices::Model, AppError> {
    storage::devices::find_in(&state.db, admin.organization()?.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[get("/devices/{id:\\d+}")]
pub async fn edit_device_page(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let device = find(&state, &admin, *id).await?;
    let clients = storage::devices::client_choice(&state.db, &device).await?;
    let form = DeviceForm::of(&device, &clients);
    show_form(&state, &admin, Some(device), form, None).await
}

#[post("/devices/{id:\\d+}")]
pub async fn update_device(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let form = DeviceForm::read(&body)?;
    let device = find(&state, &admin, *id).await?;
    let input = match form.parse() {
        Ok(input) => input,
        Err(error) => return show_form(&state, &admin, Some(device), form, Some(error)).await,
    };
    let updated = app::devices::update(&state.db, &admin.actor(), &device, settings(&input)).await;
    let updated = match form_result(updated)? {
        Ok(updated) => updated,
        Err(message) => return show_form(&state, &admin, Some(device), form, Some(message)).await,
    };
    admin
        .session
        .flash_success(format!("Device {} saved.", updated.nickname))?;
    Ok(redirect("/devices"))
}
