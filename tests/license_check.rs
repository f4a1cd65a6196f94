//! The licence check (docs/behaviour.md#license-check), step by step, with bad input and concurrency.

mod common;

use chrono::{Duration, Utc};
use common::{TestApp, spawn_app};
use licensedesk::domain::license_check::UserState;
use licensedesk::{
    domain::products::Product,
    storage::{
        self,
        entities::{mobile_users, organizations},
        sync_bookkeeping::SyncBookkeeping,
    },
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn message(org: &str, user: &str) -> String {
    format!(
        "<MobileClient><Version>6.1.0.0</Version><Edition>Resco</Edition><DeviceId>45d780e4</DeviceId>\
         <DeviceInfo>iPad (iPad13,1) iPadOS 17.5</DeviceInfo><OrganizationId>{}</OrganizationId>\
         <OrganizationUrl>https://crm.example.com</OrganizationUrl><UserId>{}</UserId></MobileClient>",
        org.to_uppercase(),
        user.to_uppercase()
    )
}

struct Reply {
    status: u16,
    body: String,
}

impl Reply {
    fn element(&self, name: &str) -> String {
        let open = format!("<{name}>");
        let start = self.body.find(&open).map(|i| i + open.len()).unwrap_or(0);
        let end = self.body[start..].find('<').map_or(start, |e| start + e);
        self.body[start..end].to_owned()
    }
}

async fn check_raw(app: &TestApp, body: String) -> Reply {
    check_at(&app.client, &app.address, body).await
}

/// The check posted to the server at `address` (also one a test started itself).
async fn check_at(client: &reqwest::Client, address: &str, body: String) -> Reply {
    let response = client
        .post(format!("{address}/api/v1/license/check"))
        .header("content-type", "application/xml")
        .body(body)
        .send()
        .await
        .unwrap();
    Reply {
        status: response.status().as_u16(),
        body: response.text().await.unwrap(),
    }
}

async fn check(app: &TestApp, org: &organizations::Model, user: &str) -> Reply {
    check_raw(app, message(&org.organization_id, user)).await
}

async fn user_count(app: &TestApp, state: UserState) -> u64 {
    mobile_users::Entity::find()
        .filter(mobile_users::Column::State.eq(state))
        .count(&app.db)
        .await
        .unwrap()
}

async fn set_settings(
    app: &TestApp,
    org: &organizations::Model,
    edit: impl FnOnce(&mut storage::entities::organization_settings::Model),
) {
    let mut settings = storage::settings::get(&app.db, org.id).await.unwrap();
    edit(&mut settings);
    storage::settings::save(&app.db, settings).await.unwrap();
}

fn new_user() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[tokio::test]
async fn an_unknown_organization_is_not_found() {
    let app = spawn_app().await;
    let reply = check_raw(&app, message(&new_user(), &new_user())).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.element("Status"), "LICENSE: NOT FOUND");
    assert!(reply.body.starts_with("<LicenseResponse>"));
}

#[tokio::test]
async fn during_a_trial_everyone_syncs_and_is_recorded() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let mut model = org.clone().into_active_model();
        model.trial_until = Set(Some(Utc::now().date_naive() + Duration::days(10)));
        model.update(&app.db).await.unwrap();
    }
    for _ in 0..3 {
        let reply = check(&app, &org, &new_user()).await;
        assert_eq!(
            (
                reply.element("Status").as_str(),
                reply.element("State").as_str()
            ),
            ("OK", "Trial")
        );
    }
    assert_eq!(
        user_count(&app, UserState::Pending).await,
        3,
        "users are recorded during the trial"
    );
}

