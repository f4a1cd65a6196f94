//! Chat gateways and email profiles (docs/behaviour.md#products): one page each, name and an enabled switch;
//! enabling beyond the CHAT or EMAIL licence is refused with a message naming the limit.

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app,
    domain::{
        channels::ChannelKind,
        permissions::{Action, ObjectClass, Permission},
    },
    storage::{self, entities::channels::Model},
    web::{
        confirm::{Confirmation, Question},
        error::AppError,
        guard::{Can, CurrentAdmin, ReadSettings, UpdateSettings},
        page::{PageContext, redirect, render},
        state::AppState,
    },
};

fn path(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::ChatGateway => "/chat-gateways",
        ChannelKind::EmailProfile => "/email-profiles",
    }
}

fn title(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::ChatGateway => "Chat gateways",
        ChannelKind::EmailProfile => "Email profiles",
    }
}

#[derive(Template)]
#[template(path = "channels.html")]
struct ChannelsPage {
    ctx: PageContext,
    title: &'static str,
    path: &'static str,
    product: &'static str,
    channels: Vec<Model>,
    can_update: bool,
}

async fn page(
    state: &AppState,
    admin: &CurrentAdmin,
    kind: ChannelKind,
) -> Result<HttpResponse, AppError> {
    let channels = storage::channels::list(&state.db, admin.organization()?.id, kind).await?;
    render(&ChannelsPage {
        // Reached from Settings, so Settings is the current navigation entry.
        ctx: PageContext::for_admin(state, admin, "/settings").await?,
        title: title(kind),
        path: path(kind),
        product: kind.product().as_str(),
        channels,
        can_update: admin.can(Permission::new(ObjectClass::Settings, Action::Update)),
    })
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

async fn create(
    state: &AppState,
    admin: &CurrentAdmin,
    kind: ChannelKind,
    name: &str,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        admin
            .session
            .flash_error("Give a name of 1 to 200 characters.")?;
        return Ok(redirect(path(kind)));
    }
    let channel =
        app::channels::create(&state.db, &admin.actor(), organization, kind, name).await?;
    admin
        .session
        .flash_success(format!("{} added (disabled).", channel.name))?;
    Ok(redirect(path(kind)))
}

#[derive(Deserialize)]
pub struct EnabledForm {
    /// A checkbox: present when on.
    enabled: Option<String>,
}

async fn set_enabled(
    state: &AppState,
    admin: &CurrentAdmin,
    kind: ChannelKind,
    id: i64,
    enabled: bool,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let before = storage::channels::find(&state.db, organization, kind, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = before.name.clone();
    match app::channels::set_enabled(&state.db, &admin.actor(), before, kind, enabled).await {
        Ok(after) => admin.session.flash_success(format!(
            "{} is {}.",
            after.name,
            if after.enabled { "enabled" } else { "disabled" }
        ))?,
        Err(app::Error::Refused(refused)) => admin
            .session
            .flash_error(format!("{name} was not enabled: {refused}."))?,
        Err(app::Error::Failed(failure)) => return Err(failure.into()),
    }
    Ok(redirect(path(kind)))
}

async fn delete(
    state: &AppState,
    admin: &CurrentAdmin,
    kind: ChannelKind,
    id: i64,
    confirmation: Confirmation,
) -> Result<HttpResponse, AppError> {
    let organization = admin.organization()?.id;
    let channel = storage::channels::find(&state.db, organization, kind, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = channel.name.clone();
    let question = Question {
        title: format!("Delete “{name}”?"),
        consequence: "It cannot be undone; it is no longer offered to the mobile clients."
            .to_owned(),
        button: "Delete",
        cancel: path(kind).to_owned(),
    };
    if let Some(page) = confirmation.ask(state, admin, question).await? {
        return Ok(page);
    }
    app::channels::delete(&state.db, &admin.actor(), channel, kind).await?;
    admin.session.flash_success(format!("{name} deleted."))?;
    Ok(redirect(path(kind)))
}

macro_rules! channel_routes {
    ($kind:expr, $base:literal, $enable_path:literal, $delete_path:literal,
     $page:ident, $create:ident, $enable:ident, $delete:ident) => {
        #[get($base)]
        pub async fn $page(
            state: web::Data<AppState>,
            admin: Can<ReadSettings>,
        ) -> Result<HttpResponse, AppError> {
            page(&state, &admin, $kind).await
        }

        #[post($base)]
        pub async fn $create(
            state: web::Data<AppState>,
            admin: Can<UpdateSettings>,
            form: web::Form<NameForm>,
        ) -> Result<HttpResponse, AppError> {
            create(&state, &admin, $kind, &form.name).await
        }

        #[post($enable_path)]
        pub async fn $enable(
            state: web::Data<AppState>,
            admin: Can<UpdateSettings>,
            id: web::Path<i64>,
            form: web::Form<EnabledForm>,
        ) -> Result<HttpResponse, AppError> {
            set_enabled(&state, &admin, $kind, *id, form.enabled.is_some()).await
        }

        #[post($delete_path)]
        pub async fn $delete(
            state: web::Data<AppState>,
            admin: Can<UpdateSettings>,
            id: web::Path<i64>,
            confirmation: Confirmation,
        ) -> Result<HttpResponse, AppError> {
            delete(&state, &admin, $kind, *id, confirmation).await
        }
    };
}

channel_routes!(
    ChannelKind::ChatGateway,
    "/chat-gateways",
    "/chat-gateways/{id}/enabled",
    "/chat-gateways/{id}/delete",
    chat_gateways_page,
    create_chat_gateway,
    enable_chat_gateway,
    delete_chat_gateway
);
channel_routes!(
    ChannelKind::EmailProfile,
    "/email-profiles",
    "/email-profiles/{id}/enabled",
    "/email-profiles/{id}/delete",
    email_profiles_page,
    create_email_profile,
    enable_email_profile,
    delete_email_profile
);
