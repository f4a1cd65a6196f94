//! Mobile sync's back office in real headless Chromium (docs/behaviour.md#mobile-sync,
//! #sync-log): an administrator defines an entity, makes a field required, gives the default
//! access profile every right but delete; a device's push then brings a conflict of each of
//! those rules, which the administrator finds on the Sync log, reverts (the device is told to
//! discard its change) or answers with a request for access (one mail, through SMTP). Every
//! page of §7 passes axe.

mod common;

use chrono::Utc;
use common::{
    browser::{
        answer_confirmation, assert_accessible, fill, screenshot, sign_in, wait_for_text,
        with_browser,
    },
    smtp, spawn_app,
    sync::{device_token, guid, offline, post_sync},
};
use fantoccini::{Client, Locator};
use licensedesk::{
    domain::{license_check::UserState, permissions::Role, products::Product},
    storage,
};
use serde_json::{Value, json};

async fn click_css(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css}"))
        .click()
        .await
        .unwrap();
}

async fn click(browser: &Client, xpath: &str) {
    browser
        .find(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|_| panic!("{xpath}"))
        .click()
        .await
        .unwrap();
}

fn inspection(op: &str, id: &str, fields: Value) -> Value {
    json!({"change_id": guid(), "entity": "inspection", "id": id, "op": op,
           "base_version": 0, "changed_at": Utc::now().to_rfc3339(), "fields": fields})
}

#[tokio::test]
async fn administrator_defines_data_and_handles_the_conflicts_a_push_brings() {
    let app = spawn_app().await;
    let org = app.create_organization("Acme Field Service").await;
    app.import(&app.current_key(Product::Mobile, 10, false, &[&org], 365))
        .await;
    offline(&app, &org).await;
    let mut settings = storage::settings::get(&app.db, org.id).await.unwrap();
    settings.permission_request_email = Some("it@acme.example".into());
    storage::settings::save(&app.db, settings).await.unwrap();
    let ann = app.add_mobile_user(&org, "Ann", UserState::Enabled).await;
    let token = device_token(&app, &org, "Van 1").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(org.id))
        .await;
    let address = app.address.clone();
    let (missing, allowed) = (guid(), guid());

    let app = &app;
    with_browser(|browser| async move {
        sign_in(&browser, &address, "ada@acme.example").await;
        browser
            .find(Locator::LinkText("Records"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert_accessible(&browser).await;

        // The entity, then its field `result` made required.
        click_css(&browser, "a[href='/entities']").await;
        fill(&browser, "entity-name", "inspection").await;
        fill(&browser, "entity-label", "Inspection").await;
        fill(&browser, "entity-fields", "result: text\nnotes: text").await;
        click(&browser, "//button[normalize-space()='Add entity']").await;
        wait_for_text(&browser, "Entity inspection added.").await;
        assert_accessible(&browser).await;
        click_css(&browser, "td.actions a[href^='/entities/']").await;
        assert_accessible(&browser).await;
        fill(&browser, "entity-fields", "result: text required\nnotes: text").await;
        click(&browser, "//button[normalize-space()='Save']").await;
        let text = wait_for_text(&browser, "Entity inspection saved.").await;
        assert!(text.contains("2 fields, 1 required"), "{text}");

        // The first profile is the default: read, create and update, but no delete.
        click_css(&browser, "a[href='/access-profiles']").await;
        fill(&browser, "profile-name", "Field staff").await;
        for right in ["read", "create", "update"] {
            click_css(&browser, &format!("input[id^='{right}-']")).await;
        }
        click(&browser, "//button[normalize-space()='Add profile']").await;
        wait_for_text(&browser, "Access profile Field staff added.").await;
        assert_accessible(&browser).await;
        screenshot(&browser, "sync-01-access-profiles").await;

        // The device pushes a create without the required field, a good create, and a
        // delete its profile does not allow.
        let (status, reply) = post_sync(
            app,
            &token,
            &json!({"user_id": ann.user_id, "cursor": "", "device_time": Utc::now().to_rfc3339(),
                    "changes": [inspection("create", &missing, json!({"notes": "gate"})),
                                inspection("create", &allowed, json!({"result": "ok"})),
                                inspection("delete", &allowed, json!({}))]}),
        )
        .await;
        assert_eq!(status, 200, "{reply}");
        let kinds: Vec<&Value> = reply["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["kind"])
            .collect();
        assert_eq!(
            kinds,
            [
                &json!("required_field_missing"),
                &Value::Null,
                &json!("permission_denied")
            ],
            "{reply}"
        );

        // Both conflicts are on the Sync log, newest first.
        click_css(&browser, "a[href='/sync-log']").await;
        let text = wait_for_text(&browser, "Permission denied").await;
        assert!(text.contains("Required field missing"), "{text}");
        assert!(text.contains("result"), "names the missing field: {text}");
        assert_accessible(&browser).await;
        screenshot(&browser, "sync-02-sync-log").await;

        // Request access for the delete: one mail however often it is pressed.
        let request = "//tr[contains(., 'Permission denied')]//button[normalize-space()='Request access']";
        click(&browser, request).await;
        wait_for_text(&browser, "Access requested: a mail to it@acme.example is queued.").await;
        click(&browser, request).await;
        wait_for_text(&browser, "no second mail was queued").await;
        let mails = app.mail().wait_for(1).await;
        let body = smtp::text_body(&mails[0]);
        assert!(body.contains(&allowed), "names the record: {body}");
        assert!(body.contains("delete on inspection"), "names the permission: {body}");

        // Ann's own log, from her name; there the missing field's change is reverted (the
        // page asks first).
        click_css(&browser, &format!("a[href='/mobile-users/{}/sync']", ann.id)).await;
        wait_for_text(&browser, "Pending changes").await;
        assert_accessible(&browser).await;
        click(
            &browser,
            "//tr[contains(., 'Required field missing')]//button[normalize-space()='Revert changes']",
        )
        .await;
        let question = answer_confirmation(&browser, true).await;
        assert!(question.contains("Revert this "), "{question}");
        wait_for_text(&browser, "Change reverted").await;
        assert_accessible(&browser).await;
        screenshot(&browser, "sync-03-user-sync-log").await;

        // The device's next sync drops its change.
        let (_, next) = post_sync(
            app,
            &token,
            &json!({"user_id": ann.user_id, "cursor": reply["cursor"]}),
        )
        .await;
        assert_eq!(
            next["discard"],
            json!([{"entity": "inspection", "id": missing}]),
            "{next}"
        );

        // The good create is on the Records page, with its versions.
        browser
            .goto(&format!("{address}/records?entity=inspection"))
            .await
            .unwrap();
        wait_for_text(&browser, &allowed).await;
        assert_accessible(&browser).await;
        click_css(&browser, &format!("a[href='/records/inspection/{allowed}']")).await;
        let text = wait_for_text(&browser, "Versions").await;
        assert!(text.contains("ok"), "{text}");
        assert_accessible(&browser).await;
        screenshot(&browser, "sync-04-record").await;
    })
    .await;
    assert_eq!(app.mail().received().len(), 1, "one mail per conflict");
}
