use std::path::PathBuf;

use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{Header, HeaderName, HeaderValue},
    },
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

    /// Sends one outbox mail. `host` names this installation in the `Message-ID`, whose other
    /// part is the mail's random key: the same at every attempt of this mail, and unique
    /// across installations and database resets.
    pub async fn send(
        &self,
        from: &str,
        host: &str,
        mail: &outbox::Model,
    ) -> Result<(), MailError> {
        let message = build(from, host, mail)?;
        match self {
            Self::Smtp(smtp) => smtp.send(message).await.map(|_| ())?,
            Self::Files(files) => files.send(message).await.map(|_| ())?,
        }
        Ok(())
    }
}

/// The message as it goes out: multipart text and HTML, marked as automatic (RFC 3834) so
/// that auto-responders stay quiet, and with a one-click unsubscribe (RFC 8058) on
/// notification mail.
pub fn build(from: &str, host: &str, mail: &outbox::Model) -> Result<Message, MailError> {
    let key = mail
        .message_key
        .clone()
        // Mail queued before keys existed: its id and creation time, stable across attempts.
        .unwrap_or_else(|| format!("outbox-{}-{}", mail.id, mail.created_at.timestamp_micros()));
    let mut builder = Message::builder()
        .from(from.parse::<Mailbox>()?)
        .to(mail.recipient.parse::<Mailbox>()?)
        .subject(&mail.subject)
        .message_id(Some(format!("<{key}@{host}>")))
        .header(AutoSubmitted);
    if let Some(url) = &mail.unsubscribe_url {
        builder = builder
            .header(ListUnsubscribe(format!("<{url}>")))
            .header(ListUnsubscribePost);
    }
    Ok(builder.multipart(MultiPart::alternative_plain_html(
        mail.body_text.clone(),
        mail.body_html.clone(),
    ))?)
}

/// `Auto-Submitted: auto-generated` (RFC 3834).
#[derive(Clone)]
struct AutoSubmitted;

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Clone)]
struct ListUnsubscribe(String);

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Clone)]
struct ListUnsubscribePost;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, BoxError> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(value: &str) -> Result<Self, BoxError> {
        Ok(Self(value.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, BoxError> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}
