//! Organizations (operators only): list, create, edit (including the trial end), and the
//! organization selector in the header.

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app,
    domain::{
        organization::{OrganizationDetails, OrganizationGuid},
        permissions::{Action, ObjectClass, Permission},
    },
    storage::{self, entities::organizations::Model, organizations::OrganizationSort},
    web::{
        error::AppError,
        guard::{Can, CreateOrganizations, CurrentAdmin, ReadOrganizations, UpdateOrganizations},
        page::{
            ListParams, Listing, PageContext, form_result, redirect, render, render_form, sentence,
        },
        state::AppState,
    },
};

/// The fields of the organization form, as typed (so they can be shown again with an error).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct OrganizationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    organization_id: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    trial_until: String,
}

impl OrganizationForm {
    fn from_model(org: &Model) -> Self {
        Self {
            name: org.name.clone(),
            organization_id: org.organization_id.clone(),
            url: org.url.clone(),
            trial_until: org.trial_until.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    fn details(&self) -> Result<OrganizationDetails, String> {
        let trial_until = match self.trial_until.trim() {
            "" => None,
            date => Some(
                chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                    .map_err(|_| format!("“{date}” is not a date (YYYY-MM-DD)"))?,
            ),
        };
        OrganizationDetails::parse(&self.name, &self.url, trial_until).map_err(|e| e.to_string())
    }
}

#[derive(Template)]
#[template(path = "organizations.html")]
struct OrganizationsPage {
    ctx: PageContext,
    organizations: Vec<Model>,
    list: Listing,
    form: OrganizationForm,
    /// Always `None`: the dialog creates.
    id: Option<i64>,
    can_create: bool,
    today: chrono::NaiveDate,
}

#[get("/organizations")]
pub async fn organizations_page(
    state: web::Data<AppState>,
    admin: Can<ReadOrganizations>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let (sort, key) = match params.sort.as_deref() {
        Some("created") => (OrganizationSort::Created, "created"),
        Some("trial") => (OrganizationSort::TrialUntil, "trial"),
        _ => (OrganizationSort::Name, "name"),
    };
    let page = storage::organizations::list(
        &state.db,
        &params.q,
        sort,
        params.descending(),
        params.page_request(),
    )
    .await?;
    let list = Listing::new("/organizations", &params, key, &page, vec![]);
    render(&OrganizationsPage {
        ctx: PageContext::for_admin(&state, &admin, "/organizations").await?,
        organizations: page.items,
        list,
        form: OrganizationForm::default(),
        id: None,
        can_create: admin.can(Permission::new(ObjectClass::Organizations, Action::Create)),
        today: chrono::Utc::now().date_naive(),
    })
}

#[derive(Template)]
#[template(path = "organization_form.html")]
struct OrganizationFormPage {
    ctx: PageContext,
    /// `None` when creating.
    id: Option<i64>,
    form: OrganizationForm,
    error: Option<String>,
}

#[get("/organizations/new")]
pub async fn new_organization_page(
    state: web::Data<AppState>,
    admin: Can<CreateOrganizations>,
) -> Result<HttpResponse, AppError> {
    render(&OrganizationFormPage {
        ctx: PageContext::for_admin(&state, &admin, "/organizations").await?,
        id: None,
        form: OrganizationForm::default(),
        error: None,
    })
}

async fn form_again(
    state: &AppState,
    admin: &CurrentAdmin,
    id: Option<i64>,
    form: OrganizationForm,
    error: String,
) -> Result<HttpResponse, AppError> {
    render_form(
        true,
        &OrganizationFormPage {
            ctx: PageContext::for_admin(state, admin, "/organizations").await?,
            id,
            form,
            error: Some(error),
        },
    )
}

#[post("/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    admin: Can<CreateOrganizations>,
    form: web::Form<OrganizationForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let details = match form.details() {
        Ok(details) => details,
        Err(error) => return form_again(&state, &admin, None, form, error).await,
    };
    let guid = match form.organization_id.trim() {
        "" => OrganizationGuid::new_random(),
        typed => match OrganizationGuid::parse(typed) {
            Ok(guid) => guid,
            Err(error) => return form_again(&state, &admin, None, form, error.to_string()).await,
        },
    };
    let created = app::organizations::create(&state.db, &admin.actor(), guid, details).await;
    let org = match form_result(created)? {
        Ok(org) => org,
        Err(error) => return form_again(&state, &admin, None, form, sentence(&error)).await,
    };
    // Work in the new organization from now on: the next step is usually its administrator.
    admin.session.select_organization(org.id)?;
    admin
        .session
        .flash_success(format!("Organization {} created.", org.name))?;
    Ok(redirect("/organizations"))
}

async fn find_organization(state: &AppState, id: i64) -> Result<Model, AppError> {
    storage::organizations::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[get("/organizations/{id}/edit")]
pub async fn edit_organization_page(
    state: web::Data<AppState>,
    admin: Can<UpdateOrganizations>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let org = find_organization(&state, *id).await?;
    render(&OrganizationFormPage {
        ctx: PageContext::for_admin(&state, &admin, "/organizations").await?,
        id: Some(org.id),
        form: OrganizationForm::from_model(&org),
        error: None,
    })
}

#[post("/organizations/{id}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    admin: Can<UpdateOrganizations>,
    id: web::Path<i64>,
    form: web::Form<OrganizationForm>,
) -> Result<HttpResponse, AppError> {
    let before = find_organization(&state, *id).await?;
    let mut form = form.into_inner();
    // The GUID is what mobile clients send: it never changes.
    form.organization_id = before.organization_id.clone();
    let details = match form.details() {
        Ok(details) => details,
        Err(error) => return form_again(&state, &admin, Some(before.id), form, error).await,
    };
    let after = app::organizations::update(&state.db, &admin.actor(), before, details).await?;
    admin
        .session
        .flash_success(format!("Organization {} saved.", after.name))?;
    Ok(redirect("/organizations"))
}

#[derive(Deserialize)]
pub struct SelectForm {
    organization: i64,
    #[serde(default)]
    back: String,
}

/// The header's organization selector (operators).
#[post("/organization/select")]
pub async fn select_organization(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    form: web::Form<SelectForm>,
) -> Result<HttpResponse, AppError> {
    admin.require(Permission::new(ObjectClass::Organizations, Action::Select))?;
    let org = find_organization(&state, form.organization).await?;
    admin.session.select_organization(org.id)?;
    // `redirect` goes back only to a page of this site.
    Ok(redirect(&form.back))
}
