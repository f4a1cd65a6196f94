//! The load process of `benches/sync.sh` (docs/behaviour.md#sync-api): drives a running
//! `licensedesk serve` over HTTP as registered devices of one organization do.
//!
//! - `push` mode: `DEVICES` devices, each pushing batches of `BATCH` updates to records
//!   shared by all of them (and pulling with its cursor, as a device does) every
//!   `INTERVAL_MS` (0: as fast as the answers come) for `RUN_SECONDS`. Prints: changes applied
//!   per second, push p50 and p99 in ms, pushes, non-200 answers.
//! - `pull` mode: one new device pulls everything from an empty cursor. Prints: seconds,
//!   pages, records.
//!
//! Setup goes straight to the database (`DATABASE_URL`): it gives the demo organization's
//! registered devices fresh tokens, so no registration code is needed.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use licensedesk::{domain::tokens, storage};
use rand::Rng;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

const ORGANIZATION: &str = "7c1f3a52-5d1e-4a8e-9a51-3f0d6f1b2a01";

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

/// Registered devices of the demo organization with fresh tokens, each with an Enabled user
/// on the default profile.
async fn devices(db: &sea_orm::DatabaseConnection, count: usize) -> Vec<(String, String)> {
    let backend = db.get_database_backend();
    let p = placeholder(backend, 1);
    let org: i64 = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!("SELECT id FROM organizations WHERE organization_id = {p}"),
            [ORGANIZATION.into()],
        ))
        .await
        .unwrap()
        .expect("run `licensedesk demo` first")
        .try_get_by_index(0)
        .unwrap();
    let ids: Vec<i64> = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT id FROM devices WHERE organization_id = {p} AND registered_at IS NOT NULL \
                 ORDER BY id DESC LIMIT {count}"
            ),
            [org.into()],
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        count,
        "the demo needs {count} registered devices"
    );
    let users: Vec<String> = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT user_id FROM mobile_users WHERE organization_id = {p} \
                 AND state = 'Enabled' AND access_profile_id IS NULL ORDER BY id"
            ),
            [org.into()],
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect();
    let mut out = Vec::new();
    for (n, id) in ids.into_iter().enumerate() {
        let token = tokens::new_token();
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE devices SET token_hash = {} WHERE id = {}",
                placeholder(backend, 1),
                placeholder(backend, 2)
            ),
            [tokens::hash_token(&token).into(), id.into()],
        ))
        .await
        .unwrap();
        out.push((token, users[n % users.len()].clone()));
    }
    out
}

