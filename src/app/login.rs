//! Login attempts (docs/behaviour.md#running): an attempt is counted *before* its password is
//! checked — after counting, in one transaction under the address's and the client's lock —
//! so attempts arriving at the same moment, on one instance or several, count against each
//! other and never pass the limits.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::{Failure, Outcome, Step, refuse};

use crate::{
    config::LoginLimits,
    domain::audit::AuditAction,
    storage::{
        self,
        audit::{self, Actor, Change},
        login_failures::{self, Reservation},
    },
};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("too many failed sign-ins")]
pub struct LimitReached;

/// Counts the attempts for `email` and from `client` since `since` and, when both are under
/// `limits`, records this one; refused when a limit is reached.
pub async fn reserve_attempt(
    db: &DatabaseConnection,
    email: &str,
    client: &str,
    since: DateTime<Utc>,
    limits: LoginLimits,
) -> Outcome<Reservation, LimitReached> {
    let txn = storage::begin_write(db).await.step("begin")?;
    login_failures::lock(&txn, email, client)
        .await
        .step("lock the address and the client")?;
    let (by_address, by_client) = login_failures::count_since(&txn, email, client, since)
        .await
        .step("count the failed sign-ins")?;
    if limits.reached(by_address, by_client) {
        return refuse(LimitReached);
    }
    let reservation = login_failures::insert(&txn, email, client)
        .await
        .step("count this attempt")?;
    txn.commit().await.step("commit")?;
    Ok(reservation)
}

/// Gives back a reserved attempt: the password was right, or was never checked.
pub async fn release(db: &DatabaseConnection, reservation: Reservation) -> Result<(), Failure> {
    login_failures::release(db, reservation)
        .await
        .step("give the attempt back")
}

fn client_actor(client: &str) -> Actor {
    Actor::system(&format!("client {client}"))
}

/// Records that a client was turned away at the limit.
pub async fn record_blocked(
    db: &DatabaseConnection,
    client: &str,
    organization: Option<i64>,
    email: &str,
) -> Result<(), Failure> {
    let change = Change::new(organization, AuditAction::LoginBlocked, email);
    audit::record(db, &client_actor(client), change)
        .await
        .step("record the audit entry")
}

/// Records a wrong password (the attempt stays counted), and prunes attempts older than
/// `prune_before`.
pub async fn record_failure(
    db: &DatabaseConnection,
    client: &str,
    organization: Option<i64>,
    email: &str,
    prune_before: DateTime<Utc>,
) -> Result<(), Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let change = Change::new(organization, AuditAction::LoginFailed, email);
    audit::record(&txn, &client_actor(client), change)
        .await
        .step("record the audit entry")?;
    login_failures::prune(&txn, prune_before)
        .await
        .step("prune old attempts")?;
    txn.commit().await.step("commit")
}
