use std::path::PathBuf;

use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};

use crate::storage::entities::outbox;

/// Where mail goes: a real SMTP server, or `.eml` files when none is configured.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("cannot build the message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("writing the .eml file: {0}")]
    File(#[from] lettre::transport::file::Error),
    #[error("invalid SMTP_URL: {0}")]
    Url(String),
}

impl Transport {
    /// SMTP when `smtp_url` is set (smtp://, smtps://, with `?tls=required` etc.), files in
    /// `mail_dir` otherwise.
    pub fn new(smtp_url: Option<&str>, mail_dir: PathBuf) -> Result<Self, MailError> {
        match smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|builder| Self::Smtp(builder.build()))
                .map_err(|e| MailError::Url(e.to_string())),
            None => {
                std::fs::create_dir_all(&mail_dir)
                    .map_err(|e| MailError::Url(format!("{}: {e}", mail_dir.display())))?;
                Ok(Self::Files(AsyncFileTransport::new(mail_dir)))
            }
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Self::Smtp(_) => "SMTP",
            Self::Files(_) => ".eml files",
        }
    }

    pub async fn send(&self, from: &str, mail: &outbox::Model) -> Result<(), MailError> {
        let message = Message::builder()
            .from(from.parse::<Mailbox>()?)
            .to(mail.recipient.parse::<Mailbox>()?)
            .subject(&mail.subject)
            .message_id(Some(format!("<outbox-{}@licensedesk>", mail.id)))
            .multipart(MultiPart::alternative_plain_html(
                mail.body_text.clone(),
                mail.body_html.clone(),
            ))?;
        match self {
            Self::Smtp(smtp) => smtp.send(message).await.map(|_| ())?,
            Self::Files(files) => files.send(message).await.map(|_| ())?,
        }
        Ok(())
    }
}
