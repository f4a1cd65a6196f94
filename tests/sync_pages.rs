//! The back office of mobile sync (docs/behaviour.md#mobile-sync, #sync-log) through its
//! pages: access profiles and a user's choice of one, the Records page with an edit that
//! devices pull, and the synchronization log with Revert and Request access.

mod common;

use chrono::Utc;
use common::{
    location, smtp, spawn_app,
    sync::{change, create, device_token, fixture, guid, post_sync, push},
};
use licensedesk::{
    domain::{license_check::UserState, permissions::Role},
    storage,
};
use serde_json::json;

#[tokio::test]
async fn profiles_decide_what_a_user_may_push_and_the_log_shows_the_refusal() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(f.org.id))
        .await;
    app.login_ok("ada@acme.example").await;

    // A profile that may only read work orders, picked for Ann on her page.
    let id = f.entity.id.to_string();
    let added = app
        .post_form(
            "/access-profiles",
            &[("name", "Readers"), (&format!("read_{id}"), "on")],
        )
        .await;
    assert_eq!(added.status(), 303);
    let page = app.get_html("/access-profiles").await;
    assert!(page.contains("Access profile Readers added."), "{page}");
    assert!(page.contains("Field staff"), "{page}");
    let readers = storage::access_profiles::all(&app.db, f.org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Readers")
        .unwrap();
    let picked = app
        .post_form(
            &format!("/mobile-users/{}/profile", f.user.id),
            &[("profile", &readers.id.to_string())],
        )
        .await;
    assert_eq!(location(&picked), format!("/mobile-users/{}", f.user.id));
    let user_page = app.get_html(&format!("/mobile-users/{}", f.user.id)).await;
    assert!(
        user_page.contains("now sync with the profile Readers"),
        "{user_page}"
    );

    // [allowed?, not permitted, …]: Ann may not create, so her create is refused and logged.
    let record = guid();
    let (_, reply) = post_sync(
        &app,
        &f.token,
        &json!({"user_id": f.user.user_id, "changes": [
            change("create", &record, 0, Utc::now(), json!({"status": "new"}))],
            "pending": [{"entity": "work_order", "id": guid(), "op": "update"}]}),
    )
    .await;
    assert_eq!(reply["results"][0]["kind"], "permission_denied", "{reply}");
    let log = app
        .get_html(&format!("/mobile-users/{}/sync", f.user.id))
        .await;
    assert!(log.contains("Permission denied"), "{log}");
    assert!(
        log.contains("the profile Readers may not create work_order"),
        "{log}"
    );
    assert!(log.contains("Van 1"), "the last sync's device: {log}");
    assert!(
        log.contains("OK (user Enabled)"),
        "the last licence check: {log}"
    );
    assert!(log.contains("update"), "the pending change: {log}");
    let overview = app.get_html("/sync-log?kind=permission_denied").await;
    assert!(overview.contains(&record), "{overview}");
    assert!(
        app.get_html("/sync-log?kind=superseded")
            .await
            .contains("Nothing matches the filter."),
        "the filter filters"
    );
    // The search finds the entry by its user and by its kind in words, not by anything else.
    for (q, found) in [("ann", true), ("denied", true), ("required", false)] {
        let page = app.get_html(&format!("/sync-log?q={q}")).await;
        assert_eq!(page.contains(&record), found, "search “{q}”: {page}");
    }

    // Request access: off without an address; with one, one mail however often pressed.
    let entry = storage::sync_log::page(&app.db, f.org.id, &Default::default(), 0, 10)
        .await
        .unwrap()
        .0[0]
        .clone();
    assert!(
        overview.contains("no permission request address"),
        "{overview}"
    );
    let back = format!("/mobile-users/{}/sync", f.user.id);
    let refused = app
        .post_form(
            &format!("/sync-log/{}/request-access", entry.id),
            &[("back", &back)],
        )
        .await;
    assert_eq!(location(&refused), back);
    assert!(
        app.get_html(&back)
            .await
            .contains("Not requested: the organization has no permission request address")
    );
    let mut settings = storage::settings::get(&app.db, f.org.id).await.unwrap();
    settings.permission_request_email = Some("it@acme.example".into());
    storage::settings::save(&app.db, settings).await.unwrap();
    for _ in 0..2 {
        app.post_form(
            &format!("/sync-log/{}/request-access", entry.id),
            &[("back", &back)],
        )
        .await;
    }
    let mails = app.mail().wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.mail().received().len(), 1, "one mail per conflict");
    let text = smtp::text_body(&mails[0]);
    assert!(smtp::header(&mails[0], "To").contains("it@acme.example"));
    assert!(text.contains(&f.user.user_id), "names the user: {text}");
    assert!(text.contains(&record), "names the record: {text}");
    assert!(
        text.contains("create on work_order"),
        "names the permission: {text}"
    );
    assert!(text.contains("Readers"), "{text}");

    // Revert: the next sync lists the record in discard.
    let reverted = app
        .post_form(
            &format!("/sync-log/{}/revert?confirmed=yes", entry.id),
            &[("back", "/sync-log")],
        )
        .await;
    assert_eq!(location(&reverted), "/sync-log");
    assert!(app.get_html("/sync-log").await.contains("Change reverted"));
    let (_, next) = post_sync(
        &app,
        &f.token,
        &json!({"user_id": f.user.user_id, "cursor": reply["cursor"]}),
    )
    .await;
    assert_eq!(
        next["discard"],
        json!([{"entity": "work_order", "id": record}]),
        "{next}"
    );
    // Once the device holds the newer cursor it is not told again.
    let (_, after) = post_sync(
        &app,
        &f.token,
        &json!({"user_id": f.user.user_id, "cursor": next["cursor"]}),
    )
    .await;
    assert_eq!(after["discard"], json!([]));

    let audit = app.get_html("/audit?size=100").await;
    for action in [
        "access_profile.create",
        "mobile_user.profile",
        "sync.request_access",
        "sync.revert",
    ] {
        assert!(audit.contains(action), "{action} in the audit log");
    }
}

