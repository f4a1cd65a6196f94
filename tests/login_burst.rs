//! A burst of logins does not exhaust memory (docs/behaviour.md#running): argon2 runs on a few threads, so 60
//! logins at once cost what two do. Its own test binary: it measures this process's memory.

mod common;

use futures_util::future::join_all;

/// A line of /proc/self/status in MiB (`VmHWM`: peak resident memory, `VmRSS`: now).
fn memory_mib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kib / 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_logins_at_once_keep_memory_bounded() {
    // The limits of failed logins are not what this test is about.
    let (address, _data_dir) = common::spawn_app_configured(|config| {
        config.login_limits.per_address = 10_000;
        config.login_limits.per_client = 10_000;
    })
    .await;

    let mut visitors = Vec::new();
    for _ in 0..60 {
        let client = common::new_client();
        let page = client
            .get(format!("{address}/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        visitors.push((client, common::csrf_token_in(&page).unwrap()));
    }
    let before = memory_mib("VmHWM");
    let statuses = join_all(visitors.iter().enumerate().map(|(i, (client, token))| {
        let email = format!("nobody{i}@example.com");
        let url = format!("{address}/login");
        async move {
            client
                .post(url)
                .form(&[
                    ("email", email.as_str()),
                    ("password", "a wrong guess"),
                    ("csrf_token", token.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    }))
    .await;
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 503),
        "each login is answered: wrong, or busy: {statuses:?}"
    );
    assert!(statuses.iter().filter(|s| **s == 401).count() >= 30);
    let peak = memory_mib("VmHWM");
    let now = memory_mib("VmRSS");
    // One argon2 verification takes 19 MiB; sixty at once took 1.1 GiB before.
    assert!(
        peak - before < 200,
        "peak memory grew by {} MiB (from {before} to {peak})",
        peak - before
    );
    assert!(now < before + 200, "memory after the burst: {now} MiB");
}
