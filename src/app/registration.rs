//! A device trades its registration code for a device token. Failed attempts are counted
//! per source address and per code in the database (so every instance counts the same);
//! past either limit within the window, attempts are refused before the code is looked at.

use chrono::{DateTime, Duration, Utc};
use sea_orm::DatabaseConnection;

use super::{Outcome, Step, refuse};
use crate::{
    domain::{
        audit::AuditAction,
        registration::{CodeError, Gone},
    },
    storage::{
        self,
        audit::{Actor, Change},
        entities::devices,
        registration::DeviceReport,
    },
};

/// Failed attempts allowed per source address, and per code, within `WINDOW_MINUTES`.
pub const MAX_FAILURES_PER_CLIENT: u64 = 10;
pub const MAX_FAILURES_PER_CODE: u64 = 5;
pub const WINDOW_MINUTES: i64 = 15;

/// Who tries which code, when. `code_hash` is the same however the code was typed.
pub struct Attempt<'a> {
    pub client: &'a str,
    pub code_hash: &'a str,
    pub now: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RegisterRefused {
    #[error("too many failed registration attempts; try again in {WINDOW_MINUTES} minutes")]
    TooManyAttempts,
    #[error(transparent)]
    NotACode(#[from] CodeError),
    #[error("this registration code is wrong; check it and try again")]
    WrongCode,
    #[error(transparent)]
    Gone(#[from] Gone),
}

/// Refuses the attempt when its address or its code failed too often lately.
pub async fn check_limits(
    db: &DatabaseConnection,
    attempt: &Attempt<'_>,
) -> Outcome<(), RegisterRefused> {
    let since = attempt.now - Duration::minutes(WINDOW_MINUTES);
    let (by_client, by_code) =
        storage::registration::failures_since(db, attempt.client, attempt.code_hash, since)
            .await
            .step("count the failed attempts")?;
    if by_client >= MAX_FAILURES_PER_CLIENT || by_code >= MAX_FAILURES_PER_CODE {
        return refuse(RegisterRefused::TooManyAttempts);
    }
    Ok(())
}

/// Counts the attempt as failed, and refuses it with `reason`.
pub async fn fail<T>(
    db: &DatabaseConnection,
    attempt: &Attempt<'_>,
    reason: RegisterRefused,
) -> Outcome<T, RegisterRefused> {
    storage::registration::record_failure(db, attempt.client, attempt.code_hash, attempt.now)
        .await
        .step("count the failed attempt")?;
    refuse(reason)
}

/// Registers the device whose code this is, and stores the hash of its new token. A wrong,
/// used, replaced or expired code is counted as a failed attempt. Of two devices racing with
/// one code, one wins (a conditional update), the other is told the code was used.
pub async fn register(
    db: &DatabaseConnection,
    attempt: &Attempt<'_>,
    report: DeviceReport,
    token_hash: &str,
) -> Outcome<devices::Model, RegisterRefused> {
    let now = attempt.now;
    let Some((code, device)) = storage::registration::find(db, attempt.code_hash)
        .await
        .step("look the code up")?
    else {
        return fail(db, attempt, RegisterRefused::WrongCode).await;
    };
    if let Err(gone) = storage::registration::issued(&code).redeemable(now) {
        return fail(db, attempt, gone.into()).await;
    }
    let txn = storage::begin_write(db).await.step("begin")?;
    if !storage::registration::use_code(&txn, code.id, now)
        .await
        .step("use the code")?
    {
        // Give the write lock back before the failure is counted on another connection.
        txn.rollback().await.step("roll back")?;
        return fail(db, attempt, Gone::Used.into()).await;
    }
    let device = storage::registration::activate(&txn, &device, report, token_hash, now)
        .await
        .step("activate the device")?;
    let target = format!(
        "{} ({})",
        device.nickname,
        device.device_identifier.as_deref().unwrap_or_default()
    );
    let change = Change::new(
        Some(device.organization_id),
        AuditAction::DeviceRegister,
        target,
    );
    storage::audit::record(&txn, &Actor::system("device registration"), change)
        .await
        .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(device)
}
