//! Pages reached from notification mail without logging in (docs/behaviour.md#notification-mail): View in browser, and
//! Manage your notification subscriptions. Both need a token signed for exactly what they
//! show (a notice, an address).

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app,
    domain::signed_links::{MANAGE_SUBSCRIPTIONS, VIEW_NOTICE},
    storage::{
        self,
        entities::{assignment_notices, organizations},
    },
    web::{
        error::AppError,
        page::{PageContext, redirect, render},
        session::TypedSession,
        state::AppState,
    },
};

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    ctx: PageContext,
    notice: assignment_notices::Model,
    organization: organizations::Model,
}

#[get("/notices/{id}")]
pub async fn notice_page(
    state: web::Data<AppState>,
    session: TypedSession,
    id: web::Path<i64>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    if !state
        .signer
        .verify(VIEW_NOTICE, &id.to_string(), &query.token)
    {
        return Err(AppError::NotFound);
    }
    let notice = storage::notifications::notice(&state.db, *id)
        .await?
        .ok_or(AppError::NotFound)?;
    let organization = storage::organizations::find(&state.db, notice.organization_id)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&NoticePage {
        ctx: PageContext::public(&session)?,
        notice,
        organization,
    })
}

#[derive(Deserialize)]
pub struct ManageQuery {
    #[serde(default)]
    address: String,
    #[serde(default)]
    token: String,
}

impl ManageQuery {
    fn verified(&self, state: &AppState) -> Result<String, AppError> {
        let address = self.address.trim().to_lowercase();
        if state
            .signer
            .verify(MANAGE_SUBSCRIPTIONS, &address, &self.token)
        {
            Ok(address)
        } else {
            Err(AppError::NotFound)
        }
    }

    fn back(&self) -> String {
        format!(
            "/subscriptions?{}",
            serde_urlencoded::to_string([
                ("address", self.address.as_str()),
                ("token", self.token.as_str())
            ])
            .unwrap_or_default()
        )
    }
}

#[derive(Template)]
#[template(path = "subscriptions.html")]
struct SubscriptionsPage {
    ctx: PageContext,
    address: String,
    token: String,
    subscriptions: Vec<(organizations::Model, bool)>,
}

#[get("/subscriptions")]
pub async fn subscriptions_page(
    state: web::Data<AppState>,
    session: TypedSession,
    query: web::Query<ManageQuery>,
) -> Result<HttpResponse, AppError> {
    let address = query.verified(&state)?;
    let subscriptions = storage::notifications::subscriptions_of(&state.db, &address).await?;
    render(&SubscriptionsPage {
        ctx: PageContext::public(&session)?,
        address,
        token: query.token.clone(),
        subscriptions,
    })
}

#[derive(Deserialize)]
pub struct SubscriptionForm {
    #[serde(flatten)]
    link: ManageQuery,
    /// Text: numbers do not survive serde's `flatten` in url-encoded forms.
    organization: Option<String>,
    /// A checkbox: present when on.
    subscribed: Option<String>,
}

/// One-click unsubscribe (RFC 8058): a mailbox provider posts `List-Unsubscribe=One-Click`
/// to the address in the mail's `List-Unsubscribe` header, without a session or a CSRF token
/// (the signed address is the authority). Unsubscribes the address everywhere.
#[post("/subscriptions/one-click")]
pub async fn one_click_unsubscribe(
    state: web::Data<AppState>,
    query: web::Query<ManageQuery>,
) -> Result<HttpResponse, AppError> {
    let address = query.verified(&state)?;
    let listed = storage::notifications::subscriptions_of(&state.db, &address).await?;
    let all: Vec<i64> = listed.iter().map(|(o, _)| o.id).collect();
    set_subscriptions(&state, &address, &all, false).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("Unsubscribed from all LicenseDesk notifications."))
}

/// Switches the address's notifications of `organizations` on or off, audited.
async fn set_subscriptions(
    state: &AppState,
    address: &str,
    organizations: &[i64],
    subscribed: bool,
) -> Result<(), AppError> {
    app::notifications::set_subscriptions(&state.db, address, organizations, subscribed).await?;
    Ok(())
}

#[post("/subscriptions")]
pub async fn update_subscription(
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<SubscriptionForm>,
) -> Result<HttpResponse, AppError> {
    let address = form.link.verified(&state)?;
    let organization = match form.organization.as_deref() {
        Some(id) => Some(id.trim().parse::<i64>().map_err(|_| AppError::NotFound)?),
        None => None,
    };
    let listed = storage::notifications::subscriptions_of(&state.db, &address).await?;
    let chosen: Vec<i64> = match organization {
        // One switch: only an organization this address is listed for.
        Some(id) => listed
            .iter()
            .filter(|(o, _)| o.id == id)
            .map(|(o, _)| o.id)
            .collect(),
        // Unsubscribe from all.
        None => listed.iter().map(|(o, _)| o.id).collect(),
    };
    if chosen.is_empty() {
        return Err(AppError::NotFound);
    }
    let subscribed = organization.is_some() && form.subscribed.is_some();
    set_subscriptions(&state, &address, &chosen, subscribed).await?;
    session.flash_success(if organization.is_none() {
        "You are unsubscribed from all notifications.".to_owned()
    } else if subscribed {
        "Subscribed.".to_owned()
    } else {
        "Unsubscribed.".to_owned()
    })?;
    Ok(redirect(&form.link.back()))
}
