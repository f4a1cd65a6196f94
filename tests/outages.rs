//! The database goes away for real — PostgreSQL's connections cut and refused, SQLite's
//! write lock held by someone else — and comes back: readiness says so at once, known users
//! keep their licence from the instance's copy, nothing is created meanwhile, a mail in
//! flight is marked sent once and not sent twice.

mod common;

use licensedesk::domain::license_check::UserState;
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{outage::Outage, slow_smtp::SlowSmtp};
use licensedesk::{
    config::OutboxSettings,
    domain::{license_key::VendorSigningKey, products::Product},
    mail::{transport::Transport, worker::Worker},
    startup::Application,
    storage::{self, entities::outbox, outbox::NewMail},
};
use sea_orm::{EntityTrait, PaginatorTrait};

struct Running {
    address: String,
    /// The database itself, not through the outage.
    direct_url: String,
    db: sea_orm::DatabaseConnection,
    outage: Outage,
    _data_dir: tempfile::TempDir,
    vendor: VendorSigningKey,
}

/// The application on a database it reaches through an `Outage`.
async fn spawn_breakable_app() -> Running {
    if std::env::var_os("TEST_LOG").is_some() {
        licensedesk::telemetry::init();
    }
    let data_dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(data_dir.path()).await;
    let (outage, through) = Outage::around(&url).await;
    let vendor = VendorSigningKey::generate();
    let config = common::test_config(data_dir.path(), through, None, &vendor);
    let app = Application::build(config).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());
    Running {
        address,
        direct_url: url,
        db,
        outage,
        _data_dir: data_dir,
        vendor,
    }
}