/// Devices of the organization hold every record they may read (the demo's mode is online).
async fn offline(db: &sea_orm::DatabaseConnection) {
    let org = storage::organizations::find_by_guid(
        db,
        licensedesk::domain::organization::OrganizationGuid::parse(ORGANIZATION).unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let mut settings = storage::settings::get(db, org.id).await.unwrap();
    settings.sync_mode = licensedesk::domain::settings::SyncMode::Offline;
    storage::settings::save(db, settings).await.unwrap();
    // The server's copy of the organization is refreshed within a second.
    tokio::time::sleep(Duration::from_secs(2)).await;
}

async fn record_ids(db: &sea_orm::DatabaseConnection, limit: usize) -> Vec<String> {
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_string(
        backend,
        format!(
            "SELECT r.record_id FROM sync_records r JOIN sync_entities e ON e.id = r.entity_id \
             WHERE e.name = 'work_order' AND NOT r.deleted ORDER BY r.id LIMIT {limit}"
        ),
    ))
    .await
    .unwrap()
    .iter()
    .map(|row| row.try_get_by_index(0).unwrap())
    .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

async fn push_mode(url: String, db: sea_orm::DatabaseConnection) {
    let count = env("DEVICES", 200usize);
    let batch = env("BATCH", 50usize);
    let interval = Duration::from_millis(env("INTERVAL_MS", 1800u64));
    let seconds = env("RUN_SECONDS", 20u64);
    let devices = devices(&db, count).await;
    let records = Arc::new(record_ids(&db, env("SHARED", 5000usize)).await);
    // The devices were in sync before the run: they start at the organization's head.
    let head = {
        let org = storage::organizations::find_by_guid(
            &db,
            licensedesk::domain::organization::OrganizationGuid::parse(ORGANIZATION).unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        licensedesk::domain::sync::Cursor(
            storage::sync_records::last_version(&db, org.id)
                .await
                .unwrap(),
        )
        .encode()
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(count)
        .build()
        .unwrap();
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (n, (token, user)) in devices.into_iter().enumerate() {
        let (client, url, records, head) =
            (client.clone(), url.clone(), records.clone(), head.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let (mut applied, mut failed) = (0u64, 0u64);
            let mut cursor = head;
            // Spread the devices over the interval, as devices in the field are.
            tokio::time::sleep(interval.mul_f64(n as f64 / count as f64)).await;
            let mut next = Instant::now();
            while Instant::now() < deadline {
                let changes: Vec<Value> = {
                    let mut rng = rand::rng();
                    (0..batch)
                        .map(|_| {
                            let id = &records[rng.random_range(0..records.len())];
                            let status = ["open", "in progress", "done"][rng.random_range(0..3)];
                            json!({"change_id": uuid::Uuid::new_v4().to_string(),
                                   "entity": "work_order", "id": id, "op": "update",
                                   "base_version": 0,
                                   "changed_at": chrono::Utc::now().to_rfc3339(),
                                   "fields": {"status": status,
                                              "hours": rng.random_range(1..9)}})
                        })
                        .collect()
                };
                let body = json!({"user_id": user, "cursor": cursor,
                                  "device_time": chrono::Utc::now().to_rfc3339(), "changes": changes});
                let sent = Instant::now();
                let response = client.post(&url).bearer_auth(&token).json(&body).send().await;
                match response {
                    Ok(r) if r.status() == 200 => {
                        let answer: Value = r.json().await.unwrap();
                        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                        applied += answer["results"]
                            .as_array()
                            .map_or(0, |r| r.iter().filter(|r| r["status"] == "applied").count())
                            as u64;
                        cursor = answer["cursor"].as_str().unwrap_or_default().to_owned();
                    }
                    _ => failed += 1,
                }
                next += interval;
                if next >= deadline {
                    break;
                }
                if let Some(wait) = next.checked_duration_since(Instant::now()) {
                    tokio::time::sleep(wait).await;
                } else {
                    next = Instant::now();
                }
            }
            (latencies, applied, failed)
        }));
    }
    let (mut latencies, mut applied, mut failed) = (Vec::new(), 0, 0);
    for task in tasks {
        let (l, a, f) = task.await.unwrap();
        latencies.extend(l);
        applied += a;
        failed += f;
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{:.0} {:.1} {:.1} {} {}",
        applied as f64 / elapsed,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.len(),
        failed
    );
}

async fn pull_mode(url: String, db: sea_orm::DatabaseConnection) {
    let (token, user) = devices(&db, 1).await.remove(0);
    let client = reqwest::Client::new();
    let start = Instant::now();
    let (mut cursor, mut pages, mut records) = (String::new(), 0, 0);
    loop {
        let answer: Value = client
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({"user_id": user, "cursor": cursor}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        records += answer["changes"].as_array().map_or(0, Vec::len);
        cursor = answer["cursor"].as_str().unwrap().to_owned();
        if answer["has_more"] != true {
            break;
        }
    }
    println!("{:.2} {pages} {records}", start.elapsed().as_secs_f64());
}

#[tokio::main]
async fn main() {
    let url = format!(
        "{}/api/v1/sync",
        std::env::var("BENCH_URL").expect("BENCH_URL: the server, like http://127.0.0.1:8080")
    );
    let db = storage::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .unwrap();
    offline(&db).await;
    match std::env::args().nth(1).as_deref() {
        Some("pull") => pull_mode(url, db).await,
        _ => push_mode(url, db).await,
    }
}
