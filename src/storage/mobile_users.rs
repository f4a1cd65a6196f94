//! Mobile users (docs/behaviour.md#mobile-users). The Mobile Users page and the licence check build on this.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use super::entities::mobile_users::{self, Column, Entity, Model};
use migrations::search_text;

use crate::domain::license_check::UserState;

pub async fn find_in(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: i64,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id)
        .filter(Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

/// By the GUID the client sends (stored lower-case).
pub async fn find_by_user_id(
    db: &impl ConnectionTrait,
    organization_id: i64,
    user_id: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::UserId.eq(user_id.trim().to_lowercase()))
        .one(db)
        .await
}

/// Takes the organization's next change stamp for its mobile users (`deletion` also marks
/// that cached copies must be loaded afresh; see `organization_cache`). Call it in the
/// transaction that makes the change: the organization row stays locked until it ends, so
/// stamps become visible in the order they were taken.
pub async fn next_version(
    db: &impl ConnectionTrait,
    organization_id: i64,
    deletion: bool,
) -> Result<i64, DbErr> {
    use super::entities::organizations;
    let next = Expr::col(organizations::Column::UsersVersion).add(1);
    let mut update = organizations::Entity::update_many()
        .col_expr(organizations::Column::UsersVersion, next.clone())
        .filter(organizations::Column::Id.eq(organization_id));
    if deletion {
        update = update.col_expr(organizations::Column::UsersResetVersion, next);
    }
    update
        .exec_with_returning(db)
        .await?
        .first()
        .map(|organization| organization.users_version)
        .ok_or_else(|| DbErr::RecordNotFound(format!("organization {organization_id}")))
}

