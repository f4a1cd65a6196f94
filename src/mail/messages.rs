//! Every mail LicenseDesk sends, rendered from `templates/mail/` in plain text and HTML.

use crate::domain::outbox::MailKind;
use askama::Template;

use crate::storage::outbox::NewMail;

#[derive(Template)]
#[template(path = "mail/administrator_welcome.txt")]
struct WelcomeText<'a> {
    name: &'a str,
    organization: &'a str,
    link: &'a str,
    valid_hours: i64,
}

#[derive(Template)]
#[template(path = "mail/administrator_welcome.html")]
struct WelcomeHtml<'a> {
    name: &'a str,
    organization: &'a str,
    link: &'a str,
    valid_hours: i64,
}

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct ResetText<'a> {
    name: &'a str,
    link: &'a str,
    valid_hours: i64,
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct ResetHtml<'a> {
    name: &'a str,
    link: &'a str,
    valid_hours: i64,
}

/// "You have an account": sent when an administrator is created, with a link to choose a
/// password (no password is ever mailed).
pub fn administrator_welcome(
    organization_id: Option<i64>,
    recipient: &str,
    name: &str,
    organization: &str,
    link: &str,
    valid_hours: i64,
) -> Result<NewMail, askama::Error> {
    Ok(NewMail {
        organization_id,
        kind: MailKind::AdministratorWelcome,
        recipient: recipient.to_owned(),
        subject: "Your LicenseDesk account".to_owned(),
        body_text: WelcomeText {
            name,
            organization,
            link,
            valid_hours,
        }
        .render()?,
        body_html: WelcomeHtml {
            name,
            organization,
            link,
            valid_hours,
        }
        .render()?,
        unsubscribe_url: None,
    })
}

/// Sent when an administrator's password is reset by another administrator.
pub fn password_reset(
    organization_id: Option<i64>,
    recipient: &str,
    name: &str,
    link: &str,
    valid_hours: i64,
) -> Result<NewMail, askama::Error> {
    Ok(NewMail {
        organization_id,
        kind: MailKind::PasswordReset,
        recipient: recipient.to_owned(),
        subject: "Choose a new LicenseDesk password".to_owned(),
        body_text: ResetText {
            name,
            link,
            valid_hours,
        }
        .render()?,
        body_html: ResetHtml {
            name,
            link,
            valid_hours,
        }
        .render()?,
        unsubscribe_url: None,
    })
}

#[derive(Template)]
#[template(path = "mail/licence_expiry.txt")]
struct ExpiryText<'a> {
    organization: &'a str,
    product: &'a str,
    licence_id: &'a str,
    valid_till: chrono::NaiveDate,
    days_left: i64,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/licence_expiry.html")]
struct ExpiryHtml<'a> {
    organization: &'a str,
    product: &'a str,
    licence_id: &'a str,
    valid_till: chrono::NaiveDate,
    days_left: i64,
    link: &'a str,
}

/// "Your MOBILE licence ends in 7 days."
pub fn licence_expiry(
    organization: &crate::storage::entities::organizations::Model,
    recipient: &str,
    licence: &crate::storage::entities::licenses::Model,
    days_left: i64,
    link: &str,
) -> Result<NewMail, askama::Error> {
    let when = match days_left {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        n => format!("in {n} days"),
    };
    let (organization_name, product, licence_id) = (
        organization.name.as_str(),
        licence.product.as_str(),
        licence.licence_id.as_str(),
    );
    Ok(NewMail {
        organization_id: Some(organization.id),
        kind: MailKind::LicenceExpiry,
        recipient: recipient.to_owned(),
        subject: format!("{product} licence of {organization_name} ends {when}"),
        body_text: ExpiryText {
            organization: organization_name,
            product,
            licence_id,
            valid_till: licence.valid_till,
            days_left,
            link,
        }
        .render()?,
        body_html: ExpiryHtml {
            organization: organization_name,
            product,
            licence_id,
            valid_till: licence.valid_till,
            days_left,
            link,
        }
        .render()?,
        unsubscribe_url: None,
    })
}

#[derive(Template)]
#[template(path = "mail/assignment_notice.txt")]
struct NoticeText<'a> {
    organization: &'a crate::storage::entities::organizations::Model,
    notice: &'a crate::storage::entities::assignment_notices::Model,
    view: &'a str,
    manage: &'a str,
}

