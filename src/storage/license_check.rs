//! Carries out the licence check (§3): loads the facts, asks `domain::license_check::decide`,
//! and writes what it says. A new Enabled user takes a seat under the organization's row
//! lock, re-counting the Enabled users first, so concurrent checks
//! (or instances) never enable more users than there are seats.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, sea_query::OnConflict,
};

use super::{
    audit::{self, Actor, Change},
    entities::{licenses, mobile_users, organizations},
    mobile_users::{DISABLED, ENABLED, PENDING},
    notifications::{NoticeLinks, notify_assignment},
    organization_cache::{CachedUser, Lookup, OrganizationCache, OrganizationFacts},
    seats,
    sync_bookkeeping::SyncBookkeeping,
};
use crate::domain::{
    client_message::CheckRequest,
    license_check::{Answer, AnswerState, Decision, Facts, MobileSeats, Status, UserState, decide},
    products::{LicenceTerms, Product, combined_limit},
};

pub struct CheckOutcome {
    pub answer: Answer,
    pub sync_mode: String,
}

/// The organization's nominal MOBILE licences valid today, and whether it has any at all.
pub(super) async fn mobile_licences(
    db: &impl ConnectionTrait,
    organization_id: i64,
    now: DateTime<Utc>,
) -> Result<(Vec<licenses::Model>, bool), DbErr> {
    let all: Vec<licenses::Model> =
        super::licenses::of_product(db, organization_id, Product::Mobile)
            .await?
            .into_iter()
            .filter(|l| !l.competitive)
            .collect();
    let any = !all.is_empty();
    let today = now.date_naive();
    Ok((
        all.into_iter()
            .filter(|l| l.terms().is_valid_on(today))
            .collect(),
        any,
    ))
}

/// Enabled mobile users of an organization: the MOBILE seats taken.
pub async fn enabled_users(db: &impl ConnectionTrait, organization_id: i64) -> Result<u64, DbErr> {
    mobile_users::Entity::find()
        .filter(mobile_users::Column::OrganizationId.eq(organization_id))
        .filter(mobile_users::Column::State.eq(ENABLED))
        .count(db)
        .await
}

fn seats_of(valid: &[licenses::Model], any: bool, used: u64, now: DateTime<Utc>) -> MobileSeats {
    let all_terms: Vec<LicenceTerms> = valid.iter().map(licenses::Model::terms).collect();
    MobileSeats {
        total: u64::from(combined_limit(
            Product::Mobile,
            &all_terms,
            now.date_naive(),
        )),
        used,
        any_licence: any,
        valid_till: valid.iter().map(|l| l.valid_till).max(),
    }
}

pub async fn check(
    db: &DatabaseConnection,
    request: &CheckRequest,
    now: DateTime<Utc>,
    links: &NoticeLinks<'_>,
    bookkeeping: &SyncBookkeeping,
    cache: &OrganizationCache,
    read_only: bool,
) -> Result<CheckOutcome, DbErr> {
    // 1. Unknown organization.
    let Lookup::Organization {
        facts,
        user,
        database_away,
    } = cache
        .lookup(db, request.organization_id, request.user_id, now)
        .await?
    else {
        return Ok(CheckOutcome {
            answer: Answer {
                status: Status::NotFound,
                state: AnswerState::User(UserState::Disabled),
                valid_until: None,
            },
            sync_mode: "online".to_owned(),
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
            ));
        }
        None => {
            super::mobile_users::find_by_user_id(db, organization.id, &request.user_id.to_string())
                .await?
                .as_ref()
                .and_then(CachedUser::from_row)
        }
    };
    // The number of Enabled users matters only when an unknown user may take a seat.
    let used = if user.is_none() {
        enabled_users(db, organization.id).await?
    } else {
        0
    };
    let facts = Facts {
        now,
        trial_until: organization.trial_until,
        user: user.map(|u| u.known),
        seats: seats_of(valid, *any, used, now),
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
            sync_mode: settings.sync_mode.clone(),
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
            let txn = super::begin_write(db).await?;
            create(&txn, organization.id, request, PENDING, Some(until), now).await?;
            txn.commit().await?;
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
        sync_mode: settings.sync_mode.clone(),
    })
}

