//! Drains the outbox: claims one due mail at a time, sends it, and records the result, with
//! exponential back-off while the transport fails. Stops between two mails on shutdown, so a
//! mail being sent is finished first.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use super::transport::Transport;
use crate::{config::OutboxSettings, storage::outbox};

pub struct Worker {
    pub db: DatabaseConnection,
    pub transport: Transport,
    pub from: String,
    pub settings: OutboxSettings,
}

impl Worker {
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(transport = self.transport.describe(), "mail worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.send_next().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(error) => tracing::error!(%error, "outbox: cannot claim mail"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.settings.poll_interval) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!("mail worker stopped");
    }

    /// Sends one due mail; `false` when none was due.
    pub async fn send_next(&self) -> Result<bool, sea_orm::DbErr> {
        let lease = to_chrono(self.settings.lease);
        let Some(mail) = outbox::claim_next(&self.db, Utc::now(), lease).await? else {
            return Ok(false);
        };
        match self.transport.send(&self.from, &mail).await {
            Ok(()) => {
                tracing::info!(mail_id = mail.id, kind = %mail.kind, "mail sent");
                outbox::mark_sent(&self.db, mail.id).await?;
            }
            Err(error) => {
                let retry_at = (mail.attempts < self.settings.max_attempts)
                    .then(|| Utc::now() + self.backoff(mail.attempts));
                tracing::warn!(mail_id = mail.id, attempts = mail.attempts, %error, "mail not sent");
                outbox::mark_attempt_failed(&self.db, mail.id, &error.to_string(), retry_at)
                    .await?;
            }
        }
        Ok(true)
    }

    /// `retry_base`, doubled for each earlier attempt, at most `retry_max`.
    fn backoff(&self, attempts: i32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).clamp(0, 20) as u32);
        to_chrono(
            self.settings
                .retry_base
                .saturating_mul(factor)
                .min(self.settings.retry_max),
        )
    }
}

fn to_chrono(duration: StdDuration) -> Duration {
    Duration::from_std(duration).unwrap_or(Duration::MAX)
}
