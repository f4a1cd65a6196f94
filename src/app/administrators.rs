//! Administrators: invite one (a welcome mail with a link to choose a password), change
//! role or access, reset or set a password, sign out everywhere, and the first operator
//! from the setup link. Every change that ends sessions ends them on every instance (the
//! sessions live in the database).

use chrono::Duration;
use sea_orm::DatabaseConnection;

use crate::storage::WriteTransaction;
use serde::Serialize;

use super::{Failure, Outcome, Step, refuse};
use crate::{
    domain::{
        audit::AuditAction,
        email::Email,
        permissions::{AccessRefused, Role, check_access_change},
    },
    mail::messages,
    storage::{
        self,
        administrators::NewAdministrator,
        audit::{Actor, Change},
        entities::administrators::Model,
        tokens::Purpose,
    },
};

/// How long the link of a welcome mail works.
pub const WELCOME_VALID_HOURS: i64 = 72;
/// How long the link of a password reset works.
pub const RESET_VALID_HOURS: i64 = 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0} already has an account")]
pub struct EmailTaken(pub Email);

/// What the audit log shows of an administrator: never the password hash.
#[derive(Serialize)]
struct Snapshot<'a> {
    email: &'a str,
    display_name: &'a str,
    role: Role,
    active: bool,
    organization_id: Option<i64>,
}

fn snapshot(admin: &Model) -> Snapshot<'_> {
    Snapshot {
        email: &admin.email,
        display_name: &admin.display_name,
        role: admin.role,
        active: admin.active,
        organization_id: admin.organization_id,
    }
}

async fn insert(
    txn: &WriteTransaction,
    actor: &Actor,
    new: NewAdministrator,
) -> Outcome<Model, EmailTaken> {
    if storage::administrators::find_by_email(txn, &new.email)
        .await
        .step("look for the email")?
        .is_some()
    {
        return refuse(EmailTaken(new.email));
    }
    let admin = storage::administrators::insert(txn, new)
        .await
        .step("insert the administrator")?;
    let change = Change::new(
        admin.organization_id,
        AuditAction::AdministratorCreate,
        &admin.email,
    );
    storage::audit::record(txn, actor, change.after(&snapshot(&admin)))
        .await
        .step("record the audit entry")?;
    Ok(admin)
}

