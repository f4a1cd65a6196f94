//! The Used modal (docs/behaviour.md#all-licenses-page): who holds the seats of one licence; switching a user off takes the
//! seat back (nominal) or logs the user out (competitive); nominal seats of products other
//! than MOBILE are assigned here.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app,
    domain::{
        permissions::{Action, ObjectClass, Permission},
        products::Product,
    },
    storage::{
        self,
        entities::{licenses, mobile_users},
    },
    web::{
        error::AppError,
        guard::{Can, CurrentAdmin, ReadLicenses, UpdateLicenses},
        page::{ListParams, Listing, PageContext, form_result, redirect, render},
        state::AppState,
    },
};

pub struct HolderRow {
    pub id: i64,
    pub domain: String,
    pub user: String,
    pub user_id: String,
    /// A user of the administrator's own organization (others are only listed).
    pub own: bool,
    /// Only users of the administrator's own organization can be switched.
    pub switchable: bool,
}

#[derive(Template)]
#[template(path = "license_used.html")]
struct UsedPage {
    ctx: PageContext,
    licence: licenses::Model,
    rows: Vec<HolderRow>,
    list: Listing,
    can_assign: bool,
}

async fn find_licence(
    state: &AppState,
    admin: &CurrentAdmin,
    id: i64,
) -> Result<licenses::Model, AppError> {
    storage::licenses::find(&state.db, admin.organization()?.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[get("/licenses/{id}/used")]
pub async fn used_page(
    state: web::Data<AppState>,
    admin: Can<ReadLicenses>,
    id: web::Path<i64>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let licence = find_licence(&state, &admin, *id).await?;
    if licence.product == Product::Device {
        // Devices hold DEVICE seats: the Active Devices page lists them, searched by licence.
        let query = serde_urlencoded::to_string([("q", licence.licence_id.as_str())])
            .map_err(|e| AppError::Unexpected(e.into()))?;
        return Ok(redirect(&format!("/devices?{query}")));
    }
    let own = admin.organization()?.id;
    let page =
        storage::seats::holders_page(&state.db, &licence, own, &params.q, params.page_request())
            .await?;
    let names: HashMap<i64, String> = storage::licenses::organizations_of(&state.db, licence.id)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let can_update = admin.can(Permission::new(ObjectClass::Licenses, Action::Update));
    let list = Listing::new(
        format!("/licenses/{}/used", licence.id),
        &params,
        "user",
        &page,
        vec![],
    );
    let rows = page
        .items
        .into_iter()
        .map(|user| HolderRow {
            id: user.id,
            domain: names
                .get(&user.organization_id)
                .cloned()
                .unwrap_or_default(),
            user: user
                .display_name
                .clone()
                .unwrap_or_else(|| user.user_id.clone()),
            user_id: user.user_id,
            own: user.organization_id == own,
            switchable: can_update && user.organization_id == own,
        })
        .collect();
    render(&UsedPage {
        ctx: PageContext::for_admin(&state, &admin, "/licenses").await?,
        can_assign: can_update && licence.product.assigned_to_users(licence.competitive),
        licence,
        rows,
        list,
    })
}

/// Finds a mobile user of the administrator's organization; users of other organizations
/// (even ones sharing the licence) are not found.
async fn own_user(
    state: &AppState,
    admin: &CurrentAdmin,
    id: i64,
) -> Result<mobile_users::Model, AppError> {
    storage::mobile_users::find_in(&state.db, admin.organization()?.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[post("/licenses/{id}/used/{user}/release")]
pub async fn release_seat(
    state: web::Data<AppState>,
    admin: Can<UpdateLicenses>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (license_id, user_id) = path.into_inner();
    let licence = find_licence(&state, &admin, license_id).await?;
    let user = own_user(&state, &admin, user_id).await?;
    let done = app::licenses::free_seat(&state.db, &admin.actor(), &licence, &user).await?;
    let who = user.display_name.unwrap_or(user.user_id);
    admin
        .session
        .flash_success(match (done, licence.competitive) {
            (false, _) => format!("{who} held no seat of this licence any more."),
            (true, true) => format!("{who} was logged out; the seat is free."),
            (true, false) => format!("The seat of {who} was taken back."),
        })?;
    Ok(redirect(&format!("/licenses/{}/used", licence.id)))
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    user_id: String,
}

#[post("/licenses/{id}/assign")]
pub async fn assign_seat(
    state: web::Data<AppState>,
    admin: Can<UpdateLicenses>,
    id: web::Path<i64>,
    form: web::Form<AssignForm>,
) -> Result<HttpResponse, AppError> {
    let licence = find_licence(&state, &admin, *id).await?;
    let back = format!("/licenses/{}/used", licence.id);
    let organization = admin.organization()?.id;
    let Some(user) =
        storage::mobile_users::find_by_user_id(&state.db, organization, &form.user_id).await?
    else {
        admin.session.flash_error(format!(
            "No mobile user with the id “{}” in this organization.",
            form.user_id.trim()
        ))?;
        return Ok(redirect(&back));
    };
    match form_result(app::licenses::assign_seat(&state.db, &admin.actor(), &licence, &user).await)?
    {
        Ok(()) => admin.session.flash_success(format!(
            "{} now has a seat of this licence.",
            user.display_name.unwrap_or(user.user_id)
        ))?,
        Err(refused) => admin
            .session
            .flash_error(format!("Not assigned: {refused}."))?,
    }
    Ok(redirect(&back))
}
