//! The licence check (docs/behaviour.md#license-check): loads the facts (from the instance's copy of the
//! organization when it can), asks `domain::license_check::decide`, and writes what it says.
//! A new user is created by the instance's writer (`new_users`), with the others arriving
//! meanwhile: an Enabled one takes a seat under the organization's lock, re-counting the
//! Enabled users first (`storage::mobile_seats::lock_mobile_seats`), so concurrent checks
//! (or instances) never enable more users than there are seats.

use crate::domain::settings::SyncMode;
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use super::{
    Failure, Step,
    new_users::{Enabling, NewUser, NewUserQueue, Wants},
};
use crate::{
    domain::{
        client_message::CheckRequest,
        license_check::{Answer, AnswerState, Decision, Facts, Status, UserState, decide},
    },
    storage::{
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
    new_users: &NewUserQueue,
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
    // decides whether a user is new — and while it cannot be reached, nobody is new. A
    // serving instance leaves that to the writer of new users, which looks the user up
    // under the organization's lock and answers one created meanwhile as stored; a backup
    // creates nobody and looks the user up itself.
    let user = match user {
        Some(user) => Some(user),
        None if database_away => {
            return Err(DbErr::ConnectionAcquire(
                sea_orm::error::ConnAcquireErr::Timeout,
            ))
            .step("look a new user up while the database is away");
        }
        None if read_only => {
            mobile_users::find_by_user_id(db, organization.id, &request.user_id.to_string())
                .await
                .step("look the user up")?
                .as_ref()
                .map(CachedUser::from_row)
        }
        None => None,
    };
    // The Enabled users are not counted here: an unknown user who may take a seat is
    // decided as if one were free, and the writer (`new_users`) counts the seats under the
    // organization's lock, once per group, and falls back to freeing one or to Pending.
    let used = 0;
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
            let wants = Wants::Pending { until, answer };
            create(new_users, organization, request, facts, wants).await?
        }
        (Decision::CreateEnabled { answer, fallback }, _) => {
            let wants = Wants::Enabled(Enabling {
                free_after_days: facts.auto_free_after_days,
                answer,
                pending_until: fallback,
            });
            create(new_users, organization, request, facts, wants).await?
        }
        (
            Decision::FreeOldestThenEnable {
                days,
                answer,
                fallback,
            },
            _,
        ) => {
            let wants = Wants::Enabled(Enabling {
                free_after_days: Some(days),
                answer,
                pending_until: fallback,
            });
            create(new_users, organization, request, facts, wants).await?
        }
    };
    Ok(CheckOutcome {
        answer,
        sync_mode: settings.sync_mode,
    })
}

/// Hands a new user to the instance's writer (`new_users`), which creates it with the
/// others arriving meanwhile.
async fn create(
    new_users: &NewUserQueue,
    organization: &organizations::Model,
    request: &CheckRequest,
    facts: Facts,
    wants: Wants,
) -> Result<Answer, Failure> {
    new_users
        .create(NewUser {
            organization: organization.clone(),
            request: request.clone(),
            now: facts.now,
            facts,
            wants,
        })
        .await
}
