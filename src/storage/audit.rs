//! The audit log (docs/behaviour.md#tenancy): who changed what, when, in which organization, before → after.

use chrono::{DateTime, NaiveDate, Utc};
use migrations::search_text;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use serde::Serialize;

use super::{SeekOrder, entities::audit_log, text_search};
use crate::domain::{
    audit::AuditAction,
    paging::{Page, PageRequest},
};

/// Who made a change: an administrator, the command line, the setup page, or a service.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub label: String,
}

impl Actor {
    pub fn administrator(id: i64, email: &str) -> Self {
        Self {
            id: Some(id),
            label: email.to_owned(),
        }
    }

    pub fn command_line() -> Self {
        Self::system("command line")
    }

    pub fn system(label: &str) -> Self {
        Self {
            id: None,
            label: label.to_owned(),
        }
    }
}

/// One change to record. `before`/`after` are any serialisable snapshot.
pub struct Change {
    pub organization_id: Option<i64>,
    pub action: AuditAction,
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Change {
    pub fn new(
        organization_id: Option<i64>,
        action: AuditAction,
        target: impl Into<String>,
    ) -> Self {
        Self {
            organization_id,
            action,
            target: target.into(),
            before: None,
            after: None,
        }
    }

    pub fn before(mut self, snapshot: &impl Serialize) -> Self {
        self.before = serde_json::to_value(snapshot).ok();
        self
    }

    pub fn after(mut self, snapshot: &impl Serialize) -> Self {
        self.after = serde_json::to_value(snapshot).ok();
        self
    }
}

pub async fn record(db: &impl ConnectionTrait, actor: &Actor, change: Change) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        at: Set(Utc::now()),
        organization_id: Set(change.organization_id),
        actor_id: Set(actor.id),
        actor: Set(actor.label.clone()),
        action: Set(change.action.as_str().to_owned()),
        target: Set(change.target),
        before: Set(change.before.map(|v| v.to_string())),
        after: Set(change.after.map(|v| v.to_string())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// `None` means every organization (operators only), including global entries.
    pub organization_id: Option<i64>,
    pub text: String,
    pub actor: String,
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// What the Audit page's filter keeps, its texts found through the index of the
/// `large_lists` migration (`by_index`) or tested on each entry.
fn condition(backend: DbBackend, filter: &AuditFilter, by_index: bool) -> Condition {
    use audit_log::Column;
    let mut condition = Condition::all();
    if let Some(org) = filter.organization_id {
        condition = condition.add(Column::OrganizationId.eq(org));
    }
    let texts = search_parts(filter);
    if by_index {
        condition = condition.add(text_search::matches(
            backend,
            &search_index(filter),
            Column::Id,
            &texts,
        ));
    } else {
        for (_, expression, text) in texts {
            if !text.is_empty() {
                condition = condition.add(text_search::row_contains(backend, expression, text));
            }
        }
    }
    if let Some(from) = filter.from {
        condition = condition.add(Column::At.gte(start_of(from)));
    }
    if let Some(until) = filter.until.and_then(|d| d.succ_opt()) {
        condition = condition.add(Column::At.lt(start_of(until)));
    }
    condition
}

fn search_index(filter: &AuditFilter) -> text_search::Index {
    text_search::Index {
        name: "audit_search",
        organization_id: filter.organization_id,
    }
}

fn search_parts(filter: &AuditFilter) -> [(&'static str, &'static str, &str); 2] {
    [
        ("text", search_text::AUDIT_TEXT, filter.text.trim()),
        ("actor", search_text::AUDIT_ACTOR, filter.actor.trim()),
    ]
}

impl super::RowId for audit_log::Model {
    fn row_id(&self) -> i64 {
        self.id
    }
}

/// A page of the Audit page, newest first: it seeks, and counts up to `COUNT_CAP`.
pub async fn search(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    request: PageRequest,
) -> Result<Page<audit_log::Model>, DbErr> {
    use audit_log::Column;
    let backend = db.get_database_backend();
    let order = SeekOrder {
        key: Expr::col((audit_log::Entity, Column::At)),
        id: Column::Id,
        descending: true,
    };
    let find = |by_index| audit_log::Entity::find().filter(condition(backend, filter, by_index));
    let in_index = text_search::count_in_index(
        db,
        &search_index(filter),
        &search_parts(filter),
        super::FETCHED_THROUGH_INDEX,
    )
    .await?;
    // Dates narrow the matches further; short texts are tested on the rows.
    let filtered = filter.from.is_some()
        || filter.until.is_some()
        || search_parts(filter)
            .iter()
            .any(|(_, _, text)| !text.is_empty() && !text_search::indexed(text));
    super::fetch_searching(
        db,
        in_index,
        filtered,
        find(true),
        find(false),
        &order,
        request,
    )
    .await
}

/// The export's batches: up to `limit` entries of `filter` written before the entry `before`
/// (by id; all when `None`), newest first. Each batch seeks from the last, so the export
/// costs the same per entry however long it is.
pub async fn batch_before(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<audit_log::Model>, DbErr> {
    use audit_log::Column;
    let backend = db.get_database_backend();
    let mut query = audit_log::Entity::find().filter(condition(backend, filter, true));
    if let Some(before) = before {
        query = query.filter(Column::Id.lt(before));
    }
    query.order_by_desc(Column::Id).limit(limit).all(db).await
}

/// Deletes up to `limit` of the oldest entries written before `cutoff` (through the index on
/// `at`); returns how many went.
pub async fn prune_before(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    limit: u64,
) -> Result<u64, DbErr> {
    use audit_log::Column;
    let ids: Vec<i64> = audit_log::Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::At.lt(cutoff))
        .order_by_asc(Column::At)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let deleted = audit_log::Entity::delete_many()
        .filter(Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}