#[derive(Template)]
#[template(path = "mail/assignment_notice.html")]
struct NoticeHtml<'a> {
    organization: &'a crate::storage::entities::organizations::Model,
    notice: &'a crate::storage::entities::assignment_notices::Model,
    view: &'a str,
    manage: &'a str,
}

/// "A MOBILE licence was assigned automatically" (docs/behaviour.md#notification-mail): no user name, the service does not
/// know it.
pub fn assignment_notice(
    organization: &crate::storage::entities::organizations::Model,
    recipient: &str,
    notice: &crate::storage::entities::assignment_notices::Model,
    view: &str,
    manage: &str,
) -> Result<NewMail, askama::Error> {
    Ok(NewMail {
        organization_id: Some(organization.id),
        kind: MailKind::AssignmentNotice,
        recipient: recipient.to_owned(),
        subject: format!(
            "A MOBILE licence of {} was assigned automatically",
            organization.name
        ),
        body_text: NoticeText {
            organization,
            notice,
            view,
            manage,
        }
        .render()?,
        body_html: NoticeHtml {
            organization,
            notice,
            view,
            manage,
        }
        .render()?,
        unsubscribe_url: None,
    })
}

#[derive(Template)]
#[template(path = "mail/registration_code.txt")]
struct RegistrationText<'a> {
    organization: &'a str,
    device: &'a str,
    code: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "mail/registration_code.html")]
struct RegistrationHtml<'a> {
    organization: &'a str,
    device: &'a str,
    code: &'a str,
    expires: &'a str,
}

/// A device registration code (docs/behaviour.md#registration-codes) for an employee or another recipient.
pub fn registration_code(
    organization: &crate::storage::entities::organizations::Model,
    recipient: &str,
    device: &str,
    code: &str,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> Result<NewMail, askama::Error> {
    let expires = expires_at.format("%Y-%m-%d %H:%M").to_string();
    Ok(NewMail {
        organization_id: Some(organization.id),
        kind: MailKind::RegistrationCode,
        recipient: recipient.to_owned(),
        subject: format!("Registration code for {device}"),
        body_text: RegistrationText {
            organization: &organization.name,
            device,
            code,
            expires: &expires,
        }
        .render()?,
        body_html: RegistrationHtml {
            organization: &organization.name,
            device,
            code,
            expires: &expires,
        }
        .render()?,
        unsubscribe_url: None,
    })
}

/// What an access request names.
#[derive(Clone, Copy)]
pub struct AccessRequest<'a> {
    pub organization: &'a str,
    pub user: &'a str,
    pub entity: &'a str,
    pub record_id: &'a str,
    pub permission: &'a str,
    pub profile: &'a str,
    pub message: &'a str,
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/access_request.txt")]
struct AccessRequestText<'a> {
    organization: &'a str,
    user: &'a str,
    entity: &'a str,
    record_id: &'a str,
    permission: &'a str,
    profile: &'a str,
    message: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/access_request.html")]
struct AccessRequestHtml<'a> {
    organization: &'a str,
    user: &'a str,
    entity: &'a str,
    record_id: &'a str,
    permission: &'a str,
    profile: &'a str,
    message: &'a str,
    link: &'a str,
}

/// "A mobile user needs a permission" (docs/behaviour.md#sync-log): to the organization's
/// permission request address.
pub fn access_request(
    organization_id: i64,
    recipient: &str,
    request: &AccessRequest<'_>,
) -> Result<NewMail, askama::Error> {
    let AccessRequest {
        organization,
        user,
        entity,
        record_id,
        permission,
        profile,
        message,
        link,
    } = *request;
    Ok(NewMail {
        organization_id: Some(organization_id),
        kind: MailKind::AccessRequest,
        recipient: recipient.to_owned(),
        subject: format!("Access requested: {permission} on {entity} for {user}"),
        body_text: AccessRequestText {
            organization,
            user,
            entity,
            record_id,
            permission,
            profile,
            message,
            link,
        }
        .render()?,
        body_html: AccessRequestHtml {
            organization,
            user,
            entity,
            record_id,
            permission,
            profile,
            message,
            link,
        }
        .render()?,
        unsubscribe_url: None,
    })
}
