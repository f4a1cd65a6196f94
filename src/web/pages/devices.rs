//! Active Devices (docs/behaviour.md#active-devices-page): registered devices with search and pagination, Licenses Total /
//! Free, the version pie chart; Pending Registrations with Replace (a new code, shown once
//! and mailed); Delete; the Devices Report. Adding and editing: `device_form`.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use crate::{
    app,
    domain::{
        chart::{Slice, pie},
        csv_export::{ExportWriter, file_name},
        devices::parse_recipients,
        permissions::{Action, ObjectClass, Permission},
        registration::Expiry,
    },
    storage::{
        self,
        devices::SeatSummary,
        entities::{devices, teams},
    },
    web::{
        confirm::{Confirmation, Question},
        error::AppError,
        guard::{Can, ChangeDevices, CurrentAdmin, ReadDevices},
        page::{ListParams, Listing, PageContext, redirect, render, render_with_status},
        state::AppState,
    },
};

/// A device row as shown.
pub struct DeviceRow {
    pub device: devices::Model,
    pub team: String,
    pub time_zone: String,
    pub licence: String,
    /// For pending devices: until when the current code works.
    pub code_expires: Option<String>,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    ctx: PageContext,
    rows: Vec<DeviceRow>,
    pending: Vec<DeviceRow>,
    /// Pending registrations beyond those shown.
    pending_hidden: u64,
    list: Listing,
    summary: SeatSummary,
    slices: Vec<Slice>,
    can_change: bool,
}

/// The names a device row shows instead of ids.
struct Names {
    teams: HashMap<i64, teams::Model>,
    /// As the page shows a licence: number, type and status.
    licences: HashMap<i64, String>,
    /// The plain licence number, for the report.
    licence_ids: HashMap<i64, String>,
}

impl Names {
    async fn load(state: &AppState, organization_id: i64) -> Result<Self, AppError> {
        let today = Utc::now().date_naive();
        let teams = storage::lookups::all_teams(&state.db, organization_id)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let of_product = storage::licenses::of_product(
            &state.db,
            organization_id,
            crate::domain::products::Product::Device,
        )
        .await?;
        let licence_ids = of_product
            .iter()
            .map(|l| (l.id, l.licence_id.to_string()))
            .collect();
        let licences = of_product
            .into_iter()
            // License column (docs/behaviour.md#active-devices-page): number, type and status.
            .map(|l| {
                let shown = format!(
                    "{} · {} · {}",
                    l.licence_id,
                    l.product,
                    super::licenses::status(&l, today)
                );
                (l.id, shown)
            })
            .collect();
        Ok(Self {
            teams,
            licences,
            licence_ids,
        })
    }

    fn row(&self, device: devices::Model, code_expires: Option<String>) -> DeviceRow {
        let team = self.teams.get(&device.team_id);
        DeviceRow {
            team: team.map(|t| t.name.clone()).unwrap_or_default(),
            time_zone: device
                .time_zone
                .clone()
                .or_else(|| team.map(|t| format!("{} (team)", t.time_zone)))
                .unwrap_or_default(),
            licence: device
                .license_id
                .and_then(|id| self.licences.get(&id).cloned())
                .unwrap_or_else(|| "—".to_owned()),
            code_expires,
            device,
        }
    }
}

#[get("/devices")]
pub async fn devices_page(
    state: web::Data<AppState>,
    admin: Can<ReadDevices>,
    query: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let now = Utc::now();
    // The parts are independent: read them side by side (each on its own pooled connection).
    let (names, page, (waiting, pending_hidden), (_, summary), versions, ctx) = tokio::try_join!(
        Names::load(&state, organization),
        async {
            Ok::<_, AppError>(
                storage::devices::list(
                    &state.db,
                    organization,
                    false,
                    &query.q,
                    query.page_request(),
                )
                .await?,
            )
        },
        pending_devices(&state, organization, now),
        async { Ok::<_, AppError>(storage::devices::seats(&state.db, organization, now).await?) },
        async { Ok::<_, AppError>(storage::devices::versions(&state.db, organization).await?) },
        PageContext::for_admin(&state, &admin, "/devices"),
    )?;
    let list = Listing::new("/devices", &query, "changed", &page, Vec::new());
    let rows = page.items.into_iter().map(|d| names.row(d, None)).collect();
    let pending = waiting
        .into_iter()
        .map(|(device, expires)| names.row(device, expires))
        .collect();
    let versions: Vec<(String, u64)> = versions
        .into_iter()
        .map(|(version, count)| (version, u64::try_from(count).unwrap_or(0)))
        .collect();
    render(&DevicesPage {
        ctx,
        rows,
        pending,
        pending_hidden,
        list,
        summary,
        slices: pie(&versions),
        can_change: admin.can(Permission::new(ObjectClass::Devices, Action::Update)),
    })
}

