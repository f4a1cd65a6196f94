//! Login attempts (§8 of the product): an attempt is counted *before* its password is
//! checked — after counting, in one transaction under the address's and the client's lock —
//! so attempts arriving at the same moment, on one instance or several, count against each
//! other and never pass the limits.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use crate::{
    config::LoginLimits,
    storage::{
        self,
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
