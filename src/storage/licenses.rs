//! Imported licences and who uses their seats (§5).

use crate::domain::audit::AuditAction;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Query},
};

use super::{
    audit::{self, Actor, Change},
    contains_ci,
    entities::{
        license_assignments, license_organizations, license_sessions, licenses, organizations,
    },
    fetch_page,
};
use crate::domain::{
    license_key::{self, LicenceKeyError, LicenceKeyPayload, VendorPublicKey},
    paging::{Page, PageRequest},
    products::Product,
};

pub enum ImportOutcome {
    Imported(licenses::Model),
    /// The same key (same licence id) was imported before: nothing changed.
    AlreadyImported(licenses::Model),
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the key is for no organization of this LicenseDesk (it names {0})")]
    NoOrganizationHere(String),
    #[error(
        "the key is also for other organizations ({0}); only an operator can import a key that names organizations other than your own"
    )]
    OtherOrganizations(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

#[derive(Debug, thiserror::Error)]
pub enum KeyImportError {
    #[error(transparent)]
    Key(#[from] LicenceKeyError),
    #[error(transparent)]
    Import(#[from] ImportError),
}

/// Verifies a pasted key against the vendor key and stores it; nothing is stored for a
/// refused key.
pub async fn import_key(
    db: &impl ConnectionTrait,
    vendor: &VendorPublicKey,
    actor: &Actor,
    key: &str,
) -> Result<ImportOutcome, KeyImportError> {
    let payload = license_key::verify(key, vendor)?;
    Ok(import(db, actor, &payload, key).await?)
}

/// Like `import_key`, for an administrator of one organization: only a key that names no
/// organization but `own` is stored (an operator imports the others).
pub async fn import_key_for(
    db: &impl ConnectionTrait,
    vendor: &VendorPublicKey,
    actor: &Actor,
    key: &str,
    own: &organizations::Model,
) -> Result<ImportOutcome, KeyImportError> {
    let payload = license_key::verify(key, vendor)?;
    let others: Vec<String> = payload
        .organizations
        .iter()
        .map(ToString::to_string)
        .filter(|guid| !guid.eq_ignore_ascii_case(&own.organization_id))
        .collect();
    if !others.is_empty() {
        return Err(ImportError::OtherOrganizations(others.join(", ")).into());
    }
    Ok(import(db, actor, &payload, key).await?)
}

/// Stores a verified key for the organizations it names that exist here.
pub async fn import(
    db: &impl ConnectionTrait,
    actor: &Actor,
    payload: &LicenceKeyPayload,
    key: &str,
) -> Result<ImportOutcome, ImportError> {
    let licence_id = payload.licence_id.to_string();
    if let Some(existing) = licenses::Entity::find()
        .filter(licenses::Column::LicenceId.eq(&licence_id))
        .one(db)
        .await?
    {
        return Ok(ImportOutcome::AlreadyImported(existing));
    }
    let guids: Vec<String> = payload
        .organizations
        .iter()
        .map(|g| g.to_string())
        .collect();
    let organizations = organizations::Entity::find()
        .filter(organizations::Column::OrganizationId.is_in(guids.clone()))
        .all(db)
        .await?;
    if organizations.is_empty() {
        return Err(ImportError::NoOrganizationHere(guids.join(", ")));
    }
    let licence = licenses::ActiveModel {
        licence_id: Set(licence_id),
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
    .await?;
    for org in &organizations {
        license_organizations::ActiveModel {
            license_id: Set(licence.id),
            organization_id: Set(org.id),
        }
        .insert(db)
        .await?;
        audit::record(
            db,
            actor,
            Change::new(
                Some(org.id),
                AuditAction::LicenseImport,
                format!("{} licence {}", licence.product, licence.licence_id),
            )
            .after(&licence),
        )
        .await?;
    }
    Ok(ImportOutcome::Imported(licence))
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

/// The organization's licences, searched on product.
pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: i64,
    product_search: &str,
    request: PageRequest,
) -> Result<Page<licenses::Model>, DbErr> {
    let mut query = licenses::Entity::find().filter(of_organization(organization_id));
    let search = product_search.trim();
    if !search.is_empty() {
        query = query.filter(contains_ci(licenses::Column::Product.into_expr(), search));
    }
    let query = query
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
    licence_id: i64,
) -> Result<Vec<organizations::Model>, DbErr> {
    organizations::Entity::find()
        .filter(
            organizations::Column::Id.in_subquery(
                Query::select()
                    .column(license_organizations::Column::OrganizationId)
                    .from(license_organizations::Entity)
                    .and_where(license_organizations::Column::LicenseId.eq(licence_id))
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
    licence_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<HashMap<i64, u32>, DbErr> {
    let assigned: Vec<(i64, i64)> = license_assignments::Entity::find()
        .select_only()
        .column(license_assignments::Column::LicenseId)
        .column_as(Expr::col(license_assignments::Column::Id).count(), "used")
        .filter(license_assignments::Column::LicenseId.is_in(licence_ids.to_vec()))
        .group_by(license_assignments::Column::LicenseId)
        .into_tuple()
        .all(db)
        .await?;
    let live: Vec<(i64, i64)> = license_sessions::Entity::find()
        .select_only()
        .column(license_sessions::Column::LicenseId)
        .column_as(Expr::col(license_sessions::Column::Id).count(), "used")
        .filter(license_sessions::Column::LicenseId.is_in(licence_ids.to_vec()))
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
