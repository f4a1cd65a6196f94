//! The Mobile Users page (docs/behaviour.md#mobile-users-page): the Mobile Users pane (search, state filter, sort, paging,
//! ADD, Enable / Disable / Delete on one row or a selection, Export CSV) and the
//! Subscriptions pane (MOBILE licences, Total / Used / Available); a banner during a trial.

use crate::domain::license_check::UserState;
use actix_web::{
    HttpResponse, get,
    http::{StatusCode, header},
    post, web,
};
use askama::Template;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use crate::{
    app,
    domain::{
        csv_export::{ExportWriter, file_name},
        ids::Guid,
        license_check::MobileSeats,
        permissions::{Action, ObjectClass, Permission},
        products::Product,
    },
    storage::{
        self,
        entities::{licenses, mobile_users::Model},
        mobile_users::{UserFilter, UserSort},
    },
    web::{
        confirm::{Confirmation, Question},
        error::AppError,
        guard::{Can, ChangeMobileUsers, CreateMobileUsers, CurrentAdmin, ReadMobileUsers},
        page::{ListParams, Listing, PageContext, redirect, render, render_with_status, sentence},
        state::AppState,
    },
};

#[derive(Debug, Default, Deserialize)]
pub struct UsersQuery {
    #[serde(flatten)]
    list: ListParams,
    #[serde(default)]
    state: String,
}

impl UsersQuery {
    fn filter(&self) -> UserFilter {
        UserFilter {
            search: self.list.q.clone(),
            state: UserState::parse(&self.state),
        }
    }
}

pub struct SubscriptionRow {
    pub licence: licenses::Model,
    pub days_left: Option<i64>,
}

#[derive(Template)]
#[template(path = "mobile_users.html")]
struct MobileUsersPage {
    ctx: PageContext,
    /// The ADD dialog's form, empty.
    add: AddForm,
    add_error: Option<String>,
    in_dialog: bool,
    users: Vec<Model>,
    list: Listing,
    state: String,
    states: [UserState; 3],
    trial_until: Option<NaiveDate>,
    subscriptions: Vec<SubscriptionRow>,
    seats: MobileSeats,
    over_limit: u64,
    can_add: bool,
    can_change: bool,
    can_delete: bool,
    export_url: String,
    /// Shown when an operator switched offline licences on.
    offline: Option<OfflineCard>,
}

pub struct OfflineCard {
    pub last: Option<crate::storage::entities::offline_licences::Model>,
    pub public_key: String,
}

#[get("/mobile-users")]
pub async fn mobile_users_page(
    state: web::Data<AppState>,
    admin: Can<ReadMobileUsers>,
    query: web::Query<UsersQuery>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.clone();
    let today = Utc::now().date_naive();
    let filter = query.filter();
    let sort = UserSort::parse(query.list.sort.as_deref().unwrap_or("name"));
    let page = storage::mobile_users::list(
        &state.db,
        organization.id,
        &filter,
        sort,
        query.list.descending(),
        query.list.page_request(),
    )
    .await?;
    let seats = storage::mobile_seats::mobile_seats(&state.db, organization.id, Utc::now()).await?;
    let subscriptions = storage::licenses::of_product(&state.db, organization.id, Product::Mobile)
        .await?
        .into_iter()
        .filter(|l| !l.competitive)
        .map(|licence| SubscriptionRow {
            days_left: licence.terms().days_left(today),
            licence,
        })
        .collect();
    let offline = if storage::settings::get(&state.db, organization.id)
        .await?
        .offline_licenses_enabled
    {
        Some(OfflineCard {
            last: storage::offline::get(&state.db, organization.id).await?,
            public_key: state.offline_key.public_key().to_base64(),
        })
    } else {
        None
    };
    let state_filter = filter
        .state
        .map(UserState::as_str)
        .unwrap_or_default()
        .to_owned();
    let list = Listing::new(
        "/mobile-users",
        &query.list,
        sort.key(),
        &page,
        vec![("state", state_filter.clone())],
    );
    let export_url = format!(
        "/mobile-users/export.csv?{}",
        serde_urlencoded::to_string([
            ("q", filter.search.as_str()),
            ("state", state_filter.as_str())
        ])
        .unwrap_or_default()
    );
    render(&MobileUsersPage {
        ctx: PageContext::for_admin(&state, &admin, "/mobile-users").await?,
        add: AddForm::default(),
        add_error: None,
        in_dialog: true,
        users: page.items,
        list,
        state: state_filter,
        states: UserState::ALL,
        trial_until: organization.trial_until.filter(|until| *until >= today),
        subscriptions,
        over_limit: seats.used.saturating_sub(seats.total),
        seats,
        can_add: admin.can(Permission::new(ObjectClass::MobileUsers, Action::Create)),
        can_change: admin.can(Permission::new(ObjectClass::MobileUsers, Action::Update)),
        can_delete: admin.can(Permission::new(ObjectClass::MobileUsers, Action::Delete)),
        export_url,
        offline,
    })
}

