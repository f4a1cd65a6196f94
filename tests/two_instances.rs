//! Two `licensedesk serve` processes on one database (PostgreSQL in CI's second run, a
//! shared SQLite file in the first) never enable more users than there are seats — also in
//! a first-sync storm, where each instance creates the new users in groups.

mod common;

use licensedesk::domain::license_check::UserState;
use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::Duration,
};

use futures_util::StreamExt;
use licensedesk::{
    domain::{audit::AuditAction, products::Product},
    storage::{
        self,
        entities::{audit_log, mobile_users, organizations},
    },
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

/// An organization with a MOBILE licence of `seats` and auto-assignment on.
async fn organization(
    db: &sea_orm::DatabaseConnection,
    name: &str,
    seats: u32,
) -> organizations::Model {
    let org = licensedesk::app::organizations::create(
        db,
        &storage::audit::Actor::command_line(),
        licensedesk::domain::organization::OrganizationGuid::new_random(),
        licensedesk::domain::organization::OrganizationDetails::parse(
            name,
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
            limit: seats,
            competitive: false,
            organizations: vec![uuid::Uuid::parse_str(&org.organization_id).unwrap()],
            issued_at: chrono::Utc::now(),
        })
        .unwrap();
    licensedesk::app::licenses::import_key(
        db,
        &vendor.public_key(),
        &storage::audit::Actor::command_line(),
        &key,
        None,
    )
    .await
    .unwrap();
    let mut settings = storage::settings::get(db, org.id).await.unwrap();
    settings.auto_assign_licenses = true;
    storage::settings::save(db, settings).await.unwrap();
    org
}

/// `users` new users of each organization check at once, alternately through the two
/// instances; each gets an answer, and exactly as many are Enabled as the organization has
/// seats — in the answers, in the database and in the audit log, one entry per user.
async fn race(organizations: &[(&str, u32)], users: usize) {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(dir.path()).await;
    let db = storage::connect(&url).await.unwrap();
    let mut orgs = Vec::new();
    for (name, seats) in organizations {
        orgs.push((organization(&db, name, *seats).await, *seats));
    }
    let servers = [
        serve(&dir.path().join("one"), &url),
        serve(&dir.path().join("two"), &url),
    ];
    let client = reqwest::Client::new();
    for server in &servers {
        wait_until_up(&client, server).await;
    }

    let checks = (0..users * orgs.len()).map(|i| {
        let client = client.clone();
        let url = format!("{}/api/v1/license/check", servers[i % 2].address);
        let (org, _) = &orgs[i % orgs.len()];
        let body = format!(
            "<MobileClient><OrganizationId>{}</OrganizationId><UserId>{}</UserId></MobileClient>",
            org.organization_id,
            uuid::Uuid::new_v4()
        );
        let organization = org.organization_id.clone();
        async move {
            let response = client
                .post(url)
                .header("content-type", "application/xml")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            (organization, response.text().await.unwrap())
        }
    });
    let replies = futures_util::stream::iter(checks)
        .buffer_unordered(200)
        .collect::<Vec<_>>()
        .await;
    for (org, seats) in &orgs {
        let answered = |state: &str| {
            replies
                .iter()
                .filter(|(o, r)| {
                    *o == org.organization_id && r.contains(&format!("<State>{state}</State>"))
                })
                .count()
        };
        assert_eq!(answered("Enabled"), *seats as usize, "exactly the seats");
        assert_eq!(
            answered("Pending"),
            users - *seats as usize,
            "the others wait"
        );
        let stored = |state: UserState| {
            mobile_users::Entity::find()
                .filter(mobile_users::Column::OrganizationId.eq(org.id))
                .filter(mobile_users::Column::State.eq(state))
                .count(&db)
        };
        assert_eq!(stored(UserState::Enabled).await.unwrap(), u64::from(*seats));
        assert_eq!(
            stored(UserState::Pending).await.unwrap(),
            (users - *seats as usize) as u64
        );
        let assigned = audit_log::Entity::find()
            .filter(audit_log::Column::OrganizationId.eq(org.id))
            .filter(audit_log::Column::Action.eq(AuditAction::MobileUserAutoAssign.as_str()))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(
            assigned,
            u64::from(*seats),
            "one audit entry per Enabled user"
        );
    }
}

#[tokio::test]
async fn two_instances_share_ten_seats_among_fifty_simultaneous_new_users() {
    race(&[("Acme", 10)], 50).await;
}

#[tokio::test]
async fn two_instances_share_a_hundred_seats_among_five_hundred_new_users_in_a_storm() {
    // A second organization in the same storm: the groups mix both.
    race(&[("Acme", 100), ("Globex", 7)], 500).await;
}