#[tokio::test]
async fn enabled_users_sync_while_a_mobile_licence_is_valid_and_get_expired_after() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    let licence = app
        .import(&app.current_key(Product::Mobile, 5, false, &[&org], 20))
        .await;
    let user = app.add_mobile_user(&org, "Ann", UserState::Enabled).await;

    let reply = check(&app, &org, &user.user_id).await;
    assert_eq!(
        (
            reply.element("Status").as_str(),
            reply.element("State").as_str()
        ),
        ("OK", "Enabled")
    );
    let last_day = licence.valid_till + Duration::days(1);
    assert_eq!(reply.element("ValidUntil"), format!("{last_day}T00:00:00Z"));
    assert_eq!(reply.element("SyncMode"), "online");

    // Bookkeeping: last sync, device and version, written within about a second.
    let mut stored = storage::mobile_users::find_in(&app.db, org.id, user.id)
        .await
        .unwrap()
        .unwrap();
    for _ in 0..40 {
        if stored.last_sync_at.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        stored = storage::mobile_users::find_in(&app.db, org.id, user.id)
            .await
            .unwrap()
            .unwrap();
    }
    assert!(stored.last_sync_at.is_some());
    assert_eq!(stored.app_version.as_deref(), Some("6.1.0.0"));
    assert_eq!(
        stored.device_info.as_deref(),
        Some("iPad (iPad13,1) iPadOS 17.5")
    );

    // Let the licence expire.
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let mut model = licence.into_active_model();
        model.valid_till = Set(Utc::now().date_naive() - Duration::days(1));
        model.update(&app.db).await.unwrap();
    }
    assert_eq!(
        check(&app, &org, &user.user_id).await.element("Status"),
        "LICENSE: EXPIRED"
    );
}

#[tokio::test]
async fn disabled_users_are_not_found() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 5, false, &[&org], 20))
        .await;
    let user = app.add_mobile_user(&org, "Dan", UserState::Disabled).await;
    let reply = check(&app, &org, &user.user_id).await;
    assert_eq!(
        (
            reply.element("Status").as_str(),
            reply.element("State").as_str()
        ),
        ("LICENSE: NOT FOUND", "Disabled")
    );
}

#[tokio::test]
async fn unknown_users_become_pending_with_a_temporary_licence_that_runs_out() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    set_settings(&app, &org, |s| s.temporary_license_days = 3).await;
    let user_id = new_user();

    let reply = check(&app, &org, &user_id).await;
    assert_eq!(
        (
            reply.element("Status").as_str(),
            reply.element("State").as_str()
        ),
        ("OK", "Pending")
    );
    let stored = storage::mobile_users::find_by_user_id(&app.db, org.id, &user_id)
        .await
        .unwrap()
        .unwrap();
    let until = stored.temporary_license_until.unwrap();
    assert!(
        (until - Utc::now() - Duration::days(3)).num_seconds().abs() < 60,
        "three days from the first check"
    );
    assert_eq!(check(&app, &org, &user_id).await.element("Status"), "OK");

    // The temporary licence runs out (stamped like every change to a user, so that the
    // check's cache of the organization picks it up).
    let version = storage::mobile_users::next_version(&app.db, org.id, false)
        .await
        .unwrap();
    mobile_users::Entity::update_many()
        .col_expr(
            mobile_users::Column::TemporaryLicenseUntil,
            sea_orm::sea_query::Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .col_expr(
            mobile_users::Column::Version,
            sea_orm::sea_query::Expr::value(version),
        )
        .filter(mobile_users::Column::Id.eq(stored.id))
        .exec(&app.db)
        .await
        .unwrap();
    let reply = check(&app, &org, &user_id).await;
    assert_eq!(
        (
            reply.element("Status").as_str(),
            reply.element("State").as_str()
        ),
        ("LICENSE: EXPIRED", "Pending")
    );
}

#[tokio::test]
async fn auto_assignment_enables_unknown_users_while_seats_are_free() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 2, false, &[&org], 60))
        .await;
    set_settings(&app, &org, |s| s.auto_assign_licenses = true).await;

    for expected in ["Enabled", "Enabled", "Pending"] {
        assert_eq!(
            check(&app, &org, &new_user()).await.element("State"),
            expected
        );
    }
    assert_eq!(
        (
            user_count(&app, UserState::Enabled).await,
            user_count(&app, UserState::Pending).await
        ),
        (2, 1)
    );
    app.logged_in_operator().await;
    assert!(
        app.get_html("/audit")
            .await
            .contains("mobile_user.auto_assign")
    );
}

#[tokio::test]
async fn auto_free_after_days_gives_the_oldest_idle_seat_to_the_new_user() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 2, false, &[&org], 60))
        .await;
    set_settings(&app, &org, |s| {
        s.auto_assign_licenses = true;
        s.auto_free_after_days = Some(30);
    })
    .await;
    let idle = app.add_mobile_user(&org, "Idle", UserState::Enabled).await;
    let recent = app
        .add_mobile_user(&org, "Recent", UserState::Enabled)
        .await;
    for (user, days) in [(&idle, 45), (&recent, 2)] {
        mobile_users::Entity::update_many()
            .col_expr(
                mobile_users::Column::LastSyncAt,
                sea_orm::sea_query::Expr::value(Utc::now() - Duration::days(days)),
            )
            .filter(mobile_users::Column::Id.eq(user.id))
            .exec(&app.db)
            .await
            .unwrap();
    }

    assert_eq!(
        check(&app, &org, &new_user()).await.element("State"),
        "Enabled"
    );
    let idle = storage::mobile_users::find_in(&app.db, org.id, idle.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        idle.state,
        UserState::Disabled,
        "the user idle for 45 days gave up the seat"
    );
    assert_eq!(user_count(&app, UserState::Enabled).await, 2);
    // Nobody else is idle long enough: the next one waits as Pending.
    assert_eq!(
        check(&app, &org, &new_user()).await.element("State"),
        "Pending"
    );
}

