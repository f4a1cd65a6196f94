//! Licence expiry warnings: subscribed administrators get one mail per licence at 30, 7
//! and 1 days before its end. The warning's record and its mails are written in one
//! transaction, so each warning goes out once, with several instances too.

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, DbErr};

use crate::{
    domain::products::expiry_warning_due,
    mail::messages,
    storage::{self, expiry, licenses::organizations_of, outbox},
};

/// Queues the warnings due on `today`; returns how many mails were queued.
pub async fn queue_due_warnings(
    db: &DatabaseConnection,
    base_url: &str,
    today: NaiveDate,
) -> Result<usize, DbErr> {
    let mut queued = 0;
    for licence in expiry::ending_within(db, today, 30).await? {
        let days_left = (licence.valid_till - today).num_days();
        let Some(threshold) = expiry_warning_due(days_left) else {
            continue;
        };
        let txn = storage::begin_write(db).await?;
        if !expiry::mark_warned(&txn, licence.id, threshold).await? {
            continue;
        }
        for organization in organizations_of(&txn, licence.id).await? {
            for admin in expiry::subscribed_administrators(&txn, organization.id).await? {
                let mail = messages::licence_expiry(
                    &organization,
                    &admin.email,
                    &licence,
                    days_left,
                    &format!("{base_url}/licenses"),
                )
                .map_err(|e| DbErr::Custom(format!("mail template: {e}")))?;
                outbox::enqueue(&txn, mail).await?;
                queued += 1;
            }
        }
        txn.commit().await?;
    }
    Ok(queued)
}
