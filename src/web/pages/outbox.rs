//! The Outbox page (docs/behaviour.md#notification-mail): every mail with its status, attempts and last error; resend.

use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

use crate::{
    app,
    domain::{
        outbox::hide_link_tokens,
        permissions::{Action, ObjectClass, Permission},
    },
    storage::{self, entities::outbox, outbox::MailStatus},
    web::{
        error::AppError,
        guard::{Can, CurrentAdmin, ReadOutbox, UpdateOutbox},
        page::{ListParams, Listing, PageContext, redirect, render, sentence},
        state::AppState,
    },
};

#[derive(Debug, Default, Deserialize)]
pub struct OutboxQuery {
    #[serde(flatten)]
    list: ListParams,
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    ctx: PageContext,
    mails: Vec<outbox::Model>,
    list: Listing,
    status: String,
    statuses: [MailStatus; 4],
    can_resend: bool,
}

impl OutboxPage {
    fn resendable(&self, mail: &outbox::Model) -> bool {
        crate::domain::outbox::resendable(mail.kind, mail.status)
    }

    fn body_discarded(&self, mail: &outbox::Model) -> bool {
        crate::domain::outbox::body_discarded(mail.kind, mail.status)
    }
}

#[get("/outbox")]
pub async fn outbox_page(
    state: web::Data<AppState>,
    admin: Can<ReadOutbox>,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let statuses = MailStatus::ALL;
    let status = MailStatus::parse(&query.status);
    let page = storage::outbox::list(
        &state.db,
        admin.organization_filter(),
        status,
        query.list.page_request(),
    )
    .await?;
    let list = Listing::new(
        "/outbox",
        &query.list,
        "created",
        &page,
        vec![(
            "status",
            status.map(|s| s.as_str()).unwrap_or_default().to_owned(),
        )],
    );
    render(&OutboxPage {
        ctx: PageContext::for_admin(&state, &admin, "/outbox").await?,
        mails: page.items,
        list,
        status: status.map(|s| s.as_str()).unwrap_or_default().to_owned(),
        statuses,
        can_resend: admin.can(Permission::new(ObjectClass::Outbox, Action::Update)),
    })
}

/// A mail the administrator may see (their organization's; every one for operators).
async fn find_mail(
    state: &AppState,
    admin: &CurrentAdmin,
    id: i64,
) -> Result<outbox::Model, AppError> {
    storage::outbox::find(&state.db, admin.organization_filter(), id)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "outbox_mail.html")]
struct MailPage {
    ctx: PageContext,
    mail: outbox::Model,
    /// The text with the tokens of its links hidden.
    text: String,
    has_html: bool,
    /// A sent registration code: its body was blanked.
    body_discarded: bool,
    can_resend: bool,
}

/// One mail as it was (or will be) sent: its text and its HTML version.
#[get("/outbox/{id}")]
pub async fn mail_page(
    state: web::Data<AppState>,
    admin: Can<ReadOutbox>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let mail = find_mail(&state, &admin, *id).await?;
    render(&MailPage {
        ctx: PageContext::for_admin(&state, &admin, "/outbox").await?,
        body_discarded: crate::domain::outbox::body_discarded(mail.kind, mail.status),
        can_resend: admin.can(Permission::new(ObjectClass::Outbox, Action::Update))
            && crate::domain::outbox::resendable(mail.kind, mail.status),
        text: hide_link_tokens(&mail.body_text),
        has_html: !mail.body_html.trim().is_empty(),
        mail,
    })
}

/// The policy of a mail's HTML version: its inline styles apply (as in the recipient's mail
/// program), nothing runs, nothing is fetched, and only this site's pages may frame it.
const MAIL_HTML_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'";

/// A mail's HTML version alone (link tokens hidden), for the frame on its page.
#[get("/outbox/{id}/html")]
pub async fn mail_html(
    state: web::Data<AppState>,
    admin: Can<ReadOutbox>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let mail = find_mail(&state, &admin, *id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", MAIL_HTML_POLICY))
        .insert_header(("X-Frame-Options", "SAMEORIGIN"))
        .body(hide_link_tokens(&mail.body_html)))
}

#[post("/outbox/{id}/resend")]
pub async fn resend_mail(
    state: web::Data<AppState>,
    admin: Can<UpdateOutbox>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let mail = find_mail(&state, &admin, *id).await?;
    match app::outbox::resend(&state.db, &admin.actor(), &mail).await {
        Ok(()) => admin
            .session
            .flash_success(format!("The mail to {} is queued again.", mail.recipient))?,
        Err(app::Error::Refused(refused)) => admin.session.flash_error(sentence(&refused))?,
        Err(app::Error::Failed(failure)) => return Err(failure.into()),
    }
    Ok(redirect("/outbox"))
}
