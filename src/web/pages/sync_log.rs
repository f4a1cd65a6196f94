//! The synchronization log (docs/behaviour.md#sync-log): per mobile user, the last sync,
//! the conflicts and superseded changes, and the changes the device still holds back; for
//! the organization, every conflict on one page. Revert and Request access are plain forms.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{
    app::{self, sync_log::AccessRequested},
    domain::{
        paging::Page,
        permissions::{Action, ObjectClass, Permission},
        sync::{ConflictKind, LogOutcome, LogState, PendingChange},
    },
    storage::{
        self,
        entities::{mobile_users, sync_log, sync_status},
        sync_log::LogFilter,
    },
    web::{
        confirm::{Confirmation, Question},
        error::AppError,
        guard::{Can, ChangeSyncLog, CurrentAdmin, ReadSyncLog},
        page::{ListParams, Listing, PageContext, form_result, redirect, render},
        state::AppState,
    },
};

#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(flatten)]
    list: ListParams,
    /// A conflict kind, or `superseded`.
    #[serde(default)]
    kind: String,
    /// `open` or `reverted`.
    #[serde(default)]
    state: String,
}

impl LogQuery {
    fn filter(&self, mobile_user_id: Option<i64>) -> LogFilter {
        LogFilter {
            mobile_user_id,
            kind: ConflictKind::parse(&self.kind),
            superseded: self.kind == "superseded",
            state: LogState::parse(&self.state),
            search: self.list.q.clone(),
        }
    }
}

/// One log entry as the table shows it.
pub struct LogRow {
    pub entry: sync_log::Model,
    pub user: String,
    pub device_values: Map<String, Value>,
    pub server_values: Option<Map<String, Value>>,
}

impl LogRow {
    pub fn what(&self) -> String {
        match (self.entry.outcome, self.entry.kind) {
            (LogOutcome::Conflict, Some(kind)) => kind.label().to_owned(),
            _ => "Superseded".to_owned(),
        }
    }

    /// The server's value of a field the device sent, for the comparison.
    pub fn server(&self, field: &str) -> String {
        match &self.server_values {
            None => "(no record)".to_owned(),
            Some(values) => super::records::show(values.get(field)),
        }
    }

    /// Whether the record exists on the server (a refused create never made it there).
    pub fn on_server(&self) -> bool {
        self.server_values.is_some() || self.entry.op != crate::domain::sync::Op::Create
    }

    pub fn revertible(&self) -> bool {
        self.entry.outcome == LogOutcome::Conflict && self.entry.state == LogState::Open
    }

    pub fn asks_permission(&self) -> bool {
        self.entry.kind == Some(ConflictKind::PermissionDenied)
    }
}

/// The table's part of the page: rows, filters, and what may be done.
pub struct LogTable {
    pub rows: Vec<LogRow>,
    pub list: Listing,
    pub kind: String,
    pub state: String,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub can_change: bool,
    /// Where Request access mails go, if anywhere.
    pub request_address: Option<String>,
    /// Where the actions come back to.
    pub back: String,
    /// The overview shows whose change it was.
    pub show_user: bool,
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    let mut kinds: Vec<(&'static str, &'static str)> = ConflictKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect();
    kinds.push(("superseded", "Superseded"));
    kinds
}

fn object(text: &str) -> Map<String, Value> {
    serde_json::from_str(text).unwrap_or_default()
}