/// Update: signs a new offline licence file from the current Enabled users.
#[post("/mobile-users/offline")]
pub async fn update_offline_licence(
    state: web::Data<AppState>,
    admin: Can<ChangeMobileUsers>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.clone();
    match app::mobile_users::update_offline_licence(
        &state.db,
        &admin.actor(),
        &organization,
        &state.offline_key,
    )
    .await
    {
        Ok(file) => admin.session.flash_success(format!(
            "Offline licence updated: {} Enabled users.",
            file.users
        ))?,
        Err(app::Error::Refused(off)) => admin.session.flash_error(sentence(&off))?,
        Err(app::Error::Failed(failure)) => return Err(failure.into()),
    }
    Ok(redirect("/mobile-users"))
}

/// The latest offline licence file, to download.
#[get("/mobile-users/offline-licence.json")]
pub async fn download_offline_licence(
    state: web::Data<AppState>,
    admin: Can<ReadMobileUsers>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?;
    let file = storage::offline::get(&state.db, organization.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"offline-licence-{}.json\"",
                organization.organization_id
            ),
        ))
        .body(file.file))
}

/// The ADD form as typed.
#[derive(Deserialize, Default)]
pub struct AddForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

#[derive(Template)]
#[template(path = "mobile_user_new.html")]
struct NewUserPage {
    ctx: PageContext,
    add: AddForm,
    add_error: Option<String>,
    in_dialog: bool,
}

/// ADD without JavaScript.
#[get("/mobile-users/new")]
pub async fn new_mobile_user_page(
    state: web::Data<AppState>,
    admin: Can<CreateMobileUsers>,
) -> Result<HttpResponse, AppError> {
    render(&NewUserPage {
        ctx: PageContext::for_admin(&state, &admin, "/mobile-users").await?,
        add: AddForm::default(),
        add_error: None,
        in_dialog: false,
    })
}

/// ADD: a user created in advance, Enabled if a seat is free, otherwise refused.
#[post("/mobile-users")]
pub async fn add_mobile_user(
    state: web::Data<AppState>,
    admin: Can<CreateMobileUsers>,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let form = form.into_inner();
    // A refusal shows the form again, as typed, with the reason above it.
    let ctx = PageContext::for_admin(&state, &admin, "/mobile-users").await?;
    let refuse = |message: String, form: AddForm| -> Result<HttpResponse, AppError> {
        render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewUserPage {
                ctx,
                add: form,
                add_error: Some(message),
                in_dialog: false,
            },
        )
    };
    let user_id = match Guid::parse(&form.user_id) {
        Ok(guid) => guid,
        Err(error) => return refuse(format!("Not added: {error}."), form),
    };
    let email = match form.email.trim() {
        "" => None,
        text => match crate::domain::email::Email::parse(text) {
            Ok(email) => Some(email),
            Err(error) => return refuse(format!("Not added: {error}."), form),
        },
    };
    let name = Some(form.name.trim().to_owned()).filter(|n| !n.is_empty());
    if name
        .as_deref()
        .is_some_and(|n| !crate::domain::text::is_one_line(n))
    {
        return refuse(
            "Not added: the name is one line, without line breaks, tabs, control or text-direction characters."
                .to_owned(),
            form,
        );
    }
    let new = app::mobile_users::NewUser {
        user_id,
        name,
        email,
    };
    match app::mobile_users::add(&state.db, &admin.actor(), organization, new).await {
        Ok(user) => {
            admin
                .session
                .flash_success(format!("{} added and Enabled.", label(&user)))?;
            Ok(redirect("/mobile-users"))
        }
        Err(app::Error::Refused(reason)) => refuse(format!("Not added: {reason}."), form),
        Err(app::Error::Failed(failure)) => Err(failure.into()),
    }
}

/// The selection form: `ids` checked in the table, or `only` for one row's button.
#[derive(Deserialize)]
struct ActionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    ids: Vec<i64>,
    /// A row's own button: `enable:ID`, `disable:ID` or `delete:ID`.
    row: Option<String>,
    #[serde(default)]
    back: String,
}

