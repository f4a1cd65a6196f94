//! The mail outbox: delivery to a real SMTP server, retries while it is down, no duplicates
//! with two workers, .eml files without SMTP, the Outbox page and resend.

mod common;

use std::collections::HashSet;

use common::{MailServer, PASSWORD, location, smtp, spawn_app, spawn_app_with_smtp};
use licensedesk::{
    config::OutboxSettings,
    domain::{email::Email, paging::PageRequest, permissions::Role},
    mail::{transport::Transport, worker::Worker},
    storage::{self, outbox::NewMail},
};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn a_new_administrator_gets_a_welcome_mail_whose_link_sets_the_password() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;

    let created = app
        .post_form(
            "/administrators",
            &[
                ("email", "new@acme.example"),
                ("name", "Nina New"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(created.status(), 303);

    let mails = app.mail().wait_for(1).await;
    let raw = &mails[0];
    assert!(smtp::header(raw, "To").contains("new@acme.example"));
    assert_eq!(smtp::header(raw, "Subject"), "Your LicenseDesk account");
    let text = smtp::text_body(raw);
    let html = smtp::html_body(raw);
    assert!(text.contains("Hello Nina New") && text.contains("Acme"));
    assert!(html.contains("Choose your password"));
    assert!(
        !text.to_lowercase().contains("password:"),
        "no password is mailed"
    );
    let link = smtp::link_in(&text, &app.address).expect("a set-password link");
    let path = link.trim_start_matches(&app.address).to_owned();
    let token = path.split("token=").nth(1).unwrap().to_owned();

    // The new administrator follows the link in their own browser.
    let newcomer = app.second_client();
    let page = newcomer.get(&path).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("new@acme.example"));
    let set = newcomer
        .post_form(
            "/password/set",
            &[
                ("token", &token),
                ("password", PASSWORD),
                ("password_confirmation", PASSWORD),
            ],
        )
        .await;
    assert_eq!(set.status(), 303);
    assert_eq!(location(&set), "/login");
    newcomer.login_ok("new@acme.example").await;

    // The link worked once.
    assert_eq!(newcomer.get(&path).await.status(), 400);

    let outbox = app.get_html("/outbox").await;
    assert!(outbox.contains("new@acme.example") && outbox.contains(">sent<"));

    // The mail can be read on its own page: its text, and its HTML in a sandboxed frame.
    let start = outbox.find("href=\"/outbox/").expect("a link to the mail") + "href=\"".len();
    let mail_path = &outbox[start..start + outbox[start..].find('"').unwrap()];
    let mail = app.get_html(mail_path).await;
    assert!(
        mail.contains("new@acme.example")
            && mail.contains("class=\"mail-text\"")
            && mail.contains("/password/set?token=(hidden)")
            && !mail.contains(&token)
            && mail.contains("<iframe class=\"mail-frame\" sandbox=\"\""),
        "{mail}"
    );
    // Its HTML comes with a policy of its own: styled as mailed, nothing runs, framed here only.
    let html = app.get(&format!("{mail_path}/html")).await;
    assert_eq!(html.status(), 200);
    let policy = html.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("style-src 'unsafe-inline'")
            && policy.contains("sandbox")
            && policy.contains("frame-ancestors 'self'")
            && !policy.contains("script-src"),
        "{policy}"
    );
    let html = html.text().await.unwrap();
    assert!(
        html.contains("Choose your password") && !html.contains(&token),
        "{html}"
    );
}

