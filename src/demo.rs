//! `licensedesk demo`: realistic data for trying the UI and for benchmarks. Creates a demo
//! vendor key pair in the data directory (trusted when no vendor key is configured — for
//! trying LicenseDesk out only), a few organizations, licences of every kind, mobile users,
//! teams, employees and devices, and the first organization's sync data (entities, access
//! profiles, records, a sync history). Running it again adds nothing that is already there.

mod sync;

use crate::domain::license_check::UserState;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{Duration, Utc};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use crate::{
    app,
    config::write_private,
    domain::audit::AuditAction,
    domain::{
        license_key::{LicenceKeyPayload, VendorSigningKey},
        organization::{OrganizationDetails, OrganizationGuid},
        products::Product,
    },
    storage::{
        self,
        audit::Actor,
        entities::{audit_log, devices, mobile_users, organizations},
    },
};

pub use crate::config::{DEMO_PUBLIC_KEY_FILE, demo_public_key};

const DEMO_PRIVATE_KEY_FILE: &str = "demo-vendor.key";

const ORGANIZATIONS: [(&str, &str, &str); 3] = [
    (
        "Northwind Field Service",
        "7c1f3a52-5d1e-4a8e-9a51-3f0d6f1b2a01",
        "https://crm.northwind.example",
    ),
    (
        "Contoso Utilities",
        "7c1f3a52-5d1e-4a8e-9a51-3f0d6f1b2a02",
        "https://contoso-utilities.example",
    ),
    (
        "Fabrikam Logistics",
        "7c1f3a52-5d1e-4a8e-9a51-3f0d6f1b2a03",
        "https://dynamics.fabrikam.example",
    ),
];

const FIRST_NAMES: [&str; 16] = [
    "Anna", "Ben", "Carla", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kira",
    "Lars", "Maya", "Nico", "Olga", "Paul",
];
const LAST_NAMES: [&str; 12] = [
    "Novak", "Schmidt", "García", "Okafor", "Larsen", "Dubois", "Rossi", "Kowalski", "Silva",
    "Berg", "Yilmaz", "Murphy",
];

pub struct DemoSize {
    pub users: usize,
    pub extra_licences: usize,
    /// Devices of the first organization; the second gets a hundredth, the third a
    /// thousandth (at least one each).
    pub devices: usize,
    /// Work orders of the first organization's sync demo.
    pub records: usize,
    /// Audit entries of the first organization, over the last year.
    pub audit: u64,
}

impl DemoSize {
    fn devices_of(&self, organization_index: usize) -> usize {
        match organization_index {
            0 => self.devices,
            1 => (self.devices / 100).max(1),
            _ => (self.devices / 1000).max(1),
        }
    }
}

fn demo_vendor(data_dir: &Path) -> anyhow::Result<VendorSigningKey> {
    let private: PathBuf = data_dir.join(DEMO_PRIVATE_KEY_FILE);
    if let Ok(text) = std::fs::read_to_string(&private) {
        return Ok(VendorSigningKey::parse(&text)?);
    }
    let key = VendorSigningKey::generate();
    write_private(&private, &key.to_base64())
        .with_context(|| format!("cannot write {}", private.display()))?;
    std::fs::write(
        data_dir.join(DEMO_PUBLIC_KEY_FILE),
        key.public_key().to_base64(),
    )?;
    Ok(key)
}