/// Inserts the user unless a concurrent check did first (then that one stands); in the
/// caller's transaction, which the change stamp locks the organization for.
async fn create(
    db: &impl ConnectionTrait,
    organization_id: i64,
    request: &CheckRequest,
    state: &str,
    temporary_license_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let inserted = mobile_users::Entity::insert(mobile_users::ActiveModel {
        organization_id: Set(organization_id),
        user_id: Set(request.user_id.to_string()),
        display_name: Set(None),
        email: Set(None),
        state: Set(state.to_owned()),
        created_at: Set(now),
        last_sync_at: Set(Some(now)),
        device_info: Set(request.device_info.clone()),
        app_version: Set(request.app_version.clone()),
        temporary_license_until: Set(temporary_license_until),
        version: Set(super::mobile_users::next_version(db, organization_id, false).await?),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            mobile_users::Column::OrganizationId,
            mobile_users::Column::UserId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// Locks the organization for the rest of the transaction and counts its MOBILE seats
/// afresh: the first thing a transaction that enables anyone does.
pub async fn lock_mobile_seats(
    db: &impl ConnectionTrait,
    organization_id: i64,
    now: DateTime<Utc>,
) -> Result<MobileSeats, DbErr> {
    seats::lock_organization(db, organization_id).await?;
    let (valid, any) = mobile_licences(db, organization_id, now).await?;
    let used = enabled_users(db, organization_id).await?;
    Ok(seats_of(&valid, any, used, now))
}

/// The organization's MOBILE seats now, without locking (for display).
pub async fn mobile_seats(
    db: &impl ConnectionTrait,
    organization_id: i64,
    now: DateTime<Utc>,
) -> Result<MobileSeats, DbErr> {
    let (valid, any) = mobile_licences(db, organization_id, now).await?;
    let used = enabled_users(db, organization_id).await?;
    Ok(seats_of(&valid, any, used, now))
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
) -> Result<Answer, DbErr> {
    let service = Actor::system("licensing service");
    let txn = super::begin_write(db).await?;
    let mut seats = lock_mobile_seats(&txn, organization.id, now).await?;
    let mut free = seats.free() > 0;
    let mut freed_user = None;
    if !free && let Some(days) = free_after_days {
        let oldest = mobile_users::Entity::find()
            .filter(mobile_users::Column::OrganizationId.eq(organization.id))
            .filter(mobile_users::Column::State.eq(ENABLED))
            .filter(mobile_users::Column::LastSyncAt.lt(now - Duration::days(i64::from(days))))
            .order_by_asc(mobile_users::Column::LastSyncAt)
            .one(&txn)
            .await?;
        if let Some(oldest) = oldest {
            super::mobile_users::set_state(&txn, &oldest, DISABLED).await?;
            seats.used = seats.used.saturating_sub(1);
            freed_user = Some(oldest.user_id.clone());
            audit::record(
                &txn,
                &service,
                Change::new(
                    Some(organization.id),
                    "mobile_user.auto_free",
                    format!(
                        "user {} (no sync for more than {days} days)",
                        oldest.user_id
                    ),
                ),
            )
            .await?;
            free = true;
        }
    }
    let answer = if free && create(&txn, organization.id, request, ENABLED, None, now).await? {
        audit::record(
            &txn,
            &service,
            Change::new(
                Some(organization.id),
                "mobile_user.auto_assign",
                format!("user {}", request.user_id),
            ),
        )
        .await?;
        seats.used += 1;
        notify_assignment(
            &txn,
            organization,
            &request.user_id.to_string(),
            freed_user.as_deref(),
            seats,
            links,
        )
        .await?;
        enabled
    } else {
        create(
            &txn,
            organization.id,
            request,
            PENDING,
            Some(pending_until),
            now,
        )
        .await?;
        Answer {
            status: Status::Ok,
            state: AnswerState::User(UserState::Pending),
            valid_until: Some(pending_until),
        }
    };
    txn.commit().await?;
    Ok(answer)
}
