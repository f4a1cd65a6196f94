//! `serve --read-only` (docs/behaviour.md#read-only-replica): known users are answered as the primary would, unknown users
//! are not found, nothing at all is written, and the UI says it is read-only.

mod common;

use common::{TestApp, spawn_app};
use licensedesk::domain::license_check::UserState;
use licensedesk::{
    domain::{
        organization::{OrganizationDetails, OrganizationGuid},
        permissions::Role,
        products::Product,
    },
    startup::Application,
    storage::{self, audit::Actor, entities::mobile_users},
};
use sea_orm::{EntityTrait, PaginatorTrait};

/// A read-only instance on the primary's database.
async fn backup_of(primary: &TestApp) -> TestApp {
    let mut config = common::test_config(
        primary.data_dir.path(),
        primary.database_url.clone(),
        None,
        &primary.vendor,
    );
    config.read_only = true;
    let app = Application::build(config)
        .await
        .expect("read-only instance starts");
    let mut backup = primary.second_client();
    backup.port = app.port();
    backup.address = format!("http://127.0.0.1:{}", app.port());
    backup.db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    backup
}

async fn check(app: &TestApp, org: &str, user: &str) -> String {
    app.client
        .post(app.url("/api/v1/license/check"))
        .header("content-type", "application/xml")
        .body(format!("<MobileClient><OrganizationId>{org}</OrganizationId><UserId>{user}</UserId></MobileClient>"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_read_only_instance_answers_known_users_and_writes_nothing() {
    let primary = spawn_app().await;
    let acme = primary.create_organization("Acme").await;
    primary
        .import(&primary.current_key(Product::Mobile, 5, false, &[&acme], 30))
        .await;
    let ann = primary
        .add_mobile_user(&acme, "Ann", UserState::Enabled)
        .await;
    primary
        .create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    let users_before = mobile_users::Entity::find()
        .count(&primary.db)
        .await
        .unwrap();

    let backup = backup_of(&primary).await;
    let known = check(&backup, &acme.organization_id, &ann.user_id).await;
    assert!(
        known.contains("<Status>OK</Status>") && known.contains("<State>Enabled</State>"),
        "{known}"
    );
    let unknown = check(
        &backup,
        &acme.organization_id,
        &uuid::Uuid::new_v4().to_string(),
    )
    .await;
    assert!(
        unknown.contains("<Status>LICENSE: NOT FOUND</Status>"),
        "{unknown}"
    );
    assert_eq!(
        mobile_users::Entity::find()
            .count(&primary.db)
            .await
            .unwrap(),
        users_before
    );
    let ann_after = storage::mobile_users::find_in(&primary.db, acme.id, ann.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ann_after.last_sync_at, None, "no bookkeeping written");

    // The database itself refuses writes through the backup's connection.
    let write = licensedesk::app::organizations::create(
        &backup.db,
        &Actor::command_line(),
        OrganizationGuid::new_random(),
        OrganizationDetails::parse("Sneaky", "https://x.example", None).unwrap(),
    )
    .await;
    assert!(write.is_err(), "the read-only connection cannot write");

    // Sign in works (a cookie); every change is refused with a clear message.
    backup.login_ok("ada@acme.example").await;
    let page = backup.get_html("/mobile-users").await;
    assert!(page.contains("Read-only backup licensing server"));
    let refused = backup
        .post_form(
            "/mobile-users/action",
            &[("row", &format!("disable:{}", ann.id))],
        )
        .await;
    assert_eq!(refused.status(), 503);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("read-only backup licensing server")
    );
    let session = backup
        .client
        .post(backup.url("/api/v1/sessions"))
        .json(&serde_json::json!({"organization_id": acme.organization_id, "user_id": ann.user_id, "product": "MOBILE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 503);
    assert_eq!(
        backup
            .login("ada@acme.example", "wrong password!")
            .await
            .status(),
        401
    );
    assert_eq!(
        storage::entities::login_failures::Entity::find()
            .count(&primary.db)
            .await
            .unwrap(),
        0,
        "failed logins are not recorded by the backup"
    );
}
