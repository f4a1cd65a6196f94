//! The MOBILE seats of an organization: its valid nominal MOBILE licences, its Enabled
//! users, and the lock under which a transaction counts them before enabling anyone — so
//! concurrent requests (or instances) never enable more users than there are seats.

use crate::domain::license_check::UserState;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::OnConflict,
};

use super::entities::{licenses, mobile_users};
use crate::domain::{
    client_message::CheckRequest,
    license_check::MobileSeats,
    products::{LicenceTerms, Product, combined_limit, seat_runs},
};

/// The organization's nominal MOBILE licences valid today, and whether it has any at all.
pub async fn mobile_licences(
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

pub fn seats_of(
    valid: &[licenses::Model],
    any: bool,
    used: u64,
    now: DateTime<Utc>,
) -> MobileSeats {
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

/// Locks the organization for the rest of the transaction and counts its MOBILE seats
/// afresh: the first thing a transaction that enables anyone does.
pub async fn lock_mobile_seats(
    db: &impl ConnectionTrait,
    organization_id: i64,
    now: DateTime<Utc>,
) -> Result<MobileSeats, DbErr> {
    super::locks::lock_organization(db, organization_id).await?;
    let (valid, any) = mobile_licences(db, organization_id, now).await?;
    let used = super::mobile_users::enabled_users(db, organization_id).await?;
    Ok(seats_of(&valid, any, used, now))
}

/// The organization's MOBILE seats now, without locking (for display).
pub async fn mobile_seats(
    db: &impl ConnectionTrait,
    organization_id: i64,
    now: DateTime<Utc>,
) -> Result<MobileSeats, DbErr> {
    let (valid, any) = mobile_licences(db, organization_id, now).await?;
    let used = super::mobile_users::enabled_users(db, organization_id).await?;
    Ok(seats_of(&valid, any, used, now))
}

/// A user the licence check creates.
pub struct NewUserRow<'a> {
    pub request: &'a CheckRequest,
    pub state: UserState,
    pub temporary_license_until: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// Inserts the users, all with the change stamp `version`, a few hundred per statement; a
/// user who is there already stays as it is. In the caller's transaction, which the stamp
/// locks the organization for (`mobile_users::next_version`).
pub async fn insert_new_users(
    db: &impl ConnectionTrait,
    organization_id: i64,
    rows: &[NewUserRow<'_>],
    version: i64,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(500) {
        mobile_users::Entity::insert_many(chunk.iter().map(|row| mobile_users::ActiveModel {
            organization_id: Set(organization_id),
            user_id: Set(row.request.user_id.to_string()),
            display_name: Set(None),
            email: Set(None),
            state: Set(row.state),
            created_at: Set(row.now),
            last_sync_at: Set(Some(row.now)),
            device_info: Set(row.request.device_info.clone()),
            app_version: Set(row.request.app_version.clone()),
            temporary_license_until: Set(row.temporary_license_until),
            version: Set(version),
            ..Default::default()
        }))
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
    }
    Ok(())
}

/// The Enabled user whose last sync is the oldest, if it is older than `before` (the seat
/// that automatic freeing takes back).
pub async fn oldest_enabled_synced_before(
    db: &impl ConnectionTrait,
    organization_id: i64,
    before: DateTime<Utc>,
) -> Result<Option<mobile_users::Model>, DbErr> {
    mobile_users::Entity::find()
        .filter(mobile_users::Column::OrganizationId.eq(organization_id))
        .filter(mobile_users::Column::State.eq(UserState::Enabled))
        .filter(mobile_users::Column::LastSyncAt.lt(before))
        .order_by_asc(mobile_users::Column::LastSyncAt)
        .one(db)
        .await
}

/// How many days back `days` is from `now`.
pub fn days_before(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    now - Duration::days(i64::from(days))
}

/// How an organization's MOBILE seats map to its licences. MOBILE seats are pooled: a user
/// is Enabled against the organization's total, not against one licence. For the Used
/// column and its list to name the same people, the organization's Enabled users — in the
/// order they were added — fill its valid nominal MOBILE licences in order of end date (the
/// one ending first fills first); users beyond every capacity show on the last licence. An
/// expired licence holds no one. Returns (licence id, first holder, holders).
pub async fn mobile_seat_runs(
    db: &impl ConnectionTrait,
    organization_id: i64,
    today: chrono::NaiveDate,
) -> Result<Vec<(i64, u64, u64)>, DbErr> {
    let valid: Vec<licenses::Model> =
        super::licenses::of_product(db, organization_id, Product::Mobile)
            .await?
            .into_iter()
            .filter(|l| !l.competitive && l.terms().is_valid_on(today))
            .collect();
    let capacities: Vec<u32> = valid.iter().map(|l| l.terms().limit).collect();
    let enabled = super::mobile_users::enabled_users(db, organization_id).await?;
    Ok(valid
        .iter()
        .zip(seat_runs(enabled, &capacities))
        .map(|(licence, (first, count))| (licence.id, first, count))
        .collect())
}
