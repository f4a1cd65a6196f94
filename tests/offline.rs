//! Offline licences (docs/behaviour.md#offline-licences): Update on the Mobile Users page, download, the API endpoint,
//! and `licensedesk offline verify` (a tampered file fails).

mod common;

use licensedesk::domain::license_check::UserState;
use std::process::Command;

use common::spawn_app;
use licensedesk::{
    domain::{permissions::Role, products::Product},
    storage::{self},
};

#[tokio::test]
async fn an_offline_licence_is_updated_downloaded_served_and_verified() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 5, false, &[&acme], 30))
        .await;
    let ann = app.add_mobile_user(&acme, "Ann", UserState::Enabled).await;
    let bob = app.add_mobile_user(&acme, "Bob", UserState::Enabled).await;
    app.add_mobile_user(&acme, "Pat", UserState::Pending).await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    let api = format!("/api/v1/license/offline/{}", acme.organization_id);

    // Off until an operator switches it on.
    app.post_form("/mobile-users/offline", &[]).await;
    assert!(
        app.get_html("/mobile-users")
            .await
            .contains("Offline licences are off for this organization")
    );
    assert_eq!(app.get(&api).await.status(), 404);
    let mut settings = storage::settings::get(&app.db, acme.id).await.unwrap();
    settings.offline_licenses_enabled = true;
    storage::settings::save(&app.db, settings).await.unwrap();

    let page = app.get_html("/mobile-users").await;
    assert!(page.contains("No offline licence file yet.") && page.contains(">Update</button>"));
    app.post_form("/mobile-users/offline", &[]).await;
    let page = app.get_html("/mobile-users").await;
    assert!(
        page.contains("Offline licence updated: 2 Enabled users."),
        "{page}"
    );
    assert!(
        app.get_html("/audit")
            .await
            .contains("offline_licence.update")
    );

    let download = app.get("/mobile-users/offline-licence.json").await;
    assert_eq!(download.status(), 200);
    let file = download.text().await.unwrap();
    let served = app.get(&api).await.text().await.unwrap();
    assert_eq!(file, served, "the API serves the same file");

    // Verify it from the command line with the server's public key.
    let path = app.data_dir.path().join("offline.json");
    std::fs::write(&path, &file).unwrap();
    let public_key = app.data_dir.path().join("offline-signing.pub");
    let verify = |path: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_licensedesk"))
            .env_clear()
            .env("LICENSEDESK_DATA_DIR", app.data_dir.path().join("cli"))
            .args(["offline", "verify"])
            .arg(path)
            .arg("--public-key")
            .arg(&public_key)
            .output()
            .unwrap()
    };
    let ok = verify(&path);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let printed = String::from_utf8_lossy(&ok.stdout);
    assert!(
        printed.contains(&ann.user_id)
            && printed.contains(&bob.user_id)
            && printed.contains("2 users")
    );
    assert!(printed.contains(&acme.organization_id));

    // Changing one user id in the signed payload breaks the signature.
    let mut json: serde_json::Value = serde_json::from_str(&file).unwrap();
    let payload = json["payload"].as_str().unwrap().to_owned();
    let mut bytes = payload.into_bytes();
    bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
    json["payload"] = String::from_utf8(bytes).unwrap().into();
    let tampered = app.data_dir.path().join("tampered.json");
    std::fs::write(&tampered, json.to_string()).unwrap();
    let refused = verify(&tampered);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("does not verify") || stderr.contains("not an offline licence"),
        "{stderr}"
    );
}
