//! The audit log (docs/behaviour.md#tenancy): search, filter by organization, actor and date, paginated.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    domain::audit::{FieldChange, field_changes},
    storage::{self, audit::AuditFilter, entities::audit_log},
    web::{
        error::AppError,
        guard::{Can, ReadAudit},
        page::{ListParams, Listing, PageContext, render},
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
}

fn parse_date(input: &str) -> Result<Option<chrono::NaiveDate>, String> {
    match input.trim() {
        "" => Ok(None),
        date => chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("“{date}” is not a date (YYYY-MM-DD)")),
    }
}

#[get("/audit")]
pub async fn audit_page(
    state: web::Data<AppState>,
    admin: Can<ReadAudit>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let organizations = storage::organizations::all(&state.db).await?;
    // Everyone but operators sees their own organization only, whatever the query says.
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
    render(&AuditPage {
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
