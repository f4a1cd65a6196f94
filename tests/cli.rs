//! The `licensedesk` binary: subcommands, start-up on an empty data directory, and a
//! graceful stop on SIGTERM.

mod common;

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    time::Duration,
};

use licensedesk::storage;

const BIN: &str = env!("CARGO_BIN_EXE_licensedesk");

fn licensedesk(data_dir: &std::path::Path, database_url: &str) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LICENSEDESK_DATA_DIR", data_dir)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn");
    command
}

#[tokio::test]
async fn org_create_and_admin_create_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(dir.path()).await;

    let migrate = licensedesk(dir.path(), &url)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );

    let org = licensedesk(dir.path(), &url)
        .args([
            "org",
            "create",
            "--name",
            "Acme",
            "--org-id",
            "4F767AFF-B33F-437C-A7CB-00249948C82B",
        ])
        .args([
            "--url",
            "https://crm.acme.example",
            "--trial-until",
            "2027-03-31",
        ])
        .output()
        .unwrap();
    assert!(
        org.status.success(),
        "{}",
        String::from_utf8_lossy(&org.stderr)
    );
    assert!(String::from_utf8_lossy(&org.stdout).contains("4f767aff-b33f-437c-a7cb-00249948c82b"));

    let mut admin = licensedesk(dir.path(), &url)
        .args([
            "admin",
            "create",
            "--email",
            "ada@acme.example",
            "--role",
            "admin",
        ])
        .args([
            "--org",
            "4f767aff-b33f-437c-a7cb-00249948c82b",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    admin
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{}\n", common::PASSWORD).as_bytes())
        .unwrap();
    let admin = admin.wait_with_output().unwrap();
    assert!(
        admin.status.success(),
        "{}",
        String::from_utf8_lossy(&admin.stderr)
    );

    // Refused with a clear message: an admin needs an organization, passwords must be long.
    let no_org = licensedesk(dir.path(), &url)
        .args([
            "admin",
            "create",
            "--email",
            "x@acme.example",
            "--role",
            "viewer",
            "--password-stdin",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!no_org.status.success());
    assert!(String::from_utf8_lossy(&no_org.stderr).contains("--org is required"));

    let db = storage::connect(&url).await.unwrap();
    let org = storage::organizations::all(&db).await.unwrap().remove(0);
    assert_eq!(org.name, "Acme");
    assert_eq!(org.trial_until.unwrap().to_string(), "2027-03-31");
    let ada = storage::administrators::find_by_email(
        &db,
        &licensedesk::domain::email::Email::parse("ada@acme.example").unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(ada.organization_id, Some(org.id));
    assert!(licensedesk::domain::password::verify(
        common::PASSWORD,
        ada.password_hash.as_deref()
    ));
}

#[tokio::test]
async fn serve_prints_a_setup_link_answers_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(BIN)
        .env_clear()
        .env("LICENSEDESK_DATA_DIR", dir.path().join("data"))
        .env("LICENSEDESK_BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info")
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap()).lines();
    let setup_line = stdout
        .by_ref()
        .map_while(Result::ok)
        .find(|line| line.contains("/setup?token="))
        .expect("a setup link on stdout");
    // Keep reading, so the server never writes into a closed pipe.
    std::thread::spawn(move || stdout.for_each(drop));
    assert!(setup_line.contains(&format!("http://127.0.0.1:{port}/setup?token=")));
    assert!(
        dir.path().join("data/licensedesk.db").exists(),
        "SQLite database in the data dir"
    );
    assert!(
        dir.path().join("data/secret.key").exists(),
        "generated secret"
    );

    let client = reqwest::Client::new();
    let mut healthy = false;
    for _ in 0..50 {
        match client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
        {
            Ok(response) => {
                healthy = response.status() == 200;
                break;
            }
            Err(error) => eprintln!("{error:?}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healthy);

    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut status = None;
    for _ in 0..100 {
        if let Some(exit) = server.try_wait().unwrap() {
            status = Some(exit);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = status.expect("the server stopped within 10 s");
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
}

#[tokio::test]
async fn demo_fills_a_registry_once_and_its_vendor_key_is_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_database_url(dir.path()).await;
    for _ in 0..2 {
        let demo = licensedesk(dir.path(), &url)
            .args(["demo", "--users", "60"])
            .output()
            .unwrap();
        assert!(
            demo.status.success(),
            "{}",
            String::from_utf8_lossy(&demo.stderr)
        );
        let printed = String::from_utf8_lossy(&demo.stdout).into_owned();
        assert!(printed.contains("Northwind Field Service") && printed.contains("7c1f3a52-"));
    }
    use sea_orm::{EntityTrait, PaginatorTrait};
    let db = storage::connect(&url).await.unwrap();
    assert_eq!(storage::organizations::all(&db).await.unwrap().len(), 3);
    assert_eq!(
        storage::entities::licenses::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        21,
        "a second run adds nothing"
    );
    assert_eq!(
        storage::entities::mobile_users::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        60
    );
    assert!(
        licensedesk::demo::demo_public_key(dir.path()).is_some(),
        "the demo vendor key is in the data directory"
    );
}