/// Creates a user directly (tests, demo data); the Mobile Users page adds its own checks.
pub async fn insert(
    db: &impl ConnectionTrait,
    organization_id: i64,
    user_id: &str,
    display_name: Option<&str>,
    state: UserState,
) -> Result<Model, DbErr> {
    mobile_users::ActiveModel {
        organization_id: Set(organization_id),
        user_id: Set(user_id.trim().to_lowercase()),
        display_name: Set(display_name.map(str::to_owned)),
        email: Set(None),
        state: Set(state),
        created_at: Set(Utc::now()),
        last_sync_at: Set(None),
        device_info: Set(None),
        app_version: Set(None),
        temporary_license_until: Set(None),
        version: Set(next_version(db, organization_id, false).await?),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn set_state(
    db: &impl ConnectionTrait,
    user: &Model,
    state: UserState,
) -> Result<(), DbErr> {
    let version = next_version(db, user.organization_id, false).await?;
    Entity::update_many()
        .col_expr(Column::State, Expr::value(state))
        .col_expr(Column::Version, Expr::value(version))
        .filter(Column::Id.eq(user.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Columns the Mobile Users table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    Name,
    UserId,
    Email,
    State,
    LastSync,
    AppVersion,
}

impl UserSort {
    pub fn parse(key: &str) -> Self {
        match key {
            "user_id" => Self::UserId,
            "email" => Self::Email,
            "state" => Self::State,
            "last_sync" => Self::LastSync,
            "version" => Self::AppVersion,
            _ => Self::Name,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::UserId => "user_id",
            Self::Email => "email",
            Self::State => "state",
            Self::LastSync => "last_sync",
            Self::AppVersion => "version",
        }
    }

    /// What the users are ordered by: never NULL, so that pages can seek along it (a
    /// missing name, email or version sorts as empty, first; a user who never synced as
    /// the oldest sync). By name, the default, it is the index of `large_lists`.
    fn key_expression(self) -> sea_orm::sea_query::SimpleExpr {
        use sea_orm::sea_query::{Func, SimpleExpr};
        let or_empty = |column: Column| -> SimpleExpr {
            // A literal, not a bound value: the index is on this very expression.
            Func::coalesce([Expr::col((Entity, column)), Expr::cust("''")]).into()
        };
        match self {
            Self::Name => or_empty(Column::DisplayName),
            Self::UserId => Expr::col((Entity, Column::UserId)),
            Self::Email => or_empty(Column::Email),
            Self::State => Expr::col((Entity, Column::State)),
            Self::LastSync => Func::coalesce([
                Expr::col((Entity, Column::LastSyncAt)),
                Expr::val(chrono::DateTime::<Utc>::UNIX_EPOCH),
            ])
            .into(),
            Self::AppVersion => or_empty(Column::AppVersion),
        }
    }
}

/// Search (name, email, user id) and state filter of the Mobile Users pane.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub search: String,
    pub state: Option<UserState>,
}

/// The organization's users the filter matches (also the sync log's search by user): the
/// search through the text index of the `large_lists` migration.
pub(crate) fn filtered(
    backend: sea_orm::DbBackend,
    organization_id: i64,
    filter: &UserFilter,
) -> sea_orm::Select<Entity> {
    let query = unsearched(organization_id, filter);
    if filter.search.trim().is_empty() {
        return query;
    }
    query.filter(super::text_search::matches(
        backend,
        &search_index(organization_id),
        Column::Id,
        &search_parts(filter),
    ))
}

fn search_index(organization_id: i64) -> super::text_search::Index {
    super::text_search::Index {
        name: "mobile_users_search",
        organization_id: Some(organization_id),
    }
}

fn search_parts(filter: &UserFilter) -> [(&'static str, &'static str, &str); 1] {
    [("text", search_text::MOBILE_USER_TEXT, filter.search.trim())]
}

/// The filter without its search.
fn unsearched(organization_id: i64, filter: &UserFilter) -> sea_orm::Select<Entity> {
    let mut query = Entity::find().filter(Column::OrganizationId.eq(organization_id));
    if let Some(state) = &filter.state {
        query = query.filter(Column::State.eq(state.as_str()));
    }
    query
}

impl super::RowId for Model {
    fn row_id(&self) -> i64 {
        self.id
    }
}

pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: i64,
    filter: &UserFilter,
    sort: UserSort,
    descending: bool,
    request: crate::domain::paging::PageRequest,
) -> Result<crate::domain::paging::Page<Model>, DbErr> {
    let order = super::SeekOrder {
        key: sort.key_expression(),
        id: Column::Id,
        descending,
    };
    let backend = db.get_database_backend();
    let by_row = match filter.search.trim() {
        "" => unsearched(organization_id, filter),
        search => unsearched(organization_id, filter).filter(super::text_search::row_contains(
            backend,
            search_text::MOBILE_USER_TEXT,
            search,
        )),
    };
    let by_index = filtered(backend, organization_id, filter);
    let in_index = super::text_search::count_in_index(
        db,
        &search_index(organization_id),
        &search_parts(filter),
        super::FETCHED_THROUGH_INDEX,
    )
    .await?;
    let filtered = filter.state.is_some();
    super::fetch_searching(db, in_index, filtered, by_index, by_row, &order, request).await
}

/// Every user the filter matches (Export CSV).
pub async fn all_matching(
    db: &impl ConnectionTrait,
    organization_id: i64,
    filter: &UserFilter,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryOrder;
    filtered(db.get_database_backend(), organization_id, filter)
        .order_by_asc(Column::DisplayName)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// The organization's users with these ids (others are ignored).
pub async fn find_many(
    db: &impl ConnectionTrait,
    organization_id: i64,
    ids: &[i64],
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryOrder;
    // Oldest first, so a selection larger than the free seats is served in a stable order.
    Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::Id.is_in(ids.to_vec()))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

pub async fn delete(db: &impl ConnectionTrait, user: &Model) -> Result<(), DbErr> {
    next_version(db, user.organization_id, true).await?;
    Entity::delete_by_id(user.id).exec(db).await?;
    Ok(())
}

pub async fn set_email(db: &impl ConnectionTrait, user: &Model, email: &str) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Email, sea_orm::sea_query::Expr::value(email))
        .filter(Column::Id.eq(user.id))
        .exec(db)
        .await?;
    Ok(())
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
}

/// The organization's users among `user_ids`, by user id.
pub async fn find_by_user_ids(
    db: &impl ConnectionTrait,
    organization_id: i64,
    user_ids: &[String],
) -> Result<std::collections::HashMap<String, Model>, DbErr> {
    let mut existing = std::collections::HashMap::new();
    for chunk in user_ids.chunks(500) {
        for user in Entity::find()
            .filter(Column::OrganizationId.eq(organization_id))
            .filter(Column::UserId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            existing.insert(user.user_id.clone(), user);
        }
    }
    Ok(existing)
}

/// Writes imported rows: updates the users in `existing` (from `find_by_user_ids`), adds
/// the others. Pending users get a temporary licence of `temporary_license_days`.
pub async fn apply_import(
    db: &impl ConnectionTrait,
    organization_id: i64,
    rows: &[crate::domain::csv_import::ImportRow],
    existing: &std::collections::HashMap<String, Model>,
    temporary_license_days: i64,
) -> Result<ImportReport, DbErr> {
    let now = chrono::Utc::now();
    let version = next_version(db, organization_id, false).await?;
    let mut report = ImportReport {
        added: 0,
        updated: 0,
    };
    let mut inserts = Vec::new();
    for row in rows {
        let pending_until = (row.state == UserState::Pending)
            .then(|| now + chrono::Duration::days(temporary_license_days));
        match existing.get(&row.user_id.to_string()) {
            Some(user) => {
                let mut update = Entity::update_many()
                    .col_expr(Column::State, sea_orm::sea_query::Expr::value(row.state))
                    .col_expr(Column::Version, Expr::value(version))
                    .filter(Column::Id.eq(user.id));
                // A user who becomes Pending gets the temporary licence a new one gets; one
                // Pending already keeps the end of its own.
                if user.state != UserState::Pending {
                    update =
                        update.col_expr(Column::TemporaryLicenseUntil, Expr::value(pending_until));
                }
                if let Some(name) = &row.name {
                    update = update.col_expr(
                        Column::DisplayName,
                        sea_orm::sea_query::Expr::value(name.clone()),
                    );
                }
                if let Some(email) = &row.email {
                    update = update.col_expr(
                        Column::Email,
                        sea_orm::sea_query::Expr::value(email.to_string()),
                    );
                }
                update.exec(db).await?;
                report.updated += 1;
            }
            None => {
                inserts.push(mobile_users::ActiveModel {
                    organization_id: Set(organization_id),
                    user_id: Set(row.user_id.to_string()),
                    display_name: Set(row.name.clone()),
                    email: Set(row.email.as_ref().map(|e| e.to_string())),
                    state: Set(row.state),
                    created_at: Set(now),
                    last_sync_at: Set(None),
                    device_info: Set(None),
                    app_version: Set(None),
                    temporary_license_until: Set(pending_until),
                    version: Set(version),
                    ..Default::default()
                });
                report.added += 1;
            }
        }
    }
    while !inserts.is_empty() {
        let rest = inserts.split_off(inserts.len().min(500));
        Entity::insert_many(std::mem::replace(&mut inserts, rest))
            .exec(db)
            .await?;
    }
    Ok(report)
}

/// Enabled mobile users of an organization: the MOBILE seats taken.
pub async fn enabled_users(db: &impl ConnectionTrait, organization_id: i64) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::OrganizationId.eq(organization_id))
        .filter(Column::State.eq(UserState::Enabled))
        .count(db)
        .await
}
