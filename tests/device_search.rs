//! The Active Devices search (docs/behaviour.md#active-devices-page) against a plain reading of it: a device matches when its
//! team name, licence number, nickname, platform or version contains the text, ignoring
//! case. The database answers through trigram indexes (FTS5 on SQLite, pg_trgm on
//! PostgreSQL) kept in step by the engine, so the cases include renames, registrations and
//! deletions after the devices were indexed, short text and characters that mean something
//! to LIKE or to FTS5.

mod common;

use chrono::Utc;
use common::{TestApp, spawn_app};
use licensedesk::{
    domain::devices::{ClientChoice, Functionality},
    domain::{lookups::TeamInput, paging::PageRequest, products::Product},
    storage::{
        self,
        devices::DeviceSettings,
        entities::{devices, licenses, teams},
        registration::DeviceReport,
    },
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};

const NICKNAMES: [&str; 6] = [
    "Van 7",
    "van 17 (spare)",
    "Truck \"Big\" 3",
    "100% ready_2",
    "Tablet of Anna",
    "Zebra",
];
const PLATFORMS: [&str; 4] = [
    "Galaxy Tab S8",
    "iPad (10th generation)",
    "Zebra ET40",
    "Pixel Tablet",
];
const VERSIONS: [&str; 4] = ["5.2.1", "5.2.10", "5.3.0", "6.0.0-beta"];

struct World {
    organization: i64,
    teams: Vec<teams::Model>,
    licences: Vec<licenses::Model>,
}

/// An organization with two DEVICE licences and three teams.
async fn organization(app: &TestApp, name: &str) -> World {
    let org = app.create_organization(name).await;
    let mut licences = Vec::new();
    for _ in 0..2 {
        licences.push(
            app.import(&app.current_key(Product::Device, 100, false, &[&org], 365))
                .await,
        );
    }
    let txn = storage::begin_write(&app.db).await.unwrap();
    let mut teams = Vec::new();
    for name in ["North", "South-East", "Night shift"] {
        let input = TeamInput::parse(name, "Europe/Prague", "").unwrap();
        teams.push(
            storage::lookups::save_team(&txn, org.id, None, &input)
                .await
                .unwrap(),
        );
    }
    txn.commit().await.unwrap();
    World {
        organization: org.id,
        teams,
        licences,
    }
}

/// Adds a device; every third stays pending, the others register with a platform and version.
async fn add(app: &TestApp, world: &World, n: usize) -> devices::Model {
    let now = Utc::now();
    let txn = storage::begin_write(&app.db).await.unwrap();
    let device = storage::devices::insert(
        &txn,
        world.organization,
        DeviceSettings {
            team_id: world.teams[n % world.teams.len()].id,
            time_zone: None,
            license_id: (!n.is_multiple_of(5)).then(|| world.licences[n % 2].id),
            nickname: format!("{} #{n}", NICKNAMES[n % NICKNAMES.len()]),
            description: None,
            clients: ClientChoice::everyone(),
            functionality: Functionality::CompanySettings,
        },
        now,
    )
    .await
    .unwrap();
    let device = if n.is_multiple_of(3) {
        device
    } else {
        storage::registration::activate(
            &txn,
            &device,
            DeviceReport {
                device_identifier: format!("id-{n}"),
                os_type: Some("Android".into()),
                platform: (!n.is_multiple_of(7)).then(|| PLATFORMS[n % PLATFORMS.len()].to_owned()),
                app_version: Some(VERSIONS[n % VERSIONS.len()].to_owned()),
                device_name: None,
            },
            &format!("{:064}", device.id),
            now,
        )
        .await
        .unwrap()
    };
    txn.commit().await.unwrap();
    device
}

/// What the search should find, read straight from the rows.
async fn expected(app: &TestApp, world: &World, pending: bool, text: &str) -> Vec<i64> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let needle = text.trim().to_lowercase();
    let has = |value: &str| value.to_lowercase().contains(&needle);
    let mut ids: Vec<i64> = devices::Entity::find()
        .filter(devices::Column::OrganizationId.eq(world.organization))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.registered_at.is_none() == pending)
        .filter(|d| {
            let team = world.teams.iter().find(|t| t.id == d.team_id).unwrap();
            let licence = d
                .license_id
                .and_then(|id| world.licences.iter().find(|l| l.id == id));
            needle.is_empty()
                || has(&team.name)
                || licence.is_some_and(|l| has(&l.licence_id))
                || has(&d.nickname)
                || d.platform.as_deref().is_some_and(has)
                || d.app_version.as_deref().is_some_and(has)
        })
        .map(|d| d.id)
        .collect();
    ids.sort_unstable();
    ids
}

async fn found(app: &TestApp, world: &World, pending: bool, text: &str) -> Vec<i64> {
    let page = storage::devices::list(
        &app.db,
        world.organization,
        pending,
        text,
        PageRequest::new(Some(1), Some(100)),
    )
    .await
    .unwrap();
    assert_eq!(
        page.total,
        page.items.len() as u64,
        "the count agrees with the rows for {text:?}"
    );
    let mut ids: Vec<i64> = page.items.into_iter().map(|d| d.id).collect();
    ids.sort_unstable();
    ids
}

async fn check(app: &TestApp, world: &World, texts: &[String]) {
    for text in texts {
        for pending in [false, true] {
            assert_eq!(
                found(app, world, pending, text).await,
                expected(app, world, pending, text).await,
                "search {text:?} (pending: {pending})"
            );
        }
    }
}

