//! Who holds the seats of a licence (the Used dialog of docs/behaviour.md#all-licenses-page), taking seats back, assigning nominal seats,
//! and competitive sessions (docs/behaviour.md#sessions-api). Every change that counts seats first locks the licence
//! row (an UPDATE that changes nothing), so on PostgreSQL concurrent requests wait for each
//! other and on SQLite the transaction holds the write lock before it counts.

use crate::domain::license_check::UserState;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
    sea_query::{Expr, Query},
};

use super::{
    contains_ci,
    entities::{license_assignments, license_sessions, licenses, mobile_users},
    fetch_page,
};
use crate::domain::{
    paging::{Page, PageRequest},
    products::Product,
};

fn is_mobile_seat(licence: &licenses::Model) -> bool {
    licence.product == Product::Mobile && !licence.competitive
}

/// The MOBILE seat holders of one licence within `organization_id` (see `mobile_seat_runs`).
async fn mobile_holders(
    db: &impl ConnectionTrait,
    licence: &licenses::Model,
    organization_id: i64,
) -> Result<Condition, DbErr> {
    use mobile_users::Column;
    let runs =
        super::mobile_seats::mobile_seat_runs(db, organization_id, Utc::now().date_naive()).await?;
    let Some(&(_, first, count)) = runs.iter().find(|(id, _, _)| *id == licence.id) else {
        return Ok(Condition::all().add(Column::Id.is_in(Vec::<i64>::new())));
    };
    let run = Query::select()
        .column(Column::Id)
        .from(mobile_users::Entity)
        .and_where(Column::OrganizationId.eq(organization_id))
        .and_where(Column::State.eq(UserState::Enabled))
        .order_by(Column::Id, sea_orm::Order::Asc)
        .limit(count)
        .offset(first)
        .to_owned();
    Ok(Condition::all().add(Column::Id.in_subquery(run)))
}

fn holders(licence: &licenses::Model, now: DateTime<Utc>) -> Condition {
    use mobile_users::Column;
    let subquery = if licence.competitive {
        Query::select()
            .column(license_sessions::Column::MobileUserId)
            .from(license_sessions::Entity)
            .and_where(license_sessions::Column::LicenseId.eq(licence.id))
            .and_where(license_sessions::Column::EndedAt.is_null())
            .and_where(license_sessions::Column::ExpiresAt.gt(now))
            .to_owned()
    } else {
        Query::select()
            .column(license_assignments::Column::MobileUserId)
            .from(license_assignments::Entity)
            .and_where(license_assignments::Column::LicenseId.eq(licence.id))
            .to_owned()
    };
    Condition::all().add(Column::Id.in_subquery(subquery))
}

/// The users holding a seat of `licence`, searched on user id, name or email. MOBILE seats
/// are those of `organization_id` (the one being looked at); other products list every
/// holder, whichever organization sharing the licence they belong to.
pub async fn holders_page(
    db: &impl ConnectionTrait,
    licence: &licenses::Model,
    organization_id: i64,
    search: &str,
    request: PageRequest,
) -> Result<Page<mobile_users::Model>, DbErr> {
    use mobile_users::Column;
    let condition = if is_mobile_seat(licence) {
        mobile_holders(db, licence, organization_id).await?
    } else {
        holders(licence, Utc::now())
    };
    let mut query = mobile_users::Entity::find().filter(condition);
    let search = search.trim();
    if !search.is_empty() {
        query = query.filter(
            Condition::any()
                .add(contains_ci(Column::UserId.into_expr(), search))
                .add(contains_ci(Column::DisplayName.into_expr(), search))
                .add(contains_ci(Column::Email.into_expr(), search)),
        );
    }
    let query = query
        .order_by_asc(Column::OrganizationId)
        .order_by_asc(Column::DisplayName)
        .order_by_asc(Column::UserId);
    fetch_page(db, query, request).await
}

