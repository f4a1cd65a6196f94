//! A device's sync (docs/behaviour.md#sync-api): the licence check of its user first, then
//! the pushed changes under the organization's version lock — each with one result, stored
//! by its `change_id` so a repeat gets the same — then a page of what changed since the
//! device's cursor.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use serde_json::{Map, Value, value::RawValue};

use super::{
    Outcome, Step,
    license_check::{self, CheckOutcome},
    notifications::NoticeLinks,
    refuse,
};
use crate::{
    domain::{
        client_message::CheckRequest,
        ids::Guid,
        license_check::Status,
        settings::SyncMode,
        sync::{
            Allowed, Change, ChangeResult, ChangedBy, Cursor, Decision, DeviceClock, LogOutcome,
            PAGE_SIZE, PendingChange, RecordState, WORKING_SET_SIZE, decide,
        },
        sync_entities::Field,
    },
    storage::{
        self,
        access_profiles::Profile,
        entities::{devices, mobile_users, sync_records, sync_status},
        organization_cache::OrganizationCache,
        sync_bookkeeping::SyncBookkeeping,
        sync_log::LogEntry,
        sync_records::RecordWrite,
    },
};

/// What a device sent, checked for shape.
#[derive(Debug, Clone)]
pub struct Push {
    pub user_id: Guid,
    pub cursor: Cursor,
    pub device_time: Option<DateTime<Utc>>,
    pub changes: Vec<Change>,
    pub pending: Vec<PendingChange>,
    pub app_version: Option<String>,
}

/// What the licence check needs besides the database.
pub struct Licensing<'a> {
    pub links: NoticeLinks<'a>,
    pub bookkeeping: &'a SyncBookkeeping,
    pub cache: &'a OrganizationCache,
    pub read_only: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SyncRefused {
    #[error("the device token is unknown or was revoked; register the device again")]
    UnknownToken,
    #[error("the licence check answered {status}; nothing was synchronised")]
    Licence { status: &'static str },
    #[error("{0} is not a mobile user of this device's organization")]
    NotAUser(Guid),
    #[error("this server is a read-only replica; sync with the primary server")]
    ReadOnly,
}

/// A record as a device gets it. The fields go out as stored: a page of 500 records is
/// sent without decoding and encoding every value again.
#[derive(Debug, Clone, Serialize)]
pub struct RecordOut {
    pub entity: String,
    pub id: String,
    pub version: i64,
    pub deleted: bool,
    pub updated_at: DateTime<Utc>,
    pub fields: Box<RawValue>,
}

/// A record named by its entity and GUID.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RecordRef {
    pub entity: String,
    pub id: String,
}

/// The answer of a sync.
#[derive(Debug, Clone, Serialize)]
pub struct SyncAnswer {
    pub mode: &'static str,
    pub cursor: String,
    pub has_more: bool,
    pub results: Vec<ChangeResult>,
    pub changes: Vec<RecordOut>,
    pub discard: Vec<RecordRef>,
    pub working_set: Option<Vec<RecordRef>>,
}

/// The organization's entities, by name and by row id.
struct Entities {
    by_name: HashMap<String, (i64, Vec<Field>)>,
    names: HashMap<i64, String>,
}

impl Entities {
    async fn load(db: &DatabaseConnection, organization_id: i64) -> Outcome<Self, SyncRefused> {
        let mut by_name = HashMap::new();
        let mut names = HashMap::new();
        for entity in storage::sync_entities::all(db, organization_id)
            .await
            .step("load the entities")?
        {
            let fields = storage::sync_entities::fields(&entity).step("read the fields")?;
            names.insert(entity.id, entity.name.clone());
            by_name.insert(entity.name, (entity.id, fields));
        }
        Ok(Self { by_name, names })
    }
}

