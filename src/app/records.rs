//! An administrator's edit or delete of a record on the Records page (docs/behaviour.md#mobile-sync):
//! a new version under the organization's version lock, at the server's time, so it
//! reaches devices at their next sync; audited with before and after.

use chrono::Utc;
use sea_orm::DatabaseConnection;
use serde_json::{Map, Value};

use super::{Outcome, Step, refuse};
use crate::{
    domain::{
        audit::AuditAction,
        sync::{ChangedBy, Stamp, edit},
    },
    storage::{
        self,
        audit::{Actor, Change},
        entities::sync_entities,
        sync_records::RecordWrite,
    },
};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecordRefused {
    #[error("the record is gone")]
    Gone,
    #[error("the record is deleted; a deleted record cannot be changed")]
    Deleted,
    #[error("nothing was changed")]
    Unchanged,
}

/// Who the audit and the record name as the one who changed it.
fn changed_by(actor: &Actor) -> String {
    ChangedBy::Administrator(&actor.label).to_string()
}

/// Sets the given field values (checked by the caller against the entity's fields).
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    entity: &sync_entities::Model,
    record_id: &str,
    values: &Map<String, Value>,
) -> Outcome<i64, RecordRefused> {
    write(db, actor, entity, record_id, Some(values)).await
}

/// Deletes a record: it stays as a tombstone so devices learn of the delete.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    entity: &sync_entities::Model,
    record_id: &str,
) -> Outcome<i64, RecordRefused> {
    write(db, actor, entity, record_id, None).await
}

async fn write(
    db: &DatabaseConnection,
    actor: &Actor,
    entity: &sync_entities::Model,
    record_id: &str,
    values: Option<&Map<String, Value>>,
) -> Outcome<i64, RecordRefused> {
    let organization = entity.organization_id;
    let now = Utc::now();
    let txn = storage::begin_write(db).await.step("begin")?;
    let last = storage::sync_records::lock_versions(&txn, organization)
        .await
        .step("take the version lock")?;
    let Some(row) = storage::sync_records::find(&txn, organization, entity.id, record_id)
        .await
        .step("load the record")?
    else {
        return refuse(RecordRefused::Gone);
    };
    let before = storage::sync_records::state_of(&row).step("read the record")?;
    if before.deleted {
        return refuse(RecordRefused::Deleted);
    }
    let stamp = Stamp {
        version: last + 1,
        at: now,
    };
    let (after, action) = match values {
        Some(values) => (edit(&before, values, stamp), AuditAction::RecordUpdate),
        None => {
            let mut after = before.clone();
            after.deleted = true;
            after.version = stamp.version;
            (after, AuditAction::RecordDelete)
        }
    };
    if after.fields == before.fields && after.deleted == before.deleted {
        return refuse(RecordRefused::Unchanged);
    }
    let write = RecordWrite {
        pk: Some(row.id),
        entity_id: entity.id,
        record_id: record_id.to_owned(),
        state: after.clone(),
        changed_by: changed_by(actor),
        at: now,
    };
    storage::sync_records::write(&txn, organization, &[&write], std::slice::from_ref(&write))
        .await
        .step("write the record")?;
    storage::sync_records::set_last_version(&txn, organization, stamp.version)
        .await
        .step("store the last version")?;
    storage::audit::record(
        &txn,
        actor,
        Change::new(
            Some(organization),
            action,
            format!("{} {record_id}", entity.name),
        )
        .before(&Value::Object(before.fields))
        .after(&if after.deleted {
            serde_json::json!({ "deleted": true })
        } else {
            Value::Object(after.fields)
        }),
    )
    .await
    .step("record the audit entry")?;
    txn.commit().await.step("commit")?;
    Ok(stamp.version)
}
