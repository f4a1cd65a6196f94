//! All licenses (docs/behaviour.md#all-licenses-page): the registry of imported licences, the Import license modal, and the
//! licence key for copying.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use serde::Deserialize;

use crate::{
    app::{self, licenses::ImportOutcome},
    domain::{
        permissions::{Action, ObjectClass, Permission},
        products::Product,
    },
    storage::{self, entities::licenses::Model, licenses::LicenceSort},
    web::{
        error::AppError,
        guard::{Can, CreateLicenses, CurrentAdmin, ReadLicenses},
        page::{ListParams, Listing, PageContext, form_result, redirect, render, render_form},
        state::AppState,
    },
};

/// One row of the registry, as shown.
pub struct LicenceRow {
    pub id: i64,
    pub licence_id: String,
    pub key: String,
    pub product: Product,
    pub valid_from: NaiveDate,
    pub valid_till: NaiveDate,
    pub used: u64,
    pub limit: i32,
    pub competitive: bool,
    pub status: String,
    pub expired: bool,
}

/// "12 days left", "Last day", "Expired", "Starts 2027-01-01".
pub fn status(licence: &Model, today: NaiveDate) -> String {
    let terms = licence.terms();
    if terms.is_expired_on(today) {
        return "Expired".to_owned();
    }
    if licence.valid_from > today {
        return format!("Starts {}", licence.valid_from);
    }
    match terms.days_left(today) {
        Some(0) => "Last day".to_owned(),
        Some(1) => "1 day left".to_owned(),
        Some(days) => format!("{days} days left"),
        None => "Expired".to_owned(),
    }
}

/// Seats used per licence of this organization: Enabled mobile users spread over the valid
/// MOBILE licences (earliest end first), devices for DEVICE licences, assigned users or live
/// sessions for the rest.
async fn usage(
    db: &impl ConnectionTrait,
    organization_id: i64,
    licences: &[Model],
    today: NaiveDate,
) -> Result<HashMap<i64, u64>, DbErr> {
    let ids: Vec<i64> = licences.iter().map(|l| l.id).collect();
    let mut used: HashMap<i64, u64> = storage::licenses::seats_in_use(db, &ids, Utc::now())
        .await?
        .into_iter()
        .map(|(id, n)| (id, u64::from(n)))
        .collect();
    // DEVICE seats are held by this organization's devices.
    for licence in licences.iter().filter(|l| l.product == Product::Device) {
        let devices = storage::devices::seats_used(db, organization_id, licence.id).await?;
        used.insert(licence.id, devices);
    }
    if licences
        .iter()
        .any(|l| l.product == Product::Mobile && !l.competitive)
    {
        for (licence, _, seats) in
            storage::mobile_seats::mobile_seat_runs(db, organization_id, today).await?
        {
            used.insert(licence, seats);
        }
    }
    Ok(used)
}

#[derive(Template)]
#[template(path = "licenses.html")]
struct LicensesPage {
    ctx: PageContext,
    rows: Vec<LicenceRow>,
    list: Listing,
    can_import: bool,
    key: String,
    vendor_key_missing: bool,
}

#[get("/licenses")]
pub async fn licenses_page(
    state: web::Data<AppState>,
    admin: Can<ReadLicenses>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?;
    let (sort, key) = match params.sort.as_deref() {
        Some("valid_from") => (LicenceSort::ValidFrom, "valid_from"),
        Some("valid_till") => (LicenceSort::ValidTill, "valid_till"),
        Some("limit") => (LicenceSort::Limit, "limit"),
        _ => (LicenceSort::Product, "product"),
    };
    let page = storage::licenses::list(
        &state.db,
        organization.id,
        &params.q,
        (sort, params.descending()),
        params.page_request(),
    )
    .await?;
    let today = Utc::now().date_naive();
    let used = usage(&state.db, organization.id, &page.items, today).await?;
    let list = Listing::new("/licenses", &params, key, &page, vec![]);
    let rows = page
        .items
        .into_iter()
        .map(|licence| LicenceRow {
            used: used.get(&licence.id).copied().unwrap_or(0),
            status: status(&licence, today),
            expired: licence.terms().is_expired_on(today),
            id: licence.id,
            licence_id: licence.licence_id,
            key: licence.license_key,
            product: licence.product,
            valid_from: licence.valid_from,
            valid_till: licence.valid_till,
            limit: licence.seat_limit,
            competitive: licence.competitive,
        })
        .collect();
    render(&LicensesPage {
        ctx: PageContext::for_admin(&state, &admin, "/licenses").await?,
        rows,
        list,
        can_import: admin.can(Permission::new(ObjectClass::Licenses, Action::Create)),
        key: String::new(),
        vendor_key_missing: state.vendor_key.is_none(),
    })
}

