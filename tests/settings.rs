//! The Settings page (docs/behaviour.md#organization-settings): every setting saved and audited, bad values refused, offline
//! licences only by operators.

mod common;

use common::spawn_app;
use licensedesk::{domain::permissions::Role, storage};

fn form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("auto_assign_licenses", "on"),
        ("auto_free_after_days", "30"),
        ("temporary_license_days", "7"),
        ("send_assignment_notifications", "on"),
        (
            "notification_addresses",
            "ops@acme.example\nlead@acme.example",
        ),
        ("offline_licenses_enabled", "on"),
        ("permission_request_email", "access@acme.example"),
        ("sync_mode", "hybrid"),
    ];
    for (name, value) in overrides {
        fields.retain(|(n, _)| n != name);
        if !value.is_empty() || *name == "auto_free_after_days" {
            fields.push((name, value));
        }
    }
    fields
}

#[tokio::test]
async fn an_admin_saves_every_setting_and_the_change_is_audited() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let saved = app.post_form("/settings", &form(&[])).await;
    assert_eq!(saved.status(), 303);
    let settings = storage::settings::get(&app.db, acme.id).await.unwrap();
    assert!(settings.auto_assign_licenses && settings.send_assignment_notifications);
    assert_eq!(settings.auto_free_after_days, Some(30));
    assert_eq!(settings.temporary_license_days, 7);
    assert_eq!(
        settings.notification_addresses,
        "ops@acme.example\nlead@acme.example"
    );
    assert_eq!(
        settings.permission_request_email.as_deref(),
        Some("access@acme.example")
    );
    assert_eq!(settings.sync_mode.as_str(), "hybrid");
    assert!(
        !settings.offline_licenses_enabled,
        "only an operator switches offline licences on"
    );

    let page = app.get_html("/settings").await;
    assert!(page.contains("Settings saved.") && page.contains("value=\"hybrid\" selected"));
    let audit = app.get_html("/audit").await;
    assert!(audit.contains("settings.update"));

    // Clearing auto-free keeps it empty.
    app.post_form("/settings", &form(&[("auto_free_after_days", "")]))
        .await;
    assert_eq!(
        storage::settings::get(&app.db, acme.id)
            .await
            .unwrap()
            .auto_free_after_days,
        None
    );
}

#[tokio::test]
async fn bad_values_are_refused_with_the_reason_and_nothing_changes() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    for (field, value, reason) in [
        ("temporary_license_days", "0", "is not a number of days"),
        (
            "notification_addresses",
            "not-an-address",
            "notification address",
        ),
        ("sync_mode", "satellite", "is not a sync mode"),
    ] {
        let response = app.post_form("/settings", &form(&[(field, value)])).await;
        assert_eq!(response.status(), 422);
        let body = response.text().await.unwrap();
        assert!(body.contains(reason), "{field}: {body}");
    }
    let settings = storage::settings::get(&app.db, acme.id).await.unwrap();
    assert!(!settings.auto_assign_licenses, "nothing was saved");
}

#[tokio::test]
async fn operators_switch_offline_licences_and_viewers_only_read() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.logged_in_operator().await;
    app.post_form("/settings", &form(&[])).await;
    assert!(
        storage::settings::get(&app.db, acme.id)
            .await
            .unwrap()
            .offline_licenses_enabled
    );

    let viewer = app.second_client();
    viewer
        .create_administrator("vic@acme.example", Role::Viewer, Some(acme.id))
        .await;
    viewer.login_ok("vic@acme.example").await;
    assert_eq!(viewer.get("/settings").await.status(), 200);
    let refused = viewer
        .post_form("/settings", &form(&[("sync_mode", "online")]))
        .await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Your role does not allow you to change organization settings.")
    );
}
