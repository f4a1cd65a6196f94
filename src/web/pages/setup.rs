//! First start (docs/behaviour.md#running): the one-time setup link creates the first operator. The link dies when
//! it is used and as soon as any administrator exists.

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app::{self, administrators::SetupLinkGone},
    domain::{email::Email, password::NewPassword, permissions::Role, text},
    storage::{self, administrators::NewAdministrator, tokens::Purpose},
    web::{
        error::AppError,
        page::{PageContext, redirect, render, render_form},
        session::TypedSession,
        state::AppState,
    },
};

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    ctx: PageContext,
    token: String,
    email: String,
    name: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct SetupQuery {
    #[serde(default)]
    token: String,
}

async fn link_is_live(state: &AppState, token: &str) -> Result<bool, AppError> {
    Ok(!storage::administrators::any_exist(&state.db).await?
        && storage::tokens::peek(&state.db, Purpose::Setup, token)
            .await?
            .is_some())
}

#[get("/setup")]
pub async fn setup_page(
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<SetupQuery>,
) -> Result<HttpResponse, AppError> {
    if !link_is_live(&state, &query.token).await? {
        return Err(AppError::NotFound);
    }
    render(&SetupPage {
        ctx: PageContext::public(&session)?,
        token: query.token.clone(),
        email: String::new(),
        name: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct SetupForm {
    token: String,
    email: String,
    name: String,
    password: String,
    password_confirmation: String,
}

#[post("/setup")]
pub async fn create_first_operator(
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<SetupForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    if !link_is_live(&state, &form.token).await? {
        return Err(AppError::NotFound);
    }
    let again = |error: String| {
        render_form(
            true,
            &SetupPage {
                ctx: PageContext::public(&session)?,
                token: form.token.clone(),
                email: form.email.clone(),
                name: form.name.clone(),
                error: Some(error),
            },
        )
    };
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(error) => return again(error.to_string()),
    };
    let password = match NewPassword::parse(&form.password, &form.password_confirmation) {
        Ok(password) => password,
        Err(error) => return again(error.to_string()),
    };
    let hash = state.passwords.hash(password).await?;
    let name = match text::display_name(&form.name, email.as_str()) {
        Ok(name) => name,
        Err(error) => return again(format!("The {error}.")),
    };

    let new = NewAdministrator {
        organization_id: None,
        email,
        display_name: name,
        role: Role::Operator,
        password_hash: Some(hash),
    };
    let operator = match app::administrators::complete_setup(&state.db, &form.token, new).await {
        Ok(operator) => operator,
        Err(app::Error::Refused(SetupLinkGone)) => return Err(AppError::NotFound),
        Err(app::Error::Failed(failure)) => return Err(failure.into()),
    };

    session.log_in(operator.id, operator.session_epoch)?;
    session.flash_success("Welcome to LicenseDesk. Create your first organization.")?;
    Ok(redirect("/organizations"))
}
