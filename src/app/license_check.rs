//! The licence check (docs/behaviour.md#license-check): loads the facts (from the instance's copy of the
//! organization when it can), asks `domain::license_check::decide`, and writes what it says.
//! A new Enabled user takes a seat under the organization's lock, re-counting the Enabled
//! users first (`storage::mobile_seats::lock_mobile_seats`), so concurrent checks (or
//! instances) never enable more users than there are seats.

use crate::domain::audit::AuditAction;
use crate::domain::settings::SyncMode;
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use super::{
    Failure, Step,
    notifications::{NoticeLinks, notify_assignment},
};
use crate::{
    domain::{
        client_message::CheckRequest,
        license_check::{Answer, AnswerState, Decision, Facts, Status, UserState, decide},
    },
    storage::{
        self,
        audit::{self, Actor, Change},
        entities::organizations,
        mobile_seats, mobile_users,
        organization_cache::{CachedUser, Lookup, OrganizationCache, OrganizationFacts},
        sync_bookkeeping::SyncBookkeeping,
    },
};

pub struct CheckOutcome {
    pub answer: Answer,
    pub sync_mode: SyncMode,
}

pub async fn check(
    db: &DatabaseConnection,
    request: &CheckRequest,
    now: DateTime<Utc>,
    links: &NoticeLinks<'_>,
    bookkeeping: &SyncBookkeeping,
    cache: &OrganizationCache,
    read_only: bool,
) -> Result<CheckOutcome, Failure> {
    // 1. Unknown organization.
    let Lookup::Organization {
        facts,
        user,
        database_away,
    } = cache
        .lookup(db, request.organization_id, request.user_id, now)
        .await
        .step("look the organization up")?
    else {
        return Ok(CheckOutcome {
            answer: Answer {
                status: Status::NotFound,
                state: AnswerState::User(UserState::Disabled),
                valid_until: None,
            },
            sync_mode: SyncMode::Online,
        });
    };
    let OrganizationFacts {
        organization,
        settings,
        valid,
        any,
    } = facts.as_ref();
    // The cache may not have seen a user who arrived since its last look: the database
    // decides whether a user is new — and while it cannot be reached, nobody is new.
    let user = match user {
        Some(user) => Some(user),
        None if database_away => {
            return Err(DbErr::ConnectionAcquire(
                sea_orm::error::ConnAcquireErr::Timeout,
            ))
            .step("look a new user up while the database is away");
        }
        None => mobile_users::find_by_user_id(db, organization.id, &request.user_id.to_string())
            .await
            .step("look the user up")?
            .as_ref()
            .map(CachedUser::from_row),
    };
    // The number of Enabled users matters only when an unknown user may take a seat.
    let used = if user.is_none() {
        mobile_users::enabled_users(db, organization.id)
            .await
            .step("count the Enabled users")?
    } else {
        0
    };
    let facts = Facts {
        now,
        trial_until: organization.trial_until,
        user: user.map(|u| u.known),
        seats: mobile_seats::seats_of(valid, *any, used, now),
        auto_assign: settings.auto_assign_licenses,
        auto_free_after_days: settings
            .auto_free_after_days
            .and_then(|d| u32::try_from(d).ok()),
        temporary_license_days: u32::try_from(settings.temporary_license_days).unwrap_or(14),
    };
    let decision = decide(&facts);
    if read_only {
        // A backup answers known users as the primary would and records nothing; unknown
        // users wait for the primary.
        let answer = match decision {
            Decision::Answer(answer) => answer,
            _ => Answer {
                status: Status::NotFound,
                state: AnswerState::User(UserState::Pending),
                valid_until: None,
            },
        };
        return Ok(CheckOutcome {
            answer,
            sync_mode: settings.sync_mode,
        });
    }
    let answer = match (decision, user) {
        (Decision::Answer(answer), Some(user)) => {
            bookkeeping.record(
                user.id,
                now,
                request.device_info.clone(),
                request.app_version.clone(),
            );
            answer
        }
        (Decision::Answer(answer), None) => answer,
        (Decision::CreatePending { until, answer }, _) => {
            let txn = storage::begin_write(db).await.step("begin")?;
            mobile_seats::insert_from_check(
                &txn,
                organization.id,
                request,
                UserState::Pending,
                Some(until),
                now,
            )
            .await
            .step("record the Pending user")?;
            txn.commit().await.step("commit")?;
            answer
        }
        (Decision::CreateEnabled { answer, fallback }, _) => {
            enable_new_user(
                db,
                organization,
                request,
                None,
                answer,
                fallback,
                now,
                links,
            )
            .await?
        }
        (
            Decision::FreeOldestThenEnable {
                days,
                answer,
                fallback,
            },
            _,
        ) => {
            enable_new_user(
                db,
                organization,
                request,
                Some(days),
                answer,
                fallback,
                now,
                links,
            )
            .await?
        }
    };
    Ok(CheckOutcome {
        answer,
        sync_mode: settings.sync_mode,
    })
}

