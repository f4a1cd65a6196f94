//! A mobile user's detail page: what LicenseDesk knows of the user, and its nominal licences
//! of products other than MOBILE, assigned and taken back here (docs/behaviour.md#mobile-users-page, docs/behaviour.md#products).

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::Utc;

use crate::{
    app,
    domain::{
        permissions::{Action, ObjectClass, Permission},
        products::Product,
    },
    storage::{
        self,
        entities::{access_profiles, licenses, mobile_users},
    },
    web::{
        error::AppError,
        guard::{Can, ChangeMobileUsers, CurrentAdmin, ReadMobileUsers, UpdateLicenses},
        page::{PageContext, form_result, redirect, render},
        state::AppState,
    },
};

pub struct LicenceChoice {
    pub licence: licenses::Model,
    pub used: u64,
    pub assigned: bool,
}

#[derive(Template)]
#[template(path = "mobile_user.html")]
struct MobileUserPage {
    ctx: PageContext,
    user: mobile_users::Model,
    licences: Vec<LicenceChoice>,
    can_assign: bool,
    profiles: Vec<access_profiles::Model>,
    can_pick_profile: bool,
    can_read_sync: bool,
}

impl MobileUserPage {
    /// The name of the profile the user syncs with.
    fn profile_name(&self) -> String {
        let default = self.profiles.iter().find(|p| p.is_default);
        match self
            .user
            .access_profile_id
            .and_then(|id| self.profiles.iter().find(|p| p.id == id))
        {
            Some(profile) => profile.name.clone(),
            None => match default {
                Some(profile) => format!("{} (the default)", profile.name),
                None => "none: the organization has no access profile".to_owned(),
            },
        }
    }
}

async fn find_user(
    state: &AppState,
    admin: &CurrentAdmin,
    id: i64,
) -> Result<mobile_users::Model, AppError> {
    storage::mobile_users::find_in(&state.db, admin.organization()?.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[get("/mobile-users/{id}")]
pub async fn mobile_user_page(
    state: web::Data<AppState>,
    admin: Can<ReadMobileUsers>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let user = find_user(&state, &admin, *id).await?;
    let today = Utc::now().date_naive();
    let mut licences = Vec::new();
    for product in Product::ALL {
        for licence in
            storage::licenses::of_product(&state.db, user.organization_id, product).await?
        {
            if !product.assigned_to_users(licence.competitive) || licence.valid_till < today {
                continue;
            }
            let assigned = storage::seats::is_assigned(&state.db, licence.id, user.id).await?;
            let used = storage::seats::used(&state.db, &licence).await?;
            licences.push(LicenceChoice {
                licence,
                used,
                assigned,
            });
        }
    }
    render(&MobileUserPage {
        ctx: PageContext::for_admin(&state, &admin, "").await?,
        can_assign: admin.can(Permission::new(ObjectClass::Licenses, Action::Update)),
        profiles: storage::access_profiles::all(&state.db, user.organization_id).await?,
        can_pick_profile: admin.can(Permission::new(ObjectClass::MobileUsers, Action::Update)),
        can_read_sync: admin.can(Permission::new(ObjectClass::SyncLog, Action::Select)),
        user,
        licences,
    })
}

#[derive(serde::Deserialize)]
pub struct AssignedForm {
    /// A checkbox: present when on.
    assigned: Option<String>,
}

#[post("/mobile-users/{id}/licenses/{license_id}")]
pub async fn set_licence(
    state: web::Data<AppState>,
    admin: Can<UpdateLicenses>,
    path: web::Path<(i64, i64)>,
    form: web::Form<AssignedForm>,
) -> Result<HttpResponse, AppError> {
    let (user_id, license_id) = path.into_inner();
    let user = find_user(&state, &admin, user_id).await?;
    let licence = storage::licenses::find(&state.db, user.organization_id, license_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let back = format!("/mobile-users/{}", user.id);
    let who = user
        .display_name
        .clone()
        .unwrap_or_else(|| user.user_id.clone());
    if form.assigned.is_some() {
        let assigned = app::licenses::assign_seat(&state.db, &admin.actor(), &licence, &user).await;
        match form_result(assigned)? {
            Ok(()) => admin.session.flash_success(format!(
                "{who} now has a seat of the {} licence.",
                licence.product
            ))?,
            Err(refused) => admin
                .session
                .flash_error(format!("Not assigned: {refused}."))?,
        }
    } else {
        app::licenses::unassign_seat(&state.db, &admin.actor(), &licence, &user).await?;
        admin.session.flash_success(format!(
            "The {} seat of {who} was taken back.",
            licence.product
        ))?;
    }
    Ok(redirect(&back))
}

#[derive(serde::Deserialize)]
pub struct ProfileChoice {
    /// A profile's id, or empty for the organization's default.
    #[serde(default)]
    profile: String,
}

#[post("/mobile-users/{id}/profile")]
pub async fn set_profile(
    state: web::Data<AppState>,
    admin: Can<ChangeMobileUsers>,
    id: web::Path<i64>,
    form: web::Form<ProfileChoice>,
) -> Result<HttpResponse, AppError> {
    let user = find_user(&state, &admin, *id).await?;
    let back = format!("/mobile-users/{}", user.id);
    let profile = match form.profile.trim() {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| {
            AppError::BadRequest("The chosen access profile is not one of the list.".into())
        })?),
    };
    let picked = app::access_profiles::assign(&state.db, &admin.actor(), &user, profile).await;
    match form_result(picked)? {
        Ok(Some(profile)) => admin.session.flash_success(format!(
            "The user's devices now sync with the profile {}.",
            profile.name
        ))?,
        Ok(None) => admin
            .session
            .flash_success("The user's devices now sync with the default profile.")?,
        Err(refused) => admin
            .session
            .flash_error(format!("Not changed: {refused}."))?,
    }
    Ok(redirect(&back))
}