async fn table(
    state: &AppState,
    admin: &CurrentAdmin,
    path: &str,
    query: &LogQuery,
    mobile_user_id: Option<i64>,
) -> Result<LogTable, AppError> {
    let organization = admin.organization()?.id;
    let request = query.list.page_request();
    let (entries, total) = storage::sync_log::page(
        &state.db,
        organization,
        &query.filter(mobile_user_id),
        request.offset(),
        request.size,
    )
    .await?;
    let ids: Vec<i64> = entries.iter().map(|e| e.mobile_user_id).collect();
    let users: HashMap<i64, mobile_users::Model> =
        storage::mobile_users::find_many(&state.db, organization, &ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
    let rows: Vec<LogRow> = entries
        .into_iter()
        .map(|entry| LogRow {
            user: users
                .get(&entry.mobile_user_id)
                .map(|u| u.display_name.clone().unwrap_or_else(|| u.user_id.clone()))
                .unwrap_or_default(),
            device_values: object(&entry.device_values),
            server_values: entry.server_values.as_deref().map(object),
            entry,
        })
        .collect();
    let shown = Page::counted(vec![(); rows.len()], total, request);
    let list = Listing::new(
        path,
        &query.list,
        "newest",
        &shown,
        vec![("kind", query.kind.clone()), ("state", query.state.clone())],
    );
    let back = list.current_url();
    Ok(LogTable {
        rows,
        list,
        kind: query.kind.clone(),
        state: query.state.clone(),
        kinds: kinds(),
        can_change: admin.can(Permission::new(ObjectClass::SyncLog, Action::Update)),
        request_address: storage::settings::get(&state.db, organization)
            .await?
            .permission_request_email,
        back,
        show_user: mobile_user_id.is_none(),
    })
}

#[derive(Template)]
#[template(path = "sync_log.html")]
struct OverviewPage {
    ctx: PageContext,
    tab: &'static str,
    log: LogTable,
}

#[get("/sync-log")]
pub async fn sync_log_page(
    state: web::Data<AppState>,
    admin: Can<ReadSyncLog>,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    let log = table(&state, &admin, "/sync-log", &query, None).await?;
    render(&OverviewPage {
        ctx: PageContext::for_admin(&state, &admin, "/records").await?,
        tab: "sync-log",
        log,
    })
}

#[derive(Template)]
#[template(path = "user_sync.html")]
struct UserSyncPage {
    ctx: PageContext,
    user: mobile_users::Model,
    status: Option<sync_status::Model>,
    device: Option<String>,
    pending: Vec<PendingChange>,
    log: LogTable,
}

#[get("/mobile-users/{id}/sync")]
pub async fn user_sync_page(
    state: web::Data<AppState>,
    admin: Can<ReadSyncLog>,
    id: web::Path<i64>,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    let user = storage::mobile_users::find_in(&state.db, admin.organization()?.id, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = storage::sync_log::status(&state.db, user.id).await?;
    let device = match status.as_ref().and_then(|s| s.device_id) {
        Some(device) => storage::devices::find_in(&state.db, user.organization_id, device)
            .await?
            .map(|d| d.nickname),
        None => None,
    };
    let pending = status
        .as_ref()
        .and_then(|s| serde_json::from_str(&s.pending).ok())
        .unwrap_or_default();
    let path = format!("/mobile-users/{}/sync", user.id);
    let log = table(&state, &admin, &path, &query, Some(user.id)).await?;
    render(&UserSyncPage {
        ctx: PageContext::for_admin(&state, &admin, "/mobile-users").await?,
        user,
        status,
        device,
        pending,
        log,
    })
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    back: String,
}

impl ActionForm {
    fn back(&self) -> &str {
        if crate::web::page::is_own_path(&self.back) {
            &self.back
        } else {
            "/sync-log"
        }
    }
}

#[post("/sync-log/{id}/revert")]
pub async fn revert(
    state: web::Data<AppState>,
    admin: Can<ChangeSyncLog>,
    id: web::Path<i64>,
    form: web::Form<ActionForm>,
    confirmation: Confirmation,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let entry = storage::sync_log::find(&state.db, organization, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let question = Question {
        title: format!(
            "Revert this {} of {} {}?",
            entry.op.as_str(),
            entry.entity_name,
            entry.record_id
        ),
        consequence: "The device drops its change at its next sync and keeps the server copy."
            .to_owned(),
        button: "Revert",
        cancel: form.back().to_owned(),
    };
    if let Some(page) = confirmation.ask(&state, &admin, question).await? {
        return Ok(page);
    }
    let reverted = app::sync_log::revert(&state.db, &admin.actor(), organization, *id).await;
    match form_result(reverted)? {
        Ok(entry) => admin.session.flash_success(format!(
            "Change reverted: the device drops its {} of {} {} at its next sync and keeps the server copy.",
            entry.op.as_str(),
            entry.entity_name,
            entry.record_id
        ))?,
        Err(refused) => admin
            .session
            .flash_error(format!("Not reverted: {refused}."))?,
    }
    Ok(redirect(form.back()))
}

#[post("/sync-log/{id}/request-access")]
pub async fn request_access(
    state: web::Data<AppState>,
    admin: Can<ChangeSyncLog>,
    id: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let requested = app::sync_log::request_access(
        &state.db,
        &admin.actor(),
        organization,
        *id,
        &state.config.base_url,
    )
    .await;
    match form_result(requested)? {
        Ok(AccessRequested::Queued(address)) => admin
            .session
            .flash_success(format!("Access requested: a mail to {address} is queued."))?,
        Ok(AccessRequested::Already) => admin.session.flash_success(
            "Access was requested for this conflict already; no second mail was queued.",
        )?,
        Err(refused) => admin
            .session
            .flash_error(format!("Not requested: {refused}."))?,
    }
    Ok(redirect(form.back()))
}