async fn check(address: &str, organization: &str, user: &str) -> (u16, String) {
    let body = format!(
        "<MobileClient><Version>6.1</Version><OrganizationId>{organization}</OrganizationId>\
         <OrganizationUrl>https://crm.example.com</OrganizationUrl><UserId>{user}</UserId></MobileClient>"
    );
    let response = reqwest::Client::new()
        .post(format!("{address}/api/v1/license/check"))
        .header("content-type", "application/xml")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn ready(address: &str) -> (u16, Duration) {
    let started = Instant::now();
    let status = reqwest::get(format!("{address}/readyz"))
        .await
        .unwrap()
        .status()
        .as_u16();
    (status, started.elapsed())
}

#[tokio::test]
async fn during_a_database_outage_known_users_keep_their_licence_and_nothing_waits_long() {
    let mut app = spawn_breakable_app().await;
    let acme = licensedesk::app::organizations::create(
        &app.db,
        &storage::audit::Actor::command_line(),
        licensedesk::domain::organization::OrganizationGuid::new_random(),
        licensedesk::domain::organization::OrganizationDetails::parse(
            "Acme",
            "https://crm.example.com",
            None,
        )
        .unwrap(),
    )
    .await
    .unwrap();
    let today = Utc::now().date_naive();
    let key = app
        .vendor
        .issue(&licensedesk::domain::license_key::LicenceKeyPayload {
            licence_id: uuid::Uuid::new_v4(),
            product: Product::Mobile,
            valid_from: today - chrono::Duration::days(10),
            valid_till: today + chrono::Duration::days(100),
            limit: 10,
            competitive: false,
            organizations: vec![uuid::Uuid::parse_str(&acme.organization_id).unwrap()],
            issued_at: Utc::now(),
        })
        .unwrap();
    licensedesk::app::licenses::import_key(
        &app.db,
        &app.vendor.public_key(),
        &storage::audit::Actor::command_line(),
        &key,
        None,
    )
    .await
    .unwrap();
    let known = uuid::Uuid::new_v4().to_string();
    storage::mobile_users::insert(&app.db, acme.id, &known, Some("Ann"), UserState::Enabled)
        .await
        .unwrap();
    let org = acme.organization_id.clone();
    let (status, body) = check(&app.address, &org, &known).await;
    assert_eq!(status, 200);
    assert!(body.contains("Enabled"), "{body}");
    assert_eq!(ready(&app.address).await.0, 200);
    // An administrator signed in before the outage.
    let hash =
        licensedesk::domain::password::NewPassword::parse(common::PASSWORD, common::PASSWORD)
            .unwrap()
            .hash()
            .unwrap();
    licensedesk::app::administrators::create(
        &app.db,
        &storage::audit::Actor::command_line(),
        storage::administrators::NewAdministrator {
            organization_id: None,
            email: licensedesk::domain::email::Email::parse("op@example.com").unwrap(),
            display_name: "Op".into(),
            role: licensedesk::domain::permissions::Role::Operator,
            password_hash: Some(hash),
        },
    )
    .await
    .unwrap();
    let browser = common::new_client();
    let page = browser
        .get(format!("{}/login", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = common::csrf_token_in(&page).unwrap();
    let login = browser
        .post(format!("{}/login", app.address))
        .form(&[
            ("email", "op@example.com"),
            ("password", common::PASSWORD),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let users_before = storage::entities::mobile_users::Entity::find()
        .count(&app.db)
        .await
        .unwrap();

    app.outage.begin().await;

    let (status, took) = ready(&app.address).await;
    assert_eq!(status, 503, "not ready while the database takes no writes");
    assert!(
        took < Duration::from_secs(2),
        "/readyz answered in {took:?}"
    );

    // The first check may wait for the database once (3 s at most); then nobody waits.
    for round in 0..12 {
        let started = Instant::now();
        let (status, body) = check(&app.address, &org, &known).await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body.contains("Enabled"),
            "a known user keeps the licence: {body}"
        );
        let limit = Duration::from_millis(if round == 0 { 4000 } else { 500 });
        assert!(
            started.elapsed() < limit,
            "check {round} answered in {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // A page: on PostgreSQL nothing can be read either, and the page says so at once. On
    // SQLite only writes are locked: the page shows, or — if it had to write its session —
    // says so after the 5 s busy wait.
    let started = Instant::now();
    let page = browser
        .get(format!("{}/organizations", app.address))
        .send()
        .await
        .unwrap();
    let status = page.status().as_u16();
    let text = page.text().await.unwrap();
    let postgres = matches!(app.outage, Outage::Postgres(_));
    if postgres || status != 200 {
        assert_eq!(status, 503, "{text}");
        assert!(text.contains("cannot reach its database"), "{text}");
    }
    let limit = Duration::from_secs(if postgres { 4 } else { 7 });
    assert!(started.elapsed() < limit, "page in {:?}", started.elapsed());

    let started = Instant::now();
    let (status, body) = check(&app.address, &org, &uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(status, 503, "a new user needs the database: {body}");
    assert!(body.contains("try again later"), "{body}");
    // PostgreSQL: known to be away, refused at once. SQLite: reads work, the write waits
    // out the 5 s busy timeout.
    let limit = Duration::from_millis(if postgres { 500 } else { 7000 });
    assert!(
        started.elapsed() < limit,
        "refused in {:?}",
        started.elapsed()
    );

    app.outage.end().await;

    let mut back = false;
    for _ in 0..40 {
        if ready(&app.address).await.0 == 200 {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(back, "ready again without a restart");
    assert_eq!(
        storage::entities::mobile_users::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        users_before,
        "nothing was created during the outage"
    );
    // This instance looks at the database again within a second or two.
    let mut served = false;
    for _ in 0..20 {
        let (status, _) = check(&app.address, &org, &uuid::Uuid::new_v4().to_string()).await;
        if status == 200 {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(served, "new users are served again within 5 s");

    if postgres {
        // Someone locks a table by hand: statements give up after 5 s, so pages answer
        // 503 instead of hanging, and known users are answered from the copy again.
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let direct = sea_orm::Database::connect(app.direct_url.as_str())
            .await
            .unwrap();
        let locker = direct.begin().await.unwrap();
        locker
            .execute_unprepared("LOCK TABLE organizations IN ACCESS EXCLUSIVE MODE")
            .await
            .unwrap();
        let started = Instant::now();
        let page = browser
            .get(format!("{}/organizations", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 503);
        assert!(
            started.elapsed() < Duration::from_secs(7),
            "page in {:?}",
            started.elapsed()
        );
        let started = Instant::now();
        let (status, body) = check(&app.address, &org, &known).await;
        assert_eq!(status, 200, "{body}");
        assert!(
            started.elapsed() < Duration::from_secs(7),
            "check in {:?}",
            started.elapsed()
        );
        locker.rollback().await.unwrap();
    }
}

fn test_mail(recipient: &str) -> NewMail {
    NewMail {
        organization_id: None,
        kind: licensedesk::domain::outbox::MailKind::AdministratorWelcome,
        recipient: recipient.to_owned(),
        subject: "In flight".into(),
        body_text: "text".into(),
        body_html: "<p>html</p>".into(),
        unsubscribe_url: None,
    }
}

fn worker(db: sea_orm::DatabaseConnection, smtp: &SlowSmtp, lease: Duration) -> Worker {
    Worker {
        db,
        transport: Transport::new(Some(&smtp.url()), std::env::temp_dir()).unwrap(),
        from: "LicenseDesk <licensedesk@test.example>".into(),
        host: "licences.test.example".into(),
        settings: OutboxSettings {
            poll_interval: Duration::from_millis(50),
            lease,
            ..Default::default()
        },
    }
}

async fn wait_until_sent(db: &sea_orm::DatabaseConnection, id: i64) -> outbox::Model {
    for _ in 0..400 {
        let mail = outbox::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        if mail.status == storage::outbox::MailStatus::Sent {
            return mail;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("mail {id} was not marked sent within 20 s");
}

#[tokio::test]
async fn a_mail_sent_while_the_database_is_away_is_marked_sent_once_it_is_back_and_not_sent_again()
{
    let data_dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(data_dir.path()).await;
    let (mut outage, through) = Outage::around(&url).await;
    let db = storage::connect(&through).await.unwrap();
    let mail = storage::outbox::enqueue(&db, test_mail("ann@example.com"))
        .await
        .unwrap();
    let smtp = SlowSmtp::start(None).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker(db.clone(), &smtp, Duration::from_secs(1)).run(stopped));

    smtp.wait_for_arrival().await;
    // The database goes away while the SMTP server still holds the mail, for longer than
    // the claim on it lasts.
    outage.begin().await;
    smtp.release();
    tokio::time::sleep(Duration::from_secs(if url.starts_with("sqlite") {
        7
    } else {
        4
    }))
    .await;
    outage.end().await;

    let sent = wait_until_sent(&db, mail.id).await;
    // Give a second attempt every chance to happen.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.send(true).unwrap();
    running.await.unwrap();
    assert_eq!(smtp.received().len(), 1, "the mail went exactly once");
    assert_eq!(sent.attempts, 1);
}

#[tokio::test]
async fn an_smtp_exchange_longer_than_the_claim_is_not_taken_over_by_another_instance() {
    let data_dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(data_dir.path()).await;
    let first = storage::connect(&url).await.unwrap();
    let second = storage::connect(&url).await.unwrap();
    let mail = storage::outbox::enqueue(&first, test_mail("bob@example.com"))
        .await
        .unwrap();
    // Each answer of the SMTP server is quick, but the message takes 4 s: four claims long.
    let smtp = SlowSmtp::start(Some(Duration::from_secs(4))).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let lease = Duration::from_secs(1);
    let one = tokio::spawn(worker(first.clone(), &smtp, lease).run(stopped.clone()));
    let two = tokio::spawn(worker(second, &smtp, lease).run(stopped));

    let sent = wait_until_sent(&first, mail.id).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.send(true).unwrap();
    one.await.unwrap();
    two.await.unwrap();
    assert_eq!(smtp.received().len(), 1, "sent by one instance only");
    assert_eq!(sent.attempts, 1);
}

#[tokio::test]
async fn a_mail_sent_again_after_a_crash_carries_the_same_message_id() {
    let data_dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(data_dir.path()).await;
    let db = storage::connect(&url).await.unwrap();
    let mail = storage::outbox::enqueue(&db, test_mail("cy@example.com"))
        .await
        .unwrap();
    let other = storage::outbox::enqueue(&db, test_mail("cy@example.com"))
        .await
        .unwrap();
    // A worker claims the first mail and dies (kill -9) before marking it: its claim runs
    // out after the lease, and the mail goes again.
    let claimed = storage::outbox::claim_next(&db, Utc::now(), chrono::Duration::seconds(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, mail.id);
    let smtp = SlowSmtp::start(Some(Duration::ZERO)).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker(db.clone(), &smtp, Duration::from_secs(30)).run(stopped));
    wait_until_sent(&db, other.id).await;
    let again = wait_until_sent(&db, mail.id).await;
    stop.send(true).unwrap();
    running.await.unwrap();
    assert_eq!(
        again.attempts, 2,
        "claimed once by the dead worker, once by the live one"
    );

    let ids: Vec<String> = smtp
        .received()
        .iter()
        .map(|m| common::smtp::header(m, "Message-ID"))
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1], "two mails, two ids");
    let key = again.message_key.clone().unwrap();
    assert!(
        ids.contains(&format!("<{key}@licences.test.example>")),
        "the id is the mail's own key at this installation's host: {ids:?}"
    );
    // What the dead worker sent carried the same id: it is built from the stored key only.
    let rebuilt = licensedesk::mail::transport::build(
        "LicenseDesk <licensedesk@test.example>",
        "licences.test.example",
        &again,
    )
    .unwrap();
    let headers = String::from_utf8(rebuilt.formatted()).unwrap();
    assert!(headers.contains(&format!("Message-ID: <{key}@licences.test.example>")));
    assert!(headers.contains("Auto-Submitted: auto-generated"));
}