pub async fn fill(
    db: &DatabaseConnection,
    data_dir: &Path,
    size: DemoSize,
) -> anyhow::Result<Vec<organizations::Model>> {
    let vendor = demo_vendor(data_dir)?;
    let actor = Actor::system("demo");
    let today = Utc::now().date_naive();
    let mut made = Vec::new();
    for (index, (name, guid, url)) in ORGANIZATIONS.iter().enumerate() {
        let guid = OrganizationGuid::parse(guid)?;
        let organization = match storage::organizations::find_by_guid(db, guid).await? {
            Some(existing) => existing,
            None => {
                let trial = (index == 2).then(|| today + Duration::days(21));
                let details = OrganizationDetails::parse(name, url, trial)?;
                app::organizations::create(db, &actor, guid, details)
                    .await
                    .map_err(app::Error::into_anyhow)?
            }
        };
        // (product, limit, competitive, days since start, days left)
        let scale = u32::try_from(index + 1).unwrap_or(1);
        let mut plan: Vec<(Product, u32, bool, i64, i64)> = vec![
            (Product::Mobile, 25 * scale, false, 200, 165),
            (Product::Mobile, 10, false, 340, 9),
            (Product::Chat, 5, false, 100, 265),
            (Product::Email, 3, false, 30, 335),
            (Product::CallCenter, 10 * scale, true, 60, 305),
            (
                Product::Device,
                u32::try_from(size.devices_of(index))
                    .unwrap_or(u32::MAX)
                    .max(20),
                false,
                120,
                610,
            ),
            (Product::QualityAuditor, 4, false, 400, -35),
        ];
        for extra in 0..size.extra_licences / ORGANIZATIONS.len() {
            let product = Product::ALL[extra % Product::ALL.len()];
            let competitive = product.allows_competitive() && extra % 3 == 0;
            plan.push((
                product,
                5 + (extra as u32 % 20),
                competitive,
                30,
                90 + extra as i64,
            ));
        }
        for (number, (product, limit, competitive, since, left)) in plan.into_iter().enumerate() {
            // A stable licence id per organization and line, so a second run imports nothing new.
            let licence_id = uuid::Uuid::new_v5(
                &guid.into_uuid(),
                format!("demo-licence-{number}").as_bytes(),
            );
            let key = vendor.issue(&LicenceKeyPayload {
                licence_id,
                product,
                valid_from: today - Duration::days(since),
                valid_till: today + Duration::days(left),
                limit,
                competitive,
                organizations: vec![guid.into_uuid()],
                issued_at: Utc::now(),
            })?;
            app::licenses::import_key(db, &vendor.public_key(), &actor, &key, None)
                .await
                .map_err(app::Error::into_anyhow)?;
        }
        add_users(
            db,
            &organization,
            size.users / ORGANIZATIONS.len(),
            25 * (index + 1) + 10,
        )
        .await?;
        assign_chat_seats(db, &organization).await?;
        add_devices(db, &organization, size.devices_of(index)).await?;
        if index == 0 {
            sync::add(db, &organization, size.records).await?;
            add_audit(db, &organization, size.audit).await?;
        }
        made.push(organization);
    }
    // As after any bulk load: refresh the planner's statistics (and on PostgreSQL the
    // visibility map, which index-only counts need), so that the first queries on the new
    // rows are planned and run as they will be once autovacuum has passed a minute later.
    let refresh = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        "VACUUM ANALYZE"
    } else {
        "ANALYZE"
    };
    sea_orm::ConnectionTrait::execute_unprepared(db, refresh).await?;
    Ok(made)
}

/// Who the demo's audit entries name as actors.
const AUDIT_ACTORS: [&str; 4] = [
    "ada@demo.example",
    "ben@demo.example",
    "carla@demo.example",
    "admin3@example.com",
];

/// Rows per INSERT, and INSERTs per transaction, of the demo's audit entries.
const AUDIT_ROWS_PER_INSERT: u64 = 1_000;
const AUDIT_INSERTS_PER_TRANSACTION: u64 = 50;

