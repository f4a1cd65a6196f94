//! Access profiles (docs/behaviour.md#mobile-sync): per entity, what a user's devices may
//! read, create, update and delete. One profile is the organization's default; a user's
//! page picks another.

use actix_web::{HttpResponse, get, post, web};
use askama::Template;

use crate::{
    app,
    domain::{
        access_profiles::{ProfileInput, Rights},
        permissions::{Action, ObjectClass, Permission},
    },
    storage::{
        self,
        access_profiles::Profile,
        entities::{access_profiles::Model, sync_entities},
    },
    web::{
        confirm::{Confirmation, Question},
        error::AppError,
        guard::{Can, ChangeRecords, CurrentAdmin, ReadRecords},
        page::{PageContext, form_result, redirect, render_form},
        state::AppState,
    },
};

/// The profile form as typed: `name`, `is_default`, and `read_<entity id>` … checkboxes.
#[derive(Debug, Default, Clone)]
pub struct ProfileForm {
    name: String,
    is_default: bool,
    fields: Vec<(String, String)>,
}

impl ProfileForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let value = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        Self {
            name: value("name").unwrap_or_default(),
            is_default: value("is_default").is_some(),
            fields: pairs,
        }
    }

    fn of(profile: &Profile) -> Self {
        let mut fields = Vec::new();
        for (entity, rights) in &profile.rules {
            for (on, op) in [
                (rights.read, "read"),
                (rights.create, "create"),
                (rights.update, "update"),
                (rights.delete, "delete"),
            ] {
                if on {
                    fields.push((format!("{op}_{entity}"), "on".to_owned()));
                }
            }
        }
        Self {
            name: profile.profile.name.clone(),
            is_default: profile.profile.is_default,
            fields,
        }
    }

    /// Whether the checkbox of `op` on the entity is ticked.
    pub fn checked(&self, op: &str, entity: &i64) -> bool {
        let key = format!("{op}_{entity}");
        self.fields.iter().any(|(k, _)| *k == key)
    }

    fn rights(&self, entity: i64) -> Rights {
        Rights {
            read: self.checked("read", &entity),
            create: self.checked("create", &entity),
            update: self.checked("update", &entity),
            delete: self.checked("delete", &entity),
        }
    }
}

pub struct ProfileRow {
    profile: Profile,
    users: i64,
}

impl ProfileRow {
    pub fn summary(&self, entity: &i64) -> String {
        self.profile.rights(*entity).summary()
    }
}

pub const OPS: [(&str, &str); 4] = [
    ("read", "Read"),
    ("create", "Create"),
    ("update", "Update"),
    ("delete", "Delete"),
];

#[derive(Template)]
#[template(path = "access_profiles.html")]
struct ProfilesPage {
    ctx: PageContext,
    tab: &'static str,
    rows: Vec<ProfileRow>,
    entities: Vec<sync_entities::Model>,
    can_change: bool,
    form: ProfileForm,
    error: Option<String>,
}

impl ProfilesPage {
    fn is_default_profile(&self) -> bool {
        false
    }
}

impl ProfileEditPage {
    fn is_default_profile(&self) -> bool {
        self.profile.is_default
    }
}

#[derive(Template)]
#[template(path = "access_profile_edit.html")]
struct ProfileEditPage {
    ctx: PageContext,
    profile: Model,
    entities: Vec<sync_entities::Model>,
    form: ProfileForm,
    error: Option<String>,
}

async fn list(
    state: &AppState,
    admin: &CurrentAdmin,
    form: ProfileForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let users = storage::access_profiles::users_per_profile(&state.db, organization).await?;
    let mut rows = Vec::new();
    for profile in storage::access_profiles::all(&state.db, organization).await? {
        let profile = storage::access_profiles::with_rules(&state.db, profile).await?;
        rows.push(ProfileRow {
            users: users.get(&profile.profile.id).copied().unwrap_or(0),
            profile,
        });
    }
    render_form(
        error.is_some(),
        &ProfilesPage {
            ctx: PageContext::for_admin(state, admin, "/records").await?,
            tab: "access-profiles",
            rows,
            entities: storage::sync_entities::all(&state.db, organization).await?,
            can_change: admin.can(Permission::new(ObjectClass::Records, Action::Update)),
            form,
            error,
        },
    )
}