#[tokio::test]
async fn an_administrators_edit_on_the_records_page_reaches_devices() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let record = guid();
    let v1 = create(&app, &f, &record, json!({"status": "new", "hours": 2})).await;
    create(&app, &f, &guid(), json!({"status": "other"})).await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(f.org.id))
        .await;
    app.create_administrator("vic@acme.example", Role::Viewer, Some(f.org.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let list = app.get_html("/records?entity=work_order&q=new").await;
    assert!(list.contains(&record), "{list}");
    assert!(!list.contains("other"), "the search filters: {list}");
    let path = format!("/records/work_order/{record}");
    let page = app.get_html(&path).await;
    assert!(page.contains("Versions"), "{page}");
    assert!(
        page.contains(&format!("mobile user {}", f.user.user_id)),
        "{page}"
    );

    // A bad number comes back with what was typed.
    let bad = app
        .post_form(&path, &[("status", "done"), ("hours", "two")])
        .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    assert!(body.contains("hours is a number, not “two”"), "{body}");
    assert!(body.contains("value=\"done\""), "{body}");

    let saved = app
        .post_form(&path, &[("status", "done"), ("hours", "3")])
        .await;
    assert_eq!(location(&saved), path);
    let page = app.get_html(&path).await;
    assert!(page.contains("Record saved as version"), "{page}");
    assert!(page.contains("administrator ada@acme.example"), "{page}");

    // The device pulls the administrator's version.
    let (_, pulled) = post_sync(
        &app,
        &f.token,
        &json!({"user_id": f.user.user_id, "cursor": ""}),
    )
    .await;
    let copy = pulled["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == record.as_str())
        .unwrap()
        .clone();
    assert_eq!(copy["fields"]["status"], "done");
    assert!(copy["version"].as_i64().unwrap() > v1);

    // A device edit made before the administrator's loses to it.
    let (_, late) = post_sync(
        &app,
        &f.token,
        &push(
            &f.user,
            vec![change(
                "update",
                &record,
                v1,
                Utc::now() - chrono::Duration::minutes(5),
                json!({"status": "stale"}),
            )],
        ),
    )
    .await;
    assert_eq!(late["results"][0]["status"], "superseded", "{late}");

    // Delete leaves a tombstone devices learn of.
    let deleted = app
        .post_form(&format!("{path}/delete?confirmed=yes"), &[])
        .await;
    assert_eq!(location(&deleted), path);
    let page = app.get_html(&path).await;
    assert!(page.contains("deleted"), "{page}");
    let (_, pulled) = post_sync(
        &app,
        &f.token,
        &json!({"user_id": f.user.user_id, "cursor": pulled["cursor"]}),
    )
    .await;
    assert_eq!(pulled["changes"][0]["deleted"], true, "{pulled}");

    // A viewer reads but cannot change.
    app.logout().await;
    app.login_ok("vic@acme.example").await;
    assert!(!app.get_html(&path).await.contains("Delete record"));
    let refused = app.post_form(&path, &[("status", "x")]).await;
    assert_eq!(refused.status(), 403);
    let bob = app.add_mobile_user(&f.org, "Bob", UserState::Enabled).await;
    let _ = device_token(&app, &f.org, "Van 9").await;
    assert_eq!(
        app.get(&format!("/mobile-users/{}/sync", bob.id))
            .await
            .status(),
        200
    );
}