#[tokio::test]
async fn a_deleted_user_that_syncs_again_is_treated_as_new() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    let user = app.add_mobile_user(&org, "Gone", UserState::Disabled).await;
    assert_eq!(
        check(&app, &org, &user.user_id).await.element("Status"),
        "LICENSE: NOT FOUND"
    );
    storage::mobile_users::delete(&app.db, &user).await.unwrap();
    let reply = check(&app, &org, &user.user_id).await;
    assert_eq!(
        (
            reply.element("Status").as_str(),
            reply.element("State").as_str()
        ),
        ("OK", "Pending")
    );
}

#[tokio::test]
async fn bad_input_gets_a_400_error_that_says_what_is_wrong_and_records_nothing() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    let cases = [
        ("<MobileClient><UserId>".to_owned(), "malformed XML"),
        ("not xml at all".to_owned(), "malformed XML"),
        (
            format!(
                "<MobileClient><OrganizationId>{}</OrganizationId></MobileClient>",
                org.organization_id
            ),
            "<UserId> is missing",
        ),
        (
            format!(
                "<MobileClient><UserId>{}</UserId></MobileClient>",
                new_user()
            ),
            "<OrganizationId> is missing",
        ),
        (
            message(&org.organization_id, "not-a-guid"),
            "<UserId> is not a GUID",
        ),
        (
            format!(
                "<MobileClient><Pad>{}</Pad></MobileClient>",
                "x".repeat(70 * 1024)
            ),
            "larger than 64 KiB",
        ),
    ];
    for (body, expected) in cases {
        let reply = check_raw(&app, body).await;
        assert_eq!(reply.status, 400, "{expected}");
        assert!(reply.body.starts_with("<Error>"), "{}", reply.body);
        let text = reply.body.replace("&lt;", "<").replace("&gt;", ">");
        assert!(text.contains(expected), "{text} should say {expected}");
    }
    assert_eq!(
        mobile_users::Entity::find().count(&app.db).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn json_is_answered_when_asked_for() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    let response = app
        .client
        .post(app.url("/api/v1/license/check"))
        .header("content-type", "application/xml")
        .header("accept", "application/json")
        .body(message(&org.organization_id, &new_user()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["Status"], "OK");
    assert_eq!(body["State"], "Pending");
    assert!(body["ValidUntil"].as_str().is_some());
}

#[tokio::test]
async fn fifty_simultaneous_unknown_users_at_ten_free_seats_make_ten_enabled_and_forty_pending() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 12, false, &[&org], 60))
        .await;
    app.add_mobile_user(&org, "Existing 1", UserState::Enabled)
        .await;
    app.add_mobile_user(&org, "Existing 2", UserState::Enabled)
        .await;
    set_settings(&app, &org, |s| s.auto_assign_licenses = true).await;

    let checks = (0..50).map(|_| async {
        let reply = check(&app, &org, &new_user()).await;
        assert_eq!(reply.status, 200);
        reply.body
    });
    let replies = futures_util::future::join_all(checks).await;
    let enabled = replies
        .iter()
        .filter(|r| r.contains("<State>Enabled</State>"))
        .count();
    let pending = replies
        .iter()
        .filter(|r| r.contains("<State>Pending</State>"))
        .count();
    assert_eq!((enabled, pending), (10, 40));
    assert_eq!(
        user_count(&app, UserState::Enabled).await,
        12,
        "never more Enabled users than seats"
    );
    assert_eq!(user_count(&app, UserState::Pending).await, 40);
}

