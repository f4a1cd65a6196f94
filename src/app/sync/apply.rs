//! Applying pushes: the changes of one or more devices' pushes, under their organizations'
//! version locks, in one write transaction. Each push gets the results it would have got
//! alone, in the order the pushes came: the group shares the records' states, the versions
//! and the change ids seen, and writes each table once for all of them.

use std::{collections::HashMap, sync::Arc};

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde_json::{Map, Value};

use super::Entities;
use crate::{
    app::{Failure, Step},
    domain::sync::{
        Allowed, Change, ChangeResult, ChangedBy, ConflictKind, Decision, DeviceClock, LogOutcome,
        RecordState, WORKING_SET_SIZE, decide,
    },
    storage::{
        self,
        access_profiles::Profile,
        entities::{devices, mobile_users, sync_status},
        sync_log::LogEntry,
        sync_records::RecordWrite,
    },
};

/// One device's push, with everything its changes are judged by.
pub(super) struct PushJob {
    pub device: devices::Model,
    pub user: mobile_users::Model,
    pub entities: Arc<Entities>,
    pub profile: Option<Arc<Profile>>,
    /// What the sync log shows of this sync (stored even when no change came).
    pub status: sync_status::Model,
    pub device_time: Option<DateTime<Utc>>,
    pub changes: Vec<Change>,
    /// When the push arrived.
    pub now: DateTime<Utc>,
}

/// A record, by its entity's row id and its GUID.
type Key = (i64, String);