/// Creates an administrator with the password already chosen (the command line, tests).
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    new: NewAdministrator,
) -> Outcome<Model, EmailTaken> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let admin = insert(&txn, actor, new).await?;
    txn.commit().await.step("commit")?;
    Ok(admin)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InviteRefused {
    #[error(transparent)]
    Access(#[from] AccessRefused),
    #[error(transparent)]
    EmailTaken(#[from] EmailTaken),
}

/// Creates an administrator without a password and mails them a link to choose one, when an
/// administrator of role `by` may give the new one's role. `organization_name` is what the
/// mail says they administer; `base_url` starts the link.
pub async fn invite(
    db: &DatabaseConnection,
    actor: &Actor,
    by: Role,
    new: NewAdministrator,
    organization_name: &str,
    base_url: &str,
) -> Outcome<Model, InviteRefused> {
    if !by.may_grant(new.role) {
        return refuse(AccessRefused::OnlyOperatorsGrantOperator.into());
    }
    let txn = storage::begin_write(db).await.step("begin")?;
    let admin = match insert(&txn, actor, new).await {
        Ok(admin) => admin,
        Err(super::Error::Refused(taken)) => return refuse(taken.into()),
        Err(super::Error::Failed(failure)) => return Err(failure.into()),
    };
    let token = storage::tokens::issue(
        &txn,
        Purpose::SetPassword,
        Some(admin.id),
        Duration::hours(WELCOME_VALID_HOURS),
    )
    .await
    .step("issue the password link")?;
    let link = format!("{base_url}/password/set?token={token}");
    let mail = messages::administrator_welcome(
        admin.organization_id,
        &admin.email,
        &admin.display_name,
        organization_name,
        &link,
        WELCOME_VALID_HOURS,
    )
    .step("render the welcome mail")?;
    storage::outbox::enqueue(&txn, mail)
        .await
        .step("queue the welcome mail")?;
    txn.commit().await.step("commit")?;
    Ok(admin)
}

/// Changes role and active flag, as an administrator of role `by` may
/// (`check_access_change`); deactivating ends the administrator's sessions.
pub async fn update_access(
    db: &DatabaseConnection,
    actor: &Actor,
    by: Role,
    before: Model,
    role: Role,
    active: bool,
) -> Outcome<Model, AccessRefused> {
    let own = actor.id == Some(before.id);
    if let Err(refused) = check_access_change(by, own, before.role, role, active) {
        return refuse(refused);
    }
    let txn = storage::begin_write(db).await.step("begin")?;
    let after = storage::administrators::update_access(&txn, &before, role, active)
        .await
        .step("save the access")?;
    let action = match (before.active, after.active) {
        (true, false) => AuditAction::AdministratorDeactivate,
        (false, true) => AuditAction::AdministratorActivate,
        _ => AuditAction::AdministratorChangeRole,
    };
    let change = Change::new(after.organization_id, action, &after.email)
        .before(&snapshot(&before))
        .after(&snapshot(&after));
    storage::audit::record(&txn, actor, change)
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(after)
}

/// Removes the password (the old one stops working and every session ends) and mails a
/// link to choose a new one.
pub async fn reset_password(
    db: &DatabaseConnection,
    actor: &Actor,
    subject: &Model,
    base_url: &str,
) -> Result<(), Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let token = storage::tokens::issue(
        &txn,
        Purpose::SetPassword,
        Some(subject.id),
        Duration::hours(RESET_VALID_HOURS),
    )
    .await
    .step("issue the password link")?;
    storage::administrators::clear_password(&txn, subject)
        .await
        .step("clear the password")?;
    let link = format!("{base_url}/password/set?token={token}");
    let mail = messages::password_reset(
        subject.organization_id,
        &subject.email,
        &subject.display_name,
        &link,
        RESET_VALID_HOURS,
    )
    .step("render the reset mail")?;
    storage::outbox::enqueue(&txn, mail)
        .await
        .step("queue the reset mail")?;
    let change = Change::new(
        subject.organization_id,
        AuditAction::AdministratorResetPassword,
        &subject.email,
    );
    storage::audit::record(&txn, actor, change)
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")
}

async fn store_password(
    txn: &WriteTransaction,
    actor: &Actor,
    admin: Model,
    password_hash: String,
) -> Result<Model, Failure> {
    let after = storage::administrators::set_password(txn, admin, password_hash)
        .await
        .step("store the password")?;
    let change = Change::new(
        after.organization_id,
        AuditAction::AdministratorSetPassword,
        &after.email,
    );
    storage::audit::record(txn, actor, change)
        .await
        .step("record the audit entry")?;
    Ok(after)
}

/// The signed-in administrator's new password; their other sessions end.
pub async fn change_password(
    db: &DatabaseConnection,
    actor: &Actor,
    admin: Model,
    password_hash: String,
) -> Result<Model, Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let after = store_password(&txn, actor, admin, password_hash).await?;
    txn.commit().await.step("commit")?;
    Ok(after)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the link was used or has expired")]
pub struct LinkUsed;

/// A password chosen from a mailed link: the link works once.
pub async fn set_password_from_link(
    db: &DatabaseConnection,
    token: &str,
    admin: Model,
    password_hash: String,
) -> Outcome<Model, LinkUsed> {
    let txn = storage::begin_write(db).await.step("begin")?;
    if storage::tokens::consume(&txn, Purpose::SetPassword, token)
        .await
        .step("use the link")?
        .is_none()
    {
        return refuse(LinkUsed);
    }
    let actor = Actor::administrator(admin.id, &admin.email);
    let after = store_password(&txn, &actor, admin, password_hash).await?;
    txn.commit().await.step("commit")?;
    Ok(after)
}

/// Ends every session of the administrator, on every instance.
pub async fn sign_out_everywhere(
    db: &DatabaseConnection,
    actor: &Actor,
    admin: &Model,
) -> Result<(), Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    storage::administrators::end_sessions(&txn, admin)
        .await
        .step("end the sessions")?;
    let change = Change::new(
        admin.organization_id,
        AuditAction::AdministratorSignOutEverywhere,
        &admin.email,
    );
    storage::audit::record(&txn, actor, change)
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")
}

/// The setup link was used or revoked, or an administrator exists already.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the setup link is no longer valid")]
pub struct SetupLinkGone;

/// The first operator, from the setup link. Using the link revokes every other setup link,
/// so two setups racing cannot both win.
pub async fn complete_setup(
    db: &DatabaseConnection,
    token: &str,
    new: NewAdministrator,
) -> Outcome<Model, SetupLinkGone> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let used = storage::tokens::consume(&txn, Purpose::Setup, token)
        .await
        .step("use the setup link")?;
    let exists = storage::administrators::any_exist(&txn)
        .await
        .step("look for administrators")?;
    if used.is_none() || exists {
        return refuse(SetupLinkGone);
    }
    storage::tokens::revoke_all(&txn, Purpose::Setup)
        .await
        .step("revoke the other setup links")?;
    let actor = Actor::system("setup link");
    // No administrator exists (checked above, under the write lock), so no email is taken.
    let operator = match insert(&txn, &actor, new).await {
        Ok(operator) => operator,
        Err(super::Error::Refused(EmailTaken(_))) => return refuse(SetupLinkGone),
        Err(super::Error::Failed(failure)) => return Err(failure.into()),
    };
    let change = Change::new(None, AuditAction::SetupComplete, &operator.email);
    storage::audit::record(&txn, &actor, change)
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(operator)
}
