//! Passwords: change my own, and choose one from a mailed link (welcome or reset).

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app,
    domain::password::NewPassword,
    storage::{self, tokens::Purpose},
    web::{
        error::AppError,
        guard::CurrentAdmin,
        page::{PageContext, form_result, redirect, render, render_form},
        session::TypedSession,
        state::AppState,
    },
};

#[derive(Template)]
#[template(path = "account_password.html")]
struct ChangePasswordPage {
    ctx: PageContext,
    error: Option<String>,
}

#[get("/account/password")]
pub async fn change_password_page(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
) -> Result<HttpResponse, AppError> {
    render(&ChangePasswordPage {
        ctx: PageContext::for_admin(&state, &admin, "").await?,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct ChangePasswordForm {
    current_password: String,
    password: String,
    password_confirmation: String,
}

#[post("/account/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
    form: web::Form<ChangePasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let stored = admin.account.password_hash.clone();
    let current = form.current_password;
    let current_ok = state.passwords.verify(current, stored).await?;
    let checked = if current_ok {
        NewPassword::parse(&form.password, &form.password_confirmation).map_err(|e| e.to_string())
    } else {
        Err("The current password is wrong.".to_owned())
    };
    let new_password = match checked {
        Ok(password) => password,
        Err(error) => {
            return render_form(
                true,
                &ChangePasswordPage {
                    ctx: PageContext::for_admin(&state, &admin, "").await?,
                    error: Some(error),
                },
            );
        }
    };
    let hash = state.passwords.hash(new_password).await?;
    let updated = app::administrators::change_password(
        &state.db,
        &admin.actor(),
        admin.account.clone(),
        hash,
    )
    .await?;
    // Other sessions end (the epoch moved on); this one continues under a new cookie.
    admin.session.log_in(updated.id, updated.session_epoch)?;
    admin.session.flash_success("Your password was changed.")?;
    Ok(redirect("/"))
}

/// Ends every session of the signed-in administrator — other browsers, copied cookies and
/// this one.
#[post("/account/sign-out-everywhere")]
pub async fn sign_out_everywhere(
    state: web::Data<AppState>,
    admin: CurrentAdmin,
) -> Result<HttpResponse, AppError> {
    app::administrators::sign_out_everywhere(&state.db, &admin.actor(), &admin.account).await?;
    admin.session.log_out();
    admin
        .session
        .flash_success("You are signed out on every device and browser.")?;
    Ok(redirect("/login"))
}

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    ctx: PageContext,
    token: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[get("/password/set")]
pub async fn set_password_page(
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let admin = match storage::tokens::peek(&state.db, Purpose::SetPassword, &query.token).await? {
        Some(token) => match token.administrator_id {
            Some(id) => storage::administrators::find(&state.db, id).await?,
            None => None,
        },
        None => None,
    };
    let Some(admin) = admin else {
        return Err(AppError::BadRequest(
            "This link was already used or has expired. Ask an administrator to reset your password.".to_owned(),
        ));
    };
    render(&SetPasswordPage {
        ctx: PageContext::public(&session)?,
        token: query.token.clone(),
        email: admin.email,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    token: String,
    password: String,
    password_confirmation: String,
}

#[post("/password/set")]
pub async fn set_password(
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<SetPasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let expired = || {
        AppError::BadRequest(
            "This link was already used or has expired. Ask an administrator to reset your password.".to_owned(),
        )
    };
    let token = storage::tokens::peek(&state.db, Purpose::SetPassword, &form.token)
        .await?
        .ok_or_else(expired)?;
    let admin = match token.administrator_id {
        Some(id) => storage::administrators::find(&state.db, id).await?,
        None => None,
    }
    .ok_or_else(expired)?;
    let new_password = match NewPassword::parse(&form.password, &form.password_confirmation) {
        Ok(password) => password,
        Err(error) => {
            return render_form(
                true,
                &SetPasswordPage {
                    ctx: PageContext::public(&session)?,
                    token: form.token.clone(),
                    email: admin.email,
                    error: Some(error.to_string()),
                },
            );
        }
    };
    let hash = state.passwords.hash(new_password).await?;
    let set = app::administrators::set_password_from_link(&state.db, &form.token, admin, hash);
    if form_result(set.await)?.is_err() {
        return Err(expired());
    }
    session.flash_success("Your password is set. Sign in with it.")?;
    Ok(redirect("/login"))
}
