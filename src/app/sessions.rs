//! Competitive seats: a client takes a session on a competitive licence of its product,
//! keeps it with heartbeats, and gives it back. A session not renewed in time ends by
//! itself; seats are counted under each licence's lock, so no licence has more live
//! sessions than seats.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::{Outcome, Step, refuse};
use crate::{
    domain::{ids::Guid, license_check::UserState, products::Product},
    storage::{self, entities::license_sessions},
};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SessionRefused {
    #[error("no organization has the id {0}")]
    UnknownOrganization(Guid),
    #[error("the user is unknown to this organization")]
    UnknownUser,
    #[error("the user is disabled")]
    UserDisabled,
    #[error("the organization has no valid competitive {0} licence")]
    NoLicence(Product),
    #[error("all {seats} {product} seats are in use")]
    AllInUse { seats: i64, product: Product },
    #[error("no such session")]
    NoSuchSession,
    #[error("the session has ended: {0}")]
    Ended(String),
    #[error("the session has ended: no heartbeat in time")]
    TimedOut,
    #[error("the session has ended")]
    EndedMeanwhile,
}

/// A session for `user` of `organization` on the first valid competitive licence of
/// `product` with a seat free, until `expires_at` unless renewed. The client keeps the token
/// whose hash is `token_hash`.
pub async fn start(
    db: &DatabaseConnection,
    organization: Guid,
    user: Guid,
    product: Product,
    token_hash: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Outcome<(), SessionRefused> {
    let Some(organization) = storage::organizations::find_by_guid(db, organization)
        .await
        .step("find the organization")?
    else {
        return refuse(SessionRefused::UnknownOrganization(organization));
    };
    let Some(user) = storage::mobile_users::find_by_user_id(db, organization.id, &user.to_string())
        .await
        .step("find the user")?
    else {
        return refuse(SessionRefused::UnknownUser);
    };
    if user.state == UserState::Disabled {
        return refuse(SessionRefused::UserDisabled);
    }
    let today = now.date_naive();
    let licences: Vec<_> = storage::licenses::of_product(db, organization.id, product)
        .await
        .step("find the licences")?
        .into_iter()
        .filter(|l| l.competitive && l.terms().is_valid_on(today))
        .collect();
    if licences.is_empty() {
        return refuse(SessionRefused::NoLicence(product));
    }
    let txn = storage::begin_write(db).await.step("begin")?;
    // Locked in id order, so two requests never wait for each other crosswise.
    let mut by_id: Vec<i64> = licences.iter().map(|l| l.id).collect();
    by_id.sort_unstable();
    for id in by_id {
        storage::locks::lock_licence(&txn, id)
            .await
            .step("lock the licences")?;
    }
    // A user's earlier live session is replaced: one user never holds two seats.
    for licence in &licences {
        storage::seats::end_sessions(&txn, licence.id, user.id, "replaced by a new session")
            .await
            .step("end the user's earlier session")?;
    }
    for licence in &licences {
        let live = storage::seats::live_sessions(&txn, licence.id, now)
            .await
            .step("count the live sessions")?;
        if licence.terms().has_free_seat(live) {
            storage::seats::insert_session(&txn, licence.id, user.id, token_hash, now, expires_at)
                .await
                .step("start the session")?;
            txn.commit().await.step("commit")?;
            return Ok(());
        }
    }
    // The earlier session stays ended: the client asked for a new one in its place.
    txn.commit().await.step("commit")?;
    refuse(SessionRefused::AllInUse {
        seats: licences.iter().map(|l| i64::from(l.seat_limit)).sum(),
        product,
    })
}

/// The session of this token if it is still live at `now`.
async fn live(
    db: &DatabaseConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Outcome<license_sessions::Model, SessionRefused> {
    let Some(session) = storage::seats::find_session(db, token_hash)
        .await
        .step("find the session")?
    else {
        return refuse(SessionRefused::NoSuchSession);
    };
    if let Some(reason) = &session.end_reason {
        return refuse(SessionRefused::Ended(reason.clone()));
    }
    if session.expires_at <= now {
        return refuse(SessionRefused::TimedOut);
    }
    Ok(session)
}

/// Keeps a live session until `expires_at`.
pub async fn heartbeat(
    db: &DatabaseConnection,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Outcome<(), SessionRefused> {
    let session = live(db, token_hash, now).await?;
    if !storage::seats::extend_session(db, session.id, now, expires_at)
        .await
        .step("extend the session")?
    {
        // Ended between the read and the write: say why.
        live(db, token_hash, now).await?;
        return refuse(SessionRefused::EndedMeanwhile);
    }
    Ok(())
}

/// Gives a live session's seat back.
pub async fn end(
    db: &DatabaseConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Outcome<(), SessionRefused> {
    let session = live(db, token_hash, now).await?;
    storage::seats::end_session(db, session.id, "released by the client")
        .await
        .step("end the session")?;
    Ok(())
}
