//! Resending a mail from the Outbox page.

use sea_orm::DatabaseConnection;

use super::{Outcome, Step, refuse};
use crate::{
    domain::audit::AuditAction,
    storage::{
        self,
        audit::{Actor, Change},
        entities::outbox::Model,
    },
};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ResendRefused {
    #[error(
        "a registration code is not kept once mailed, so this mail cannot be sent again: \
         Replace the device's code on the Active devices page for a new one"
    )]
    BodyDiscarded,
    #[error("this mail is already waiting to be sent")]
    AlreadyQueued,
}

/// Queues a sent or failed mail again, as a new mail with a new Message-ID.
pub async fn resend(
    db: &DatabaseConnection,
    actor: &Actor,
    mail: &Model,
) -> Outcome<(), ResendRefused> {
    if crate::domain::outbox::body_discarded(mail.kind, mail.status) {
        return refuse(ResendRefused::BodyDiscarded);
    }
    let txn = storage::begin_write(db).await.step("begin")?;
    if !storage::outbox::resend(&txn, mail.id)
        .await
        .step("queue the mail again")?
    {
        return refuse(ResendRefused::AlreadyQueued);
    }
    let change = Change::new(
        mail.organization_id,
        AuditAction::OutboxResend,
        format!("{} to {}", mail.subject, mail.recipient),
    );
    storage::audit::record(&txn, actor, change)
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(())
}