/// Auto-assignment: takes a free seat (or, with `free_after_days`, the seat of the Enabled
/// user whose last sync is oldest and older than that) for a new Enabled user, or records
/// the user Pending when none can be had.
#[allow(clippy::too_many_arguments)]
async fn enable_new_user(
    db: &DatabaseConnection,
    organization: &organizations::Model,
    request: &CheckRequest,
    free_after_days: Option<u32>,
    enabled: Answer,
    pending_until: DateTime<Utc>,
    now: DateTime<Utc>,
    links: &NoticeLinks<'_>,
) -> Result<Answer, Failure> {
    let service = Actor::system("licensing service");
    let txn = storage::begin_write(db).await.step("begin")?;
    let mut seats = mobile_seats::lock_mobile_seats(&txn, organization.id, now)
        .await
        .step("lock the MOBILE seats")?;
    let mut free = seats.free() > 0;
    let mut freed_user = None;
    if !free && let Some(days) = free_after_days {
        let oldest = mobile_seats::oldest_enabled_synced_before(
            &txn,
            organization.id,
            mobile_seats::days_before(now, days),
        )
        .await
        .step("find the user to free")?;
        if let Some(oldest) = oldest {
            mobile_users::set_state(&txn, &oldest, UserState::Disabled)
                .await
                .step("disable the user freed")?;
            seats.used = seats.used.saturating_sub(1);
            freed_user = Some(oldest.user_id.clone());
            audit::record(
                &txn,
                &service,
                Change::new(
                    Some(organization.id),
                    AuditAction::MobileUserAutoFree,
                    format!(
                        "user {} (no sync for more than {days} days)",
                        oldest.user_id
                    ),
                ),
            )
            .await
            .step("record the auto-free audit entry")?;
            free = true;
        }
    }
    let answer = if free
        && mobile_seats::insert_from_check(
            &txn,
            organization.id,
            request,
            UserState::Enabled,
            None,
            now,
        )
        .await
        .step("record the Enabled user")?
    {
        audit::record(
            &txn,
            &service,
            Change::new(
                Some(organization.id),
                AuditAction::MobileUserAutoAssign,
                format!("user {}", request.user_id),
            ),
        )
        .await
        .step("record the auto-assign audit entry")?;
        seats.used += 1;
        notify_assignment(
            &txn,
            organization,
            &request.user_id.to_string(),
            freed_user.as_deref(),
            seats,
            links,
        )
        .await
        .step("queue the assignment notices")?;
        enabled
    } else {
        mobile_seats::insert_from_check(
            &txn,
            organization.id,
            request,
            UserState::Pending,
            Some(pending_until),
            now,
        )
        .await
        .step("record the Pending user")?;
        Answer {
            status: Status::Ok,
            state: AnswerState::User(UserState::Pending),
            valid_until: Some(pending_until),
        }
    };
    txn.commit().await.step("commit")?;
    Ok(answer)
}
