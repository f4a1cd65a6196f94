//! The audit log (docs/behaviour.md#tenancy): search, filter by organization, actor and date, paginated.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    domain::{
        audit::{FieldChange, field_changes},
        csv_export::{ExportWriter, file_name},
    },
    storage::{self, audit::AuditFilter, entities::audit_log},
    web::{
        error::AppError,
        guard::{Can, CurrentAdmin, ReadAudit},
        page::{ListParams, Listing, PageContext, render, sentence},
        state::AppState,
    },
};

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(flatten)]
    list: ListParams,
    #[serde(default)]
    actor: String,
    /// An organization's id, `all`, or empty for the current one.
    #[serde(default)]
    organization: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
}

pub struct AuditRow {
    pub entry: audit_log::Model,
    pub organization: String,
    /// The fields that changed, before → after.
    pub changes: Vec<FieldChange>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: PageContext,
    rows: Vec<AuditRow>,
    list: Listing,
    actor: String,
    from: String,
    until: String,
    /// For operators: (value, name, selected) of the organization filter.
    organization_choices: Vec<(String, String, bool)>,
    error: Option<String>,
    /// Export CSV with the same filters.
    export_url: String,
}

fn parse_date(input: &str) -> Result<Option<chrono::NaiveDate>, String> {
    match input.trim() {
        "" => Ok(None),
        date => chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("“{date}” is not a date (YYYY-MM-DD)")),
    }
}

/// The filter the query asks for, and what is wrong with its dates, if anything (they are
/// then left out). Everyone but operators sees their own organization only, whatever the
/// query says.
fn filter_of(
    admin: &CurrentAdmin,
    query: &AuditQuery,
) -> Result<(AuditFilter, Option<String>), AppError> {
    let organization_id = if admin.role.is_global() {
        match query.organization.as_str() {
            "all" => None,
            "" => admin.organization.as_ref().map(|o| o.id),
            id => Some(id.parse::<i64>().map_err(|_| AppError::NotFound)?),
        }
    } else {
        Some(admin.organization()?.id)
    };
    let (from, until, error) = match (parse_date(&query.from), parse_date(&query.until)) {
        (Ok(from), Ok(until)) => (from, until, None),
        (Err(e), _) | (_, Err(e)) => (None, None, Some(e)),
    };
    let filter = AuditFilter {
        organization_id,
        text: query.list.q.clone(),
        actor: query.actor.clone(),
        from,
        until,
    };
    Ok((filter, error))
}

#[get("/audit")]
pub async fn audit_page(
    state: web::Data<AppState>,
    admin: Can<ReadAudit>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let organizations = storage::organizations::all(&state.db).await?;
    let (filter, error) = filter_of(&admin, &query)?;
    let organization_id = filter.organization_id;
    let page = storage::audit::search(&state.db, &filter, query.list.page_request()).await?;
    let names: HashMap<i64, &str> = organizations
        .iter()
        .map(|o| (o.id, o.name.as_str()))
        .collect();
    let rows = page
        .items
        .iter()
        .cloned()
        .map(|entry| AuditRow {
            organization: entry
                .organization_id
                .and_then(|id| names.get(&id).map(|n| (*n).to_owned()))
                .unwrap_or_else(|| "—".to_owned()),
            changes: field_changes(entry.before.as_deref(), entry.after.as_deref()),
            entry,
        })
        .collect();
    let organization_value = organization_id.map_or("all".to_owned(), |id| id.to_string());
    let organization_choices = if admin.role.is_global() {
        std::iter::once((
            "all".to_owned(),
            "All organizations".to_owned(),
            organization_id.is_none(),
        ))
        .chain(organizations.iter().map(|o| {
            (
                o.id.to_string(),
                o.name.clone(),
                Some(o.id) == organization_id,
            )
        }))
        .collect()
    } else {
        Vec::new()
    };
    let list = Listing::new(
        "/audit",
        &query.list,
        "at",
        &page,
        vec![
            ("actor", query.actor.clone()),
            (
                "organization",
                if admin.role.is_global() {
                    organization_value
                } else {
                    String::new()
                },
            ),
            ("from", query.from.clone()),
            ("until", query.until.clone()),
        ],
    );
    let export_query = serde_urlencoded::to_string([
        ("q", query.list.q.as_str()),
        ("actor", query.actor.as_str()),
        ("organization", query.organization.as_str()),
        ("from", query.from.as_str()),
        ("until", query.until.as_str()),
    ])
    .unwrap_or_default();
    render(&AuditPage {
        export_url: format!("/audit/export.csv?{export_query}"),
        ctx: PageContext::for_admin(&state, &admin, "/audit").await?,
        rows,
        list,
        actor: query.actor,
        from: query.from,
        until: query.until,
        organization_choices,
        error,
    })
}

/// Entries per batch of the export.
const EXPORT_BATCH: u64 = 1000;

const EXPORT_HEADER: [&str; 8] = [
    "at",
    "organization",
    "actor",
    "action",
    "target",
    "before",
    "after",
    "id",
];

/// Export CSV: every entry the filter keeps, newest first, with the stored before/after
/// JSON — for archiving before the retention prunes them. Streamed in batches that each
/// seek from the last, so its memory and cost per entry do not grow with the log.
#[get("/audit/export.csv")]
pub async fn export_audit(
    state: web::Data<AppState>,
    admin: Can<ReadAudit>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let (filter, error) = filter_of(&admin, &query)?;
    if let Some(error) = error {
        return Err(AppError::BadRequest(sentence(&error)));
    }
    let names: std::sync::Arc<HashMap<i64, String>> = std::sync::Arc::new(
        storage::organizations::all(&state.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect(),
    );
    let whose = match filter.organization_id {
        Some(id) => names.get(&id).cloned().unwrap_or_default(),
        None => "all".to_owned(),
    };
    let file = file_name("AuditLog", &whose, chrono::Utc::now().date_naive());
    let db = state.db.clone();
    // State: the id the next batch starts below (`None` at the start), or done.
    let batches = futures_util::stream::try_unfold(Some(None), move |state| {
        let (db, names, filter) = (db.clone(), names.clone(), filter.clone());
        async move {
            let Some(before) = state else {
                return Ok(None);
            };
            let entries = storage::audit::batch_before(&db, &filter, before, EXPORT_BATCH).await?;
            let next = (entries.len() as u64 == EXPORT_BATCH)
                .then(|| entries.last().map(|e| e.id))
                .flatten();
            let lines = export_lines(&names, &entries, before.is_none())
                .map_err(|e| AppError::Unexpected(e.into()))?;
            Ok::<_, AppError>(Some((lines, next.map(Some))))
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

fn export_lines(
    names: &HashMap<i64, String>,
    entries: &[audit_log::Model],
    header: bool,
) -> Result<web::Bytes, csv::Error> {
    let mut writer = ExportWriter::with_capacity(entries.len() * 300);
    if header {
        writer.row(EXPORT_HEADER)?;
    }
    for entry in entries {
        let organization = entry
            .organization_id
            .and_then(|id| names.get(&id))
            .map(String::as_str)
            .unwrap_or_default();
        writer.row([
            entry
                .at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                .as_str(),
            organization,
            &entry.actor,
            &entry.action,
            &entry.target,
            entry.before.as_deref().unwrap_or_default(),
            entry.after.as_deref().unwrap_or_default(),
            &entry.id.to_string(),
        ])?;
    }
    writer.finish().map(web::Bytes::from)
}