#[get("/access-profiles")]
pub async fn access_profiles_page(
    state: web::Data<AppState>,
    admin: Can<ReadRecords>,
) -> Result<HttpResponse, AppError> {
    list(&state, &admin, ProfileForm::default(), None).await
}

/// Saves a new (`id` none) or changed profile; the reason when it cannot.
async fn save(
    state: &AppState,
    admin: &CurrentAdmin,
    id: Option<i64>,
    form: &ProfileForm,
) -> Result<Result<Model, String>, AppError> {
    let organization = admin.organization()?.id;
    let rules = storage::sync_entities::all(&state.db, organization)
        .await?
        .iter()
        .map(|entity| (entity.id, form.rights(entity.id)))
        .collect();
    let input = match ProfileInput::parse(&form.name, form.is_default, rules) {
        Ok(input) => input,
        Err(error) => return Ok(Err(format!("Not saved: {error}."))),
    };
    let saved =
        app::access_profiles::save(&state.db, &admin.actor(), organization, id, &input).await;
    Ok(form_result(saved)?.map_err(|refused| format!("Not saved: {refused}.")))
}

#[post("/access-profiles")]
pub async fn create_access_profile(
    state: web::Data<AppState>,
    admin: Can<ChangeRecords>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let form = ProfileForm::from_pairs(form.into_inner());
    match save(&state, &admin, None, &form).await? {
        Ok(profile) => {
            admin
                .session
                .flash_success(format!("Access profile {} added.", profile.name))?;
            Ok(redirect("/access-profiles"))
        }
        Err(error) => list(&state, &admin, form, Some(error)).await,
    }
}

async fn find(state: &AppState, admin: &CurrentAdmin, id: i64) -> Result<Model, AppError> {
    storage::access_profiles::find(&state.db, admin.organization()?.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn edit_page(
    state: &AppState,
    admin: &CurrentAdmin,
    profile: Model,
    form: ProfileForm,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    render_form(
        error.is_some(),
        &ProfileEditPage {
            ctx: PageContext::for_admin(state, admin, "/records").await?,
            entities: storage::sync_entities::all(&state.db, profile.organization_id).await?,
            profile,
            form,
            error,
        },
    )
}

#[get("/access-profiles/{id}")]
pub async fn access_profile_page(
    state: web::Data<AppState>,
    admin: Can<ChangeRecords>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let profile = find(&state, &admin, *id).await?;
    let form =
        ProfileForm::of(&storage::access_profiles::with_rules(&state.db, profile.clone()).await?);
    edit_page(&state, &admin, profile, form, None).await
}

#[post("/access-profiles/{id}")]
pub async fn update_access_profile(
    state: web::Data<AppState>,
    admin: Can<ChangeRecords>,
    id: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let form = ProfileForm::from_pairs(form.into_inner());
    match save(&state, &admin, Some(*id), &form).await? {
        Ok(profile) => {
            admin
                .session
                .flash_success(format!("Access profile {} saved.", profile.name))?;
            Ok(redirect("/access-profiles"))
        }
        Err(error) => {
            let profile = find(&state, &admin, *id).await?;
            edit_page(&state, &admin, profile, form, Some(error)).await
        }
    }
}

#[post("/access-profiles/{id}/delete")]
pub async fn delete_access_profile(
    state: web::Data<AppState>,
    admin: Can<ChangeRecords>,
    id: web::Path<i64>,
    confirmation: Confirmation,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let profile = find(&state, &admin, *id).await?;
    let question = Question {
        title: format!("Delete the access profile “{}”?", profile.name),
        consequence: "Its users get the organization's default profile at their next sync; \
            the rights it gave are gone."
            .to_owned(),
        button: "Delete",
        cancel: format!("/access-profiles/{}", profile.id),
    };
    if let Some(page) = confirmation.ask(&state, &admin, question).await? {
        return Ok(page);
    }
    let deleted = app::access_profiles::delete(&state.db, &admin.actor(), organization, *id).await;
    match form_result(deleted)? {
        Ok(profile) => admin.session.flash_success(format!(
            "Access profile {} deleted; its users now use the default profile.",
            profile.name
        ))?,
        Err(refused) => admin
            .session
            .flash_error(format!("Not deleted: {refused}."))?,
    }
    Ok(redirect("/access-profiles"))
}
