//! Login attempts (docs/behaviour.md#running): an attempt is counted *before* its password is
//! checked — after counting, in one transaction under the address's and the client's lock —
//! so attempts arriving at the same moment, on one instance or several, count against each
//! other and never pass the limits.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use crate::{
    config::LoginLimits,
    domain::audit::AuditAction,
    storage::{
        self,
        audit::{self, Actor, Change},
        login_failures::{self, Reservation},
    },
};

/// Counts the attempts for `email` and from `client` since `since` and, when both are under
/// `limits`, records this one. `None` when a limit is reached.
pub async fn reserve_attempt(
    db: &DatabaseConnection,
    email: &str,
    client: &str,
    since: DateTime<Utc>,
    limits: LoginLimits,
) -> Result<Option<Reservation>, DbErr> {
    let txn = storage::begin_write(db).await?;
    login_failures::lock(&txn, email, client).await?;
    let (by_address, by_client) = login_failures::count_since(&txn, email, client, since).await?;
    if by_address >= limits.per_address || by_client >= limits.per_client {
        return Ok(None);
    }
    let reservation = login_failures::insert(&txn, email, client).await?;
    txn.commit().await?;
    Ok(Some(reservation))
}

/// Gives back a reserved attempt: the password was right, or was never checked.
pub async fn release(db: &DatabaseConnection, reservation: Reservation) -> Result<(), DbErr> {
    login_failures::release(db, reservation).await
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
) -> Result<(), DbErr> {
    let change = Change::new(organization, AuditAction::LoginBlocked, email);
    audit::record(db, &client_actor(client), change).await
}

/// Records a wrong password (the attempt stays counted), and prunes attempts older than
/// `prune_before`.
pub async fn record_failure(
    db: &DatabaseConnection,
    client: &str,
    organization: Option<i64>,
    email: &str,
    prune_before: DateTime<Utc>,
) -> Result<(), DbErr> {
    let txn = storage::begin_write(db).await?;
    let change = Change::new(organization, AuditAction::LoginFailed, email);
    audit::record(&txn, &client_actor(client), change).await?;
    login_failures::prune(&txn, prune_before).await?;
    txn.commit().await
}
