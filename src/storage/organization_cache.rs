//! What the licence check needs of an organization — the organization, its settings, its
//! valid MOBILE licences and the state of every mobile user — kept in each instance's
//! memory, so that the check of a known user needs no database round trip.
//!
//! The database stays the only truth. An instance looks again once its copy is older than
//! the time to live (`LICENSEDESK_CACHE_TTL_MS`, 1 s); while one check does that, the others
//! go on answering from the copy until it is twice that old. A look rereads the
//! organization row, settings and licences, and fetches only the mobile users changed since
//! the last look. Every change to a mobile user stamps the row with the organization's next
//! `users_version` (`mobile_users::next_version`, taken under the organization's row lock,
//! so stamps become visible in the order they were taken); a deletion also moves
//! `users_reset_version`, after which the users are loaded afresh. So a change made on any
//! instance reaches every instance's checks within about twice the time to live, and seats
//! are never taken on cached facts (`license_check::lock_mobile_seats` counts afresh under
//! the lock).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, RwLock},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use super::{
    entities::{licenses, mobile_users, organization_settings, organizations},
    settings,
};
use crate::domain::{
    ids::Guid,
    license_check::{KnownUser, UserState},
};

/// The organization-wide facts of the check.
pub struct OrganizationFacts {
    pub organization: organizations::Model,
    pub settings: organization_settings::Model,
    /// Nominal MOBILE licences valid at the time of the last look.
    pub valid: Vec<licenses::Model>,
    /// Whether the organization has any nominal MOBILE licence at all.
    pub any: bool,
}

/// A mobile user as the check sees it.
#[derive(Debug, Clone, Copy)]
pub struct CachedUser {
    /// The row id, for the last-sync bookkeeping.
    pub id: i64,
    pub known: KnownUser,
}

impl CachedUser {
    pub fn from_row(row: &mobile_users::Model) -> Self {
        Self {
            id: row.id,
            known: KnownUser {
                state: row.state,
                temporary_license_until: row.temporary_license_until,
            },
        }
    }
}

/// The answer of the cache for one check.
pub enum Lookup {
    UnknownOrganization,
    Organization {
        facts: Arc<OrganizationFacts>,
        /// `None` when the user was not there at the last look (they may have arrived
        /// since: ask the database before treating them as new).
        user: Option<CachedUser>,
        /// Answered from an old copy because the database could not be reached: a user the
        /// copy does not know cannot be served now.
        database_away: bool,
    },
}

struct Snapshot {
    taken: Instant,
    facts: Option<Arc<OrganizationFacts>>,
    users: HashMap<Guid, CachedUser>,
}

impl Snapshot {
    fn lookup(&self, user: Guid) -> Lookup {
        match &self.facts {
            None => Lookup::UnknownOrganization,
            Some(facts) => Lookup::Organization {
                facts: facts.clone(),
                user: self.users.get(&user).copied(),
                database_away: false,
            },
        }
    }
}

#[derive(Default)]
struct Entry {
    /// One refresh at a time per organization; the others wait and use its result.
    refresh: tokio::sync::Mutex<()>,
    snapshot: RwLock<Option<Snapshot>>,
    /// When the last refresh failed because the database was unavailable; `None` once one
    /// succeeds.
    failed_at: Mutex<Option<Instant>>,
}

impl Entry {
    /// The snapshot's answer if it is younger than `age`.
    fn younger_than(&self, now: Instant, age: Duration, user: Guid) -> Option<Lookup> {
        let snapshot = self.snapshot.read().ok()?;
        snapshot
            .as_ref()
            .filter(|s| now.saturating_duration_since(s.taken) < age)
            .map(|s| s.lookup(user))
    }

    /// While the last look at the database failed: the copy's answer if it is younger than
    /// `grace`, marked as such.
    fn during_outage(&self, now: Instant, grace: Duration, user: Guid) -> Option<Lookup> {
        self.failed_at()?;
        self.younger_than(now, grace, user)
            .map(|found| match found {
                Lookup::Organization { facts, user, .. } => Lookup::Organization {
                    facts,
                    user,
                    database_away: true,
                },
                other => other,
            })
    }