/// Applies the pushes in order, in one transaction; the results of each push.
pub(super) async fn apply_group(
    db: &DatabaseConnection,
    jobs: &[PushJob],
) -> Result<Vec<Vec<ChangeResult>>, Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    // The locks in one order, so that two instances' groups never wait on each other.
    let mut organizations: Vec<i64> = jobs
        .iter()
        .filter(|job| !job.changes.is_empty())
        .map(|job| job.user.organization_id)
        .collect();
    organizations.sort_unstable();
    organizations.dedup();
    let mut last: HashMap<i64, i64> = HashMap::new();
    let mut seen: HashMap<(i64, String), ChangeResult> = HashMap::new();
    for &organization_id in &organizations {
        let version = storage::sync_records::lock_versions(&txn, organization_id)
            .await
            .step("take the version lock")?;
        last.insert(organization_id, version);
        let change_ids = jobs
            .iter()
            .filter(|job| job.user.organization_id == organization_id)
            .flat_map(|job| job.changes.iter().map(|c| c.change_id.to_string()))
            .collect();
        for (change_id, result) in storage::sync_log::results_of(&txn, organization_id, change_ids)
            .await
            .step("look for changes seen before")?
        {
            seen.insert((organization_id, change_id), result);
        }
    }
    // Entity row ids are unique across organizations: one lookup serves every push.
    let keys: Vec<Key> = jobs
        .iter()
        .flat_map(|job| {
            job.changes.iter().filter_map(|c| {
                let (entity, _) = job.entities.by_name.get(&c.entity)?;
                Some((*entity, c.record_id.to_string()))
            })
        })
        .collect();
    let mut states: HashMap<Key, RecordState> = HashMap::new();
    let mut pks: HashMap<Key, i64> = HashMap::new();
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

    let mut written = Written::default();
    let mut all_results = Vec::with_capacity(jobs.len());
    // The records each push wrote, in the order it wrote them.
    let mut keys_of_job: Vec<Vec<Key>> = vec![Vec::new(); jobs.len()];
    for (index, job) in jobs.iter().enumerate() {
        let organization_id = job.user.organization_id;
        let Some(last) = last.get_mut(&organization_id) else {
            all_results.push(Vec::new());
            continue;
        };
        let clock = DeviceClock::new(job.device_time, job.now);
        let changed_by = ChangedBy::MobileUser(&job.user.user_id).to_string();
        let mut results = Vec::with_capacity(job.changes.len());
        for change in &job.changes {
            let change_id = change.change_id.to_string();
            if let Some(result) = seen.get(&(organization_id, change_id.clone())) {
                results.push(result.clone());
                continue;
            }
            let entity = job.entities.by_name.get(&change.entity);
            let key = entity.map(|(id, _)| (*id, change.record_id.to_string()));
            let before = key.as_ref().and_then(|k| states.get(k)).cloned();
            let at = clock.correct(change.changed_at);
            let decision = decide(
                Allowed {
                    entity: entity.map(|(_, fields)| fields.as_slice()),
                    rights: match (entity, &job.profile) {
                        (Some((id, _)), Some(profile)) => profile.rights(*id),
                        _ => Default::default(),
                    },
                    profile: job.profile.as_ref().map(|p| p.profile.name.as_str()),
                },
                before.as_ref(),
                change,
                at,
                *last + 1,
            );
            let result = ChangeResult::of(change.change_id, &decision);
            let (outcome, lost) = match &decision {
                Decision::Write { record, lost } => {
                    *last = record.version;
                    if let Some(key) = key {
                        keys_of_job[index].push(key.clone());
                        written
                            .history
                            .entry(organization_id)
                            .or_default()
                            .push(RecordWrite {
                                pk: pks.get(&key).copied(),
                                entity_id: key.0,
                                record_id: key.1.clone(),
                                state: record.clone(),
                                changed_by: changed_by.clone(),
                                at: job.now,
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
                written
                    .log
                    .entry(organization_id)
                    .or_default()
                    .push(LogEntry {
                        mobile_user_id: job.user.id,
                        device_id: Some(job.device.id),
                        change_id: change_id.clone(),
                        entity_name: change.entity.chars().take(64).collect(),
                        record_id: change.record_id.to_string(),
                        op: change.op,
                        outcome,
                        kind: result.kind.as_deref().and_then(ConflictKind::parse),
                        message: result.message.clone().unwrap_or_default(),
                        device_values: Value::Object(values_lost(change, &lost)).to_string(),
                        server_values: before.map(|b| Value::Object(b.fields).to_string()),
                        changed_at: at,
                        created_at: job.now,
                    });
            }
            written
                .results
                .entry(organization_id)
                .or_default()
                .push((result.clone(), job.now));
            seen.insert((organization_id, change_id), result.clone());
            results.push(result);
        }
        all_results.push(results);
    }

    let mut pk_of: HashMap<Key, i64> = HashMap::new();
    for (organization_id, history) in &written.history {
        let latest = latest_of(history);
        pk_of.extend(
            storage::sync_records::write(&txn, *organization_id, &latest, history)
                .await
                .step("write the records")?,
        );
    }
    // Each user's working set, in the order the records were last touched.
    let mut touched: Vec<(i64, Vec<i64>, DateTime<Utc>)> = Vec::new();
    for (job, keys) in jobs.iter().zip(&keys_of_job) {
        if keys.is_empty() {
            continue;
        }
        let index = match touched.iter().position(|(user, _, _)| *user == job.user.id) {
            Some(index) => index,
            None => {
                touched.push((job.user.id, Vec::new(), job.now));
                touched.len() - 1
            }
        };
        let (_, pks, at) = &mut touched[index];
        *at = job.now;
        for pk in keys.iter().filter_map(|key| pk_of.get(key)) {
            pks.retain(|earlier| earlier != pk);
            pks.push(*pk);
        }
    }
    storage::sync_log::touch_working_sets(&txn, &touched, WORKING_SET_SIZE)
        .await
        .step("update the working sets")?;
    for (&organization_id, &version) in &last {
        storage::sync_records::set_last_version(&txn, organization_id, version)
            .await
            .step("store the last version")?;
    }
    for (organization_id, results) in &written.results {
        storage::sync_log::store_results(&txn, *organization_id, results)
            .await
            .step("store the change results")?;
    }
    for (organization_id, entries) in written.log {
        storage::sync_log::insert(&txn, organization_id, entries)
            .await
            .step("write the sync log")?;
    }
    storage::sync_log::record_statuses(&txn, jobs.iter().map(|job| job.status.clone()).collect())
        .await
        .step("record the sync")?;
    txn.commit().await.step("commit")?;
    Ok(all_results)
}

/// What a group writes, by organization.
#[derive(Default)]
struct Written {
    /// Every write of a record, in order.
    history: HashMap<i64, Vec<RecordWrite>>,
    /// Each new result, with when its push arrived.
    results: HashMap<i64, Vec<(ChangeResult, DateTime<Utc>)>>,
    log: HashMap<i64, Vec<LogEntry>>,
}

/// The last write of each record, in the order of those last writes.
fn latest_of(writes: &[RecordWrite]) -> Vec<&RecordWrite> {
    let mut latest: Vec<&RecordWrite> = Vec::new();
    let mut keys = std::collections::HashSet::new();
    for write in writes.iter().rev() {
        if keys.insert((write.entity_id, write.record_id.as_str())) {
            latest.push(write);
        }
    }
    latest.reverse();
    latest
}

/// The device's values the log keeps: those that lost, or all when none did.
fn values_lost(change: &Change, lost: &[String]) -> Map<String, Value> {
    if lost.is_empty() {
        change.fields.clone()
    } else {
        change
            .fields
            .iter()
            .filter(|(name, _)| lost.contains(name))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}
