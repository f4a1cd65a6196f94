//! Import CSV on the Mobile Users page (docs/behaviour.md#mobile-users-page): upload, check every row, apply all or
//! nothing, and show a report of what was added, updated or rejected and why.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use futures_util::StreamExt;

use crate::{
    app,
    domain::csv_import::{self, RowError},
    storage::mobile_users::ImportReport,
    web::{
        error::AppError,
        guard::{Can, CreateMobileUsers, CurrentAdmin},
        page::{PageContext, render_form},
        state::AppState,
    },
};

/// Largest upload accepted.
const MAX_BYTES: usize = 10 * 1024 * 1024;

#[derive(Template)]
#[template(path = "mobile_users_import.html")]
struct ImportPage {
    ctx: PageContext,
    report: Option<ImportReport>,
    errors: Vec<RowError>,
}

async fn page(
    state: &AppState,
    admin: &CurrentAdmin,
    report: Option<ImportReport>,
    errors: Vec<RowError>,
) -> Result<HttpResponse, AppError> {
    let page = ImportPage {
        ctx: PageContext::for_admin(state, admin, "/mobile-users").await?,
        report,
        errors,
    };
    render_form(!page.errors.is_empty(), &page)
}

#[get("/mobile-users/import")]
pub async fn import_page(
    state: web::Data<AppState>,
    admin: Can<CreateMobileUsers>,
) -> Result<HttpResponse, AppError> {
    page(&state, &admin, None, Vec::new()).await
}

/// The uploaded file's bytes (the `file` field).
async fn read_file(mut multipart: Multipart) -> Result<Vec<u8>, String> {
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|e| format!("the upload could not be read: {e}"))?;
        if field.name() != Some("file") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| format!("the upload could not be read: {e}"))?;
            if bytes.len() + chunk.len() > MAX_BYTES {
                return Err("the file is larger than 10 MB".to_owned());
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(bytes);
    }
    Err("choose a CSV file to import".to_owned())
}

#[post("/mobile-users/import")]
pub async fn import_mobile_users(
    state: web::Data<AppState>,
    admin: Can<CreateMobileUsers>,
    multipart: Multipart,
) -> Result<HttpResponse, AppError> {
    admin.require(crate::domain::permissions::Permission::new(
        crate::domain::permissions::ObjectClass::MobileUsers,
        crate::domain::permissions::Action::Update,
    ))?;
    let whole_file = |reason: String| vec![RowError { line: 1, reason }];
    let bytes = match read_file(multipart).await {
        Ok(bytes) => bytes,
        Err(reason) => return page(&state, &admin, None, whole_file(reason)).await,
    };
    let rows = match csv_import::parse(&bytes) {
        Ok(rows) => rows,
        Err(errors) => return page(&state, &admin, None, errors).await,
    };
    let organization = admin.organization()?.id;
    match app::mobile_users::import(&state.db, &admin.actor(), organization, &rows).await {
        Ok(report) => page(&state, &admin, Some(report), Vec::new()).await,
        Err(app::Error::Refused(reason)) => {
            page(&state, &admin, None, whole_file(reason.to_string())).await
        }
        Err(app::Error::Failed(failure)) => Err(failure.into()),
    }
}