    fn failed_at(&self) -> Option<Instant> {
        *self
            .failed_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The last failure is older than `RETRY_AFTER_FAILURE`.
    fn retry_due(&self, now: Instant) -> bool {
        self.failed_at()
            .is_some_and(|at| now.saturating_duration_since(at) >= RETRY_AFTER_FAILURE)
    }

    fn set_failed(&self, now: Instant, failed: bool) {
        *self
            .failed_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = failed.then_some(now);
    }
}

/// While the database is away, how often one check per organization tries it again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// How long known users are answered from an instance's copy while the database cannot be
/// reached (`LICENSEDESK_OUTAGE_GRACE_SECS`).
pub const DEFAULT_OUTAGE_GRACE: Duration = Duration::from_secs(600);

pub struct OrganizationCache {
    ttl: Duration,
    /// How old a copy may be and still answer while the database is unavailable: the backup
    /// server of docs/behaviour.md#read-only-replica inside every instance. Nothing is created meanwhile: a user the copy
    /// does not know needs the database.
    outage_grace: Duration,
    entries: Mutex<HashMap<Guid, Arc<Entry>>>,
    clock: Clock,
}

/// Where the cache reads the time: the system's monotonic clock, or one a test moves by hand
/// (`Clock::manual`), so that tests of the time to live and the outage grace need no sleeps.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<Mutex<Instant>>>);

impl Clock {
    pub fn manual() -> Self {
        Self(Some(Arc::new(Mutex::new(Instant::now()))))
    }

    /// Moves a manual clock on; a system clock moves by itself.
    pub fn advance(&self, by: Duration) {
        if let Some(now) = &self.0 {
            *now.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) += by;
        }
    }

    pub fn now(&self) -> Instant {
        match &self.0 {
            Some(now) => *now
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            None => Instant::now(),
        }
    }
}

impl OrganizationCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            outage_grace: DEFAULT_OUTAGE_GRACE,
            entries: Mutex::default(),
            clock: Clock::default(),
        }
    }

    /// The same cache reading the time from `clock` (tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_outage_grace(mut self, grace: Duration) -> Self {
        self.outage_grace = grace;
        self
    }

    pub async fn lookup(
        &self,
        db: &DatabaseConnection,
        organization: Guid,
        user: Guid,
        now: DateTime<Utc>,
    ) -> Result<Lookup, DbErr> {
        let entry = {
            let mut entries = self
                .entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            entries.entry(organization).or_default().clone()
        };
        let clock_now = self.clock.now();
        if let Some(found) = entry.younger_than(clock_now, self.ttl, user) {
            return Ok(found);
        }
        // The database failed at the last look: a user the copy knows is answered from it at
        // once, while a task in the background tries the database again now and then. A
        // user it does not know is refused at once too — unless a retry is due, which this
        // check then makes itself (the database may be back).
        if let Some(found) = entry.during_outage(clock_now, self.outage_grace, user) {
            let in_copy = !matches!(found, Lookup::Organization { user: None, .. });
            if in_copy {
                retry_in_background(&entry, db, organization, &self.clock);
                return Ok(found);
            }
            if !entry.retry_due(clock_now) {
                return Ok(found);
            }
        }
        let _refreshing = match entry.refresh.try_lock() {
            Ok(guard) => guard,
            Err(_) => {
                // While one check refreshes, the others answer from the copy they have
                // unless it is more than twice the time to live old: a busy database slows
                // one check per organization, not all of them.
                if let Some(found) = entry.younger_than(self.clock.now(), self.ttl * 2, user) {
                    return Ok(found);
                }
                let guard = entry.refresh.lock().await;
                // The refresh this check waited for may be all it needs.
                let now = self.clock.now();
                if let Some(found) = entry
                    .younger_than(now, self.ttl, user)
                    .or_else(|| entry.during_outage(now, self.outage_grace, user))
                {
                    return Ok(found);
                }
                guard
            }
        };
        match refresh(&entry, db, organization, user, now, self.clock.now()).await {
            Ok(found) => {
                entry.set_failed(self.clock.now(), false);
                Ok(found)
            }
            Err(error) if super::is_unavailable(&error) => {
                let now = self.clock.now();
                entry.set_failed(now, true);
                tracing::warn!(%error, %organization, "database unavailable: licence checks of known users answered from this instance's copy");
                entry
                    .during_outage(now, self.outage_grace, user)
                    .ok_or(error)
            }
            Err(error) => Err(error),
        }
    }
}