/// `count` audit entries of the organization (fewer if some are there from an earlier
/// run), oldest a year ago: users enabled and disabled, teams renamed, settings changed.
async fn add_audit(
    db: &DatabaseConnection,
    organization: &organizations::Model,
    count: u64,
) -> anyhow::Result<()> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let existing = audit_log::Entity::find()
        .filter(audit_log::Column::OrganizationId.eq(organization.id))
        .filter(audit_log::Column::Actor.is_in(AUDIT_ACTORS))
        .count(db)
        .await?;
    let start = existing;
    if start >= count {
        return Ok(());
    }
    let year_ago = Utc::now() - Duration::days(365);
    let step_ms = (365 * 24 * 3600 * 1000 / count.max(1)).max(1);
    let entry = |n: u64| {
        let user = || {
            format!(
                "user {}",
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, &n.to_le_bytes())
            )
        };
        let state = |from: &str, to: &str| {
            (
                format!(r#"{{"state":"{from}"}}"#),
                format!(r#"{{"state":"{to}"}}"#),
            )
        };
        let (action, target, (before, after)) = match n % 4 {
            0 => (
                AuditAction::MobileUserEnable,
                user(),
                state("Pending", "Enabled"),
            ),
            1 => (
                AuditAction::MobileUserDisable,
                user(),
                state("Enabled", "Disabled"),
            ),
            2 => (
                AuditAction::TeamUpdate,
                format!("team {}", LAST_NAMES[(n / 4) as usize % LAST_NAMES.len()]),
                (
                    format!(
                        r#"{{"time_zone":"Europe/Prague","name":"crew {}"}}"#,
                        n % 97
                    ),
                    format!(
                        r#"{{"time_zone":"Europe/Vienna","name":"crew {}"}}"#,
                        n % 97
                    ),
                ),
            ),
            _ => (
                AuditAction::SettingsUpdate,
                organization.name.clone(),
                (
                    r#"{"auto_assign_licenses":false}"#.to_owned(),
                    r#"{"auto_assign_licenses":true}"#.to_owned(),
                ),
            ),
        };
        audit_log::ActiveModel {
            at: Set(year_ago + Duration::milliseconds((n * step_ms) as i64)),
            organization_id: Set(Some(organization.id)),
            actor_id: Set(None),
            actor: Set(AUDIT_ACTORS[(n % 7 % 4) as usize].to_owned()),
            action: Set(action.as_str().to_owned()),
            target: Set(target),
            before: Set(Some(before)),
            after: Set(Some(after)),
            ..Default::default()
        }
    };
    let mut next = start;
    while next < count {
        let txn = storage::begin_write(db).await?;
        for _ in 0..AUDIT_INSERTS_PER_TRANSACTION {
            let end = (next + AUDIT_ROWS_PER_INSERT).min(count);
            if next >= end {
                break;
            }
            audit_log::Entity::insert_many((next..end).map(entry))
                .exec(&txn)
                .await?;
            next = end;
        }
        txn.commit().await?;
    }
    Ok(())
}

/// Gives the first three Enabled users a seat of the organization's CHAT licence.
async fn assign_chat_seats(
    db: &DatabaseConnection,
    organization: &organizations::Model,
) -> anyhow::Result<()> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    let actor = Actor::system("demo");
    let Some(chat) = storage::licenses::of_product(db, organization.id, Product::Chat)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(());
    };
    let users = mobile_users::Entity::find()
        .filter(mobile_users::Column::OrganizationId.eq(organization.id))
        .filter(mobile_users::Column::State.eq(UserState::Enabled))
        .order_by_asc(mobile_users::Column::Id)
        .limit(3)
        .all(db)
        .await?;
    for user in users {
        // Already assigned (a second run) or full: nothing to do.
        match app::licenses::assign_seat(db, &actor, &chat, &user).await {
            Ok(()) | Err(app::Error::Refused(_)) => {}
            Err(app::Error::Failed(failure)) => return Err(failure.into()),
        }
    }
    Ok(())
}

/// Adds users up to `count`: Enabled up to the seats, some Pending and Disabled.
async fn add_users(
    db: &DatabaseConnection,
    organization: &organizations::Model,
    count: usize,
    seats: usize,
) -> anyhow::Result<()> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let existing = mobile_users::Entity::find()
        .filter(mobile_users::Column::OrganizationId.eq(organization.id))
        .count(db)
        .await? as usize;
    let now = Utc::now();
    let mut batch = Vec::new();
    for n in existing..count {
        let first = FIRST_NAMES[n % FIRST_NAMES.len()];
        let last = LAST_NAMES[(n / FIRST_NAMES.len()) % LAST_NAMES.len()];
        let state = match n {
            n if n < seats.saturating_sub(3) => UserState::Enabled,
            n if n % 5 == 0 => UserState::Disabled,
            _ => UserState::Pending,
        };
        let user_id = uuid::Uuid::new_v5(
            &uuid::Uuid::parse_str(&organization.organization_id)?,
            format!("demo-user-{n}").as_bytes(),
        );
        batch.push(mobile_users::ActiveModel {
            organization_id: Set(organization.id),
            user_id: Set(user_id.to_string()),
            display_name: Set(Some(format!(
                "{first} {last}{}",
                if n >= 192 {
                    format!(" {n}")
                } else {
                    String::new()
                }
            ))),
            email: Set(Some(format!(
                "{}.{}{n}@field.example",
                first.to_lowercase(),
                last.to_lowercase()
            ))),
            state: Set(state),
            created_at: Set(now - Duration::days((n % 90) as i64)),
            last_sync_at: Set(Some(now - Duration::minutes((n * 37 % 5000) as i64))),
            device_info: Set(Some(
                if n % 2 == 0 {
                    "iPad (iPad13,1) iPadOS 17.5"
                } else {
                    "Galaxy Tab S8 Android 14"
                }
                .to_owned(),
            )),
            app_version: Set(Some(format!("6.{}.{}.0", 1 + n % 3, n % 7))),
            temporary_license_until: Set(
                (state == UserState::Pending).then(|| now + Duration::days(14 - (n % 14) as i64))
            ),
            ..Default::default()
        });
        if batch.len() == 500 {
            mobile_users::Entity::insert_many(std::mem::take(&mut batch))
                .exec(db)
                .await?;
        }
    }
    if !batch.is_empty() {
        mobile_users::Entity::insert_many(batch).exec(db).await?;
    }
    Ok(())
}

