//! Records (docs/behaviour.md#mobile-sync): an entity's records with search and pages, one
//! record with its versions, and an administrator's edit or delete — a new version that
//! devices get at their next sync.

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{
    app::{self, records::RecordRefused},
    domain::{
        ids::Guid,
        paging::Page,
        permissions::{Action, ObjectClass, Permission},
        sync_entities::Field,
    },
    storage::{
        self,
        entities::{sync_entities, sync_record_versions, sync_records},
    },
    web::{
        confirm::{Confirmation, Question},
        error::AppError,
        guard::{Can, ChangeRecords, CurrentAdmin, ReadRecords},
        page::{ListParams, Listing, PageContext, form_result, redirect, render, render_form},
        state::AppState,
    },
};

#[derive(Debug, Default, Deserialize)]
pub struct RecordsQuery {
    #[serde(flatten)]
    list: ListParams,
    #[serde(default)]
    entity: String,
}

/// A record's row: its fields as stored.
pub struct RecordRow {
    pub record: sync_records::Model,
    pub fields: Map<String, Value>,
}

/// A value for a table cell or a details list.
pub fn show(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Bool(true)) => "yes".to_owned(),
        Some(Value::Bool(false)) => "no".to_owned(),
        Some(other) => other.to_string(),
    }
}

#[derive(Template)]
#[template(path = "records.html")]
struct RecordsPage {
    ctx: PageContext,
    tab: &'static str,
    entities: Vec<sync_entities::Model>,
    entity: Option<sync_entities::Model>,
    /// The first fields, shown as columns.
    columns: Vec<Field>,
    rows: Vec<RecordRow>,
    list: Listing,
}

async fn entity_named(
    state: &AppState,
    admin: &CurrentAdmin,
    name: &str,
) -> Result<sync_entities::Model, AppError> {
    storage::sync_entities::all(&state.db, admin.organization()?.id)
        .await?
        .into_iter()
        .find(|e| e.name == name)
        .ok_or(AppError::NotFound)
}

#[get("/records")]
pub async fn records_page(
    state: web::Data<AppState>,
    admin: Can<ReadRecords>,
    query: web::Query<RecordsQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let entities = storage::sync_entities::all(&state.db, admin.organization()?.id).await?;
    let entity = match query.entity.trim() {
        "" => entities.first().cloned(),
        name => Some(
            entities
                .iter()
                .find(|e| e.name == name)
                .cloned()
                .ok_or(AppError::NotFound)?,
        ),
    };
    let request = query.list.page_request();
    let (rows, total, columns) = match &entity {
        Some(entity) => {
            let search = query.list.q.trim();
            let (records, total) = storage::sync_records::page(
                &state.db,
                entity.id,
                (!search.is_empty()).then_some(search),
                request.offset(),
                request.size,
            )
            .await?;
            let mut rows = Vec::with_capacity(records.len());
            for record in records {
                let fields = storage::sync_records::fields_of(&record)?;
                rows.push(RecordRow { record, fields });
            }
            let mut columns = storage::sync_entities::fields(entity)?;
            columns.truncate(3);
            (rows, total, columns)
        }
        None => (Vec::new(), 0, Vec::new()),
    };
    let shown = Page::counted(vec![(); rows.len()], total, request);
    let list = Listing::new(
        "/records",
        &query.list,
        "version",
        &shown,
        vec![(
            "entity",
            entity.as_ref().map(|e| e.name.clone()).unwrap_or_default(),
        )],
    );
    render(&RecordsPage {
        ctx: PageContext::for_admin(&state, &admin, "/records").await?,
        tab: "records",
        entities,
        entity,
        columns,
        rows,
        list,
    })
}

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage {
    ctx: PageContext,
    entity: sync_entities::Model,
    fields: Vec<Field>,
    record: sync_records::Model,
    values: Map<String, Value>,
    /// What the form shows: stored values, or what was typed.
    typed: Vec<(String, String)>,
    history: Vec<(sync_record_versions::Model, Map<String, Value>)>,
    can_change: bool,
    error: Option<String>,
}

