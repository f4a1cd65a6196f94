//! Administrators: list, create (a welcome mail with a set-password link goes through the
//! outbox), change role, deactivate, reset password.

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app::{self, administrators::InviteRefused},
    domain::{
        email::Email,
        permissions::{Action, ObjectClass, Permission, Role},
        text,
    },
    storage::{
        self,
        administrators::NewAdministrator,
        entities::administrators::{Column, Model},
    },
    web::{
        confirm::{Confirmation, Question},
        error::AppError,
        guard::{
            Can, CreateAdministrators, CurrentAdmin, ReadAdministrators, UpdateAdministrators,
        },
        page::{ListParams, Listing, PageContext, redirect, render, render_form, sentence},
        state::AppState,
    },
};

/// Roles this administrator may hand out: nobody but an operator makes operators.
fn assignable_roles(admin: &CurrentAdmin) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|role| admin.role.may_grant(*role))
        .collect()
}

pub struct AdministratorRow {
    pub model: Model,
    pub role_label: &'static str,
}

fn row(model: Model) -> AdministratorRow {
    let role_label = model.role.label();
    AdministratorRow { model, role_label }
}

#[derive(Template)]
#[template(path = "administrators.html")]
struct AdministratorsPage {
    ctx: PageContext,
    administrators: Vec<AdministratorRow>,
    list: Listing,
    can_create: bool,
    form: AdministratorForm,
    roles: Vec<Role>,
}

#[get("/administrators")]
pub async fn administrators_page(
    state: web::Data<AppState>,
    admin: Can<ReadAdministrators>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let (sort, key) = match params.sort.as_deref() {
        Some("email") => (Column::Email, "email"),
        Some("role") => (Column::Role, "role"),
        Some("created") => (Column::CreatedAt, "created"),
        _ => (Column::DisplayName, "name"),
    };
    let page = storage::administrators::list(
        &state.db,
        admin.administrator_scope(),
        &params.q,
        sort,
        params.descending(),
        params.page_request(),
    )
    .await?;
    let list = Listing::new("/administrators", &params, key, &page, vec![]);
    render(&AdministratorsPage {
        ctx: PageContext::for_admin(&state, &admin, "/administrators").await?,
        administrators: page.items.into_iter().map(row).collect(),
        list,
        can_create: admin.can(Permission::new(ObjectClass::Administrators, Action::Create)),
        form: AdministratorForm::default(),
        roles: assignable_roles(&admin),
    })
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct AdministratorForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

#[derive(Template)]
#[template(path = "administrator_new.html")]
struct NewAdministratorPage {
    ctx: PageContext,
    form: AdministratorForm,
    roles: Vec<Role>,
    error: Option<String>,
}

#[get("/administrators/new")]
pub async fn new_administrator_page(
    state: web::Data<AppState>,
    admin: Can<CreateAdministrators>,
) -> Result<HttpResponse, AppError> {
    render(&NewAdministratorPage {
        ctx: PageContext::for_admin(&state, &admin, "/administrators").await?,
        form: AdministratorForm {
            role: Role::Admin.as_str().to_owned(),
            ..Default::default()
        },
        roles: assignable_roles(&admin),
        error: None,
    })
}

#[post("/administrators")]
pub async fn create_administrator(
    state: web::Data<AppState>,
    admin: Can<CreateAdministrators>,
    form: web::Form<AdministratorForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let checked = (|| {
        let email = Email::parse(&form.email).map_err(|e| e.to_string())?;
        let role = Role::parse(&form.role).map_err(|e| e.to_string())?;
        let organization = if role.is_global() {
            None
        } else {
            Some(admin.organization().map_err(|_| {
                "Choose the organization of the new administrator in the header first.".to_owned()
            })?)
        };
        Ok((email, role, organization))
    })();
    let again = |error: String, form: AdministratorForm| async {
        render_form(
            true,
            &NewAdministratorPage {
                ctx: PageContext::for_admin(&state, &admin, "/administrators").await?,
                form,
                roles: assignable_roles(&admin),
                error: Some(error),
            },
        )
    };
    let (email, role, organization) = match checked {
        Ok(checked) => checked,
        Err(error) => return again(error, form).await,
    };
    let display_name = match text::display_name(&form.name, email.as_str()) {
        Ok(name) => name,
        Err(error) => return again(format!("The {error}."), form).await,
    };
    let organization_name = organization
        .map_or("all organizations", |o| o.name.as_str())
        .to_owned();
    let organization_id = organization.map(|o| o.id);

    let new = NewAdministrator {
        organization_id,
        email,
        display_name,
        role,
        password_hash: None,
    };
    let base_url = &state.config.base_url;
    let actor = admin.actor();
    let invited = app::administrators::invite(
        &state.db,
        &actor,
        admin.role,
        new,
        &organization_name,
        base_url,
    )
    .await;
    let created = match invited {
        Ok(created) => created,
        Err(app::Error::Refused(InviteRefused::Access(refused))) => {
            return again(sentence(&refused), form).await;
        }
        // "ann@acme.example already has an account.": the address as typed, lower case.
        Err(app::Error::Refused(InviteRefused::EmailTaken(taken))) => {
            return again(format!("{taken}."), form).await;
        }
        Err(app::Error::Failed(failure)) => return Err(failure.into()),
    };
    admin.session.flash_success(format!(
        "Administrator {} created. A welcome mail with a link to choose a password is on its way.",
        created.email
    ))?;
    Ok(redirect("/administrators"))
}

async fn find_administrator(
    state: &AppState,
    admin: &CurrentAdmin,
    id: i64,
) -> Result<Model, AppError> {
    storage::administrators::find_in(&state.db, admin.administrator_scope(), id)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "administrator.html")]
