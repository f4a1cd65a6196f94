//! Licence expiry warnings: which licences end soon, the record that a warning went out
//! (its primary key makes a second instance's attempt a no-op), and who is warned.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, sea_query::OnConflict,
};

use super::entities::{administrators, license_warnings, licenses};

/// Licences whose last day is between `today` and `today + days`.
pub async fn ending_within(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    days: i64,
) -> Result<Vec<licenses::Model>, DbErr> {
    licenses::Entity::find()
        .filter(licenses::Column::ValidTill.gte(today))
        .filter(licenses::Column::ValidTill.lte(today + chrono::Duration::days(days)))
        .all(db)
        .await
}

/// Records that the warning `days_before` of a licence is being sent; `false` when it
/// was already (by this instance or another).
pub async fn mark_warned(
    db: &impl ConnectionTrait,
    license_id: i64,
    days_before: i64,
) -> Result<bool, DbErr> {
    let inserted = license_warnings::Entity::insert(license_warnings::ActiveModel {
        license_id: sea_orm::ActiveValue::Set(license_id),
        days_before: sea_orm::ActiveValue::Set(i32::try_from(days_before).unwrap_or(0)),
        queued_at: sea_orm::ActiveValue::Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([
            license_warnings::Column::LicenseId,
            license_warnings::Column::DaysBefore,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// The organization's active administrators who receive notifications and did not opt out.
pub async fn subscribed_administrators(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<Vec<administrators::Model>, DbErr> {
    let opted_out = super::notifications::opted_out(db, organization_id).await?;
    Ok(administrators::Entity::find()
        .filter(administrators::Column::OrganizationId.eq(organization_id))
        .filter(administrators::Column::Active.eq(true))
        .filter(administrators::Column::Notify.eq(true))
        .all(db)
        .await?
        .into_iter()
        .filter(|a| !opted_out.contains(&a.email))
        .collect())
}
