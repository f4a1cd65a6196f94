//! The Settings page (docs/behaviour.md#organization-settings): licensing and notification settings of the organization.

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app,
    domain::{
        permissions::{Action, ObjectClass, Permission},
        settings::{SettingsInput, SyncMode},
    },
    storage::{self, entities::organization_settings::Model},
    web::{
        error::AppError,
        guard::{Can, CurrentAdmin, ReadSettings, UpdateSettings},
        page::{PageContext, redirect, render_form},
        state::AppState,
    },
};

/// The form as typed, so it can be shown again with an error.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct SettingsForm {
    auto_assign_licenses: Option<String>,
    #[serde(default)]
    auto_free_after_days: String,
    #[serde(default)]
    temporary_license_days: String,
    send_assignment_notifications: Option<String>,
    #[serde(default)]
    notification_addresses: String,
    offline_licenses_enabled: Option<String>,
    #[serde(default)]
    permission_request_email: String,
    #[serde(default)]
    sync_mode: String,
}

impl SettingsForm {
    fn from_model(settings: &Model) -> Self {
        Self {
            auto_assign_licenses: settings.auto_assign_licenses.then(|| "on".to_owned()),
            auto_free_after_days: settings
                .auto_free_after_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            temporary_license_days: settings.temporary_license_days.to_string(),
            send_assignment_notifications: settings
                .send_assignment_notifications
                .then(|| "on".to_owned()),
            notification_addresses: settings.notification_addresses.clone(),
            offline_licenses_enabled: settings.offline_licenses_enabled.then(|| "on".to_owned()),
            permission_request_email: settings
                .permission_request_email
                .clone()
                .unwrap_or_default(),
            sync_mode: settings.sync_mode.as_str().to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    ctx: PageContext,
    form: SettingsForm,
    modes: [SyncMode; 3],
    can_update: bool,
    /// Offline licences are switched on by operators only.
    is_operator: bool,
    error: Option<String>,
}

async fn show(
    state: &AppState,
    admin: &CurrentAdmin,
    form: SettingsForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let page = SettingsPage {
        ctx: PageContext::for_admin(state, admin, "/settings").await?,
        form,
        modes: SyncMode::ALL,
        can_update: admin.can(Permission::new(ObjectClass::Settings, Action::Update)),
        is_operator: admin.role.is_global(),
        error,
    };
    render_form(page.error.is_some(), &page)
}

#[get("/settings")]
pub async fn settings_page(
    state: web::Data<AppState>,
    admin: Can<ReadSettings>,
) -> Result<HttpResponse, AppError> {
    let settings = storage::settings::get(&state.db, admin.organization()?.id).await?;
    show(&state, &admin, SettingsForm::from_model(&settings), None).await
}

#[post("/settings")]
pub async fn update_settings(
    state: web::Data<AppState>,
    admin: Can<UpdateSettings>,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let organization = admin.organization()?.id;
    let input = match SettingsInput::parse(
        form.auto_assign_licenses.is_some(),
        &form.auto_free_after_days,
        &form.temporary_license_days,
        form.send_assignment_notifications.is_some(),
        &form.notification_addresses,
        &form.permission_request_email,
        &form.sync_mode,
    ) {
        Ok(input) => input,
        Err(error) => {
            return show(&state, &admin, form, Some(format!("Not saved: {error}."))).await;
        }
    };
    // Only operators change whether offline licences are on.
    let offline = admin
        .role
        .is_global()
        .then(|| form.offline_licenses_enabled.is_some());
    app::settings::save(&state.db, &admin.actor(), organization, input, offline).await?;
    admin.session.flash_success("Settings saved.")?;
    Ok(redirect("/settings"))
}
