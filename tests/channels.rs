//! Chat gateways and email profiles (docs/behaviour.md#products): CHAT and EMAIL limits are the largest licence,
//! not the sum, and count across every organization of the licence.

mod common;

use common::spawn_app;
use licensedesk::{
    domain::{permissions::Role, products::Product},
    storage,
};

async fn add(app: &common::TestApp, path: &str, name: &str) -> i64 {
    app.post_form(path, &[("name", name)]).await;
    let page = app.get_html(path).await;
    let marker = format!("{path}/");
    page.match_indices(&marker)
        .filter_map(|(i, _)| page[i + marker.len()..].split('/').next()?.parse().ok())
        .max()
        .expect("the new entry")
}

async fn enable(app: &common::TestApp, path: &str, id: i64) -> String {
    app.post_form(&format!("{path}/{id}/enabled"), &[("enabled", "on")])
        .await;
    app.get_html(path).await
}

#[tokio::test]
async fn chat_gateways_are_limited_by_the_largest_chat_licence() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Chat, 2, false, &[&acme], 30))
        .await;
    app.import(&app.current_key(Product::Chat, 3, false, &[&acme], 30))
        .await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let mut ids = Vec::new();
    for name in ["Web chat", "WhatsApp", "Telegram", "Viber"] {
        ids.push(add(&app, "/chat-gateways", name).await);
    }
    for id in &ids[..3] {
        let page = enable(&app, "/chat-gateways", *id).await;
        assert!(page.contains("is enabled."), "{page}");
    }
    let refused = enable(&app, "/chat-gateways", ids[3]).await;
    assert!(
        refused.contains("Viber was not enabled: the CHAT licence allows 3 chat gateways enabled at the same time, and 3 are."),
        "{refused}"
    );

    // Switching one off makes room.
    app.post_form(&format!("/chat-gateways/{}/enabled", ids[0]), &[])
        .await;
    assert!(
        enable(&app, "/chat-gateways", ids[3])
            .await
            .contains("Viber is enabled.")
    );
    assert!(app.get_html("/audit").await.contains("chat_gateway.update"));
}

#[tokio::test]
async fn the_limit_counts_across_the_organizations_of_the_licence() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let globex = app.create_organization("Globex").await;
    app.import(&app.current_key(Product::Email, 2, false, &[&acme, &globex], 30))
        .await;
    let theirs = storage::channels::create(
        &app.db,
        globex.id,
        licensedesk::domain::channels::ChannelKind::EmailProfile,
        "Support",
    )
    .await
    .unwrap();
    licensedesk::app::channels::set_enabled(
        &app.db,
        &storage::audit::Actor::command_line(),
        theirs,
        licensedesk::domain::channels::ChannelKind::EmailProfile,
        true,
    )
    .await
    .unwrap();
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let first = add(&app, "/email-profiles", "Sales").await;
    let second = add(&app, "/email-profiles", "Billing").await;
    assert!(
        enable(&app, "/email-profiles", first)
            .await
            .contains("Sales is enabled.")
    );
    let refused = enable(&app, "/email-profiles", second).await;
    assert!(
        refused.contains("allows 2 email profiles enabled at the same time, and 2 are"),
        "{refused}"
    );
    assert!(
        !refused.contains("Support"),
        "another organization's profile is not listed"
    );
}

#[tokio::test]
async fn without_a_valid_licence_nothing_can_be_enabled_and_viewers_only_look() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    let today = chrono::Utc::now().date_naive();
    app.import(&app.issue_key(
        Product::Email,
        9,
        false,
        &[&acme],
        today - chrono::Duration::days(30),
        today - chrono::Duration::days(1),
    ))
    .await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    let id = add(&app, "/email-profiles", "Sales").await;
    let refused = enable(&app, "/email-profiles", id).await;
    assert!(
        refused.contains("there is no valid EMAIL licence, so no email profiles can be enabled"),
        "{refused}"
    );

    app.logout().await;
    app.create_administrator("vic@acme.example", Role::Viewer, Some(acme.id))
        .await;
    app.login_ok("vic@acme.example").await;
    let page = app.get_html("/email-profiles").await;
    assert!(page.contains("Sales") && page.contains("Disabled"));
    let forbidden = app
        .post_form(
            &format!("/email-profiles/{id}/enabled"),
            &[("enabled", "on")],
        )
        .await;
    assert_eq!(forbidden.status(), 403);
    assert!(
        forbidden
            .text()
            .await
            .unwrap()
            .contains("Your role does not allow you to change organization settings.")
    );
}