fn texts(world: &World) -> Vec<String> {
    let mut texts: Vec<String> = [
        "",
        "van",
        "VAN 1",
        "v",
        "an",
        "7",
        "#1",
        "5.2",
        "5.2.1",
        "5.2.10",
        "beta",
        "GALAXY tab",
        "ipad (10",
        "north",
        "NIGHT",
        "south-e",
        "s",
        "%",
        "_",
        "100%",
        "y_2",
        "\"",
        "\"big\"",
        "truck \"b",
        "zebra",
        "zzz",
        "ta",
        "  tablet  ",
        "*",
        "OR",
        "NEAR(",
        "ana\\",
    ]
    .map(str::to_owned)
    .to_vec();
    // Part of each licence number, in the case it is not written in.
    for licence in &world.licences {
        texts.push(licence.licence_id[2..10].to_uppercase());
    }
    texts
}

#[tokio::test]
async fn the_search_finds_exactly_the_devices_containing_the_text() {
    let app = spawn_app().await;
    let world = organization(&app, "Acme").await;
    // Another organization, with the same team names and nicknames: never found.
    let other = organization(&app, "Globex").await;
    let mut made = Vec::new();
    for n in 0..60 {
        made.push(add(&app, &world, n).await);
    }
    for n in 0..6 {
        add(&app, &other, n).await;
    }
    let texts = texts(&world);
    check(&app, &world, &texts).await;

    // Renamed after it was indexed: found by the new name only.
    let mut renamed: devices::ActiveModel = made[4].clone().into();
    renamed.nickname = Set("Quokka renamed".into());
    renamed.update(&app.db).await.unwrap();
    assert_eq!(found(&app, &world, false, "quokka").await, vec![made[4].id]);
    assert!(
        !found(&app, &world, false, &made[4].nickname)
            .await
            .contains(&made[4].id)
    );

    // A pending device registers: now found by what it reported, among the registered.
    let now = Utc::now();
    storage::registration::activate(
        &app.db,
        &made[3],
        DeviceReport {
            device_identifier: "late".into(),
            os_type: None,
            platform: Some("Wombat Rugged 9".into()),
            app_version: Some("7.1.0".into()),
            device_name: None,
        },
        &"f".repeat(64),
        now,
    )
    .await
    .unwrap();
    assert_eq!(found(&app, &world, false, "wombat").await, vec![made[3].id]);
    assert_eq!(found(&app, &world, false, "7.1.0").await, vec![made[3].id]);

    // Deleted devices are gone from the search.
    for device in &made[10..20] {
        storage::devices::delete(&app.db, device).await.unwrap();
    }
    check(&app, &world, &texts).await;
}

#[tokio::test]
async fn a_search_matching_many_devices_is_counted_up_to_a_cap() {
    use sea_orm::EntityTrait;
    let app = spawn_app().await;
    let world = organization(&app, "Acme").await;
    let now = Utc::now();
    let rows = (0..1100).map(|n| devices::ActiveModel {
        organization_id: Set(world.organization),
        team_id: Set(world.teams[0].id),
        time_zone: Set(None),
        license_id: Set(None),
        nickname: Set(format!("Van {n}")),
        description: Set(None),
        platform: Set(Some("Zebra ET40".into())),
        os_type: Set(None),
        app_version: Set(Some("5.2.1".into())),
        device_name: Set(None),
        device_identifier: Set(None),
        token_hash: Set(None),
        registered_at: Set(Some(now)),
        changed_at: Set(now),
        created_at: Set(now),
        client_type: Set("both".into()),
        all_clients: Set(true),
        include_area: Set(false),
        functionality: Set(None),
        ..Default::default()
    });
    for chunk in rows.collect::<Vec<_>>().chunks(200) {
        devices::Entity::insert_many(chunk.to_vec())
            .exec(&app.db)
            .await
            .unwrap();
    }
    let page = |n| {
        storage::devices::list(
            &app.db,
            world.organization,
            false,
            "van",
            PageRequest::new(Some(n), Some(50)),
        )
    };
    let first = page(1).await.unwrap();
    // SQLite counts up to the cap; PostgreSQL counts all (from its bitmap of the indexes).
    let capped = app.db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    let expected = if capped { (1000, true) } else { (1100, false) };
    assert_eq!((first.total, first.more), expected, "counted");
    assert!(first.has_next());
    assert_eq!(first.items.len(), 50);
    // Read in the page's order (newest first; one timestamp here, so by id).
    let mut newest: Vec<i64> = devices::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    newest.sort_unstable_by(|a, b| b.cmp(a));
    let shown: Vec<i64> = first.items.iter().map(|d| d.id).collect();
    assert_eq!(shown, newest[..50]);
    // Far pages count as far as they reach, so the last page knows it is the last.
    let last = page(22).await.unwrap();
    assert_eq!((last.total, last.more, last.items.len()), (1100, false, 50));
    assert!(!last.has_next());
    // Without a search the count is exact.
    let all = storage::devices::list(
        &app.db,
        world.organization,
        false,
        "",
        PageRequest::new(Some(1), Some(50)),
    )
    .await
    .unwrap();
    assert_eq!((all.total, all.more), (1100, false));
    // A short text (no trigram index) is capped the same way.
    let short = storage::devices::list(
        &app.db,
        world.organization,
        false,
        "v",
        PageRequest::new(Some(1), Some(50)),
    )
    .await
    .unwrap();
    assert_eq!((short.total, short.more), expected);
}
