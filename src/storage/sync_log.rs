//! What a sync leaves behind besides records (docs/behaviour.md#sync-api): the result of
//! every change by its id, the synchronization log of conflicts and superseded changes,
//! each user's last sync with the changes their device still holds back, and each user's
//! working set.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
    sea_query::{Expr, OnConflict},
};

use super::entities::{mobile_users, sync_changes, sync_log, sync_status, sync_working_set};
use crate::domain::sync::{ChangeResult, ConflictKind, LogOutcome, LogState};

/// The stored results of the changes with these ids.
pub async fn results_of(
    db: &impl ConnectionTrait,
    organization_id: i64,
    change_ids: Vec<String>,
) -> Result<HashMap<String, ChangeResult>, DbErr> {
    let mut found = HashMap::new();
    for chunk in change_ids.chunks(500) {
        let rows = sync_changes::Entity::find()
            .filter(sync_changes::Column::OrganizationId.eq(organization_id))
            .filter(sync_changes::Column::ChangeId.is_in(chunk.iter().cloned()))
            .all(db)
            .await?;
        for row in rows {
            let result: ChangeResult = serde_json::from_str(&row.result)
                .map_err(|e| DbErr::Type(format!("stored change result: {e}")))?;
            found.insert(row.change_id, result);
        }
    }
    Ok(found)
}