/// Seats of this one licence in use now (products other than MOBILE).
pub async fn used(db: &impl ConnectionTrait, licence: &licenses::Model) -> Result<u64, DbErr> {
    mobile_users::Entity::find()
        .filter(holders(licence, Utc::now()))
        .count(db)
        .await
}

/// Takes back a nominal seat of a product other than MOBILE.
pub async fn unassign(
    db: &impl ConnectionTrait,
    license_id: i64,
    user_id: i64,
) -> Result<bool, DbErr> {
    let result = license_assignments::Entity::delete_many()
        .filter(license_assignments::Column::LicenseId.eq(license_id))
        .filter(license_assignments::Column::MobileUserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Gives `user_id` a seat of `license_id`: the caller has locked the licence and counted.
pub async fn insert_assignment(
    db: &impl ConnectionTrait,
    license_id: i64,
    user_id: i64,
) -> Result<(), DbErr> {
    license_assignments::ActiveModel {
        license_id: Set(license_id),
        mobile_user_id: Set(user_id),
        assigned_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Ends the user's live sessions of a competitive licence, recording why (the next
/// heartbeat reports it).
pub async fn end_sessions(
    db: &impl ConnectionTrait,
    license_id: i64,
    user_id: i64,
    reason: &str,
) -> Result<u64, DbErr> {
    let result = license_sessions::Entity::update_many()
        .col_expr(license_sessions::Column::EndedAt, Expr::value(Utc::now()))
        .col_expr(license_sessions::Column::EndReason, Expr::value(reason))
        .filter(license_sessions::Column::LicenseId.eq(license_id))
        .filter(license_sessions::Column::MobileUserId.eq(user_id))
        .filter(license_sessions::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Live sessions of one licence at `now`.
pub async fn live_sessions(
    db: &impl ConnectionTrait,
    license_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    license_sessions::Entity::find()
        .filter(license_sessions::Column::LicenseId.eq(license_id))
        .filter(license_sessions::Column::EndedAt.is_null())
        .filter(license_sessions::Column::ExpiresAt.gt(now))
        .count(db)
        .await
}

/// Stores a new live session of `license_id` for `user_id` (the caller has locked the
/// licence and counted its live sessions).
pub async fn insert_session(
    db: &impl ConnectionTrait,
    license_id: i64,
    user_id: i64,
    token_hash: String,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<license_sessions::Model, DbErr> {
    license_sessions::ActiveModel {
        license_id: Set(license_id),
        mobile_user_id: Set(user_id),
        token_hash: Set(token_hash),
        started_at: Set(now),
        expires_at: Set(expires_at),
        ended_at: Set(None),
        end_reason: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn find_session(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<license_sessions::Model>, DbErr> {
    license_sessions::Entity::find()
        .filter(license_sessions::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// Keeps a live session alive until `expires_at`; `false` if it had ended meanwhile.
pub async fn extend_session(
    db: &impl ConnectionTrait,
    session_id: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = license_sessions::Entity::update_many()
        .col_expr(license_sessions::Column::ExpiresAt, Expr::value(expires_at))
        .filter(license_sessions::Column::Id.eq(session_id))
        .filter(license_sessions::Column::EndedAt.is_null())
        .filter(license_sessions::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn end_session(
    db: &impl ConnectionTrait,
    session_id: i64,
    reason: &str,
) -> Result<(), DbErr> {
    license_sessions::Entity::update_many()
        .col_expr(license_sessions::Column::EndedAt, Expr::value(Utc::now()))
        .col_expr(license_sessions::Column::EndReason, Expr::value(reason))
        .filter(license_sessions::Column::Id.eq(session_id))
        .filter(license_sessions::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub async fn is_assigned(
    db: &impl ConnectionTrait,
    license_id: i64,
    user_id: i64,
) -> Result<bool, DbErr> {
    Ok(license_assignments::Entity::find()
        .filter(license_assignments::Column::LicenseId.eq(license_id))
        .filter(license_assignments::Column::MobileUserId.eq(user_id))
        .count(db)
        .await?
        > 0)
}
