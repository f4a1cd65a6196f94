//! Sessions API (docs/behaviour.md#sessions-api): competitive seats taken, kept alive, released, expired, forced out —
//! and never more than the limit under concurrency.

mod common;

use common::spawn_app;
use licensedesk::domain::license_check::UserState;
use licensedesk::{
    domain::{permissions::Role, products::Product},
    storage::{self},
};
use serde_json::{Value, json};

async fn request_seat(app: &common::TestApp, org: &str, user: &str, product: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/api/v1/sessions"))
        .json(&json!({ "organization_id": org, "user_id": user, "product": product }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn heartbeat(app: &common::TestApp, token: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/sessions/{token}/heartbeat")))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_seat_is_taken_kept_alive_and_released() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::CallCenter, 1, true, &[&acme], 30))
        .await;
    let ann = app.add_mobile_user(&acme, "Ann", UserState::Enabled).await;
    let bob = app.add_mobile_user(&acme, "Bob", UserState::Enabled).await;

    let (status, body) = request_seat(
        &app,
        &acme.organization_id.to_uppercase(),
        &ann.user_id,
        "call_center",
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    assert!(body["expires_at"].as_str().is_some());

    let (status, body) =
        request_seat(&app, &acme.organization_id, &bob.user_id, "CALL_CENTER").await;
    assert_eq!(status, 409);
    assert_eq!(body["error"], "all 1 CALL_CENTER seats are in use");

    assert_eq!(heartbeat(&app, &token).await.0, 200);
    let released = app
        .client
        .delete(app.url(&format!("/api/v1/sessions/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(released.status(), 204);
    let (status, body) = heartbeat(&app, &token).await;
    assert_eq!(status, 401);
    assert!(body["error"].as_str().unwrap().contains("released"));

    // The seat is free again.
    assert_eq!(
        request_seat(&app, &acme.organization_id, &bob.user_id, "CALL_CENTER")
            .await
            .0,
        201
    );
}

#[tokio::test]
async fn refusals_name_the_reason() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::CallCenter, 5, true, &[&acme], 30))
        .await;
    app.import(&app.current_key(Product::Chat, 5, false, &[&acme], 30))
        .await;
    let ann = app.add_mobile_user(&acme, "Ann", UserState::Enabled).await;
    let dan = app.add_mobile_user(&acme, "Dan", UserState::Disabled).await;
    let org = acme.organization_id.as_str();

    let (status, body) =
        request_seat(&app, org, &uuid::Uuid::new_v4().to_string(), "CALL_CENTER").await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (403, "the user is unknown to this organization")
    );
    let (status, body) = request_seat(&app, org, &dan.user_id, "CALL_CENTER").await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (403, "the user is disabled")
    );
    let (status, body) = request_seat(&app, org, &ann.user_id, "CHAT").await;
    assert_eq!(status, 403, "CHAT is nominal only");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("no valid competitive CHAT licence")
    );
    let (status, body) = request_seat(&app, org, &ann.user_id, "FAX").await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("not a product"));
    let (status, _) = request_seat(
        &app,
        &uuid::Uuid::new_v4().to_string(),
        &ann.user_id,
        "CALL_CENTER",
    )
    .await;
    assert_eq!(status, 403);

    let broken = app
        .client
        .post(app.url("/api/v1/sessions"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    let body: Value = broken.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("invalid JSON"));

    assert_eq!(heartbeat(&app, "no-such-token").await.0, 404);
}

#[tokio::test]
async fn an_expired_licence_grants_no_session() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let today = chrono::Utc::now().date_naive();
    app.import(&app.issue_key(
        Product::CallCenter,
        5,
        true,
        &[&acme],
        today - chrono::Duration::days(60),
        today - chrono::Duration::days(1),
    ))
    .await;
    let ann = app.add_mobile_user(&acme, "Ann", UserState::Enabled).await;
    assert_eq!(
        request_seat(&app, &acme.organization_id, &ann.user_id, "CALL_CENTER")
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn a_forced_logout_from_the_used_modal_makes_the_next_heartbeat_401_with_a_reason() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let licence = app
        .import(&app.current_key(Product::CustomerService, 3, true, &[&acme], 30))
        .await;
    let ann = app
        .add_mobile_user(&acme, "Ann Field", UserState::Enabled)
        .await;
    let (_, body) = request_seat(
        &app,
        &acme.organization_id,
        &ann.user_id,
        "CUSTOMER_SERVICE",
    )
    .await;
    let token = body["token"].as_str().unwrap().to_owned();

    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    assert!(app.get_html("/licenses").await.contains(">1</a>"));
    let used = app
        .get_html(&format!("/licenses/{}/used", licence.id))
        .await;
    assert!(used.contains("Ann Field") && used.contains("Log out"));
    let released = app
        .post_form(
            &format!("/licenses/{}/used/{}/release", licence.id, ann.id),
            &[],
        )
        .await;
    assert_eq!(released.status(), 303, "{:?}", released.text().await);
    let registry = app.get_html("/licenses").await;
    assert!(registry.contains(">0</a>"), "the count drops: {registry}");

    let (status, body) = heartbeat(&app, &token).await;
    assert_eq!(status, 401);
    assert_eq!(
        body["error"],
        "the session has ended: forced logout by an administrator"
    );
    assert!(
        app.get_html("/audit")
            .await
            .contains("license.force_logout")
    );
}

#[tokio::test]
async fn a_session_without_heartbeat_expires_and_frees_its_seat() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::CallManager, 1, true, &[&acme], 30))
        .await;
    let ann = app.add_mobile_user(&acme, "Ann", UserState::Enabled).await;
    let bob = app.add_mobile_user(&acme, "Bob", UserState::Enabled).await;
    let (_, body) = request_seat(&app, &acme.organization_id, &ann.user_id, "CALL_MANAGER").await;
    let token = body["token"].as_str().unwrap().to_owned();

    // Let the session run out, as if five minutes had passed without a heartbeat.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    use storage::entities::license_sessions::{Column, Entity};
    Entity::update_many()
        .col_expr(
            Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(Column::MobileUserId.eq(ann.id))
        .exec(&app.db)
        .await
        .unwrap();

    let (status, body) = heartbeat(&app, &token).await;
    assert_eq!(status, 401);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("no heartbeat in time")
    );
    assert_eq!(
        request_seat(&app, &acme.organization_id, &bob.user_id, "CALL_MANAGER")
            .await
            .0,
        201
    );
}

