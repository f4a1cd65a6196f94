//! Chat gateways and email profiles: add (disabled), enable or disable, delete. Enabling
//! counts against the largest valid CHAT or EMAIL licence across every organization of
//! that licence, under the licence's lock, so two enables at once never pass its limit.

use chrono::Utc;
use sea_orm::DatabaseConnection;

use super::{Failure, Outcome, Step, refuse};
use crate::{
    domain::{
        audit::AuditAction,
        channels::{ChannelKind, EnableRefused, may_enable},
    },
    storage::{
        self,
        audit::{Actor, Change},
        entities::channels::Model,
    },
};

fn action(kind: ChannelKind, verb: Verb) -> AuditAction {
    match (kind, verb) {
        (ChannelKind::ChatGateway, Verb::Create) => AuditAction::ChatGatewayCreate,
        (ChannelKind::ChatGateway, Verb::Update) => AuditAction::ChatGatewayUpdate,
        (ChannelKind::ChatGateway, Verb::Delete) => AuditAction::ChatGatewayDelete,
        (ChannelKind::EmailProfile, Verb::Create) => AuditAction::EmailProfileCreate,
        (ChannelKind::EmailProfile, Verb::Update) => AuditAction::EmailProfileUpdate,
        (ChannelKind::EmailProfile, Verb::Delete) => AuditAction::EmailProfileDelete,
    }
}

enum Verb {
    Create,
    Update,
    Delete,
}

/// Adds a channel, disabled.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    organization: i64,
    kind: ChannelKind,
    name: &str,
) -> Result<Model, Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let channel = storage::channels::create(&txn, organization, kind, name)
        .await
        .step("insert the channel")?;
    let change = Change::new(
        Some(organization),
        action(kind, Verb::Create),
        &channel.name,
    );
    storage::audit::record(&txn, actor, change.after(&channel))
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(channel)
}

/// Switches a channel on or off; switching on is refused beyond the licence's limit.
pub async fn set_enabled(
    db: &DatabaseConnection,
    actor: &Actor,
    before: Model,
    kind: ChannelKind,
    enabled: bool,
) -> Outcome<Model, EnableRefused> {
    let txn = storage::begin_write(db).await.step("begin")?;
    if enabled && !before.enabled {
        let today = Utc::now().date_naive();
        let Some(licence) =
            storage::channels::governing_licence(&txn, before.organization_id, kind, today)
                .await
                .step("find the governing licence")?
        else {
            return refuse(EnableRefused::NoLicence(kind));
        };
        storage::locks::lock_licence(&txn, licence.id)
            .await
            .step("lock the licence")?;
        let enabled_now = storage::channels::enabled_under(&txn, &licence, kind)
            .await
            .step("count the enabled channels")?;
        let limit = u32::try_from(licence.seat_limit).unwrap_or(0);
        if let Err(refused) = may_enable(kind, limit, enabled_now) {
            return refuse(refused);
        }
    }
    let after = storage::channels::set_enabled(&txn, before.clone(), enabled)
        .await
        .step("save the channel")?;
    let change = Change::new(
        Some(after.organization_id),
        action(kind, Verb::Update),
        &after.name,
    );
    storage::audit::record(&txn, actor, change.before(&before).after(&after))
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(after)
}

pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    channel: Model,
    kind: ChannelKind,
) -> Result<(), Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let change = Change::new(
        Some(channel.organization_id),
        action(kind, Verb::Delete),
        &channel.name,
    );
    storage::audit::record(&txn, actor, change.before(&channel))
        .await
        .step("record the audit entry")?;
    storage::channels::delete(&txn, channel)
        .await
        .step("delete the channel")?;
    txn.commit().await.step("commit")
}
