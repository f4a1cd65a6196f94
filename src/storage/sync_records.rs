//! Records devices sync, their versions, and the per-organization counter the versions
//! come from (docs/behaviour.md#sync-api).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement, sea_query::OnConflict,
};
use serde_json::{Map, Value};

use super::entities::{
    sync_record_versions,
    sync_records::{self, Column, Entity, Model},
};
use crate::domain::sync::{RecordState, Stamp};

fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

/// Takes the organization's version lock for the rest of the transaction and returns the
/// last version handed out. Versions taken under it commit in order, so a reader that sees
/// version n has seen every version below it (on SQLite the immediate write transaction
/// already serializes writers).
pub async fn lock_versions(db: &impl ConnectionTrait, organization_id: i64) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let p = placeholder(backend, 1);
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "INSERT INTO sync_counters (organization_id, last_version) VALUES ({p}, 0) \
             ON CONFLICT (organization_id) DO NOTHING"
        ),
        [organization_id.into()],
    ))
    .await?;
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE sync_counters SET last_version = last_version \
                 WHERE organization_id = {p} RETURNING last_version"
            ),
            [organization_id.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the organization's version counter".into()))?;
    row.try_get_by_index(0)
}

/// Stores the last version handed out (under the lock of `lock_versions`).
pub async fn set_last_version(
    db: &impl ConnectionTrait,
    organization_id: i64,
    version: i64,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "UPDATE sync_counters SET last_version = {} WHERE organization_id = {}",
            placeholder(backend, 1),
            placeholder(backend, 2)
        ),
        [version.into(), organization_id.into()],
    ))
    .await?;
    Ok(())
}

/// The last version handed out and committed: every version up to it is visible.
pub async fn last_version(db: &impl ConnectionTrait, organization_id: i64) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT last_version FROM sync_counters WHERE organization_id = {}",
                placeholder(backend, 1)
            ),
            [organization_id.into()],
        ))
        .await?;
    match row {
        Some(row) => row.try_get_by_index(0),
        None => Ok(0),
    }
}

fn parse_object(text: &str, what: &str) -> Result<Map<String, Value>, DbErr> {
    serde_json::from_str(text).map_err(|e| DbErr::Type(format!("{what}: {e}")))
}

/// The record's fields as stored.
pub fn fields_of(record: &Model) -> Result<Map<String, Value>, DbErr> {
    parse_object(&record.fields, "record fields")
}

/// The record as the sync rules see it.
pub fn state_of(record: &Model) -> Result<RecordState, DbErr> {
    let stamps: BTreeMap<String, Stamp> = serde_json::from_str(&record.field_stamps)
        .map_err(|e| DbErr::Type(format!("record field stamps: {e}")))?;
    Ok(RecordState {
        version: record.version,
        deleted: record.deleted,
        fields: fields_of(record)?,
        stamps,
    })
}

/// The records with these keys (entity row id, GUID); the entities are the organization's
/// own, so the records are too.
pub async fn find_many(
    db: &impl ConnectionTrait,
    keys: &[(i64, String)],
) -> Result<HashMap<(i64, String), Model>, DbErr> {
    // One query per entity, on the (entity, record) index's columns only: with the
    // organization as well, PostgreSQL without fresh statistics (a table filled within the
    // last minute) combined the two version indexes and read every record of the entity.
    let mut by_entity: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for (entity, record) in keys {
        by_entity.entry(*entity).or_default().push(record.clone());
    }
    let mut found = HashMap::new();
    for (entity, records) in by_entity {
        for chunk in records.chunks(500) {
            let rows = Entity::find()
                .filter(Column::EntityId.eq(entity))
                .filter(Column::RecordId.is_in(chunk.iter().cloned()))
                .all(db)
                .await?;
            for row in rows {
                found.insert((row.entity_id, row.record_id.clone()), row);
            }
        }
    }
    Ok(found)
}

pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: i64,
    entity_id: i64,
    record_id: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::EntityId.eq(entity_id))
        .filter(Column::RecordId.eq(record_id))
        .one(db)
        .await
}

/// A record's new state, to be written by `write`.
#[derive(Debug, Clone)]
pub struct RecordWrite {
    /// The record's row id, when it exists already.
    pub pk: Option<i64>,
    pub entity_id: i64,
    pub record_id: String,
    pub state: RecordState,
    pub changed_by: String,
    pub at: DateTime<Utc>,
}

