//! Real headless Chromium through chromedriver (WebDriver), with axe-core accessibility
//! checks. Without Chromium the tests say so and pass locally; in CI (`CI=true`) they fail.

use std::{future::Future, panic::AssertUnwindSafe, path::Path, process::Stdio, time::Duration};

use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const AXE: &str = include_str!("vendor/axe.min.js");

pub struct Browser {
    pub client: Client,
    _driver: tokio::process::Child,
    _profile: tempfile::TempDir,
}

/// Runs `test` in a fresh headless Chromium and always closes it, even when `test` panics.
pub async fn with_browser<F, Fut>(test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(browser) = Browser::start().await else {
        return;
    };
    let outcome = AssertUnwindSafe(test(browser.client.clone()))
        .catch_unwind()
        .await;
    if outcome.is_err()
        && let Ok(png) = browser.client.screenshot().await
    {
        let path = std::env::temp_dir().join("licensedesk-browser-failure.png");
        let _ = std::fs::write(&path, png);
        eprintln!("screenshot of the failure: {}", path.display());
    }
    let _ = browser.client.clone().close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

impl Browser {
    pub async fn start() -> Option<Self> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("browser tests must run in CI: install chromium and chromium-driver");
            }
            eprintln!(
                "NOTE: browser test not run: Chromium is missing \
                 (apt-get install -y chromium chromium-driver)"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = tokio::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--window-size=1366,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                // Let pages on the test server read and write the clipboard, so a test can
                // check what a copy button copied.
                "prefs": {
                    "profile.content_settings.exceptions.clipboard": {
                        "http://127.0.0.1:*,*": { "setting": 1 }
                    }
                }
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            let connected = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await;
            if let Ok(client) = connected {
                return Some(Self {
                    client,
                    _driver: driver,
                    _profile: profile,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not start");
    }
}

/// Runs axe-core on the current page and fails on any violation, naming each.
pub async fn assert_accessible(client: &Client) {
    client
        .execute(&format!("(function(){{{AXE}\n}}).call(window);"), vec![])
        .await
        .expect("inject axe-core");
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v =>
                  v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                  v.nodes.map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("run axe-core");
    let violations: Vec<String> = serde_json::from_value(result).unwrap_or_default();
    let url = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    assert!(
        violations.is_empty(),
        "accessibility violations on {url}:\n{}",
        violations.join("\n")
    );
}

/// Fills the field with this id.
pub async fn fill(client: &Client, id: &str, value: &str) {
    let field = client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("field #{id}"));
    field.clear().await.ok();
    field.send_keys(value).await.unwrap();
}

/// The visible text of the page's <main> (waiting for one, should a page be loading).
pub async fn main_text(client: &Client) -> String {
    for _ in 0..100 {
        // The page may be between two documents (its <main> gone stale): try again.
        if let Ok(main) = client.wait().for_element(Locator::Css("main")).await
            && let Ok(text) = main.text().await
        {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the page has no <main>");
}

/// Waits (up to 10 s) until the page's <main> says `text`, and returns all it says: after a
/// click that loads a new page, the old page can still be there for a moment.
pub async fn wait_for_text(client: &Client, text: &str) -> String {
    let mut seen = String::new();
    for _ in 0..100 {
        // The page may be between two documents: try again.
        if let Ok(main) = client.find(Locator::Css("main")).await
            && let Ok(now) = main.text().await
        {
            if now.contains(text) {
                return now;
            }
            seen = now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the page never said “{text}”; it said: {seen}");
}

/// Saves a screenshot when `LICENSEDESK_SCREENSHOTS` names a directory.
pub async fn screenshot(client: &Client, name: &str) {
    if let Ok(dir) = std::env::var("LICENSEDESK_SCREENSHOTS") {
        std::fs::create_dir_all(&dir).ok();
        if let Ok(png) = client.screenshot().await {
            std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).ok();
        }
    }
}

/// What the page's clipboard holds now.
pub async fn clipboard_text(client: &Client) -> String {
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             navigator.clipboard.readText().then(done, e => done('clipboard error: ' + e));",
            vec![],
        )
        .await
        .expect("read the clipboard");
    result.as_str().unwrap_or_default().to_owned()
}

/// Signs in through the login page and waits for the first page.
pub async fn sign_in(client: &Client, address: &str, email: &str) {
    client.goto(&format!("{address}/login")).await.unwrap();
    fill(client, "email", email).await;
    fill(client, "password", super::PASSWORD).await;
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css(".mainnav"))
        .await
        .unwrap();
}

/// Answers the confirmation dialog a destructive button opened (static/app.js): `yes` goes
/// ahead, otherwise Cancel. Returns what the dialog asked, checked for accessibility.
pub async fn answer_confirmation(client: &Client, yes: bool) -> String {
    let dialog = client
        .wait()
        .for_element(Locator::Css("dialog.confirm-dialog[open]"))
        .await
        .expect("a confirmation dialog opens");
    let question = dialog.text().await.unwrap();
    assert_accessible(client).await;
    let button = if yes {
        ".confirm-yes"
    } else {
        "button[value=cancel]"
    };
    dialog
        .find(Locator::Css(button))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    question
}
