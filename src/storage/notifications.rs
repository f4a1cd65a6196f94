//! Assignment notifications (§4): who receives them, the notice behind View in browser,
//! and the per-address subscriptions managed from the Unsubscribe link.

use std::collections::BTreeSet;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, sea_query::OnConflict,
};

use super::{
    entities::{administrators, assignment_notices, notification_optouts, organizations},
    outbox, settings,
};
use crate::{
    domain::{
        license_check::MobileSeats,
        signed_links::{LinkSigner, MANAGE_SUBSCRIPTIONS, VIEW_NOTICE},
    },
    mail::messages,
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
        let query = serde_urlencoded::to_string([
            ("address", address),
            ("token", &self.signer.sign(MANAGE_SUBSCRIPTIONS, address)),
        ])
        .unwrap_or_default();
        format!("{}/subscriptions?{query}", self.base_url)
    }

    /// Where a mailbox provider posts `List-Unsubscribe=One-Click` (RFC 8058): the same
    /// signed address, answered by unsubscribing it from every organization at once.
    pub fn one_click(&self, address: &str) -> String {
        let query = serde_urlencoded::to_string([
            ("address", address),
            ("token", &self.signer.sign(MANAGE_SUBSCRIPTIONS, address)),
        ])
        .unwrap_or_default();
        format!("{}/subscriptions/one-click?{query}", self.base_url)
    }
}

/// Administrators of the organization who receive notifications (not operators, who are
/// global), and its listed notification addresses.
async fn candidates(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<BTreeSet<String>, DbErr> {
    let mut addresses: BTreeSet<String> = administrators::Entity::find()
        .filter(administrators::Column::OrganizationId.eq(organization_id))
        .filter(administrators::Column::Active.eq(true))
        .filter(administrators::Column::Notify.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.email)
        .collect();
    let settings = settings::get(db, organization_id).await?;
    addresses.extend(
        settings
            .notification_addresses
            .lines()
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty()),
    );
    Ok(addresses)
}

pub(crate) async fn opted_out(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<BTreeSet<String>, DbErr> {
    Ok(notification_optouts::Entity::find()
        .filter(notification_optouts::Column::OrganizationId.eq(organization_id))
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.address)
        .collect())
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
    if !settings::get(db, organization.id)
        .await?
        .send_assignment_notifications
    {
        return Ok(());
    }
    let notice = assignment_notices::ActiveModel {
        organization_id: Set(organization.id),
        user_id: Set(user_id.to_owned()),
        freed_user_id: Set(freed_user_id.map(str::to_owned)),
        total: Set(i64::try_from(seats.total).unwrap_or(i64::MAX)),
        used: Set(i64::try_from(seats.used).unwrap_or(i64::MAX)),
        available: Set(i64::try_from(seats.free()).unwrap_or(i64::MAX)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let opted_out = opted_out(db, organization.id).await?;
    for address in candidates(db, organization.id)
        .await?
        .difference(&opted_out)
    {
        let mail = messages::assignment_notice(
            organization,
            address,
            &notice,
            &links.view(notice.id),
            &links.manage(address),
        )
        .map_err(|e| DbErr::Custom(format!("mail template: {e}")))?;
        let mail = outbox::NewMail {
            unsubscribe_url: Some(links.one_click(address)),
            ..mail
        };
        outbox::enqueue(db, mail).await?;
    }
    Ok(())
}

pub async fn notice(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<assignment_notices::Model>, DbErr> {
    assignment_notices::Entity::find_by_id(id).one(db).await
}

/// Every organization where `address` receives notifications, and whether it still does.
pub async fn subscriptions_of(
    db: &impl ConnectionTrait,
    address: &str,
) -> Result<Vec<(organizations::Model, bool)>, DbErr> {
    let address = address.trim().to_lowercase();
    let mut result = Vec::new();
    for organization in organizations::Entity::find()
        .order_by_asc(organizations::Column::Name)
        .all(db)
        .await?
    {
        if candidates(db, organization.id).await?.contains(&address) {
            let subscribed = !opted_out(db, organization.id).await?.contains(&address);
            result.push((organization, subscribed));
        }
    }
    Ok(result)
}

pub async fn set_subscribed(
    db: &impl ConnectionTrait,
    address: &str,
    organization_id: i64,
    subscribed: bool,
) -> Result<(), DbErr> {
    let address = address.trim().to_lowercase();
    if subscribed {
        notification_optouts::Entity::delete_many()
            .filter(notification_optouts::Column::Address.eq(&address))
            .filter(notification_optouts::Column::OrganizationId.eq(organization_id))
            .exec(db)
            .await?;
    } else {
        notification_optouts::Entity::insert(notification_optouts::ActiveModel {
            address: Set(address),
            organization_id: Set(organization_id),
            created_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::columns([
                notification_optouts::Column::Address,
                notification_optouts::Column::OrganizationId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}