#[tokio::test]
async fn last_sync_bookkeeping_of_many_users_is_written_in_one_flush() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    let mut users = Vec::new();
    for n in 0..1500 {
        users.push(
            app.add_mobile_user(&org, &format!("User {n}"), UserState::Enabled)
                .await,
        );
    }
    // A check that did not send a device keeps the one recorded before.
    let quiet = &users[0];
    let bookkeeping = SyncBookkeeping::new(std::time::Duration::ZERO);
    bookkeeping.record(
        quiet.id,
        Utc::now(),
        Some("Pixel 8".into()),
        Some("6.0".into()),
    );
    assert_eq!(bookkeeping.flush(&app.db, false).await.unwrap(), 1);

    let at = Utc::now();
    for (n, user) in users.iter().enumerate() {
        let device = (n > 0).then(|| format!("Device {n}"));
        bookkeeping.record(user.id, at, device, Some("6.1".into()));
    }
    assert_eq!(bookkeeping.flush(&app.db, false).await.unwrap(), 1500);
    for (n, user) in users.iter().enumerate().step_by(149) {
        let stored = storage::mobile_users::find_in(&app.db, org.id, user.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.last_sync_at.map(|t| t.timestamp_millis()),
            Some(at.timestamp_millis())
        );
        assert_eq!(stored.app_version.as_deref(), Some("6.1"));
        let expected = if n == 0 {
            "Pixel 8".to_owned()
        } else {
            format!("Device {n}")
        };
        assert_eq!(stored.device_info.as_deref(), Some(expected.as_str()));
    }
}

#[tokio::test]
async fn a_user_syncing_often_has_the_latest_sync_written_once_the_interval_has_passed() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme").await;
    let user = app.add_mobile_user(&org, "Pat", UserState::Enabled).await;
    let stored_sync = || async {
        storage::mobile_users::find_in(&app.db, org.id, user.id)
            .await
            .unwrap()
            .unwrap()
            .last_sync_at
            .map(|t| t.timestamp_millis())
    };
    let bookkeeping = SyncBookkeeping::new(std::time::Duration::from_secs(3600));
    let first = Utc::now() - Duration::seconds(10);
    bookkeeping.record(user.id, first, None, None);
    assert_eq!(bookkeeping.flush(&app.db, false).await.unwrap(), 1);
    assert_eq!(stored_sync().await, Some(first.timestamp_millis()));

    // Synced again within the interval: held back, the latest sync kept.
    let latest = Utc::now();
    bookkeeping.record(user.id, latest - Duration::seconds(5), None, None);
    bookkeeping.record(user.id, latest, None, None);
    assert_eq!(bookkeeping.flush(&app.db, false).await.unwrap(), 0);
    assert_eq!(stored_sync().await, Some(first.timestamp_millis()));

    // At shutdown (or once the interval has passed) the latest one is written.
    assert_eq!(bookkeeping.flush(&app.db, true).await.unwrap(), 1);
    assert_eq!(stored_sync().await, Some(latest.timestamp_millis()));
}

#[tokio::test]
async fn a_user_the_instance_has_not_seen_yet_is_answered_as_stored_not_created_again() {
    // A long-lived copy of the organization: users added since it was read are not in it.
    let mut database_url = String::new();
    let (address, _dir) = common::spawn_app_configured(|config| {
        config.organization_cache_ttl = std::time::Duration::from_secs(600);
        database_url = config.database_url.clone();
    })
    .await;
    let db = storage::connect(&database_url).await.unwrap();
    let org = licensedesk::app::organizations::create(
        &db,
        &storage::audit::Actor::command_line(),
        licensedesk::domain::organization::OrganizationGuid::new_random(),
        licensedesk::domain::organization::OrganizationDetails::parse(
            "Acme",
            "https://crm.acme.example",
            None,
        )
        .unwrap(),
    )
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let check = |user: String| check_at(&client, &address, message(&org.organization_id, &user));
    // The instance reads the organization (and creates this user Pending).
    let first = check(new_user()).await;
    assert_eq!(first.element("State"), "Pending");
    // Then an administrator adds a user, Disabled, which the instance's copy does not hold.
    let dan =
        storage::mobile_users::insert(&db, org.id, &new_user(), Some("Dan"), UserState::Disabled)
            .await
            .unwrap();
    let reply = check(dan.user_id.clone()).await;
    assert_eq!(
        (
            reply.element("Status").as_str(),
            reply.element("State").as_str()
        ),
        ("LICENSE: NOT FOUND", "Disabled"),
        "answered as the stored user, not as a new one"
    );
    let rows = mobile_users::Entity::find()
        .filter(mobile_users::Column::UserId.eq(dan.user_id.clone()))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, UserState::Disabled, "left as it was");
}