struct AdministratorPage {
    ctx: PageContext,
    subject: AdministratorRow,
    roles: Vec<Role>,
    can_update: bool,
    is_self: bool,
}

#[get("/administrators/{id}")]
pub async fn administrator_page(
    state: web::Data<AppState>,
    admin: Can<ReadAdministrators>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let subject = find_administrator(&state, &admin, *id).await?;
    render(&AdministratorPage {
        ctx: PageContext::for_admin(&state, &admin, "/administrators").await?,
        is_self: subject.id == admin.account.id,
        subject: row(subject),
        roles: assignable_roles(&admin),
        can_update: admin.can(Permission::new(ObjectClass::Administrators, Action::Update)),
    })
}

#[derive(Deserialize)]
pub struct AccessForm {
    role: String,
    /// A checkbox: present when on.
    active: Option<String>,
}

#[post("/administrators/{id}/access")]
pub async fn update_administrator_access(
    state: web::Data<AppState>,
    admin: Can<UpdateAdministrators>,
    id: web::Path<i64>,
    form: web::Form<AccessForm>,
) -> Result<HttpResponse, AppError> {
    let subject = find_administrator(&state, &admin, *id).await?;
    let back = format!("/administrators/{}", subject.id);
    let role = Role::parse(&form.role).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let active = form.active.is_some();
    let actor = admin.actor();
    match app::administrators::update_access(&state.db, &actor, admin.role, subject, role, active)
        .await
    {
        Ok(after) => admin
            .session
            .flash_success(format!("Administrator {} saved.", after.email))?,
        Err(app::Error::Refused(refused)) => admin.session.flash_error(sentence(&refused))?,
        Err(app::Error::Failed(failure)) => return Err(failure.into()),
    }
    Ok(redirect(&back))
}

#[post("/administrators/{id}/reset-password")]
pub async fn reset_administrator_password(
    state: web::Data<AppState>,
    admin: Can<UpdateAdministrators>,
    id: web::Path<i64>,
    confirmation: Confirmation,
) -> Result<HttpResponse, AppError> {
    let subject = find_administrator(&state, &admin, *id).await?;
    let question = Question {
        title: format!("Reset the password of {}?", subject.email),
        consequence: "Their password stops working at once and they are signed out everywhere; \
            a mail with a link to choose a new one goes to their address."
            .to_owned(),
        button: "Reset password",
        cancel: format!("/administrators/{}", subject.id),
    };
    if let Some(page) = confirmation.ask(&state, &admin, question).await? {
        return Ok(page);
    }
    let base_url = &state.config.base_url;
    app::administrators::reset_password(&state.db, &admin.actor(), &subject, base_url).await?;
    admin.session.flash_success(format!(
        "The password of {} was reset; a mail with a link to choose a new one is on its way.",
        subject.email
    ))?;
    Ok(redirect(&format!("/administrators/{}", subject.id)))
}