/// A sync of the device whose token hashes to `token_hash`.
pub async fn sync(
    db: &DatabaseConnection,
    licensing: &Licensing<'_>,
    token_hash: &str,
    push: Push,
    now: DateTime<Utc>,
) -> Outcome<SyncAnswer, SyncRefused> {
    if licensing.read_only {
        return refuse(SyncRefused::ReadOnly);
    }
    let Some(device) = storage::devices::find_by_token(db, token_hash)
        .await
        .step("find the device by its token")?
    else {
        return refuse(SyncRefused::UnknownToken);
    };
    let Some(organization) = storage::organizations::find(db, device.organization_id)
        .await
        .step("load the organization")?
    else {
        return refuse(SyncRefused::UnknownToken);
    };
    let organization_guid = Guid::parse(&organization.organization_id).map_err(|e| {
        super::Error::Failed(super::Failure {
            step: "read the organization's GUID",
            source: e.into(),
        })
    })?;
    let check = license_check::check(
        db,
        &CheckRequest {
            organization_id: organization_guid,
            user_id: push.user_id,
            app_version: push.app_version.clone().or(device.app_version.clone()),
            device_id: device.device_identifier.clone(),
            device_info: device.device_name.clone(),
        },
        now,
        &licensing.links,
        licensing.bookkeeping,
        licensing.cache,
        licensing.read_only,
    )
    .await?;
    if check.answer.status != Status::Ok {
        return refuse(SyncRefused::Licence {
            status: check.answer.status.as_str(),
        });
    }
    let Some(user) =
        storage::mobile_users::find_by_user_id(db, organization.id, &push.user_id.to_string())
            .await
            .step("look the user up")?
    else {
        return refuse(SyncRefused::NotAUser(push.user_id));
    };
    let entities = Entities::load(db, organization.id).await?;
    let profile = storage::access_profiles::of_user(db, &user)
        .await
        .step("load the user's access profile")?;

    let cursor = push.cursor;
    let results = apply(
        db,
        &device,
        &user,
        &entities,
        profile.as_ref(),
        &check,
        push,
        now,
    )
    .await?;
    let mut answer = pull(
        db,
        &user,
        &entities,
        profile.as_ref(),
        check.sync_mode,
        cursor,
    )
    .await?;
    answer.results = results;
    Ok(answer)
}

/// Whether a device holds the token that hashes to `token_hash`: a request with a bad body
/// is told first that its token is unknown, as a request with a good one would be.
pub async fn token_is_known(
    db: &DatabaseConnection,
    token_hash: &str,
) -> Outcome<bool, SyncRefused> {
    Ok(storage::devices::find_by_token(db, token_hash)
        .await
        .step("find the device by its token")?
        .is_some())
}

/// Applies a push as `sync` does once the licence check answered `check` — for
/// `licensedesk demo`, which writes its history the way devices do.
pub async fn apply_checked(
    db: &DatabaseConnection,
    device: &devices::Model,
    user: &mobile_users::Model,
    check: &CheckOutcome,
    push: Push,
    now: DateTime<Utc>,
) -> Outcome<Vec<ChangeResult>, SyncRefused> {
    let entities = Entities::load(db, user.organization_id).await?;
    let profile = storage::access_profiles::of_user(db, user)
        .await
        .step("load the user's access profile")?;
    apply(
        db,
        device,
        user,
        &entities,
        profile.as_ref(),
        check,
        push,
        now,
    )
    .await
}

