//! Two `licensedesk serve` processes on one database (PostgreSQL in CI's second run, a
//! shared SQLite file in the first) never enable more users than there are seats.

mod common;

use licensedesk::domain::license_check::UserState;
use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::Duration,
};

use licensedesk::{
    domain::products::Product,
    storage::{self, entities::mobile_users},
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data_dir: &std::path::Path, database_url: &str) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_licensedesk"))
        .env_clear()
        .env("LICENSEDESK_DATA_DIR", data_dir)
        .env("DATABASE_URL", database_url)
        .env("LICENSEDESK_BIND", format!("127.0.0.1:{port}"))
        .env("LICENSEDESK_SECRET_KEY", "shared by both instances")
        .env("RUST_LOG", "warn")
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || BufReader::new(stdout).lines().for_each(drop));
    Server {
        child,
        address: format!("http://127.0.0.1:{port}"),
    }
}

async fn wait_until_up(client: &reqwest::Client, server: &Server) {
    for _ in 0..100 {
        if client
            .get(format!("{}/readyz", server.address))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} did not start", server.address);
}

#[tokio::test]
async fn two_instances_share_ten_seats_among_fifty_simultaneous_new_users() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(dir.path()).await;
    let db = storage::connect(&url).await.unwrap();
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
    let vendor = licensedesk::domain::license_key::VendorSigningKey::generate();
    let today = chrono::Utc::now().date_naive();
    let key = vendor
        .issue(&licensedesk::domain::license_key::LicenceKeyPayload {
            licence_id: uuid::Uuid::new_v4(),
            product: Product::Mobile,
            valid_from: today - chrono::Duration::days(1),
            valid_till: today + chrono::Duration::days(30),
            limit: 10,
            competitive: false,
            organizations: vec![uuid::Uuid::parse_str(&org.organization_id).unwrap()],
            issued_at: chrono::Utc::now(),
        })
        .unwrap();
    licensedesk::app::licenses::import_key(
        &db,
        &vendor.public_key(),
        &storage::audit::Actor::command_line(),
        &key,
        None,
    )
    .await
    .unwrap();
    let mut settings = storage::settings::get(&db, org.id).await.unwrap();
    settings.auto_assign_licenses = true;
    storage::settings::save(&db, settings).await.unwrap();

    let servers = [
        serve(&dir.path().join("one"), &url),
        serve(&dir.path().join("two"), &url),
    ];
    let client = reqwest::Client::new();
    for server in &servers {
        wait_until_up(&client, server).await;
    }

    let checks = (0..50).map(|i| {
        let client = client.clone();
        let url = format!("{}/api/v1/license/check", servers[i % 2].address);
        let body = format!(
            "<MobileClient><OrganizationId>{}</OrganizationId><UserId>{}</UserId></MobileClient>",
            org.organization_id,
            uuid::Uuid::new_v4()
        );
        async move {
            let response = client
                .post(url)
                .header("content-type", "application/xml")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        }
    });
    let replies = futures_util::future::join_all(checks).await;
    let enabled = replies
        .iter()
        .filter(|r| r.contains("<State>Enabled</State>"))
        .count();
    assert_eq!(enabled, 10, "exactly the seats");
    let stored = mobile_users::Entity::find()
        .filter(mobile_users::Column::State.eq(UserState::Enabled))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(stored, 10);
}