/// Pending registrations are few: the newest hundred, each with until when its current code
/// works, and how many more there are.
async fn pending_devices(
    state: &AppState,
    organization: i64,
    now: chrono::DateTime<Utc>,
) -> Result<(Vec<(devices::Model, Option<String>)>, u64), AppError> {
    let waiting = storage::devices::list(
        &state.db,
        organization,
        true,
        "",
        crate::domain::paging::PageRequest::new(Some(1), Some(100)),
    )
    .await?;
    let ids: Vec<i64> = waiting.items.iter().map(|d| d.id).collect();
    let mut expiry: HashMap<i64, String> = storage::registration::open_codes(&state.db, &ids)
        .await?
        .into_iter()
        .map(|code| {
            let shown = if code.expires_at <= now {
                "expired".to_owned()
            } else {
                code.expires_at.format("%Y-%m-%d %H:%M UTC").to_string()
            };
            (code.device_id, shown)
        })
        .collect();
    let hidden = waiting.total.saturating_sub(waiting.items.len() as u64);
    let rows = waiting
        .items
        .into_iter()
        .map(|device| {
            let expires = expiry.remove(&device.id);
            (device, expires)
        })
        .collect();
    Ok((rows, hidden))
}

pub(super) fn code_message(
    device: &devices::Model,
    issued: &app::devices::IssuedCode,
    recipients: usize,
) -> String {
    let mailed = match recipients {
        0 => "not mailed (no recipient)".to_owned(),
        1 => "mailed to 1 recipient".to_owned(),
        n => format!("mailed to {n} recipients"),
    };
    format!(
        "Registration code for {}: {code} — valid until {} UTC, {mailed}. It is shown only now.",
        device.nickname,
        issued.expires_at.format("%Y-%m-%d %H:%M"),
        code = issued.code,
    )
}

/// The Replace page: the question, with the new code's validity (the current code's choice
/// to begin with) and whom to mail it to. It is the confirmation, with or without JavaScript.
#[derive(Template)]
#[template(path = "device_replace.html")]
struct ReplacePage {
    ctx: PageContext,
    device: devices::Model,
    /// Until when the current code works, if it still can be used.
    current_until: Option<String>,
    expiries: [Expiry; 5],
    expiry: Expiry,
    recipients: String,
    error: Option<String>,
}