const TEAMS: [(&str, &str); 6] = [
    ("North crew", "Europe/Prague"),
    ("South crew", "Europe/Rome"),
    ("East crew", "Europe/Warsaw"),
    ("West crew", "Europe/Lisbon"),
    ("Night shift", "UTC"),
    ("Warehouse", "America/Chicago"),
];
const PLATFORMS: [(&str, &str); 4] = [
    ("Galaxy Tab Active5", "Android"),
    ("iPad (10th generation)", "iPadOS"),
    ("Zebra ET40", "Android"),
    ("iPhone 15", "iOS"),
];

/// Adds teams, an employee per team and devices up to `count`: nine in ten registered,
/// with a seat of the organization's DEVICE licence while it lasts.
async fn add_devices(
    db: &DatabaseConnection,
    organization: &organizations::Model,
    count: usize,
) -> anyhow::Result<()> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let mut teams = storage::lookups::all_teams(db, organization.id).await?;
    if teams.is_empty() {
        let txn = storage::begin_write(db).await?;
        for (n, (name, zone)) in TEAMS.iter().enumerate() {
            let team = storage::lookups::save_team(
                &txn,
                organization.id,
                None,
                &crate::domain::lookups::TeamInput::parse(name, zone, "")?,
            )
            .await?;
            let first = FIRST_NAMES[n % FIRST_NAMES.len()];
            storage::lookups::save_employee(
                &txn,
                organization.id,
                None,
                &crate::domain::lookups::EmployeeInput::parse(
                    &format!("{first} {}", LAST_NAMES[n % LAST_NAMES.len()]),
                    &format!("{}.lead{n}@field.example", first.to_lowercase()),
                    &team.id.to_string(),
                )?,
            )
            .await?;
            teams.push(team);
        }
        txn.commit().await?;
    }
    let existing = devices::Entity::find()
        .filter(devices::Column::OrganizationId.eq(organization.id))
        .count(db)
        .await? as usize;
    let licence = storage::devices::device_licences(db, organization.id, Utc::now())
        .await?
        .into_iter()
        .next();
    let seats = licence.as_ref().map_or(0, |l| l.terms().limit as usize);
    let now = Utc::now();
    let mut batch = Vec::new();
    for n in existing..count {
        let team = &teams[n % teams.len()];
        let (platform, os) = PLATFORMS[n % PLATFORMS.len()];
        let registered = n % 10 != 9;
        let registered_at = now - Duration::hours((n % 2000) as i64);
        batch.push(devices::ActiveModel {
            organization_id: Set(organization.id),
            team_id: Set(team.id),
            time_zone: Set((n % 7 == 0).then(|| "Europe/Berlin".to_owned())),
            license_id: Set(licence.as_ref().filter(|_| n < seats).map(|l| l.id)),
            nickname: Set(format!(
                "{} {}",
                platform.split(' ').next().unwrap_or("Device"),
                n + 1
            )),
            description: Set(None),
            platform: Set(registered.then(|| platform.to_owned())),
            os_type: Set(registered.then(|| os.to_owned())),
            app_version: Set(registered.then(|| format!("5.{}.{}", 4 - (n % 5).min(3), n % 3))),
            device_name: Set(None),
            device_identifier: Set(registered.then(|| format!("DEV-{:06}", n + 1))),
            token_hash: Set(None),
            registered_at: Set(registered.then_some(registered_at)),
            changed_at: Set(registered_at),
            created_at: Set(registered_at),
            client_type: Set("both".to_owned()),
            all_clients: Set(true),
            include_area: Set(false),
            functionality: Set(None),
            ..Default::default()
        });
        if batch.len() == 500 {
            devices::Entity::insert_many(std::mem::take(&mut batch))
                .exec(db)
                .await?;
        }
    }
    if !batch.is_empty() {
        devices::Entity::insert_many(batch).exec(db).await?;
    }
    Ok(())
}