#[post("/mobile-users/action")]
pub async fn mobile_users_action(
    state: web::Data<AppState>,
    admin: Can<ChangeMobileUsers>,
    body: web::Bytes,
    confirmation: Confirmation,
) -> Result<HttpResponse, AppError> {
    let form: ActionForm = serde_html_form::from_bytes(&body)
        .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))?;
    let back = if form.back.starts_with("/mobile-users") {
        form.back.clone()
    } else {
        "/mobile-users".to_owned()
    };
    let (action, ids) = match form.row.as_deref().and_then(|row| row.split_once(':')) {
        Some((action, id)) => (
            action.to_owned(),
            vec![
                id.parse::<i64>()
                    .map_err(|_| AppError::BadRequest("bad row".to_owned()))?,
            ],
        ),
        None => (form.action.clone(), form.ids.clone()),
    };
    if ids.is_empty() {
        admin
            .session
            .flash_error("Select at least one user first.")?;
        return Ok(redirect(&back));
    }
    let organization = admin.organization()?.id;
    let message = match action.as_str() {
        "enable" => enable(&state, &admin, organization, &ids).await?,
        "disable" => disable(&state, &admin, organization, &ids).await?,
        "delete" => {
            admin.require(Permission::new(ObjectClass::MobileUsers, Action::Delete))?;
            let users = storage::mobile_users::find_many(&state.db, organization, &ids).await?;
            let question = Question {
                title: match users.as_slice() {
                    [user] => format!("Delete mobile user {}?", label(user)),
                    _ => format!("Delete {} mobile users?", users.len()),
                },
                consequence: format!(
                    "{} will be removed with their seats and licences. \
                     Whoever synchronises again comes back as a new user.",
                    names(&users)
                ),
                button: "Delete",
                cancel: back.clone(),
            };
            // Ids of no user of this organization delete nobody: nothing to ask.
            if !users.is_empty()
                && let Some(page) = confirmation.ask(&state, &admin, question).await?
            {
                return Ok(page);
            }
            delete(&state, &admin, organization, &ids).await?
        }
        other => return Err(AppError::BadRequest(format!("“{other}” is not an action"))),
    };
    admin.session.flash_success(message)?;
    Ok(redirect(&back))
}

fn label(user: &Model) -> String {
    user.display_name
        .clone()
        .unwrap_or_else(|| user.user_id.clone())
}

async fn enable(
    state: &AppState,
    admin: &CurrentAdmin,
    organization: i64,
    ids: &[i64],
) -> Result<String, AppError> {
    let outcome = app::mobile_users::enable(&state.db, &admin.actor(), organization, ids).await?;
    let mut message = format!("Enabled: {}.", names(&outcome.enabled));
    if !outcome.no_seat.is_empty() {
        message.push_str(&format!(
            " Not enabled, no MOBILE seat free ({} seats): {}.",
            outcome.seats,
            names(&outcome.no_seat)
        ));
    }
    Ok(message)
}

async fn disable(
    state: &AppState,
    admin: &CurrentAdmin,
    organization: i64,
    ids: &[i64],
) -> Result<String, AppError> {
    let disabled = app::mobile_users::disable(&state.db, &admin.actor(), organization, ids).await?;
    Ok(format!("Disabled: {}.", names(&disabled)))
}

async fn delete(
    state: &AppState,
    admin: &CurrentAdmin,
    organization: i64,
    ids: &[i64],
) -> Result<String, AppError> {
    let deleted = app::mobile_users::delete(&state.db, &admin.actor(), organization, ids).await?;
    Ok(format!("Deleted: {}.", names(&deleted)))
}

/// "Ann, Bob", or "nobody".
fn names(users: &[Model]) -> String {
    if users.is_empty() {
        "nobody".to_owned()
    } else {
        users.iter().map(label).collect::<Vec<_>>().join(", ")
    }
}

/// Export CSV: the filtered list.
#[get("/mobile-users/export.csv")]
pub async fn export_mobile_users(
    state: web::Data<AppState>,
    admin: Can<ReadMobileUsers>,
    query: web::Query<UsersQuery>,
) -> Result<HttpResponse, AppError> {
    let users =
        storage::mobile_users::all_matching(&state.db, admin.organization()?.id, &query.filter())
            .await?;
    let mut writer = ExportWriter::with_capacity(users.len() * 120);
    let csv_error = |e: csv::Error| AppError::Unexpected(e.into());
    writer
        .row([
            "user_id",
            "name",
            "email",
            "state",
            "temporary_license_until",
            "last_sync_at",
            "app_version",
        ])
        .map_err(csv_error)?;
    for user in users {
        let time = |t: Option<chrono::DateTime<Utc>>| {
            t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default()
        };
        writer
            .row([
                user.user_id.as_str(),
                user.display_name.as_deref().unwrap_or_default(),
                user.email.as_deref().unwrap_or_default(),
                user.state.as_str(),
                &time(user.temporary_license_until),
                &time(user.last_sync_at),
                user.app_version.as_deref().unwrap_or_default(),
            ])
            .map_err(csv_error)?;
    }
    let body = writer.finish().map_err(csv_error)?;
    let name = file_name(
        "MobileUsers",
        &admin.organization()?.name,
        Utc::now().date_naive(),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body))
}
