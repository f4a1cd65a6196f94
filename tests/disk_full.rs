//! SQLite when the disk fills up for a few seconds (docs/behaviour.md#running): the real binary runs with a
//! file-size limit lowered under it (`prlimit`, so writes fail with EFBIG as on a full
//! disk), then lifted. While it lasts `/readyz` says not ready; afterwards writes succeed
//! again within seconds; and every licence check that answered 200 meanwhile left its user
//! in the database — none "reported done" and lost.
//!
//! This fault is SQLite's; the test runs on SQLite whatever `TEST_DATABASE_URL` says.

use std::{
    collections::HashSet,
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

const BIN: &str = env!("CARGO_BIN_EXE_licensedesk");
const ORGANIZATION: &str = "4F767AFF-B33F-437C-A7CB-00249948C82B";

fn licensedesk(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LICENSEDESK_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn");
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn prlimit(pid: u32, limit: &str) {
    let status = Command::new("prlimit")
        .args(["--pid", &pid.to_string(), &format!("--fsize={limit}")])
        .status()
        .expect("prlimit (util-linux) runs");
    assert!(status.success(), "prlimit {limit}");
}

async fn check(client: &reqwest::Client, base: &str, user: &str) -> Option<u16> {
    let body = format!(
        "<MobileClient><OrganizationId>{ORGANIZATION}</OrganizationId><UserId>{user}</UserId></MobileClient>"
    );
    client
        .post(format!("{base}/api/v1/license/check"))
        .header("content-type", "application/xml")
        .body(body)
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

async fn readyz(client: &reqwest::Client, base: &str) -> Option<u16> {
    client
        .get(format!("{base}/readyz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_full_disk_no_write_reported_as_done_is_lost_and_writes_resume() {
    let dir = tempfile::tempdir().unwrap();
    let org = licensedesk(dir.path())
        .args(["org", "create", "--name", "Acme", "--org-id", ORGANIZATION])
        .args(["--url", "https://crm.acme.example"])
        .output()
        .unwrap();
    assert!(
        org.status.success(),
        "{}",
        String::from_utf8_lossy(&org.stderr)
    );

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    // A full disk answers EFBIG/ENOSPC; SIGXFSZ would kill the process instead, so it is
    // ignored, as it is for a server writing to a full disk.
    let server = Command::new("bash")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LICENSEDESK_DATA_DIR", dir.path())
        .env("LICENSEDESK_BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .args(["-c", "trap '' XFSZ; exec \"$0\" serve", BIN])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = KillOnDrop(server);
    let pid = server.0.id();
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if readyz(&client, &base).await == Some(200) {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server starts");

    // Checks of new users keep coming, one every 100 ms, as from devices at shift start.
    let answered_ok: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (client, base, answered_ok, stop) = (
            client.clone(),
            base.clone(),
            answered_ok.clone(),
            stop.clone(),
        );
        tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let user = uuid::Uuid::new_v4().to_string();
                if check(&client, &base, &user).await == Some(200) {
                    answered_ok.lock().unwrap().push(user);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !answered_ok.lock().unwrap().is_empty(),
        "checks are answered"
    );

    // The disk is full for 4 seconds: nothing past the files' first page can be written.
    // (A limit at the files' size would let writes go on: the write-ahead log is used again
    // from its start after each checkpoint, as it is on a real full disk.)
    prlimit(pid, "4096:unlimited");
    let mut not_ready_seen = false;
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if readyz(&client, &base).await == Some(503) {
            not_ready_seen = true;
        }
    }
    prlimit(pid, "unlimited:unlimited");
    assert!(
        not_ready_seen,
        "/readyz said not ready while nothing could be written"
    );

    // Within seconds, writes succeed again.
    let mut recovered = false;
    for _ in 0..50 {
        let user = uuid::Uuid::new_v4().to_string();
        if check(&client, &base, &user).await == Some(200)
            && readyz(&client, &base).await == Some(200)
        {
            answered_ok.lock().unwrap().push(user);
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        recovered,
        "writes succeed again within 10 s of space coming back"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    load.await.unwrap();

    // Stop the server and read the database afresh: every 200 left its user there.
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = server.0.wait();
    let url = format!(
        "sqlite://{}?mode=rw",
        dir.path().join("licensedesk.db").display()
    );
    let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
    use sea_orm::{EntityTrait, QuerySelect};
    let stored: HashSet<String> = licensedesk::storage::entities::mobile_users::Entity::find()
        .select_only()
        .column(licensedesk::storage::entities::mobile_users::Column::UserId)
        .into_tuple::<String>()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.to_lowercase())
        .collect();
    let answered = answered_ok.lock().unwrap().clone();
    let lost: Vec<&String> = answered
        .iter()
        .filter(|u| !stored.contains(&u.to_lowercase()))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} users answered 200 are not in the database: {lost:?}",
        lost.len(),
        answered.len()
    );
}

/// The server stops with the test, also when an assertion fails.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