/// Applies the changes and records the sync, in one transaction.
#[allow(clippy::too_many_arguments)]
async fn apply(
    db: &DatabaseConnection,
    device: &devices::Model,
    user: &mobile_users::Model,
    entities: &Entities,
    profile: Option<&Profile>,
    check: &CheckOutcome,
    push: Push,
    now: DateTime<Utc>,
) -> Outcome<Vec<ChangeResult>, SyncRefused> {
    let pending = serde_json::to_string(&push.pending).step("encode the pending changes")?;
    let status = sync_status::Model {
        mobile_user_id: user.id,
        organization_id: user.organization_id,
        device_id: Some(device.id),
        synced_at: now,
        check_status: check.answer.status.as_str().to_owned(),
        check_state: check.answer.state.as_str().to_owned(),
        pending,
        pending_count: i32::try_from(push.pending.len()).unwrap_or(i32::MAX),
    };
    if push.changes.is_empty() && !status_is_news(db, &status).await? {
        return Ok(Vec::new());
    }
    let organization_id = user.organization_id;
    let txn = storage::begin_write(db).await.step("begin")?;
    let mut results = Vec::with_capacity(push.changes.len());
    if !push.changes.is_empty() {
        let mut last = storage::sync_records::lock_versions(&txn, organization_id)
            .await
            .step("take the version lock")?;
        let mut seen = storage::sync_log::results_of(
            &txn,
            organization_id,
            push.changes
                .iter()
                .map(|c| c.change_id.to_string())
                .collect(),
        )
        .await
        .step("look for changes seen before")?;
        let mut states: HashMap<(i64, String), RecordState> = HashMap::new();
        let mut pks: HashMap<(i64, String), i64> = HashMap::new();
        let keys: Vec<(i64, String)> = push
            .changes
            .iter()
            .filter_map(|c| {
                let (entity, _) = entities.by_name.get(&c.entity)?;
                Some((*entity, c.record_id.to_string()))
            })
            .collect();
        for (key, row) in storage::sync_records::find_many(&txn, &keys)
            .await
            .step("load the records changed")?
        {
            pks.insert(key.clone(), row.id);
            states.insert(
                key,
                storage::sync_records::state_of(&row).step("read a record")?,
            );
        }
        let clock = DeviceClock::new(push.device_time, now);
        let changed_by = ChangedBy::MobileUser(&user.user_id).to_string();
        let mut history: Vec<RecordWrite> = Vec::new();
        let mut new_results = Vec::new();
        let mut log = Vec::new();
        for change in &push.changes {
            let change_id = change.change_id.to_string();
            if let Some(result) = seen.get(&change_id) {
                results.push(result.clone());
                continue;
            }
            let entity = entities.by_name.get(&change.entity);
            let key = entity.map(|(id, _)| (*id, change.record_id.to_string()));
            let before = key.as_ref().and_then(|k| states.get(k)).cloned();
            let at = clock.correct(change.changed_at);
            let decision = decide(
                Allowed {
                    entity: entity.map(|(_, fields)| fields.as_slice()),
                    rights: match (entity, profile) {
                        (Some((id, _)), Some(profile)) => profile.rights(*id),
                        _ => Default::default(),
                    },
                    profile: profile.map(|p| p.profile.name.as_str()),
                },
                before.as_ref(),
                change,
                at,
                last + 1,
            );
            let result = ChangeResult::of(change.change_id, &decision);
            let (outcome, lost) = match &decision {
                Decision::Write { record, lost } => {
                    last = record.version;
                    if let Some(key) = key.clone() {
                        history.push(RecordWrite {
                            pk: pks.get(&key).copied(),
                            entity_id: key.0,
                            record_id: key.1.clone(),
                            state: record.clone(),
                            changed_by: changed_by.clone(),
                            at: now,
                        });
                        states.insert(key, record.clone());
                    }
                    (
                        (!lost.is_empty()).then_some(LogOutcome::Superseded),
                        lost.clone(),
                    )
                }
                Decision::Unchanged { .. } => (None, Vec::new()),
                Decision::Superseded { lost, .. } => (Some(LogOutcome::Superseded), lost.clone()),
                Decision::Conflict { .. } => (Some(LogOutcome::Conflict), Vec::new()),
            };
            if let Some(outcome) = outcome {
                let device_values: Map<String, Value> = if lost.is_empty() {
                    change.fields.clone()
                } else {
                    change
                        .fields
                        .iter()
                        .filter(|(name, _)| lost.contains(name))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                };
                log.push(LogEntry {
                    mobile_user_id: user.id,
                    device_id: Some(device.id),
                    change_id: change_id.clone(),
                    entity_name: change.entity.chars().take(64).collect(),
                    record_id: change.record_id.to_string(),
                    op: change.op,
                    outcome,
                    kind: result
                        .kind
                        .as_deref()
                        .and_then(crate::domain::sync::ConflictKind::parse),
                    message: result.message.clone().unwrap_or_default(),
                    device_values: Value::Object(device_values).to_string(),
                    server_values: before.map(|b| Value::Object(b.fields).to_string()),
                    changed_at: at,
                });
            }
            seen.insert(change_id, result.clone());
            new_results.push(result.clone());
            results.push(result);
        }
        // The latest state of each record written, and the user's working set in the
        // order the records were touched.
        let mut latest: Vec<&RecordWrite> = Vec::new();
        for write in history.iter().rev() {
            if !latest
                .iter()
                .any(|w| w.entity_id == write.entity_id && w.record_id == write.record_id)
            {
                latest.push(write);
            }
        }
        latest.reverse();
        let written = storage::sync_records::write(&txn, organization_id, &latest, &history)
            .await
            .step("write the records")?;
        let touched: Vec<i64> = latest
            .iter()
            .filter_map(|w| written.get(&(w.entity_id, w.record_id.clone())).copied())
            .collect();
        storage::sync_log::touch_working_set(&txn, user.id, &touched, now, WORKING_SET_SIZE)
            .await
            .step("update the working set")?;
        storage::sync_records::set_last_version(&txn, organization_id, last)
            .await
            .step("store the last version")?;
        storage::sync_log::store_results(&txn, organization_id, &new_results, now)
            .await
            .step("store the change results")?;
        storage::sync_log::insert(&txn, organization_id, log, now)
            .await
            .step("write the sync log")?;
    }
    storage::sync_log::record_status(&txn, status)
        .await
        .step("record the sync")?;
    txn.commit().await.step("commit")?;
    Ok(results)
}

