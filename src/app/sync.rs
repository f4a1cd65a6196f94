//! A device's sync (docs/behaviour.md#sync-api): the licence check of its user first, then
//! the pushed changes under the organization's version lock — each with one result, stored
//! by its `change_id` so a repeat gets the same — then a page of what changed since the
//! device's cursor.

mod apply;
mod queue;

use std::{collections::HashMap, sync::Arc};

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use serde_json::value::RawValue;

use super::{
    Outcome, Step,
    license_check::{self, CheckOutcome},
    refuse,
};
use crate::{
    domain::{
        client_message::CheckRequest,
        ids::Guid,
        license_check::Status,
        settings::SyncMode,
        sync::{Change, ChangeResult, Cursor, PAGE_SIZE, PendingChange},
        sync_entities::Field,
    },
    storage::{
        self,
        access_profiles::Profile,
        entities::{devices, mobile_users, sync_status},
        organization_cache::OrganizationCache,
        sync_bookkeeping::SyncBookkeeping,
        sync_records::Pulled,
    },
};

use apply::{PushJob, apply_group};
pub use queue::PushQueue;

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
    pub new_users: &'a crate::app::new_users::NewUserQueue,
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
    pushes: &PushQueue,
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
        licensing.new_users,
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
    let entities = Arc::new(Entities::load(db, organization.id).await?);
    let profile = storage::access_profiles::of_user(db, &user)
        .await
        .step("load the user's access profile")?
        .map(Arc::new);

    let cursor = push.cursor;
    let job = job(
        device,
        user,
        entities.clone(),
        profile.clone(),
        &check,
        push,
        now,
    )?;
    let user = job.user.clone();
    let results = if job.changes.is_empty() && !status_is_news(db, &job.status).await? {
        Vec::new()
    } else {
        pushes.apply(job).await?
    };
    let mut answer = pull(
        db,
        &user,
        &entities,
        profile.as_deref(),
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
    let entities = Arc::new(Entities::load(db, user.organization_id).await?);
    let profile = storage::access_profiles::of_user(db, user)
        .await
        .step("load the user's access profile")?
        .map(Arc::new);
    let job = job(
        device.clone(),
        user.clone(),
        entities,
        profile,
        check,
        push,
        now,
    )?;
    Ok(apply_group(db, std::slice::from_ref(&job)).await?.remove(0))
}

/// The push as the writer takes it, with the sync status it leaves.
fn job(
    device: devices::Model,
    user: mobile_users::Model,
    entities: Arc<Entities>,
    profile: Option<Arc<Profile>>,
    check: &CheckOutcome,
    push: Push,
    now: DateTime<Utc>,
) -> Result<PushJob, super::Failure> {
    let status = sync_status::Model {
        mobile_user_id: user.id,
        organization_id: user.organization_id,
        device_id: Some(device.id),
        synced_at: now,
        check_status: check.answer.status.as_str().to_owned(),
        check_state: check.answer.state.as_str().to_owned(),
        pending: serde_json::to_string(&push.pending).step("encode the pending changes")?,
        pending_count: i32::try_from(push.pending.len()).unwrap_or(i32::MAX),
    };
    Ok(PushJob {
        device,
        user,
        entities,
        profile,
        status,
        device_time: push.device_time,
        changes: push.changes,
        now,
    })
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
            let set: Vec<Pulled> = storage::sync_records::by_ids(db, &pks)
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
            rows.push(row.into());
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

fn reference(entities: &Entities, record: &Pulled) -> Option<RecordRef> {
    entities
        .names
        .get(&record.entity_id)
        .map(|entity| RecordRef {
            entity: entity.clone(),
            id: record.record_id.clone(),
        })
}