#[tokio::test]
async fn mail_is_retried_while_smtp_is_down_and_delivered_when_it_is_back() {
    let port = free_port();
    let app = spawn_app_with_smtp(None, Some(format!("smtp://127.0.0.1:{port}"))).await;
    app.logged_in_operator().await;
    let acme = app.create_organization("Acme").await;
    app.post_form(
        "/organization/select",
        &[("organization", &acme.id.to_string())],
    )
    .await;
    app.post_form(
        "/administrators",
        &[("email", "late@acme.example"), ("role", "viewer")],
    )
    .await;

    // Wait for at least two failed attempts.
    let mut failed_attempts = 0;
    for _ in 0..100 {
        let page = storage::outbox::list(&app.db, None, None, PageRequest::new(None, None))
            .await
            .unwrap();
        let mail = &page.items[0];
        if mail.attempts >= 2
            && mail.last_error.is_some()
            && mail.status == licensedesk::domain::outbox::MailStatus::Pending
        {
            failed_attempts = mail.attempts;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        failed_attempts >= 2,
        "the mail was tried and failed at least twice"
    );
    let outbox = app.get_html("/outbox").await;
    assert!(
        outbox.contains("late@acme.example") && outbox.contains("SMTP"),
        "last error shown"
    );

    let server = MailServer::start_on_port(port);
    let mails = server.wait_for(1).await;
    assert!(smtp::header(&mails[0], "To").contains("late@acme.example"));
    app.wait_for_outbox_drained().await;
    let page = storage::outbox::list(&app.db, None, None, PageRequest::new(None, None))
        .await
        .unwrap();
    assert_eq!(page.items[0].status.as_str(), "sent");
    assert_eq!(page.items[0].last_error, None);
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn two_workers_never_send_one_mail_twice() {
    let app = spawn_app().await;
    for i in 0..40 {
        storage::outbox::enqueue(
            &app.db,
            NewMail {
                organization_id: None,
                kind: licensedesk::domain::outbox::MailKind::AdministratorWelcome,
                recipient: format!("r{i}@example.com"),
                subject: format!("Mail {i}"),
                body_text: "text".into(),
                body_html: "<p>html</p>".into(),
                unsubscribe_url: None,
            },
        )
        .await
        .unwrap();
    }
    // The app's own worker plus a second one on its own connection pool, as a second
    // instance would run.
    let second_db = storage::connect(&app.database_url).await.unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let second = tokio::spawn(
        Worker {
            db: second_db,
            transport: Transport::new(Some(&app.mail().url()), app.data_dir.path().join("mail"))
                .unwrap(),
            from: "LicenseDesk <second@test.example>".into(),
            host: "127.0.0.1".into(),
            settings: OutboxSettings {
                poll_interval: std::time::Duration::from_millis(10),
                ..Default::default()
            },
        }
        .run(stopped),
    );
    app.wait_for_outbox_drained().await;
    stop.send(true).unwrap();
    second.await.unwrap();

    let received = app.mail().received();
    let subjects: HashSet<String> = received
        .iter()
        .map(|m| smtp::header(m, "Subject"))
        .collect();
    assert_eq!(subjects.len(), 40, "every mail arrived");
    assert_eq!(received.len(), 40, "and none twice");
}

#[tokio::test]
async fn without_smtp_mail_is_written_as_eml_files_and_shows_as_sent() {
    let app = spawn_app_with_smtp(None, None).await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    app.post_form(
        "/administrators",
        &[("email", "eml@acme.example"), ("role", "viewer")],
    )
    .await;
    app.wait_for_outbox_drained().await;

    let dir = app.data_dir.path().join("mail");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(files[0].path().extension().unwrap() == "eml");
    assert!(smtp::text_body(&raw).contains("/password/set?token="));
    assert!(app.get_html("/outbox").await.contains(">sent<"));
}

#[tokio::test]
async fn the_outbox_page_resends_a_mail_and_audits_it() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.login_ok("ada@acme.example").await;
    app.post_form(
        "/administrators",
        &[("email", "again@acme.example"), ("role", "viewer")],
    )
    .await;
    app.mail().wait_for(1).await;
    app.wait_for_outbox_drained().await;
    let mail = storage::outbox::list(&app.db, Some(acme.id), None, PageRequest::new(None, None))
        .await
        .unwrap()
        .items
        .remove(0);

    let resent = app
        .post_form(&format!("/outbox/{}/resend", mail.id), &[])
        .await;
    assert_eq!(resent.status(), 303);
    let mails = app.mail().wait_for(2).await;
    assert_eq!(mails.len(), 2);
    assert_ne!(
        smtp::header(&mails[0], "Message-ID"),
        smtp::header(&mails[1], "Message-ID"),
        "a resend is a new mail to its receiver"
    );
    assert!(app.get_html("/audit").await.contains("outbox.resend"));

    // Another organization's mail cannot be resent by id.
    let globex = app.create_organization("Globex").await;
    let other = storage::outbox::enqueue(
        &app.db,
        NewMail {
            organization_id: Some(globex.id),
            kind: licensedesk::domain::outbox::MailKind::AdministratorWelcome,
            recipient: "x@globex.example".into(),
            subject: "Globex".into(),
            body_text: "t".into(),
            body_html: "h".into(),
            unsubscribe_url: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        app.post_form(&format!("/outbox/{}/resend", other.id), &[])
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_password_reset_signs_the_administrator_out_and_mails_a_new_link() {
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    let vic = app
        .create_administrator("vic@acme.example", Role::Viewer, Some(acme.id))
        .await;
    let vic_browser = app.second_client();
    vic_browser.login_ok("vic@acme.example").await;
    app.login_ok("ada@acme.example").await;

    // It asks first (here as without JavaScript), naming whose password goes.
    let asked = app
        .post_form(&format!("/administrators/{}/reset-password", vic.id), &[])
        .await;
    assert_eq!(asked.status(), 200);
    let asked = asked.text().await.unwrap();
    assert!(
        asked.contains("Reset the password of vic@acme.example?"),
        "{asked}"
    );
    let reset = app.confirm(&asked).await;
    assert_eq!(reset.status(), 303);
    assert_eq!(
        location(&vic_browser.get("/administrators").await),
        "/login?next=%2Fadministrators"
    );
    assert_eq!(
        vic_browser
            .login("vic@acme.example", PASSWORD)
            .await
            .status(),
        401
    );

    let mails = app.mail().wait_for(1).await;
    assert_eq!(
        smtp::header(&mails[0], "Subject"),
        "Choose a new LicenseDesk password"
    );
    assert!(smtp::link_in(&smtp::text_body(&mails[0]), &app.address).is_some());
    let stored =
        storage::administrators::find_by_email(&app.db, &Email::parse("vic@acme.example").unwrap())
            .await
            .unwrap()
            .unwrap();
    assert!(stored.password_hash.is_none());
}

#[tokio::test]
async fn subscribed_administrators_get_each_expiry_warning_once() {
    use licensedesk::domain::products::Product;
    let app = spawn_app().await;
    let acme = app.create_organization("Acme").await;
    app.create_administrator("ada@acme.example", Role::Admin, Some(acme.id))
        .await;
    app.create_administrator("vic@acme.example", Role::Viewer, Some(acme.id))
        .await;
    let quiet = app
        .create_administrator("quiet@acme.example", Role::Admin, Some(acme.id))
        .await;
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let mut model = quiet.into_active_model();
        model.notify = Set(false);
        model.update(&app.db).await.unwrap();
    }
    // The licence comes last: the app's own expiry job (it runs at start) may see it at any
    // moment after this, and must then find the administrators as the test expects.
    let licence = app
        .import(&app.current_key(Product::Mobile, 10, false, &[&acme], 25))
        .await;
    let today = chrono::Utc::now().date_naive();

    // 25 days left: the 30-day warning, once, however often the job runs.
    // (The app's own hourly job may have run first; either way two mails in all.)
    licensedesk::app::expiry_warnings::queue_due_warnings(&app.db, &app.address, today)
        .await
        .unwrap();
    let again = licensedesk::app::expiry_warnings::queue_due_warnings(&app.db, &app.address, today)
        .await
        .unwrap();
    assert_eq!(again, 0);
    app.wait_for_outbox_drained().await;
    let mails = app.mail().received();
    assert_eq!(mails.len(), 2);
    let recipients: HashSet<String> = mails.iter().map(|m| smtp::header(m, "To")).collect();
    assert!(recipients.iter().any(|r| r.contains("ada@acme.example")));
    assert!(recipients.iter().any(|r| r.contains("vic@acme.example")));
    assert!(
        !recipients.iter().any(|r| r.contains("quiet@")),
        "not subscribed"
    );
    assert_eq!(
        smtp::header(&mails[0], "Subject"),
        "MOBILE licence of Acme ends in 25 days"
    );
    assert!(smtp::text_body(&mails[0]).contains(&licence.licence_id));

    // Five days left: the 7-day warning; the last day: the 1-day warning; then nothing more.
    let later = |days: i64| today + chrono::Duration::days(days);
    assert_eq!(
        licensedesk::app::expiry_warnings::queue_due_warnings(&app.db, &app.address, later(20))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        licensedesk::app::expiry_warnings::queue_due_warnings(&app.db, &app.address, later(22))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        licensedesk::app::expiry_warnings::queue_due_warnings(&app.db, &app.address, later(25))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        licensedesk::app::expiry_warnings::queue_due_warnings(&app.db, &app.address, later(26))
            .await
            .unwrap(),
        0
    );
    let mails = app.mail().wait_for(6).await;
    assert!(
        mails
            .iter()
            .any(|m| smtp::header(m, "Subject") == "MOBILE licence of Acme ends today")
    );
}
