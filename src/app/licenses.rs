//! Licence keys and nominal seats: import a signed key, give a user a seat, take it back.
//! A seat is given under the licence's lock, after counting its seats afresh, so two
//! administrators (or instances) never give more seats than the licence has.

use chrono::Utc;
use sea_orm::DatabaseConnection;

use crate::storage::WriteTransaction;

use super::{Error, Failure, Outcome, Step, refuse};
use crate::{
    domain::{
        audit::AuditAction,
        license_check::UserState,
        license_key::{self, LicenceKeyError, VendorPublicKey},
        products::Product,
    },
    storage::{
        self,
        audit::{Actor, Change},
        entities::{licenses, mobile_users, organizations},
    },
};

pub enum ImportOutcome {
    Imported(licenses::Model),
    /// The same key (same licence id) was imported before: nothing changed.
    AlreadyImported(licenses::Model),
}

#[derive(Debug, thiserror::Error)]
pub enum KeyRefused {
    #[error(transparent)]
    Key(#[from] LicenceKeyError),
    #[error("the key is for no organization of this LicenseDesk (it names {0})")]
    NoOrganizationHere(String),
    #[error(
        "the key is also for other organizations ({0}); only an operator can import a key that names organizations other than your own"
    )]
    OtherOrganizations(String),
}

/// Verifies a pasted key against the vendor key and stores it for the organizations it
/// names that exist here. `own` limits an organization's administrator to keys for their
/// organization alone (an operator imports the others). Nothing is stored for a refused key.
pub async fn import_key(
    db: &DatabaseConnection,
    vendor: &VendorPublicKey,
    actor: &Actor,
    key: &str,
    own: Option<&organizations::Model>,
) -> Outcome<ImportOutcome, KeyRefused> {
    let payload = license_key::verify(key, vendor).map_err(|e| Error::Refused(e.into()))?;
    let guids: Vec<String> = payload
        .organizations
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Some(own) = own {
        let others: Vec<&str> = guids
            .iter()
            .map(String::as_str)
            .filter(|guid| !guid.eq_ignore_ascii_case(&own.organization_id))
            .collect();
        if !others.is_empty() {
            return refuse(KeyRefused::OtherOrganizations(others.join(", ")));
        }
    }
    let txn = storage::begin_write(db).await.step("begin")?;
    let licence_id = payload.licence_id.to_string();
    if let Some(existing) = storage::licenses::find_by_licence_id(&txn, &licence_id)
        .await
        .step("look for the licence id")?
    {
        return Ok(ImportOutcome::AlreadyImported(existing));
    }
    let organizations = storage::organizations::by_guids(&txn, &guids)
        .await
        .step("find the key's organizations")?;
    if organizations.is_empty() {
        return refuse(KeyRefused::NoOrganizationHere(guids.join(", ")));
    }
    let licence = storage::licenses::insert(&txn, &payload, key)
        .await
        .step("store the licence")?;
    for organization in &organizations {
        storage::licenses::link(&txn, &licence, organization)
            .await
            .step("link the licence to an organization")?;
        let change = Change::new(
            Some(organization.id),
            AuditAction::LicenseImport,
            format!("{} licence {}", licence.product, licence.licence_id),
        );
        storage::audit::record(&txn, actor, change.after(&licence))
            .await
            .step("record the audit entry")?;
    }
    txn.commit().await.step("commit")?;
    Ok(ImportOutcome::Imported(licence))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AssignRefused {
    #[error("all {0} seats of this licence are assigned")]
    Full(i32),
    #[error("the licence has expired or has not started")]
    NotValid,
    #[error("this user already has a seat of this licence")]
    AlreadyAssigned,
    #[error(
        "MOBILE seats are given by enabling users on the Mobile Users page, DEVICE seats to \
         devices on the Active Devices page, competitive seats by sessions"
    )]
    NotAssignable,
}

/// Gives `user` a nominal seat of `licence`, never beyond its limit.
pub async fn assign_seat(
    db: &DatabaseConnection,
    actor: &Actor,
    licence: &licenses::Model,
    user: &mobile_users::Model,
) -> Outcome<(), AssignRefused> {
    if !licence.product.assigned_to_users(licence.competitive) {
        return refuse(AssignRefused::NotAssignable);
    }
    if !licence.terms().is_valid_on(Utc::now().date_naive()) {
        return refuse(AssignRefused::NotValid);
    }
    let txn = storage::begin_write(db).await.step("begin")?;
    storage::locks::lock_licence(&txn, licence.id)
        .await
        .step("lock the licence")?;
    if storage::seats::is_assigned(&txn, licence.id, user.id)
        .await
        .step("look for the seat")?
    {
        return refuse(AssignRefused::AlreadyAssigned);
    }
    let used = storage::seats::used(&txn, licence)
        .await
        .step("count the seats")?;
    if !licence.terms().has_free_seat(used) {
        return refuse(AssignRefused::Full(licence.seat_limit));
    }
    storage::seats::insert_assignment(&txn, licence.id, user.id)
        .await
        .step("give the seat")?;
    record_seat(&txn, actor, AuditAction::LicenseAssign, licence, user).await?;
    txn.commit().await.step("commit")?;
    Ok(())
}

/// Takes a nominal seat back; `false` when the user held none.
pub async fn unassign_seat(
    db: &DatabaseConnection,
    actor: &Actor,
    licence: &licenses::Model,
    user: &mobile_users::Model,
) -> Result<bool, Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let taken = storage::seats::unassign(&txn, licence.id, user.id)
        .await
        .step("take the seat back")?;
    if taken {
        record_seat(&txn, actor, AuditAction::LicenseUnassign, licence, user).await?;
    }
    txn.commit().await.step("commit")?;
    Ok(taken)
}

/// Frees whatever seat of `licence` the user holds, the way the licence gives seats: ends
/// the sessions of a competitive licence, disables a MOBILE user, takes a nominal seat back.
/// `false` when there was nothing to free.
pub async fn free_seat(
    db: &DatabaseConnection,
    actor: &Actor,
    licence: &licenses::Model,
    user: &mobile_users::Model,
) -> Result<bool, Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let (action, done) = if licence.competitive {
        let ended = storage::seats::end_sessions(
            &txn,
            licence.id,
            user.id,
            "forced logout by an administrator",
        )
        .await
        .step("end the sessions")?;
        (AuditAction::LicenseForceLogout, ended > 0)
    } else if licence.product == Product::Mobile {
        storage::mobile_users::set_state(&txn, user, UserState::Disabled)
            .await
            .step("disable the user")?;
        (AuditAction::MobileUserDisable, true)
    } else {
        let taken = storage::seats::unassign(&txn, licence.id, user.id)
            .await
            .step("take the seat back")?;
        (AuditAction::LicenseUnassign, taken)
    };
    if done {
        record_seat(&txn, actor, action, licence, user).await?;
    }
    txn.commit().await.step("commit")?;
    Ok(done)
}

async fn record_seat(
    txn: &WriteTransaction,
    actor: &Actor,
    action: AuditAction,
    licence: &licenses::Model,
    user: &mobile_users::Model,
) -> Result<(), Failure> {
    let target = format!(
        "{} licence {}: user {}",
        licence.product, licence.licence_id, user.user_id
    );
    storage::audit::record(
        txn,
        actor,
        Change::new(Some(user.organization_id), action, target),
    )
    .await
    .step("record the audit entry")
}