#[derive(Template)]
#[template(path = "license_import.html")]
struct ImportPage {
    ctx: PageContext,
    key: String,
    error: Option<String>,
    vendor_key_missing: bool,
}

#[get("/licenses/import")]
pub async fn import_license_page(
    state: web::Data<AppState>,
    admin: Can<CreateLicenses>,
) -> Result<HttpResponse, AppError> {
    render(&ImportPage {
        ctx: PageContext::for_admin(&state, &admin, "/licenses").await?,
        key: String::new(),
        error: None,
        vendor_key_missing: state.vendor_key.is_none(),
    })
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    key: String,
}

async fn import_again(
    state: &AppState,
    admin: &CurrentAdmin,
    key: String,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    render_form(
        true,
        &ImportPage {
            ctx: PageContext::for_admin(state, admin, "/licenses").await?,
            key,
            error,
            vendor_key_missing: state.vendor_key.is_none(),
        },
    )
}

#[post("/licenses/import")]
pub async fn import_license(
    state: web::Data<AppState>,
    admin: Can<CreateLicenses>,
    form: web::Form<ImportForm>,
) -> Result<HttpResponse, AppError> {
    let key = form.into_inner().key;
    let Some(vendor) = state.vendor_key.as_ref() else {
        // The page says so in its banner already.
        return import_again(&state, &admin, key, None).await;
    };
    if key.trim().is_empty() {
        let error = "Paste a licence key first.".to_owned();
        return import_again(&state, &admin, key, Some(error)).await;
    }
    let own = if admin.role.is_global() {
        None
    } else {
        Some(admin.organization()?)
    };
    let imported = app::licenses::import_key(&state.db, vendor, &admin.actor(), &key, own).await;
    let outcome = match form_result(imported)? {
        Ok(outcome) => outcome,
        Err(refused) => {
            let error = format!("This key was refused: {refused}.");
            return import_again(&state, &admin, key, Some(error)).await;
        }
    };
    match outcome {
        ImportOutcome::Imported(licence) => {
            let names: Vec<String> = storage::licenses::organizations_of(&state.db, licence.id)
                .await?
                .into_iter()
                .map(|o| o.name)
                .collect();
            let mut message = format!(
                "Imported the {} licence {} for {} ({} seats, valid {} to {}).",
                licence.product,
                licence.licence_id,
                names.join(", "),
                licence.seat_limit,
                licence.valid_from,
                licence.valid_till
            );
            let today = Utc::now().date_naive();
            if licence.valid_till < today {
                message.push_str(" Note: it has already expired, so it gives no seats.");
            } else if licence.valid_from > today {
                message.push_str(&format!(
                    " Note: it gives seats only from {}.",
                    licence.valid_from
                ));
            }
            admin.session.flash_success(message)?
        }
        ImportOutcome::AlreadyImported(licence) => admin.session.flash_success(format!(
            "The {} licence {} was imported before; nothing changed.",
            licence.product, licence.licence_id
        ))?,
    }
    Ok(redirect("/licenses"))
}

#[derive(Template)]
#[template(path = "license_key.html")]
struct KeyPage {
    ctx: PageContext,
    licence: Model,
}

/// The key as text, for copying without JavaScript.
#[get("/licenses/{id}/key")]
pub async fn license_key_page(
    state: web::Data<AppState>,
    admin: Can<ReadLicenses>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let licence = storage::licenses::find(&state.db, admin.organization()?.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&KeyPage {
        ctx: PageContext::for_admin(&state, &admin, "/licenses").await?,
        licence,
    })
}
