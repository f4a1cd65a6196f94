//! Every mail LicenseDesk sends, rendered from `templates/mail/` in plain text and HTML.

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
        kind: "administrator_welcome",
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
        kind: "password_reset",
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
    })
}
