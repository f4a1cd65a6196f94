//! Device registration (docs/behaviour.md#registration-codes): the register API's every outcome, single use, replacement,
//! and the rate limits that cut guessing off.

mod common;

use chrono::{Duration, Utc};
use common::{TestApp, spawn_app};
use licensedesk::{
    domain::devices::{ClientChoice, Functionality},
    domain::{
        lookups::TeamInput,
        products::Product,
        registration::{Expiry, RegistrationCode},
    },
    storage::{
        self,
        devices::DeviceSettings,
        entities::{devices, organizations},
        registration::issue,
    },
    web::api::devices::{MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_CODE},
};
use serde_json::{Value, json};

/// A pending device of a new organization with a DEVICE licence, and its code.
async fn pending_device(app: &TestApp) -> (organizations::Model, devices::Model, RegistrationCode) {
    let org = app.create_organization("Acme").await;
    let licence = app
        .import(&app.current_key(Product::Device, 5, false, &[&org], 365))
        .await;
    let now = Utc::now();
    let txn = storage::begin_write(&app.db).await.unwrap();
    let team = storage::lookups::save_team(
        &txn,
        org.id,
        None,
        &TeamInput::parse("North", "Europe/Prague", "").unwrap(),
    )
    .await
    .unwrap();
    let device = storage::devices::insert(
        &txn,
        org.id,
        DeviceSettings {
            team_id: team.id,
            time_zone: None,
            license_id: Some(licence.id),
            nickname: "Van 7".into(),
            description: None,
            clients: ClientChoice::everyone(),
            functionality: Functionality::CompanySettings,
        },
        now,
    )
    .await
    .unwrap();
    let code =
        storage::registration::issue_new_code(&txn, &app.signer, device.id, Expiry::default(), now)
            .await
            .unwrap();
    txn.commit().await.unwrap();
    (org, device, code)
}

