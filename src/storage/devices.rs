//! Devices (docs/behaviour.md#active-devices): created by an administrator, each holding a seat of a DEVICE licence
//! ("Lic.#"), active once the device app registered with its code.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

use super::{
    Counting, FETCHED_THROUGH_INDEX, SeekOrder, contains_ci_on, count_up_to,
    entities::{clients, device_clients, devices, licenses},
    fetch_searching, fetch_seeking,
};
use crate::domain::{
    devices::{ClientChoice, ClientSelection, Functionality},
    lookups::ClientKind,
    paging::{Page, PageRequest},
    products::{LicenceTerms, Product, combined_limit},
};

/// A device as the administrator describes it (the device dialog, docs/behaviour.md#active-devices).
#[derive(Debug, Clone)]
pub struct DeviceSettings {
    pub team_id: i64,
    /// `None`: the team's default.
    pub time_zone: Option<String>,
    pub license_id: Option<i64>,
    pub nickname: String,
    pub description: Option<String>,
    pub clients: ClientChoice,
    pub functionality: Functionality,
}

/// The organization's DEVICE licences valid today.
pub async fn device_licences(
    db: &impl ConnectionTrait,
    organization_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<licenses::Model>, DbErr> {
    let today = now.date_naive();
    Ok(
        super::licenses::of_product(db, organization_id, Product::Device)
            .await?
            .into_iter()
            .filter(|l| l.terms().is_valid_on(today))
            .collect(),
    )
}

/// Devices of the organization holding a seat of the licence.
pub async fn seats_used(
    db: &impl ConnectionTrait,
    organization_id: i64,
    license_id: i64,
) -> Result<u64, DbErr> {
    devices::Entity::find()
        .filter(devices::Column::OrganizationId.eq(organization_id))
        .filter(devices::Column::LicenseId.eq(license_id))
        .count(db)
        .await
}

/// Inserts a device with its assigned clients (the caller has checked the settings and
/// taken the seat).
pub async fn insert(
    db: &impl ConnectionTrait,
    organization_id: i64,
    settings: DeviceSettings,
    now: DateTime<Utc>,
) -> Result<devices::Model, DbErr> {
    let device = devices::ActiveModel {
        organization_id: Set(organization_id),
        platform: Set(None),
        os_type: Set(None),
        app_version: Set(None),
        device_name: Set(None),
        device_identifier: Set(None),
        token_hash: Set(None),
        registered_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    };
    let device = settle(device, &settings, now).insert(db).await?;
    assign_clients(db, device.id, &settings.clients.assigned).await?;
    Ok(device)
}

/// Writes the device's new settings and assigned clients (the caller has checked them and
/// taken a new licence's seat; the old one is free once the row names the new licence).
pub async fn update(
    db: &impl ConnectionTrait,
    device: &devices::Model,
    settings: DeviceSettings,
    now: DateTime<Utc>,
) -> Result<devices::Model, DbErr> {
    let updated = settle(device.clone().into(), &settings, now)
        .update(db)
        .await?;
    device_clients::Entity::delete_many()
        .filter(device_clients::Column::DeviceId.eq(device.id))
        .exec(db)
        .await?;
    assign_clients(db, device.id, &settings.clients.assigned).await?;
    Ok(updated)
}

/// How many of `ids` are wholesale clients of the organization.
pub async fn wholesale_clients_among(
    db: &impl ConnectionTrait,
    organization_id: i64,
    ids: &[i64],
) -> Result<u64, DbErr> {
    clients::Entity::find()
        .filter(clients::Column::OrganizationId.eq(organization_id))
        .filter(clients::Column::Kind.eq(ClientKind::Wholesale))
        .filter(clients::Column::Id.is_in(ids.iter().copied()))
        .count(db)
        .await
}

/// The settings written onto the row.
fn settle(
    mut device: devices::ActiveModel,
    settings: &DeviceSettings,
    now: DateTime<Utc>,
) -> devices::ActiveModel {
    device.team_id = Set(settings.team_id);
    device.time_zone = Set(settings.time_zone.clone());
    device.license_id = Set(settings.license_id);
    device.nickname = Set(settings.nickname.clone());
    device.description = Set(settings.description.clone());
    device.client_type = Set(settings.clients.selection.key().to_owned());
    device.all_clients = Set(settings.clients.all);
    device.include_area = Set(settings.clients.include_area);
    device.functionality = Set(settings.functionality.stored());
    device.changed_at = Set(now);
    device
}

async fn assign_clients(
    db: &impl ConnectionTrait,
    device_id: i64,
    clients: &[i64],
) -> Result<(), DbErr> {
    if clients.is_empty() {
        return Ok(());
    }
    device_clients::Entity::insert_many(clients.iter().map(|&client_id| {
        device_clients::ActiveModel {
            device_id: Set(device_id),
            client_id: Set(client_id),
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// The ids of the device's assigned clients.
pub async fn assigned_clients(
    db: &impl ConnectionTrait,
    device_id: i64,
) -> Result<Vec<i64>, DbErr> {
    device_clients::Entity::find()
        .select_only()
        .column(device_clients::Column::ClientId)
        .filter(device_clients::Column::DeviceId.eq(device_id))
        .into_tuple()
        .all(db)
        .await
}

/// The device's Clients tab as stored.
pub async fn client_choice(
    db: &impl ConnectionTrait,
    device: &devices::Model,
) -> Result<ClientChoice, DbErr> {
    Ok(ClientChoice {
        selection: ClientSelection::parse(&device.client_type).unwrap_or_default(),
        all: device.all_clients,
        assigned: assigned_clients(db, device.id).await?,
        include_area: device.include_area,
    })
}

pub async fn find_in(
    db: &impl ConnectionTrait,
    organization_id: i64,
    id: i64,
) -> Result<Option<devices::Model>, DbErr> {
    devices::Entity::find_by_id(id)
        .filter(devices::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await
}

/// The registered device whose token has this hash (none for a revoked or unknown token).
pub async fn find_by_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<devices::Model>, DbErr> {
    devices::Entity::find()
        .filter(devices::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

pub async fn delete(db: &impl ConnectionTrait, device: &devices::Model) -> Result<(), DbErr> {
    devices::Entity::delete_by_id(device.id).exec(db).await?;
    Ok(())
}

/// "Licenses Total / Licenses Free" of the Active Devices page: the seats of the DEVICE
/// licences valid today, and how many of them no device holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatSummary {
    pub total: u64,
    pub free: u64,
}

/// Each valid DEVICE licence with its free seats, and the summary.
pub async fn seats(
    db: &impl ConnectionTrait,
    organization_id: i64,
    now: DateTime<Utc>,
) -> Result<(Vec<(licenses::Model, u64)>, SeatSummary), DbErr> {
    let valid = device_licences(db, organization_id, now).await?;
    let terms: Vec<LicenceTerms> = valid.iter().map(licenses::Model::terms).collect();
    let total = u64::from(combined_limit(Product::Device, &terms, now.date_naive()));
    let mut with_free = Vec::new();
    let mut used = 0;
    for licence in valid {
        let taken = seats_used(db, organization_id, licence.id).await?;
        used += taken;
        let free = u64::from(licence.terms().limit).saturating_sub(taken);
        with_free.push((licence, free));
    }
    Ok((
        with_free,
        SeatSummary {
            total,
            free: total.saturating_sub(used),
        },
    ))
}

/// Registered devices (`pending` false) or those still waiting for their code, matching
/// `search` in the team, licence number, nickname, platform or version. On SQLite a search
/// is counted up to `COUNT_CAP` matches only ("more than 1 000").
pub async fn list(
    db: &impl ConnectionTrait,
    organization_id: i64,
    pending: bool,
    search: &str,
    request: PageRequest,
) -> Result<Page<devices::Model>, DbErr> {
    let query = devices::Entity::find()
        .filter(devices::Column::OrganizationId.eq(organization_id))
        .filter(if pending {
            devices::Column::RegisteredAt.is_null()
        } else {
            devices::Column::RegisteredAt.is_not_null()
        });
    // Newest change first, seeking along (organization, changed_at): for registered devices
    // the partial index of `list_walk_indexes`, for pending ones (organization,
    // registered_at, changed_at).
    let order = SeekOrder {
        key: Expr::col((devices::Entity, devices::Column::ChangedAt)),
        id: devices::Column::Id,
        descending: true,
    };
    let search = search.trim();
    if search.is_empty() {
        // Counted from the (organization, registered_at) index alone.
        return fetch_seeking(db, query, &order, request, Counting::Exact).await;
    }
    match matching(db, organization_id, search).await? {
        // PostgreSQL counts every match: its bitmap of the trigram and id indexes makes that
        // cheap, while a LIMIT inside the count makes it prefer a plan that reads the table.
        Matching::Where(condition) => {
            let counting = if db.get_database_backend() == DbBackend::Postgres {
                Counting::Exact
            } else {
                Counting::Capped
            };
            fetch_seeking(db, query.filter(condition), &order, request, counting).await
        }
        Matching::Ids(ids) => {
            let by_index = query.clone().filter(ids.condition(false));
            let by_row = query.filter(ids.condition(true));
            let found = count_up_to(db, by_index.clone(), FETCHED_THROUGH_INDEX).await?;
            fetch_searching(db, Some(found), false, by_index, by_row, &order, request).await
        }
    }
}

impl super::RowId for devices::Model {
    fn row_id(&self) -> i64 {
        self.id
    }
}

/// How the devices matching a search are found.
enum Matching {
    /// A condition on the row (PostgreSQL, whose planner combines the trigram and id indexes
    /// by itself; or text too short for a trigram).
    Where(Condition),
    /// SQLite: the ids of the matches, from the FTS5 trigram index and the id indexes.
    Ids(MatchingIds),
}

struct MatchingIds {
    /// `SELECT rowid … UNION SELECT id …`, with one `?`: the FTS5 query.
    union: String,
    phrase: String,
    /// The same test on the row itself (LIKE), for reading devices in order.
    scan: Condition,
}

impl MatchingIds {
    /// `id IN (…)` from the indexes; with `walk`, the test on each row instead, so that
    /// SQLite reads the devices in the page's order and stops once the page is full (the
    /// ids of tens of thousands of matches are not collected for it).
    fn condition(&self, walk: bool) -> Condition {
        if walk {
            return self.scan.clone();
        }
        Condition::all().add(Expr::cust_with_values(
            format!("\"devices\".\"id\" IN ({})", self.union),
            [self.phrase.clone()],
        ))
    }
}

/// Devices whose team name or licence number contains `search` (both looked up first: an
/// organization has few of them, so the devices are then found by index), or whose nickname,
/// platform or version does, through the trigram indexes of the `device_search` migration.
async fn matching(
    db: &impl ConnectionTrait,
    organization_id: i64,
    search: &str,
) -> Result<Matching, DbErr> {
    use sea_orm::IntoSimpleExpr;
    let needle = search.to_lowercase();
    let team_ids: Vec<i64> = super::lookups::all_teams(db, organization_id)
        .await?
        .into_iter()
        .filter(|t| t.name.to_lowercase().contains(&needle))
        .map(|t| t.id)
        .collect();
    let license_ids: Vec<i64> = super::licenses::of_product(db, organization_id, Product::Device)
        .await?
        .into_iter()
        .filter(|l| l.licence_id.to_lowercase().contains(&needle))
        .map(|l| l.id)
        .collect();
    let backend = db.get_database_backend();
    let mut any = Condition::any();
    if !team_ids.is_empty() {
        any = any.add(devices::Column::TeamId.is_in(team_ids.iter().copied()));
    }
    if !license_ids.is_empty() {
        any = any.add(devices::Column::LicenseId.is_in(license_ids.iter().copied()));
    }
    for column in [
        devices::Column::Nickname,
        devices::Column::Platform,
        devices::Column::AppVersion,
    ] {
        any = any.add(
            if backend == DbBackend::Postgres && search.chars().count() < 3 {
                // Text too short for a trigram: strpos, so that a reused (generic) plan does not
                // walk the whole trigram index instead of the table (100 ms instead of 40).
                Expr::cust_with_exprs(
                    "strpos(lower($1), $2) > 0",
                    [column.into_simple_expr(), Expr::val(needle.clone())],
                )
            } else {
                contains_ci_on(backend, column.into_simple_expr(), search)
            },
        );
    }
    // Trigram indexes need three characters; shorter text is looked for by a scan (it
    // matches many devices, so the first page fills quickly).
    if backend == DbBackend::Sqlite && search.chars().count() >= 3 {
        // One set of ids from the text index and the two id lists: SQLite then fetches
        // exactly those rows instead of testing every device against an OR.
        let mut union = "SELECT rowid FROM devices_search WHERE devices_search MATCH ?".to_owned();
        for (column, ids) in [("team_id", &team_ids), ("license_id", &license_ids)] {
            if !ids.is_empty() {
                let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                union.push_str(&format!(
                    " UNION SELECT id FROM devices WHERE organization_id = {organization_id} \
                     AND {column} IN ({})",
                    ids.join(", ")
                ));
            }
        }
        // The organization's token, and the text as typed as a phrase found anywhere in any
        // of the three columns.
        let phrase = format!(
            "organization : \"[{organization_id}]\" AND {{nickname platform app_version}} : \"{}\"",
            search.replace('"', "\"\"")
        );
        return Ok(Matching::Ids(MatchingIds {
            union,
            phrase,
            scan: any,
        }));
    }
    Ok(Matching::Where(any))
}

/// How many devices of the organization run each app version, most first. A version is
/// reported at registration, so this counts registered devices — from the index on
/// (organization, version) alone.
pub async fn versions(
    db: &impl ConnectionTrait,
    organization_id: i64,
) -> Result<Vec<(String, i64)>, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let mut counts: Vec<(String, i64)> = devices::Entity::find()
        .select_only()
        .column(devices::Column::AppVersion)
        // count(*), not count(id): answered from the index alone, without reading rows.
        .column_as(Expr::col(sea_orm::sea_query::Asterisk).count(), "devices")
        .filter(devices::Column::OrganizationId.eq(organization_id))
        .filter(devices::Column::AppVersion.is_not_null())
        .group_by(devices::Column::AppVersion)
        .into_tuple()
        .all(db)
        .await?;
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(counts)
}

/// Up to `limit` devices of the organization with an id above `after`, by id: the Devices
/// Report reads the table in such batches, so it never holds more than one in memory.
pub async fn batch_after(
    db: &impl ConnectionTrait,
    organization_id: i64,
    after: i64,
    limit: u64,
) -> Result<Vec<devices::Model>, DbErr> {
    devices::Entity::find()
        .filter(devices::Column::OrganizationId.eq(organization_id))
        .filter(devices::Column::Id.gt(after))
        .order_by_asc(devices::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
