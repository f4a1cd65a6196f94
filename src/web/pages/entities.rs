//! Entities (docs/behaviour.md#mobile-sync): the kinds of records devices sync, each with
//! typed fields typed one per line (`status: text required`), so the form works without
//! JavaScript. A form with a mistake comes back as typed, with the reason (422).

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app,
    domain::{
        permissions::{Action, ObjectClass, Permission},
        sync_entities::{EntityInput, Field, fields_text},
    },
    storage::{self, entities::sync_entities::Model},
    web::{
        error::AppError,
        guard::{Can, ChangeRecords, CurrentAdmin, ReadRecords},
        page::{PageContext, form_result, redirect, render_form},
        state::AppState,
    },
};

/// The entity form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct EntityForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    fields: String,
}

pub struct EntityRow {
    entity: Model,
    fields: Vec<Field>,
}

impl EntityRow {
    fn required(&self) -> usize {
        self.fields.iter().filter(|f| f.required).count()
    }
}

#[derive(Template)]
#[template(path = "entities.html")]
struct EntitiesPage {
    ctx: PageContext,
    tab: &'static str,
    rows: Vec<EntityRow>,
    can_change: bool,
    form: EntityForm,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "entity_edit.html")]
struct EntityEditPage {
    ctx: PageContext,
    entity: Model,
    form: EntityForm,
    error: Option<String>,
}

async fn list(
    state: &AppState,
    admin: &CurrentAdmin,
    form: EntityForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let mut rows = Vec::new();
    for entity in storage::sync_entities::all(&state.db, organization).await? {
        let fields = storage::sync_entities::fields(&entity)?;
        rows.push(EntityRow { entity, fields });
    }
    render_form(
        error.is_some(),
        &EntitiesPage {
            ctx: PageContext::for_admin(state, admin, "/records").await?,
            tab: "entities",
            rows,
            can_change: admin.can(Permission::new(ObjectClass::Records, Action::Update)),
            form,
            error,
        },
    )
}

#[get("/entities")]
pub async fn entities_page(
    state: web::Data<AppState>,
    admin: Can<ReadRecords>,
) -> Result<HttpResponse, AppError> {
    list(&state, &admin, EntityForm::default(), None).await
}

/// Saves a new (`id` none) or changed entity; the reason when it cannot.
async fn save(
    state: &AppState,
    admin: &CurrentAdmin,
    id: Option<i64>,
    form: &EntityForm,
) -> Result<Result<Model, String>, AppError> {
    let organization = admin.organization()?.id;
    let input = match EntityInput::parse(&form.name, &form.label, &form.fields) {
        Ok(input) => input,
        Err(error) => return Ok(Err(format!("Not saved: {error}."))),
    };
    let actor = admin.actor();
    let saved = app::sync_entities::save(&state.db, &actor, organization, id, &input).await;
    Ok(form_result(saved)?.map_err(|refused| format!("Not saved: {refused}.")))
}

#[post("/entities")]
pub async fn create_entity(
    state: web::Data<AppState>,
    admin: Can<ChangeRecords>,
    form: web::Form<EntityForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match save(&state, &admin, None, &form).await? {
        Ok(entity) => {
            admin
                .session
                .flash_success(format!("Entity {} added.", entity.name))?;
            Ok(redirect("/entities"))
        }
        Err(error) => list(&state, &admin, form, Some(error)).await,
    }
}

async fn find(state: &AppState, admin: &CurrentAdmin, id: i64) -> Result<Model, AppError> {
    storage::sync_entities::find(&state.db, admin.organization()?.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

#[get("/entities/{id}")]
pub async fn entity_page(
    state: web::Data<AppState>,
    admin: Can<ChangeRecords>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let entity = find(&state, &admin, *id).await?;
    let form = EntityForm {
        name: entity.name.clone(),
        label: entity.label.clone(),
        fields: fields_text(&storage::sync_entities::fields(&entity)?),
    };
    render_form(
        false,
        &EntityEditPage {
            ctx: PageContext::for_admin(&state, &admin, "/records").await?,
            entity,
            form,
            error: None,
        },
    )
}

#[post("/entities/{id}")]
pub async fn update_entity(
    state: web::Data<AppState>,
    admin: Can<ChangeRecords>,
    id: web::Path<i64>,
    form: web::Form<EntityForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    match save(&state, &admin, Some(*id), &form).await? {
        Ok(entity) => {
            admin
                .session
                .flash_success(format!("Entity {} saved.", entity.name))?;
            Ok(redirect("/entities"))
        }
        Err(error) => {
            let entity = find(&state, &admin, *id).await?;
            render_form(
                true,
                &EntityEditPage {
                    ctx: PageContext::for_admin(&state, &admin, "/records").await?,
                    entity,
                    form,
                    error: Some(error),
                },
            )
        }
    }
}