/// During an outage, one look at the database per organization and `RETRY_AFTER_FAILURE`,
/// off the request path; it ends the outage for this organization when it succeeds.
fn retry_in_background(
    entry: &Arc<Entry>,
    db: &DatabaseConnection,
    organization: Guid,
    clock: &Clock,
) {
    if !entry.retry_due(clock.now()) {
        return;
    }
    // Counts as the latest failure until the retry says otherwise: no second retry starts
    // within `RETRY_AFTER_FAILURE`.
    entry.set_failed(clock.now(), true);
    let (entry, db, clock) = (entry.clone(), db.clone(), clock.clone());
    tokio::spawn(async move {
        let Ok(_refreshing) = entry.refresh.try_lock() else {
            return;
        };
        match refresh(
            &entry,
            &db,
            organization,
            organization,
            Utc::now(),
            clock.now(),
        )
        .await
        {
            Ok(_) => {
                entry.set_failed(clock.now(), false);
                tracing::info!(%organization, "database reachable again: licence checks use it");
            }
            Err(error) => {
                entry.set_failed(clock.now(), true);
                tracing::debug!(%error, %organization, "database still unavailable");
            }
        }
    });
}

/// Reads the organization again (its changed users only, when it can) and stores the copy.
async fn refresh(
    entry: &Entry,
    db: &impl ConnectionTrait,
    organization: Guid,
    user: Guid,
    now: DateTime<Utc>,
    taken: Instant,
) -> Result<Lookup, DbErr> {
    let known_version = entry.snapshot.read().ok().and_then(|snapshot| {
        let facts = snapshot.as_ref()?.facts.as_ref()?;
        Some((facts.organization.id, facts.organization.users_version))
    });
    let Some(organization) = organizations::Entity::find()
        .filter(organizations::Column::OrganizationId.eq(organization.to_string()))
        .one(db)
        .await?
    else {
        let snapshot = Snapshot {
            taken,
            facts: None,
            users: HashMap::new(),
        };
        let found = snapshot.lookup(user);
        store(entry, snapshot);
        return Ok(found);
    };
    let settings = settings::get(db, organization.id).await?;
    let (valid, any) = super::mobile_seats::mobile_licences(db, organization.id, now).await?;
    // The organization row was read first: rows stamped after it are fetched too, and
    // fetched again next time, which does no harm.
    let since = known_version
        .filter(|&(id, version)| {
            id == organization.id && organization.users_reset_version <= version
        })
        .map(|(_, version)| version);
    let changed = if since == Some(organization.users_version) {
        Vec::new()
    } else {
        users_changed_since(db, organization.id, since).await?
    };
    let facts = Arc::new(OrganizationFacts {
        organization,
        settings,
        valid,
        any,
    });
    let mut slot = entry
        .snapshot
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut users = match (since, slot.take()) {
        (Some(_), Some(previous)) => previous.users,
        _ => HashMap::new(),
    };
    for (guid, user) in changed {
        match user {
            Some(user) => users.insert(guid, user),
            None => users.remove(&guid),
        };
    }
    let snapshot = Snapshot {
        taken,
        facts: Some(facts),
        users,
    };
    let found = snapshot.lookup(user);
    *slot = Some(snapshot);
    Ok(found)
}

fn store(entry: &Entry, snapshot: Snapshot) {
    *entry
        .snapshot
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(snapshot);
}

/// The organization's users stamped after `since` (all of them for `None`); `None` for a
/// row the check cannot use.
async fn users_changed_since(
    db: &impl ConnectionTrait,
    organization_id: i64,
    since: Option<i64>,
) -> Result<Vec<(Guid, Option<CachedUser>)>, DbErr> {
    let mut query = mobile_users::Entity::find()
        .select_only()
        .columns([
            mobile_users::Column::Id,
            mobile_users::Column::UserId,
            mobile_users::Column::State,
            mobile_users::Column::TemporaryLicenseUntil,
        ])
        .filter(mobile_users::Column::OrganizationId.eq(organization_id));
    if let Some(since) = since {
        query = query.filter(mobile_users::Column::Version.gt(since));
    }
    let rows: Vec<(i64, String, String, Option<DateTime<Utc>>)> =
        query.into_tuple().all(db).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, user_id, state, temporary_license_until)| {
            let guid = Guid::parse(&user_id).ok()?;
            let user = UserState::parse(&state).map(|state| CachedUser {
                id,
                known: KnownUser {
                    state,
                    temporary_license_until,
                },
            });
            Some((guid, user))
        })
        .collect())
}
