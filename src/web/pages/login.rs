//! Login and logout (docs/behaviour.md#running): argon2id off the async threads, the same answer and cost for an
//! unknown address and a wrong password, failed logins limited per address and per client.

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, post, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use crate::{
    app,
    domain::email::Email,
    storage::{self},
    web::{
        error::AppError,
        page::{PageContext, redirect, render, render_with_status},
        session::TypedSession,
        state::AppState,
    },
};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: PageContext,
    email: String,
    error: Option<String>,
    /// No administrator exists yet: the page says where the setup link is.
    first_start: bool,
    /// The page to open once signed in (this site's only), if one was asked for.
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// `next` if it is a page of this site, else nothing.
fn own(next: &str) -> String {
    if super::super::page::is_own_path(next) {
        next.to_owned()
    } else {
        String::new()
    }
}

#[get("/login")]
pub async fn login_page(
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let next = own(&query.next);
    if session.logged_in()?.is_some() {
        return Ok(redirect(if next.is_empty() { "/" } else { &next }));
    }
    render(&LoginPage {
        ctx: PageContext::public(&session)?,
        email: String::new(),
        error: None,
        first_start: !storage::administrators::any_exist(&state.db).await?,
        next,
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

#[post("/login")]
pub async fn log_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let LoginForm {
        email,
        password,
        next,
    } = form.into_inner();
    let next = own(&next);
    let typed = email.trim().to_lowercase();
    let client = req
        .peer_addr()
        .map(|addr| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    let limits = state.config.login_limits;
    let since = Utc::now() - chrono::Duration::from_std(limits.window).unwrap_or_default();
    let account = match Email::parse(&typed) {
        Ok(email) => storage::administrators::find_by_email(&state.db, &email).await?,
        Err(_) => None,
    };
    let organization_id = account.as_ref().and_then(|a| a.organization_id);
    let again = |error: &str, status| {
        render_with_status(
            status,
            &LoginPage {
                ctx: PageContext::public(&session)?,
                email: email.trim().to_owned(),
                error: Some(error.to_owned()),
                first_start: false,
                next: next.clone(),
            },
        )
    };
    let blocked = || {
        let minutes = limits.window.as_secs().div_ceil(60);
        again(
            &format!("Too many failed logins. Wait {minutes} minutes, then try again."),
            StatusCode::TOO_MANY_REQUESTS,
        )
    };

    // The attempt is counted before the password is checked, so that attempts arriving at
    // once cannot all pass the limit. A read-only instance cannot write: it checks the
    // count only (the primary's limits still apply there).
    let reservation = if state.config.read_only {
        let (by_address, by_client) =
            storage::login_failures::count_since(&state.db, &typed, &client, since).await?;
        if limits.reached(by_address, by_client) {
            return blocked();
        }
        None
    } else {
        match app::login::reserve_attempt(&state.db, &typed, &client, since, limits).await {
            Ok(reservation) => Some(reservation),
            Err(app::Error::Failed(failure)) => return Err(failure.into()),
            Err(app::Error::Refused(app::login::LimitReached)) => {
                app::login::record_blocked(&state.db, &client, organization_id, &typed).await?;
                return blocked();
            }
        }
    };

    // Inactive accounts and accounts without a password are checked against a dummy hash,
    // so they cost the same and answer the same as a wrong password.
    let usable = account.filter(|a| a.active);
    let hash = usable.as_ref().and_then(|a| a.password_hash.clone());
    let matches = match state.passwords.verify(password, hash).await {
        Ok(matches) => matches,
        Err(busy) => {
            // Not checked (too many at once): the attempt does not count.
            if let Some(reservation) = reservation {
                app::login::release(&state.db, reservation).await?;
            }
            return Err(busy.into());
        }
    };
    match (usable, reservation) {
        (Some(account), reservation) if matches => {
            if let Some(reservation) = reservation {
                app::login::release(&state.db, reservation).await?;
            }
            session.log_in(account.id, account.session_epoch)?;
            Ok(redirect(if next.is_empty() { "/" } else { &next }))
        }
        (_, None) => again("Wrong email or password.", StatusCode::UNAUTHORIZED),
        (_, Some(_)) => {
            let prune_before = since - chrono::Duration::days(1);
            app::login::record_failure(&state.db, &client, organization_id, &typed, prune_before)
                .await?;
            again("Wrong email or password.", StatusCode::UNAUTHORIZED)
        }
    }
}

#[post("/logout")]
pub async fn log_out(session: TypedSession) -> Result<HttpResponse, AppError> {
    session.log_out();
    session.flash_success("You are signed out.")?;
    Ok(redirect("/login"))
}
