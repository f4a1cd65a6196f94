//! Licence expiry warnings (§5): subscribed administrators get one mail per licence at 30,
//! 7 and 1 days before its end. The warning row and the mails are written in one
//! transaction; the row's primary key makes a second instance's attempt a no-op.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, sea_query::OnConflict,
};

use super::{
    entities::{administrators, license_warnings, licenses},
    licenses::organizations_of,
    outbox,
};
use crate::{domain::products::expiry_warning_due, mail::messages};

/// Queues the warnings due on `today`; returns how many mails were queued.
pub async fn queue_due_warnings(
    db: &DatabaseConnection,
    base_url: &str,
    today: NaiveDate,
) -> Result<usize, DbErr> {
    let candidates = licenses::Entity::find()
        .filter(licenses::Column::ValidTill.gte(today))
        .filter(licenses::Column::ValidTill.lte(today + chrono::Duration::days(30)))
        .all(db)
        .await?;
    let mut queued = 0;
    for licence in candidates {
        let days_left = (licence.valid_till - today).num_days();
        let Some(threshold) = expiry_warning_due(days_left) else {
            continue;
        };
        let txn = super::begin_write(db).await?;
        let inserted = license_warnings::Entity::insert(license_warnings::ActiveModel {
            license_id: sea_orm::ActiveValue::Set(licence.id),
            days_before: sea_orm::ActiveValue::Set(i32::try_from(threshold).unwrap_or(0)),
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
        .exec_without_returning(&txn)
        .await?;
        if inserted == 0 {
            continue;
        }
        for organization in organizations_of(&txn, licence.id).await? {
            let opted_out = super::notifications::opted_out(&txn, organization.id).await?;
            let subscribers = administrators::Entity::find()
                .filter(administrators::Column::OrganizationId.eq(organization.id))
                .filter(administrators::Column::Active.eq(true))
                .filter(administrators::Column::Notify.eq(true))
                .all(&txn)
                .await?;
            for admin in subscribers
                .into_iter()
                .filter(|a| !opted_out.contains(&a.email))
            {
                let mail = messages::licence_expiry(
                    &organization,
                    &admin.email,
                    &licence,
                    days_left,
                    &format!("{base_url}/licenses"),
                )
                .map_err(|e| DbErr::Custom(format!("mail template: {e}")))?;
                outbox::enqueue(&txn, mail).await?;
                queued += 1;
            }
        }
        txn.commit().await?;
    }
    Ok(queued)
}
