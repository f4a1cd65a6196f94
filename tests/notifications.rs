//! Assignment notifications (docs/behaviour.md#notification-mail) end to end: the mail arrives at a real SMTP server, View in
//! browser and Unsubscribe work without login, tokens cannot be used for another address.

mod common;

use common::{TestApp, smtp, spawn_app};
use licensedesk::{
    domain::{permissions::Role, products::Product},
    storage,
};

async fn check_new_user(app: &TestApp, organization_id: &str) -> String {
    let user = uuid::Uuid::new_v4().to_string();
    let body = format!(
        "<MobileClient><OrganizationId>{organization_id}</OrganizationId><UserId>{user}</UserId></MobileClient>"
    );
    let reply = app
        .client
        .post(app.url("/api/v1/license/check"))
        .header("content-type", "application/xml")
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(reply.contains("<State>Enabled</State>"), "{reply}");
    user
}

fn path_of(app: &TestApp, link: &str) -> String {
    link.trim_start_matches(&app.address).to_owned()
}

#[tokio::test]
async fn subscribers_get_the_assignment_mail_and_manage_their_subscriptions_from_it() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 5, false, &[&acme], 60))
        .await;
    let mut settings = storage::settings::get(&app.db, acme.id).await.unwrap();
    settings.auto_assign_licenses = true;
    settings.send_assignment_notifications = true;
    settings.notification_addresses = "ops@acme.example".to_owned();
    storage::settings::save(&app.db, settings).await.unwrap();
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.create_administrator("op@example.com", Role::Operator, None)
        .await;

    let user = check_new_user(&app, &acme.organization_id).await;
    app.wait_for_outbox_drained().await;
    let mails = app.mail().received();
    let to: Vec<String> = mails.iter().map(|m| smtp::header(m, "To")).collect();
    assert_eq!(mails.len(), 2, "{to:?}");
    assert!(
        to.iter().any(|t| t.contains("ada@acme.example"))
            && to.iter().any(|t| t.contains("ops@acme.example"))
    );

    let ops_mail = mails
        .iter()
        .find(|m| smtp::header(m, "To").contains("ops@"))
        .unwrap();
    assert_eq!(
        smtp::header(ops_mail, "Subject"),
        "A MOBILE licence of Acme was assigned automatically"
    );
    let text = smtp::text_body(ops_mail);
    for expected in [
        "Organization: Acme",
        &format!("Organization id: {}", acme.organization_id),
        "URL: https://crm.example.com",
        &format!("New user id: {user}"),
        "Total 5 / Used 1 / Available 4",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(smtp::html_body(ops_mail).contains("View in browser"));

    // View in browser, without login.
    let view = smtp::link_in(&text, &format!("{}/notices/", app.address)).expect("view link");
    let visitor = app.second_client();
    let page = visitor.get_html(&path_of(&app, &view)).await;
    assert!(page.contains(&user) && page.contains("Total 5 / Used 1 / Available 4"));
    let forged = format!("{}x", path_of(&app, &view));
    assert_eq!(visitor.get(&forged).await.status(), 404);

    // Unsubscribe → the subscriptions page for exactly this address.
    let manage =
        smtp::link_in(&text, &format!("{}/subscriptions?", app.address)).expect("unsubscribe link");
    let manage_path = path_of(&app, &manage);
    let page = visitor.get_html(&manage_path).await;
    assert!(
        page.contains("Manage your notification subscriptions")
            && page.contains("ops@acme.example")
    );
    assert!(page.contains("Acme"));
    let stolen = manage_path.replace("ops%40acme.example", "ada%40acme.example");
    assert_eq!(
        visitor.get(&stolen).await.status(),
        404,
        "a token works for its own address only"
    );

    let token = manage_path.split("token=").nth(1).unwrap().to_owned();
    let token = token.replace("%3D", "=");
    let unsubscribed = visitor
        .post_form(
            "/subscriptions",
            &[
                ("address", "ops@acme.example"),
                ("token", &token),
                ("organization", &acme.id.to_string()),
            ],
        )
        .await;
    assert_eq!(unsubscribed.status(), 303);
    assert!(
        visitor
            .get_html(&manage_path)
            .await
            .contains("Unsubscribed.")
    );

    // The next assignment reaches only the administrator.
    check_new_user(&app, &acme.organization_id).await;
    app.wait_for_outbox_drained().await;
    let mails = app.mail().received();
    assert_eq!(mails.len(), 3);
    assert!(smtp::header(&mails[2], "To").contains("ada@acme.example"));

    // Unsubscribe from all, with a forged token refused.
    let forged = visitor
        .post_form(
            "/subscriptions",
            &[("address", "ada@acme.example"), ("token", &token)],
        )
        .await;
    assert_eq!(forged.status(), 404);
    app.login_ok("op@example.com").await;
    assert!(
        app.get_html("/audit")
            .await
            .contains("notifications.unsubscribe")
    );
}

#[tokio::test]
async fn notification_mail_is_marked_automatic_and_unsubscribes_in_one_click() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.import(&app.current_key(Product::Mobile, 5, false, &[&acme], 60))
        .await;
    let mut settings = storage::settings::get(&app.db, acme.id).await.unwrap();
    settings.auto_assign_licenses = true;
    settings.send_assignment_notifications = true;
    settings.notification_addresses = "ops@acme.example".to_owned();
    storage::settings::save(&app.db, settings).await.unwrap();

    check_new_user(&app, &acme.organization_id).await;
    app.wait_for_outbox_drained().await;
    let mails = app.mail().received();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(smtp::header(mail, "Auto-Submitted"), "auto-generated");
    assert_eq!(
        smtp::header(mail, "List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );
    let id = smtp::header(mail, "Message-ID");
    assert!(
        id.ends_with("@127.0.0.1>") && !id.contains("outbox-"),
        "a random id at this installation's host: {id}"
    );
    let unsubscribe = smtp::header(mail, "List-Unsubscribe");
    let url = unsubscribe
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    assert!(url.starts_with(&format!("{}/subscriptions/one-click?", app.address)));

    // What a mailbox provider does (RFC 8058): a POST without cookies or CSRF token.
    let provider = reqwest::Client::new();
    let forged = provider
        .post(url.replace("ops%40acme.example", "ada%40acme.example"))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 404, "the token is bound to the address");
    let response = provider
        .post(&url)
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let subscriptions = storage::notifications::subscriptions_of(&app.db, "ops@acme.example")
        .await
        .unwrap();
    assert!(subscriptions.iter().all(|(_, on)| !on), "{subscriptions:?}");

    // The next assignment mails nobody.
    check_new_user(&app, &acme.organization_id).await;
    app.wait_for_outbox_drained().await;
    assert_eq!(app.mail().received().len(), 1);
}
