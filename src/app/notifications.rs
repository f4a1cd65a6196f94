//! Assignment notifications (docs/behaviour.md#notification-mail): when a licence is handed out
//! automatically, a notice (the page behind View in browser) and one mail per subscribed
//! address, in the transaction of the assignment.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

use super::{Failure, Step};
use crate::{
    domain::{
        audit::AuditAction,
        license_check::MobileSeats,
        signed_links::{LinkSigner, MANAGE_SUBSCRIPTIONS, VIEW_NOTICE},
    },
    mail::messages,
    storage::{
        self,
        audit::{Actor, Change},
        entities::organizations,
        notifications, outbox,
    },
};

/// What links in notification mail need.
pub struct NoticeLinks<'a> {
    pub base_url: &'a str,
    pub signer: &'a LinkSigner,
}

impl NoticeLinks<'_> {
    pub fn view(&self, notice_id: i64) -> String {
        format!(
            "{}/notices/{notice_id}?token={}",
            self.base_url,
            self.signer.sign(VIEW_NOTICE, &notice_id.to_string())
        )
    }

    pub fn manage(&self, address: &str) -> String {
        self.signed_for_address("/subscriptions", address)
    }

    /// Where a mailbox provider posts `List-Unsubscribe=One-Click` (RFC 8058): the same
    /// signed address, answered by unsubscribing it from every organization at once.
    pub fn one_click(&self, address: &str) -> String {
        self.signed_for_address("/subscriptions/one-click", address)
    }

    fn signed_for_address(&self, path: &str, address: &str) -> String {
        let query = serde_urlencoded::to_string([
            ("address", address),
            ("token", &self.signer.sign(MANAGE_SUBSCRIPTIONS, address)),
        ])
        .unwrap_or_default();
        format!("{}{path}?{query}", self.base_url)
    }
}

/// Records the notice of an automatic assignment and queues a mail to every subscriber,
/// in the caller's transaction.
pub async fn notify_assignment(
    db: &impl ConnectionTrait,
    organization: &organizations::Model,
    user_id: &str,
    freed_user_id: Option<&str>,
    seats: MobileSeats,
    links: &NoticeLinks<'_>,
) -> Result<(), DbErr> {
    if !storage::settings::get(db, organization.id)
        .await?
        .send_assignment_notifications
    {
        return Ok(());
    }
    let notice =
        notifications::insert_notice(db, organization.id, user_id, freed_user_id, seats).await?;
    for address in notifications::recipients(db, organization.id).await? {
        let mail = messages::assignment_notice(
            organization,
            &address,
            &notice,
            &links.view(notice.id),
            &links.manage(&address),
        )
        .map_err(|e| DbErr::Custom(format!("mail template: {e}")))?;
        let mail = outbox::NewMail {
            unsubscribe_url: Some(links.one_click(&address)),
            ..mail
        };
        outbox::enqueue(db, mail).await?;
    }
    Ok(())
}

/// Switches `address`'s notification mail of `organizations` on or off, from the link in a
/// notification (the address itself is the actor).
pub async fn set_subscriptions(
    db: &DatabaseConnection,
    address: &str,
    organizations: &[i64],
    subscribed: bool,
) -> Result<(), Failure> {
    let actor = Actor::system(&format!("{address} (from a notification link)"));
    let action = if subscribed {
        AuditAction::NotificationsSubscribe
    } else {
        AuditAction::NotificationsUnsubscribe
    };
    let txn = storage::begin_write(db).await.step("begin")?;
    for organization in organizations {
        storage::notifications::set_subscribed(&txn, address, *organization, subscribed)
            .await
            .step("save the subscription")?;
        storage::audit::record(
            &txn,
            &actor,
            Change::new(Some(*organization), action, address),
        )
        .await
        .step("record the audit entry")?;
    }
    txn.commit().await.step("commit")
}