/// Writes each record's latest state (inserting new ones) and one history row per write;
/// returns the row id of each record written, by entity and GUID.
pub async fn write(
    db: &impl ConnectionTrait,
    organization_id: i64,
    latest: &[&RecordWrite],
    history: &[RecordWrite],
) -> Result<HashMap<(i64, String), i64>, DbErr> {
    let mut rows = Vec::with_capacity(latest.len());
    for write in latest {
        rows.push(sync_records::ActiveModel {
            organization_id: sea_orm::Set(organization_id),
            entity_id: sea_orm::Set(write.entity_id),
            record_id: sea_orm::Set(write.record_id.clone()),
            fields: sea_orm::Set(encode(&write.state.fields)?),
            field_stamps: sea_orm::Set(encode(&write.state.stamps)?),
            version: sea_orm::Set(write.state.version),
            deleted: sea_orm::Set(write.state.deleted),
            updated_at: sea_orm::Set(write.at),
            updated_by: sea_orm::Set(write.changed_by.clone()),
            created_at: sea_orm::Set(write.at),
            ..Default::default()
        });
    }
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    for chunk in rows.chunks(200) {
        Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([Column::EntityId, Column::RecordId])
                    .update_columns([
                        Column::Fields,
                        Column::FieldStamps,
                        Column::Version,
                        Column::Deleted,
                        Column::UpdatedAt,
                        Column::UpdatedBy,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    // Only the records created here need their new row ids looked up.
    let mut ids: HashMap<(i64, String), i64> = latest
        .iter()
        .filter_map(|w| Some(((w.entity_id, w.record_id.clone()), w.pk?)))
        .collect();
    let created: Vec<(i64, String)> = latest
        .iter()
        .filter(|w| w.pk.is_none())
        .map(|w| (w.entity_id, w.record_id.clone()))
        .collect();
    if !created.is_empty() {
        for (key, row) in find_many(db, &created).await? {
            ids.insert(key, row.id);
        }
    }
    let mut versions = Vec::with_capacity(history.len());
    for write in history {
        let Some(pk) = ids.get(&(write.entity_id, write.record_id.clone())) else {
            continue;
        };
        versions.push(sync_record_versions::ActiveModel {
            record_pk: sea_orm::Set(*pk),
            version: sea_orm::Set(write.state.version),
            fields: sea_orm::Set(encode(&write.state.fields)?),
            deleted: sea_orm::Set(write.state.deleted),
            changed_by: sea_orm::Set(write.changed_by.clone()),
            changed_at: sea_orm::Set(write.at),
            ..Default::default()
        });
    }
    for chunk in versions.chunks(200) {
        sync_record_versions::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(ids)
}

/// A value as JSON text.
fn encode(value: &impl serde::Serialize) -> Result<String, DbErr> {
    serde_json::to_string(value).map_err(|e| DbErr::Type(format!("JSON: {e}")))
}

/// A page of the records changed after `after`, oldest change first, among `entity_ids`.
pub async fn changed_after(
    db: &impl ConnectionTrait,
    organization_id: i64,
    entity_ids: &[i64],
    after: i64,
    limit: u64,
) -> Result<Vec<Pulled>, DbErr> {
    if entity_ids.is_empty() {
        return Ok(Vec::new());
    }
    Pulled::select()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::Version.gt(after))
        .filter(Column::EntityId.is_in(entity_ids.iter().copied()))
        .order_by_asc(Column::Version)
        .limit(limit)
        .into_model::<Pulled>()
        .all(db)
        .await
}

/// The records with these row ids.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Pulled>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Pulled::select()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(Column::Version)
        .into_model::<Pulled>()
        .all(db)
        .await
}

/// A record as a pull sends it: without the field stamps and the bookkeeping, which a page
/// of 500 records would otherwise copy out of the database for nothing.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Pulled {
    pub entity_id: i64,
    pub record_id: String,
    pub version: i64,
    pub deleted: bool,
    pub updated_at: DateTime<Utc>,
    pub fields: String,
}

impl Pulled {
    fn select() -> sea_orm::Select<Entity> {
        Entity::find().select_only().columns([
            Column::EntityId,
            Column::RecordId,
            Column::Version,
            Column::Deleted,
            Column::UpdatedAt,
            Column::Fields,
        ])
    }
}

impl From<Model> for Pulled {
    fn from(record: Model) -> Self {
        Self {
            entity_id: record.entity_id,
            record_id: record.record_id,
            version: record.version,
            deleted: record.deleted,
            updated_at: record.updated_at,
            fields: record.fields,
        }
    }
}

/// A page of an entity's records for the Records page, newest change first; `search`
/// matches the GUID or any field value.
pub async fn page(
    db: &impl ConnectionTrait,
    entity_id: i64,
    search: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Model>, u64), DbErr> {
    let mut query = Entity::find().filter(Column::EntityId.eq(entity_id));
    if let Some(search) = search {
        query = query.filter(
            sea_orm::Condition::any()
                .add(super::contains_ci(Column::RecordId.into_expr(), search))
                .add(super::contains_ci(Column::Fields.into_expr(), search)),
        );
    }
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(Column::Version)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// A record's versions, newest first.
pub async fn history(
    db: &impl ConnectionTrait,
    record_pk: i64,
) -> Result<Vec<sync_record_versions::Model>, DbErr> {
    sync_record_versions::Entity::find()
        .filter(sync_record_versions::Column::RecordPk.eq(record_pk))
        .order_by_desc(sync_record_versions::Column::Version)
        .all(db)
        .await
}

/// How many records (with tombstones) each entity of the organization has.
pub async fn counts(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<HashMap<i64, i64>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        entity_id: i64,
        records: i64,
    }
    Ok(Entity::find()
        .select_only()
        .column(Column::EntityId)
        .column_as(Column::Id.count(), "records")
        .filter(Column::OrganizationId.eq(organization_id))
        .group_by(Column::EntityId)
        .into_model::<Row>()
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.entity_id, row.records))
        .collect())
}
