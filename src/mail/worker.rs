//! Drains the outbox: claims one due mail at a time, sends it, and records the result, with
//! exponential back-off while the transport fails. Stops between two mails on shutdown, so a
//! mail being sent is finished first.
//!
//! Delivery is at least once. A claimed mail belongs to its worker while the worker renews
//! the claim (every third of the lease, for as long as the SMTP exchange lasts), and a sent
//! mail is marked sent however long the database takes to answer again. A mail goes twice
//! only when its worker dies (or loses the database for longer than the lease) between
//! handing it to the SMTP server and marking it sent; it then goes again once the lease
//! has run out. Every attempt carries the same `Message-ID`, so receivers can drop the repeat.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::watch;

use super::transport::Transport;
use crate::{
    config::OutboxSettings,
    storage::{self, outbox},
};

pub struct Worker {
    pub db: DatabaseConnection,
    pub transport: Transport,
    pub from: String,
    /// The host part of every `Message-ID` (the base URL's host).
    pub host: String,
    pub settings: OutboxSettings,
}

impl Worker {
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(transport = self.transport.describe(), "mail worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.send_next(&shutdown).await {
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

    /// Sends every mail due now, one after the other, and returns how many it took (sent
    /// or failed and rescheduled). Tests use it to deliver mail at once instead of waiting
    /// for the background worker.
    pub async fn run_once(&self) -> Result<usize, DbErr> {
        let (_keep, running) = watch::channel(false);
        let mut taken = 0;
        while self.send_next(&running).await? {
            taken += 1;
        }
        Ok(taken)
    }

    /// Sends one due mail; `false` when none was due. Errors are those of claiming a mail;
    /// once claimed, a mail's outcome is recorded here, retried until the database takes it.
    pub async fn send_next(&self, shutdown: &watch::Receiver<bool>) -> Result<bool, DbErr> {
        let lease = to_chrono(self.settings.lease);
        // Claimed in a transaction committed before the mail is sent: an UPDATE … RETURNING
        // on its own hands back its row before SQLite commits, so a commit that failed (a
        // full disk) would go unnoticed and the mail be sent on a claim never stored.
        let txn = storage::begin_write(&self.db).await?;
        let Some(mail) = outbox::claim_next(&txn, Utc::now(), lease).await? else {
            return Ok(false);
        };
        txn.commit().await?;
        let sent = {
            let send = self.transport.send(&self.from, &self.host, &mail);
            tokio::pin!(send);
            // Renewed every third of the lease; a renewal that failed is tried again each
            // second, so a short database outage does not let the claim run out.
            let mut next_renewal = tokio::time::Instant::now() + self.settings.lease / 3;
            loop {
                tokio::select! {
                    result = &mut send => break result,
                    _ = tokio::time::sleep_until(next_renewal) => {
                        next_renewal = match outbox::extend_claim(&self.db, mail.id, Utc::now() + lease).await {
                            Ok(()) => tokio::time::Instant::now() + self.settings.lease / 3,
                            Err(error) => {
                                tracing::warn!(mail_id = mail.id, %error, "cannot renew the claim on a mail being sent; trying again");
                                tokio::time::Instant::now() + StdDuration::from_secs(1)
                            }
                        };
                    }
                }
            }
        };
        match sent {
            Ok(()) => {
                tracing::info!(mail_id = mail.id, kind = %mail.kind, "mail sent");
                self.record("mark the mail sent", mail.id, shutdown, || {
                    outbox::mark_sent(&self.db, mail.id)
                })
                .await;
            }
            Err(error) => {
                let retry_at = (mail.attempts < self.settings.max_attempts)
                    .then(|| Utc::now() + self.backoff(mail.attempts));
                tracing::warn!(mail_id = mail.id, attempts = mail.attempts, %error, "mail not sent");
                let error = error.to_string();
                self.record("record the failed attempt", mail.id, shutdown, || {
                    outbox::mark_attempt_failed(&self.db, mail.id, &error, retry_at)
                })
                .await;
            }
        }
        Ok(true)
    }

    /// Runs `write` until the database takes it. On shutdown it keeps trying for
    /// `GIVE_UP_AFTER_SHUTDOWN`; a sent mail not marked by then goes again after its lease.
    async fn record<F, Fut>(
        &self,
        what: &str,
        mail_id: i64,
        shutdown: &watch::Receiver<bool>,
        write: F,
    ) where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<(), DbErr>>,
    {
        const GIVE_UP_AFTER_SHUTDOWN: StdDuration = StdDuration::from_secs(10);
        let mut wait = StdDuration::from_millis(100);
        let mut shutdown_seen: Option<tokio::time::Instant> = None;
        loop {
            match write().await {
                Ok(()) => return,
                Err(error) => {
                    if *shutdown.borrow() {
                        let since = *shutdown_seen.get_or_insert_with(tokio::time::Instant::now);
                        if since.elapsed() > GIVE_UP_AFTER_SHUTDOWN {
                            tracing::error!(mail_id, %error, "stopping without being able to {what}; the mail will be attempted again after its lease");
                            return;
                        }
                    }
                    tracing::warn!(mail_id, %error, "cannot {what} yet; trying again");
                    tokio::time::sleep(wait).await;
                    // At most a second apart: once the database is back, this mark must
                    // come before another instance sees the claim run out.
                    wait = (wait * 2).min(StdDuration::from_secs(1));
                }
            }
        }
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
