//! Mobile sync for tests: an organization ready to sync, registered devices, and the
//! bodies devices send to `POST /api/v1/sync`.

use chrono::{DateTime, Utc};
use licensedesk::{
    app,
    domain::{
        access_profiles::{ProfileInput, Rights},
        devices::{ClientChoice, Functionality},
        license_check::UserState,
        lookups::TeamInput,
        products::Product,
        registration::Expiry,
        settings::SyncMode,
        sync_entities::EntityInput,
    },
    storage::{
        self,
        audit::Actor,
        devices::DeviceSettings,
        entities::{mobile_users, organizations, sync_entities},
    },
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::TestApp;

/// An organization with MOBILE seats, an entity `work_order`, a default profile allowing
/// everything on it, an Enabled user and a registered device.
pub struct Fixture {
    pub org: organizations::Model,
    pub entity: sync_entities::Model,
    pub user: mobile_users::Model,
    pub token: String,
}

pub fn actor() -> Actor {
    Actor::system("test")
}

pub async fn entity(app: &TestApp, org: &organizations::Model, name: &str) -> sync_entities::Model {
    app::sync_entities::save(
        &app.db,
        &actor(),
        org.id,
        None,
        &EntityInput::parse(name, "", "status: text required\nhours: number\nnote: text").unwrap(),
    )
    .await
    .unwrap()
}

pub async fn profile(
    app: &TestApp,
    org: &organizations::Model,
    name: &str,
    is_default: bool,
    rules: Vec<(i64, Rights)>,
) -> i64 {
    app::access_profiles::save(
        &app.db,
        &actor(),
        org.id,
        None,
        &ProfileInput::parse(name, is_default, rules).unwrap(),
    )
    .await
    .unwrap()
    .id
}

pub const ALL: Rights = Rights {
    read: true,
    create: true,
    update: true,
    delete: true,
};

/// Registers a new device of `org` and returns its token.
pub async fn device_token(app: &TestApp, org: &organizations::Model, name: &str) -> String {
    let now = Utc::now();
    let licence = app
        .import(&app.current_key(Product::Device, 500, false, &[org], 365))
        .await;
    let txn = storage::begin_write(&app.db).await.unwrap();
    let team = match storage::lookups::all_teams(&txn, org.id)
        .await
        .unwrap()
        .pop()
    {
        Some(team) => team,
        None => storage::lookups::save_team(
            &txn,
            org.id,
            None,
            &TeamInput::parse("North", "Europe/Prague", "").unwrap(),
        )
        .await
        .unwrap(),
    };
    let device = storage::devices::insert(
        &txn,
        org.id,
        DeviceSettings {
            team_id: team.id,
            time_zone: None,
            license_id: Some(licence.id),
            nickname: name.into(),
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
    let reply: Value = app
        .client
        .post(app.url("/api/v1/devices/register"))
        .json(&json!({"code": code.to_string(), "device_id": name}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["device_token"].as_str().unwrap().to_owned()
}

pub async fn fixture(app: &TestApp) -> Fixture {
    let org = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 50, false, &[&org], 365))
        .await;
    offline(app, &org).await;
    let entity = entity(app, &org, "work_order").await;
    profile(app, &org, "Field staff", true, vec![(entity.id, ALL)]).await;
    let user = app.add_mobile_user(&org, "Ann", UserState::Enabled).await;
    let token = device_token(app, &org, "Van 1").await;
    Fixture {
        org,
        entity,
        user,
        token,
    }
}

/// Devices of the organization hold every record they may read.
pub async fn offline(app: &TestApp, org: &organizations::Model) {
    let mut settings = storage::settings::get(&app.db, org.id).await.unwrap();
    settings.sync_mode = SyncMode::Offline;
    storage::settings::save(&app.db, settings).await.unwrap();
}

pub async fn post_sync(app: &TestApp, token: &str, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/api/v1/sync"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub fn guid() -> String {
    Uuid::new_v4().to_string()
}

pub fn at(time: DateTime<Utc>) -> String {
    time.to_rfc3339()
}

pub fn change(op: &str, id: &str, base: i64, changed_at: DateTime<Utc>, fields: Value) -> Value {
    json!({"change_id": guid(), "entity": "work_order", "id": id, "op": op,
           "base_version": base, "changed_at": at(changed_at), "fields": fields})
}

pub fn push(user: &mobile_users::Model, changes: Vec<Value>) -> Value {
    json!({"user_id": user.user_id, "cursor": "", "device_time": at(Utc::now()),
           "changes": changes})
}

/// Creates a record through a sync and returns its version.
pub async fn create(app: &TestApp, f: &Fixture, id: &str, fields: Value) -> i64 {
    let (status, reply) = post_sync(
        app,
        &f.token,
        &push(&f.user, vec![change("create", id, 0, Utc::now(), fields)]),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["results"][0]["status"], "applied", "{reply}");
    reply["results"][0]["version"].as_i64().unwrap()
}

pub async fn server_fields(app: &TestApp, f: &Fixture, id: &str) -> Value {
    let record = storage::sync_records::find(&app.db, f.org.id, f.entity.id, id)
        .await
        .unwrap()
        .unwrap();
    Value::Object(storage::sync_records::fields_of(&record).unwrap())
}

/// How many versions the record has had (its history's length).
pub async fn versions_written(app: &TestApp, f: &Fixture, id: &str) -> usize {
    let record = storage::sync_records::find(&app.db, f.org.id, f.entity.id, id)
        .await
        .unwrap()
        .unwrap();
    storage::sync_records::history(&app.db, record.id)
        .await
        .unwrap()
        .len()
}