/// Whether a sync without changes says something the stored status does not: another
/// device, check result or pending list, or a last sync more than 30 seconds ago. Frequent
/// pulls of an unchanged device then write nothing.
async fn status_is_news(
    db: &DatabaseConnection,
    status: &sync_status::Model,
) -> Outcome<bool, SyncRefused> {
    let stored = storage::sync_log::status(db, status.mobile_user_id)
        .await
        .step("load the last sync")?;
    Ok(match stored {
        None => true,
        Some(stored) => {
            stored.device_id != status.device_id
                || stored.check_status != status.check_status
                || stored.check_state != status.check_state
                || stored.pending != status.pending
                || status.synced_at - stored.synced_at > TimeDelta::seconds(30)
        }
    })
}

/// The records the user may read that changed after `cursor` (only the working set in
/// online and hybrid mode), with the records to discard.
async fn pull(
    db: &DatabaseConnection,
    user: &mobile_users::Model,
    entities: &Entities,
    profile: Option<&Profile>,
    mode: SyncMode,
    cursor: Cursor,
) -> Outcome<SyncAnswer, SyncRefused> {
    let organization_id = user.organization_id;
    // Every version up to the counter read here is committed, so a cursor set to it never
    // skips one; it is read before the records, so none can be missed between the two.
    let snapshot = storage::sync_records::last_version(db, organization_id)
        .await
        .step("read the last version")?;
    let readable: Vec<i64> = match profile {
        Some(profile) => entities
            .names
            .keys()
            .copied()
            .filter(|id| profile.rights(*id).read)
            .collect(),
        None => Vec::new(),
    };
    let (mut rows, has_more, working_set) = match mode {
        SyncMode::Offline => {
            let mut rows = storage::sync_records::changed_after(
                db,
                organization_id,
                &readable,
                cursor.0,
                PAGE_SIZE + 1,
            )
            .await
            .step("read the changed records")?;
            let has_more = rows.len() as u64 > PAGE_SIZE;
            rows.truncate(PAGE_SIZE as usize);
            (rows, has_more, None)
        }
        SyncMode::Online | SyncMode::Hybrid => {
            let pks = storage::sync_log::working_set(db, user.id)
                .await
                .step("read the working set")?;
            let set: Vec<sync_records::Model> = storage::sync_records::by_ids(db, &pks)
                .await
                .step("read the working set's records")?
                .into_iter()
                .filter(|r| readable.contains(&r.entity_id))
                .collect();
            let refs = set.iter().filter_map(|r| reference(entities, r)).collect();
            let changed = set.into_iter().filter(|r| r.version > cursor.0).collect();
            (changed, false, Some(refs))
        }
    };
    let last_row = rows.last().map_or(cursor.0, |r| r.version);
    let next = if has_more {
        last_row
    } else {
        snapshot.max(last_row).max(cursor.0)
    };
    let mut discard = Vec::new();
    for (entity, id) in storage::sync_log::discarded(db, user.id, cursor.0, next)
        .await
        .step("read the reverted changes")?
    {
        // The device keeps the server copy: send it unless this page has it already.
        if let Some((entity_id, _)) = entities.by_name.get(&entity)
            && !rows
                .iter()
                .any(|r| r.entity_id == *entity_id && r.record_id == id)
            && let Some(row) = storage::sync_records::find(db, organization_id, *entity_id, &id)
                .await
                .step("read a reverted record")?
        {
            rows.push(row);
        }
        discard.push(RecordRef { entity, id });
    }
    let mut changes = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(entity) = entities.names.get(&row.entity_id) else {
            continue;
        };
        changes.push(RecordOut {
            entity: entity.clone(),
            id: row.record_id,
            version: row.version,
            deleted: row.deleted,
            updated_at: row.updated_at,
            fields: RawValue::from_string(row.fields)
                .map_err(|e| sea_orm::DbErr::Type(format!("record fields: {e}")))
                .step("read a record's fields")?,
        });
    }
    Ok(SyncAnswer {
        mode: mode.as_str(),
        cursor: Cursor(next).encode(),
        has_more,
        results: Vec::new(),
        changes,
        discard,
        working_set,
    })
}

fn reference(entities: &Entities, record: &sync_records::Model) -> Option<RecordRef> {
    entities
        .names
        .get(&record.entity_id)
        .map(|entity| RecordRef {
            entity: entity.clone(),
            id: record.record_id.clone(),
        })
}