impl RecordPage {
    fn typed_value(&self, field: &Field) -> String {
        self.typed
            .iter()
            .find(|(k, _)| *k == field.name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn checked(&self, field: &Field) -> bool {
        self.typed.iter().any(|(k, _)| *k == field.name)
    }
}

async fn record_page(
    state: &AppState,
    admin: &CurrentAdmin,
    entity_name: &str,
    record_id: &str,
    typed: Option<Vec<(String, String)>>,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let entity = entity_named(state, admin, entity_name).await?;
    let record_id = Guid::parse(record_id)
        .map_err(|_| AppError::NotFound)?
        .to_string();
    let record =
        storage::sync_records::find(&state.db, entity.organization_id, entity.id, &record_id)
            .await?
            .ok_or(AppError::NotFound)?;
    let fields = storage::sync_entities::fields(&entity)?;
    let values = storage::sync_records::fields_of(&record)?;
    let typed = typed.unwrap_or_else(|| {
        fields
            .iter()
            .filter(|f| {
                f.kind != crate::domain::sync_entities::FieldType::Boolean
                    || values.get(&f.name) == Some(&Value::Bool(true))
            })
            .map(|f| (f.name.clone(), f.form_value(values.get(&f.name))))
            .collect()
    });
    let mut history = Vec::new();
    for version in storage::sync_records::history(&state.db, record.id).await? {
        let fields = serde_json::from_str(&version.fields).unwrap_or_default();
        history.push((version, fields));
    }
    render_form(
        error.is_some(),
        &RecordPage {
            ctx: PageContext::for_admin(state, admin, "/records").await?,
            can_change: admin.can(Permission::new(ObjectClass::Records, Action::Update)),
            entity,
            fields,
            record,
            values,
            typed,
            history,
            error,
        },
    )
}

#[get("/records/{entity}/{id}")]
pub async fn record_view(
    state: web::Data<AppState>,
    admin: Can<ReadRecords>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (entity, id) = path.into_inner();
    record_page(&state, &admin, &entity, &id, None, None).await
}

fn back(entity: &str, id: &str) -> String {
    format!("/records/{entity}/{id}")
}

#[post("/records/{entity}/{id}")]
pub async fn update_record(
    state: web::Data<AppState>,
    admin: Can<ChangeRecords>,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (entity_name, id) = path.into_inner();
    let typed = form.into_inner();
    let entity = entity_named(&state, &admin, &entity_name).await?;
    let fields = storage::sync_entities::fields(&entity)?;
    let mut values = Map::new();
    let mut errors = Vec::new();
    for field in &fields {
        let text = typed
            .iter()
            .find(|(k, _)| *k == field.name)
            .map(|(_, v)| v.as_str());
        match field.parse_value(text) {
            Ok(value) => {
                values.insert(field.name.clone(), value);
            }
            Err(error) => errors.push(error),
        }
    }
    let record_id = Guid::parse(&id)
        .map_err(|_| AppError::NotFound)?
        .to_string();
    if !errors.is_empty() {
        let error = format!("Not saved: {}.", errors.join("; "));
        return record_page(&state, &admin, &entity_name, &id, Some(typed), Some(error)).await;
    }
    let saved = app::records::update(&state.db, &admin.actor(), &entity, &record_id, &values).await;
    match form_result(saved)? {
        Ok(version) => admin.session.flash_success(format!(
            "Record saved as version {version}; devices get it at their next sync."
        ))?,
        Err(refused) if refused == RecordRefused::Unchanged.to_string() => {
            admin.session.flash_success("Nothing was changed.")?
        }
        Err(refused) => {
            let error = format!("Not saved: {refused}.");
            return record_page(&state, &admin, &entity_name, &id, Some(typed), Some(error)).await;
        }
    }
    Ok(redirect(&back(&entity.name, &record_id)))
}

#[post("/records/{entity}/{id}/delete")]
pub async fn delete_record(
    state: web::Data<AppState>,
    admin: Can<ChangeRecords>,
    path: web::Path<(String, String)>,
    confirmation: Confirmation,
) -> Result<HttpResponse, AppError> {
    let (entity_name, id) = path.into_inner();
    let entity = entity_named(&state, &admin, &entity_name).await?;
    let record_id = Guid::parse(&id)
        .map_err(|_| AppError::NotFound)?
        .to_string();
    storage::sync_records::find(&state.db, entity.organization_id, entity.id, &record_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let question = Question {
        title: format!("Delete this {}?", entity.label),
        consequence: format!("Record {record_id} is deleted; devices drop it at their next sync."),
        button: "Delete",
        cancel: back(&entity.name, &record_id),
    };
    if let Some(page) = confirmation.ask(&state, &admin, question).await? {
        return Ok(page);
    }
    let deleted = app::records::delete(&state.db, &admin.actor(), &entity, &record_id).await;
    match form_result(deleted)? {
        Ok(version) => admin.session.flash_success(format!(
            "Record deleted (version {version}); devices drop it at their next sync."
        ))?,
        Err(refused) => admin
            .session
            .flash_error(format!("Not deleted: {refused}."))?,
    }
    Ok(redirect(&back(&entity.name, &record_id)))
}