/// Stores the results of changes seen for the first time.
pub async fn store_results(
    db: &impl ConnectionTrait,
    organization_id: i64,
    results: &[(ChangeResult, DateTime<Utc>)],
) -> Result<(), DbErr> {
    let mut rows = Vec::with_capacity(results.len());
    for (result, now) in results {
        rows.push(sync_changes::ActiveModel {
            organization_id: Set(organization_id),
            change_id: Set(result.change_id.clone()),
            result: Set(serde_json::to_string(result)
                .map_err(|e| DbErr::Type(format!("change result: {e}")))?),
            created_at: Set(*now),
        });
    }
    for chunk in rows.chunks(500) {
        sync_changes::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// A conflict or a superseded change, as written to the log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub mobile_user_id: i64,
    pub device_id: Option<i64>,
    pub change_id: String,
    pub entity_name: String,
    pub record_id: String,
    pub op: crate::domain::sync::Op,
    pub outcome: LogOutcome,
    pub kind: Option<ConflictKind>,
    pub message: String,
    pub device_values: String,
    pub server_values: Option<String>,
    pub changed_at: DateTime<Utc>,
    /// When the push with the change arrived.
    pub created_at: DateTime<Utc>,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    organization_id: i64,
    entries: Vec<LogEntry>,
) -> Result<(), DbErr> {
    let rows: Vec<sync_log::ActiveModel> = entries
        .into_iter()
        .map(|entry| sync_log::ActiveModel {
            organization_id: Set(organization_id),
            mobile_user_id: Set(entry.mobile_user_id),
            device_id: Set(entry.device_id),
            change_id: Set(entry.change_id),
            entity_name: Set(entry.entity_name),
            record_id: Set(entry.record_id),
            op: Set(entry.op),
            outcome: Set(entry.outcome),
            kind: Set(entry.kind),
            message: Set(entry.message),
            device_values: Set(entry.device_values),
            server_values: Set(entry.server_values),
            changed_at: Set(entry.changed_at),
            created_at: Set(entry.created_at),
            state: Set(LogState::Open),
            reverted_version: Set(None),
            closed_at: Set(None),
            access_requested_at: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(200) {
        sync_log::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Which log entries a page lists.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// One user's entries; all of the organization's when none.
    pub mobile_user_id: Option<i64>,
    pub kind: Option<ConflictKind>,
    /// Superseded changes rather than conflicts.
    pub superseded: bool,
    pub state: Option<LogState>,
    /// Matches the entity, the record's GUID, the message, the kind in words or its name,
    /// and the user's name, email or GUID.
    pub search: String,
}

/// A page of the organization's log, newest first, and how many entries match.
pub async fn page(
    db: &impl ConnectionTrait,
    organization_id: i64,
    filter: &LogFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<sync_log::Model>, u64), DbErr> {
    let mut query =
        sync_log::Entity::find().filter(sync_log::Column::OrganizationId.eq(organization_id));
    if let Some(user) = filter.mobile_user_id {
        query = query.filter(sync_log::Column::MobileUserId.eq(user));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(sync_log::Column::Kind.eq(kind));
    }
    if filter.superseded {
        query = query.filter(sync_log::Column::Outcome.eq(LogOutcome::Superseded));
    }
    if let Some(state) = filter.state {
        // Superseded values are lost, neither open nor reverted.
        query = query
            .filter(sync_log::Column::State.eq(state))
            .filter(sync_log::Column::Outcome.eq(LogOutcome::Conflict));
    }
    let search = filter.search.trim();
    if !search.is_empty() {
        let needle = search.to_lowercase();
        let kinds: Vec<ConflictKind> = ConflictKind::ALL
            .into_iter()
            .filter(|k| k.label().to_lowercase().contains(&needle) || k.as_str().contains(&needle))
            .collect();
        let users = super::mobile_users::filtered(
            db.get_database_backend(),
            organization_id,
            &super::mobile_users::UserFilter {
                search: search.to_owned(),
                state: None,
            },
        )
        .select_only()
        .column(mobile_users::Column::Id)
        .into_query();
        let mut any = Condition::any()
            .add(super::contains_ci(
                sync_log::Column::EntityName.into_expr(),
                search,
            ))
            .add(super::contains_ci(
                sync_log::Column::RecordId.into_expr(),
                search,
            ))
            .add(super::contains_ci(
                sync_log::Column::Message.into_expr(),
                search,
            ))
            .add(sync_log::Column::MobileUserId.in_subquery(users));
        if !kinds.is_empty() {
            any = any.add(sync_log::Column::Kind.is_in(kinds));
        }
        query = query.filter(any);
    }
    let total = query.clone().count(db).await?;
    let rows = query
        .order_by_desc(sync_log::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

pub async fn find(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: i64,
) -> Result<Option<sync_log::Model>, DbErr> {
    sync_log::Entity::find_by_id(id)
        .filter(sync_log::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

/// Closes an entry as reverted at `version`: devices of the user whose cursor is older are
/// told to discard the change.
pub async fn revert(
    db: &impl ConnectionTrait,
    entry: &sync_log::Model,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    sync_log::Entity::update_many()
        .col_expr(sync_log::Column::State, Expr::value(LogState::Reverted))
        .col_expr(sync_log::Column::RevertedVersion, Expr::value(version))
        .col_expr(sync_log::Column::ClosedAt, Expr::value(now))
        .filter(sync_log::Column::Id.eq(entry.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks that access was requested for the entry, unless it already was; says whether
/// this call marked it (so the mail goes once however often the button is pressed).
pub async fn mark_access_requested(
    db: &impl ConnectionTrait,
    entry: &sync_log::Model,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = sync_log::Entity::update_many()
        .col_expr(sync_log::Column::AccessRequestedAt, Expr::value(now))
        .filter(sync_log::Column::Id.eq(entry.id))
        .filter(sync_log::Column::AccessRequestedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The records whose change by this user was reverted after `after` and up to `until`:
/// the device drops its change. By entity name and GUID.
pub async fn discarded(
    db: &impl ConnectionTrait,
    mobile_user_id: i64,
    after: i64,
    until: i64,
) -> Result<Vec<(String, String)>, DbErr> {
    let rows: Vec<(String, String)> = sync_log::Entity::find()
        .select_only()
        .column(sync_log::Column::EntityName)
        .column(sync_log::Column::RecordId)
        .filter(sync_log::Column::MobileUserId.eq(mobile_user_id))
        .filter(sync_log::Column::RevertedVersion.gt(after))
        .filter(sync_log::Column::RevertedVersion.lte(until))
        .order_by_asc(sync_log::Column::RevertedVersion)
        .into_tuple()
        .all(db)
        .await?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| seen.insert(r.clone()))
        .collect())
}

/// A user's last sync.
pub async fn status(
    db: &impl ConnectionTrait,
    mobile_user_id: i64,
) -> Result<Option<sync_status::Model>, DbErr> {
    sync_status::Entity::find_by_id(mobile_user_id)
        .one(db)
        .await
}

/// Stores each user's last sync (of several syncs of one user, the last).
pub async fn record_statuses(
    db: &impl ConnectionTrait,
    statuses: Vec<sync_status::Model>,
) -> Result<(), DbErr> {
    // One row per user: a statement may not update the same row twice.
    let mut last: Vec<sync_status::Model> = Vec::with_capacity(statuses.len());
    for status in statuses.into_iter().rev() {
        if !last
            .iter()
            .any(|s| s.mobile_user_id == status.mobile_user_id)
        {
            last.push(status);
        }
    }
    if last.is_empty() {
        return Ok(());
    }
    sync_status::Entity::insert_many(last.into_iter().map(sync_status::ActiveModel::from))
        .on_conflict(
            OnConflict::column(sync_status::Column::MobileUserId)
                .update_columns([
                    sync_status::Column::DeviceId,
                    sync_status::Column::SyncedAt,
                    sync_status::Column::CheckStatus,
                    sync_status::Column::CheckState,
                    sync_status::Column::Pending,
                    sync_status::Column::PendingCount,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Puts the records each user touched (row ids, in the order touched, at the given time)
/// at the front of the user's working set, which keeps the last `keep`.
pub async fn touch_working_sets(
    db: &impl ConnectionTrait,
    touched: &[(i64, Vec<i64>, DateTime<Utc>)],
    keep: usize,
) -> Result<(), DbErr> {
    let mut rows = Vec::new();
    for (mobile_user_id, record_pks, now) in touched {
        // Only the last `keep` can stay; their order is the order they were touched in.
        let start = record_pks.len().saturating_sub(keep);
        rows.extend(record_pks[start..].iter().enumerate().map(|(i, pk)| {
            sync_working_set::ActiveModel {
                mobile_user_id: Set(*mobile_user_id),
                record_pk: Set(*pk),
                touched_at: Set(*now + chrono::TimeDelta::microseconds(i as i64)),
            }
        }));
    }
    if rows.is_empty() {
        return Ok(());
    }
    for chunk in rows.chunks(500) {
        sync_working_set::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    sync_working_set::Column::MobileUserId,
                    sync_working_set::Column::RecordPk,
                ])
                .update_column(sync_working_set::Column::TouchedAt)
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    // Then each user's older records go, in one statement for all the users.
    let backend = db.get_database_backend();
    let users: Vec<sea_orm::Value> = touched.iter().map(|(user, _, _)| (*user).into()).collect();
    let list = (1..=users.len())
        .map(|n| match backend {
            DbBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "DELETE FROM sync_working_set WHERE (mobile_user_id, record_pk) IN \
             (SELECT mobile_user_id, record_pk FROM \
              (SELECT mobile_user_id, record_pk, ROW_NUMBER() OVER \
               (PARTITION BY mobile_user_id ORDER BY touched_at DESC) AS n \
               FROM sync_working_set WHERE mobile_user_id IN ({list})) AS ranked \
              WHERE n > {keep})"
        ),
        users,
    ))
    .await?;
    Ok(())
}

/// The row ids of the records in the user's working set, most recent first.
pub async fn working_set(
    db: &impl ConnectionTrait,
    mobile_user_id: i64,
) -> Result<Vec<i64>, DbErr> {
    sync_working_set::Entity::find()
        .select_only()
        .column(sync_working_set::Column::RecordPk)
        .filter(sync_working_set::Column::MobileUserId.eq(mobile_user_id))
        .order_by_desc(sync_working_set::Column::TouchedAt)
        .into_tuple()
        .all(db)
        .await
}
