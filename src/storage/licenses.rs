//! Imported licences and who uses their seats (docs/behaviour.md#all-licenses).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Query},
};

use super::{
    contains_ci,
    entities::{
        license_assignments, license_organizations, license_sessions, licenses, organizations,
    },
    fetch_page,
};
use crate::domain::{
    license_key::LicenceKeyPayload,
    paging::{Page, PageRequest},
    products::Product,
};

pub async fn find_by_licence_id(
    db: &impl ConnectionTrait,
    licence_id: &str,
) -> Result<Option<licenses::Model>, DbErr> {
    licenses::Entity::find()
        .filter(licenses::Column::LicenceId.eq(licence_id))
        .one(db)
        .await
}

/// Stores a verified key (without its whitespace).
pub async fn insert(
    db: &impl ConnectionTrait,
    payload: &LicenceKeyPayload,
    key: &str,
) -> Result<licenses::Model, DbErr> {
    licenses::ActiveModel {
        licence_id: Set(payload.licence_id.to_string()),
        product: Set(payload.product),
        valid_from: Set(payload.valid_from),
        valid_till: Set(payload.valid_till),
        seat_limit: Set(i32::try_from(payload.limit).unwrap_or(i32::MAX)),
        competitive: Set(payload.competitive),
        license_key: Set(key.chars().filter(|c| !c.is_whitespace()).collect()),
        issued_at: Set(payload.issued_at),
        imported_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Makes `licence` one of `organization`'s.
pub async fn link(
    db: &impl ConnectionTrait,
    licence: &licenses::Model,
    organization: &organizations::Model,
) -> Result<(), DbErr> {
    license_organizations::ActiveModel {
        license_id: Set(licence.id),
        organization_id: Set(organization.id),
    }
    .insert(db)
    .await?;
    Ok(())
}

fn of_organization(organization_id: i64) -> sea_orm::sea_query::SimpleExpr {
    licenses::Column::Id.in_subquery(
        Query::select()
            .column(license_organizations::Column::LicenseId)
            .from(license_organizations::Entity)
            .and_where(license_organizations::Column::OrganizationId.eq(organization_id))
            .to_owned(),
    )
}

/// The columns the All licenses page sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenceSort {
    Product,
    ValidFrom,
    ValidTill,
    Limit,
}

/// The organization's licences, searched on product.
pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: i64,
    product_search: &str,
    (sort, descending): (LicenceSort, bool),
    request: PageRequest,
) -> Result<Page<licenses::Model>, DbErr> {
    let mut query = licenses::Entity::find().filter(of_organization(organization_id));
    let search = product_search.trim();
    if !search.is_empty() {
        query = query.filter(contains_ci(licenses::Column::Product.into_expr(), search));
    }
    let column = match sort {
        LicenceSort::Product => licenses::Column::Product,
        LicenceSort::ValidFrom => licenses::Column::ValidFrom,
        LicenceSort::ValidTill => licenses::Column::ValidTill,
        LicenceSort::Limit => licenses::Column::SeatLimit,
    };
    let query = query
        .order_by(column, super::order(descending))
        .order_by_asc(licenses::Column::Product)
        .order_by_asc(licenses::Column::ValidTill)
        .order_by_asc(licenses::Column::Id);
    fetch_page(db, query, request).await
}

/// A licence, but only if it is one of this organization's.
pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: i64,
) -> Result<Option<licenses::Model>, DbErr> {
    licenses::Entity::find_by_id(id)
        .filter(of_organization(organization_id))
        .one(db)
        .await
}

/// Every licence of one product of the organization (for seat counting).
pub async fn of_product(
    db: &impl ConnectionTrait,
    organization_id: i64,
    product: Product,
) -> Result<Vec<licenses::Model>, DbErr> {
    licenses::Entity::find()
        .filter(of_organization(organization_id))
        .filter(licenses::Column::Product.eq(product.as_str()))
        .order_by_asc(licenses::Column::ValidTill)
        .order_by_asc(licenses::Column::Id)
        .all(db)
        .await
}

/// The organizations a licence was issued for.
pub async fn organizations_of(
    db: &impl ConnectionTrait,
    license_id: i64,
) -> Result<Vec<organizations::Model>, DbErr> {
    organizations::Entity::find()
        .filter(
            organizations::Column::Id.in_subquery(
                Query::select()
                    .column(license_organizations::Column::OrganizationId)
                    .from(license_organizations::Entity)
                    .and_where(license_organizations::Column::LicenseId.eq(license_id))
                    .to_owned(),
            ),
        )
        .order_by_asc(organizations::Column::Name)
        .all(db)
        .await
}

/// Seats in use per licence id: nominal licences count their assigned users, competitive
/// ones their live sessions at `now`. (MOBILE seats are Enabled users, counted by the
/// mobile users module.)
pub async fn seats_in_use(
    db: &impl ConnectionTrait,
    license_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<HashMap<i64, u32>, DbErr> {
    let assigned: Vec<(i64, i64)> = license_assignments::Entity::find()
        .select_only()
        .column(license_assignments::Column::LicenseId)
        .column_as(Expr::col(license_assignments::Column::Id).count(), "used")
        .filter(license_assignments::Column::LicenseId.is_in(license_ids.to_vec()))
        .group_by(license_assignments::Column::LicenseId)
        .into_tuple()
        .all(db)
        .await?;
    let live: Vec<(i64, i64)> = license_sessions::Entity::find()
        .select_only()
        .column(license_sessions::Column::LicenseId)
        .column_as(Expr::col(license_sessions::Column::Id).count(), "used")
        .filter(license_sessions::Column::LicenseId.is_in(license_ids.to_vec()))
        .filter(license_sessions::Column::EndedAt.is_null())
        .filter(license_sessions::Column::ExpiresAt.gt(now))
        .group_by(license_sessions::Column::LicenseId)
        .into_tuple()
        .all(db)
        .await?;
    let mut used = HashMap::new();
    for (licence, count) in assigned.into_iter().chain(live) {
        *used.entry(licence).or_insert(0u32) += u32::try_from(count).unwrap_or(u32::MAX);
    }
    Ok(used)
}