async fn register(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/api/v1/devices/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn body(code: &str) -> Value {
    json!({
        "code": code,
        "device_id": "A1B2-C3D4",
        "os_type": "Android",
        "platform": "Galaxy Tab S8",
        "app_version": "5.2.1",
        "device_name": "Tab of van 7",
    })
}

#[tokio::test]
async fn a_device_registers_once_with_its_code_and_gets_a_token() {
    let app = spawn_app().await;
    let (org, device, code) = pending_device(&app).await;

    // Typed sloppily: lower case, a space instead of the hyphen.
    let typed = code.to_string().to_lowercase().replace('-', " ");
    let (status, reply) = register(&app, body(&typed)).await;
    assert_eq!(status, 200, "{reply}");
    let token = reply["device_token"].as_str().unwrap();
    assert_eq!(token.len(), 64);

    let stored = storage::devices::find_in(&app.db, org.id, device.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.device_identifier.as_deref(), Some("A1B2-C3D4"));
    assert_eq!(stored.app_version.as_deref(), Some("5.2.1"));
    assert_eq!(stored.os_type.as_deref(), Some("Android"));
    assert_eq!(stored.platform.as_deref(), Some("Galaxy Tab S8"));
    assert!(stored.registered_at.is_some());
    assert_ne!(
        stored.token_hash.as_deref(),
        Some(token),
        "only a hash is kept"
    );

    // Used once.
    let (status, reply) = register(&app, body(&code.to_string())).await;
    assert_eq!(status, 410);
    assert!(
        reply["error"]
            .as_str()
            .unwrap()
            .contains("already been used")
    );
}

#[tokio::test]
async fn wrong_malformed_expired_and_replaced_codes_are_refused_with_the_reason() {
    let app = spawn_app().await;
    let (_org, device, code) = pending_device(&app).await;

    let (status, reply) = register(&app, body("ABCDE-FGHJK")).await;
    assert_eq!(status, 400);
    assert!(
        reply["error"].as_str().unwrap().contains("wrong"),
        "{reply}"
    );

    let (status, reply) = register(&app, body("12345")).await;
    assert_eq!(status, 400);
    assert!(
        reply["error"]
            .as_str()
            .unwrap()
            .contains("not a registration code")
    );

    let (status, reply) = register(&app, json!({ "device_id": "x" })).await;
    assert_eq!(status, 400);
    assert!(reply["error"].as_str().unwrap().contains("missing"));

    let (status, reply) = register(&app, json!({ "code": code.to_string() })).await;
    assert_eq!(status, 400);
    assert!(reply["error"].as_str().unwrap().contains("device_id"));

    let (status, reply) = app
        .client
        .post(app.url("/api/v1/devices/register"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .map(|r| (r.status().as_u16(), r))
        .unwrap();
    assert_eq!(status, 400);
    assert!(reply.text().await.unwrap().contains("invalid JSON"));

    // Replace: the old code is dead, the new one works.
    let now = Utc::now();
    let new_code = storage::registration::issue_new_code(
        &app.db,
        &app.signer,
        device.id,
        Expiry::OneHour,
        now,
    )
    .await
    .unwrap();
    let (status, reply) = register(&app, body(&code.to_string())).await;
    assert_eq!(status, 410);
    assert!(
        reply["error"].as_str().unwrap().contains("replaced"),
        "{reply}"
    );

    // An expired code.
    let expired = RegistrationCode::generate();
    issue(
        &app.db,
        device.id,
        &licensedesk::domain::registration::code_hash(&app.signer, expired.as_str()),
        now - Duration::seconds(1),
        now - Duration::minutes(16),
    )
    .await
    .unwrap();
    let (status, reply) = register(&app, body(&expired.to_string())).await;
    assert_eq!(status, 410);
    assert!(
        reply["error"].as_str().unwrap().contains("expired"),
        "{reply}"
    );
    // Issuing that one replaced the hour-long code in turn.
    let (status, _) = register(&app, body(&new_code.to_string())).await;
    assert_eq!(status, 410);

    // A fresh code works after all of that.
    let fresh = storage::registration::issue_new_code(
        &app.db,
        &app.signer,
        device.id,
        Expiry::default(),
        Utc::now(),
    )
    .await
    .unwrap();
    let (status, reply) = register(&app, body(&fresh.to_string())).await;
    assert_eq!(status, 200, "{reply}");
}

#[tokio::test]
async fn guessing_is_cut_off_per_source_even_for_the_right_code() {
    let app = spawn_app().await;
    let (_org, _device, code) = pending_device(&app).await;
    for n in 0..MAX_FAILURES_PER_CLIENT {
        let guess = RegistrationCode::generate().to_string();
        let (status, _) = register(&app, body(&guess)).await;
        assert_eq!(status, 400, "guess {n} is answered");
    }
    let (status, reply) = register(&app, body(&code.to_string())).await;
    assert_eq!(status, 429, "{reply}");
    assert!(reply["error"].as_str().unwrap().contains("too many"));
}

#[tokio::test]
async fn a_code_tried_too_often_is_blocked() {
    let app = spawn_app().await;
    let (_org, device, code) = pending_device(&app).await;
    // Replace the code, then keep trying the old one: past the per-code limit it is 429.
    storage::registration::issue_new_code(
        &app.db,
        &app.signer,
        device.id,
        Expiry::default(),
        Utc::now(),
    )
    .await
    .unwrap();
    for _ in 0..MAX_FAILURES_PER_CODE {
        assert_eq!(register(&app, body(&code.to_string())).await.0, 410);
    }
    assert_eq!(register(&app, body(&code.to_string())).await.0, 429);
}

#[tokio::test]
async fn of_devices_racing_with_one_code_exactly_one_registers() {
    let app = spawn_app().await;
    let (_org, _device, code) = pending_device(&app).await;
    let attempts = (0..5).map(|_| register(&app, body(&code.to_string())));
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 410),
        "{statuses:?}"
    );
}