#[tokio::test]
async fn fifty_simultaneous_requests_at_a_limit_of_ten_get_exactly_ten_seats() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    // Two licences of one product add up: 6 + 4 seats.
    app.import(&app.current_key(Product::VoipDevice, 6, true, &[&acme], 30))
        .await;
    app.import(&app.current_key(Product::VoipDevice, 4, true, &[&acme], 60))
        .await;
    let mut users = Vec::new();
    for i in 0..50 {
        users.push(
            app.add_mobile_user(&acme, &format!("User {i}"), UserState::Enabled)
                .await,
        );
    }

    let requests = users.iter().map(|user| {
        let client = reqwest::Client::new();
        let url = app.url("/api/v1/sessions");
        let body = json!({ "organization_id": acme.organization_id, "user_id": user.user_id, "product": "VOIP_DEVICE" });
        async move { client.post(url).json(&body).send().await.unwrap().status().as_u16() }
    });
    let statuses = futures_util::future::join_all(requests).await;

    let granted = statuses.iter().filter(|s| **s == 201).count();
    let refused = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((granted, refused), (10, 40), "{statuses:?}");
    let licences = storage::licenses::of_product(&app.db, acme.id, Product::VoipDevice)
        .await
        .unwrap();
    let mut live = 0;
    for licence in &licences {
        let used = storage::seats::used(&app.db, licence).await.unwrap();
        assert!(used <= u64::try_from(licence.seat_limit).unwrap());
        live += used;
    }
    assert_eq!(live, 10);
}