async fn replace_page(
    state: &AppState,
    admin: &CurrentAdmin,
    device: devices::Model,
    expiry: Option<Expiry>,
    recipients: String,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let latest = storage::registration::latest_code(&state.db, device.id).await?;
    let now = Utc::now();
    let current_until = latest
        .as_ref()
        .filter(|code| code.used_at.is_none() && code.replaced_at.is_none())
        .filter(|code| code.expires_at > now)
        .map(|code| code.expires_at.format("%Y-%m-%d %H:%M UTC").to_string());
    let expiry = expiry.unwrap_or_else(|| {
        latest
            .map(|code| Expiry::nearest(code.expires_at - code.created_at))
            .unwrap_or_default()
    });
    let page = ReplacePage {
        ctx: PageContext::for_admin(state, admin, "/devices").await?,
        device,
        current_until,
        expiries: Expiry::ALL,
        expiry,
        recipients,
        error,
    };
    if page.error.is_some() {
        render_with_status(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    }
}

#[get("/devices/{id}/replace")]
pub async fn replace_code_page(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let device = storage::devices::find_in(&state.db, admin.organization()?.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    replace_page(&state, &admin, device, None, String::new(), None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ReplaceForm {
    #[serde(default)]
    expires_in: String,
    #[serde(default)]
    recipients: String,
}

/// Replace: a new code for the device (the old one stops working), mailed to the given
/// addresses.
#[post("/devices/{id}/replace")]
pub async fn replace_code(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
    form: web::Form<ReplaceForm>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.clone();
    let device = storage::devices::find_in(&state.db, organization.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = form.into_inner();
    let Some(expiry) = Expiry::parse(&form.expires_in) else {
        let error = "Choose how long the new code stays valid.".to_owned();
        return replace_page(&state, &admin, device, None, form.recipients, Some(error)).await;
    };
    let recipients = match parse_recipients(&form.recipients) {
        Ok(recipients) => recipients,
        Err(error) => {
            let error = format!("{error} No new code was issued.");
            return replace_page(
                &state,
                &admin,
                device,
                Some(expiry),
                form.recipients,
                Some(error),
            )
            .await;
        }
    };
    let issued = app::devices::replace_code(
        &state.db,
        &admin.actor(),
        &state.signer,
        &organization,
        &device,
        &recipients,
        expiry,
    )
    .await?;
    admin.session.flash_success_to_copy(
        code_message(&device, &issued, recipients.len()),
        issued.code.to_string(),
    )?;
    Ok(redirect("/devices"))
}

#[post("/devices/{id}/delete")]
pub async fn delete_device(
    state: web::Data<AppState>,
    admin: Can<ChangeDevices>,
    id: web::Path<i64>,
    confirmation: Confirmation,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let device = storage::devices::find_in(&state.db, organization, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let question = Question {
        title: format!("Delete device “{}”?", device.nickname),
        consequence: "Its licence seat is freed and its registration code stops working; \
            to use it again, it has to be added and registered anew."
            .to_owned(),
        button: "Delete",
        cancel: "/devices".to_owned(),
    };
    if let Some(page) = confirmation.ask(&state, &admin, question).await? {
        return Ok(page);
    }
    app::devices::delete(&state.db, &admin.actor(), &device).await?;
    admin.session.flash_success(format!(
        "Device {} deleted; its seat is free.",
        device.nickname
    ))?;
    Ok(redirect("/devices"))
}

const REPORT_BATCH: u64 = 1000;

const REPORT_HEADER: [&str; 12] = [
    "Team",
    "Platform",
    "OS Type",
    "Name",
    "Description",
    "Device ID",
    "Reg Date",
    "Change Date",
    "License",
    "Time Zone",
    "Version",
    "Status",
];

/// One batch of devices as CSV lines.
fn report_lines(
    names: &Names,
    devices: Vec<devices::Model>,
    header: bool,
) -> Result<web::Bytes, csv::Error> {
    let mut writer = ExportWriter::with_capacity(devices.len() * 180);
    if header {
        writer.row(REPORT_HEADER)?;
    }
    for device in devices {
        let status = if device.registered_at.is_some() {
            "Registered"
        } else {
            "Pending"
        };
        // Raw values for a spreadsheet: ISO 8601 times in UTC, the plain licence number, the
        // time zone in effect (the device's own or its team's).
        let time = |t: Option<chrono::DateTime<Utc>>| {
            t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default()
        };
        let licence = device
            .license_id
            .and_then(|id| names.licence_ids.get(&id))
            .map(String::as_str)
            .unwrap_or_default()
            .to_owned();
        let time_zone = device
            .time_zone
            .clone()
            .or_else(|| {
                names
                    .teams
                    .get(&device.team_id)
                    .map(|t| t.time_zone.clone())
            })
            .unwrap_or_default();
        let row = names.row(device, None);
        let d = &row.device;
        writer.row([
            row.team.as_str(),
            d.platform.as_deref().unwrap_or_default(),
            d.os_type.as_deref().unwrap_or_default(),
            d.nickname.as_str(),
            d.description.as_deref().unwrap_or_default(),
            d.device_identifier.as_deref().unwrap_or_default(),
            &time(d.registered_at),
            &time(Some(d.changed_at)),
            &licence,
            &time_zone,
            d.app_version.as_deref().unwrap_or_default(),
            status,
        ])?;
    }
    writer.finish().map(web::Bytes::from)
}

/// Devices Report (docs/behaviour.md#active-devices-page): every device of the organization as `DeviceReport.csv`, streamed
/// in batches of a thousand, so its memory does not grow with the number of devices.
#[get("/devices/report")]
pub async fn devices_report(
    state: web::Data<AppState>,
    admin: Can<ReadDevices>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let file = file_name(
        "DeviceReport",
        &admin.organization()?.name,
        Utc::now().date_naive(),
    );
    let names = std::sync::Arc::new(Names::load(&state, organization).await?);
    let db = state.db.clone();
    // State: the last id written, or `None` once done; the header goes with the first batch.
    let batches = futures_util::stream::try_unfold(Some(0_i64), move |after| {
        let (db, names) = (db.clone(), names.clone());
        async move {
            let Some(after) = after else {
                return Ok(None);
            };
            let devices =
                storage::devices::batch_after(&db, organization, after, REPORT_BATCH).await?;
            let last = devices.last().map(|d| d.id);
            let done = (devices.len() as u64) < REPORT_BATCH;
            if devices.is_empty() && after > 0 {
                return Ok(None);
            }
            let lines = report_lines(&names, devices, after == 0)
                .map_err(|e| AppError::Unexpected(e.into()))?;
            let next = if done { None } else { last };
            Ok::<_, AppError>(Some((lines, next)))
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .streaming(batches))
}
