//! The test harness: the real application in-process on port 0 with its own database
//! (SQLite by default, a fresh PostgreSQL database when `TEST_DATABASE_URL` is set), a
//! cookie-keeping HTTP client, and a real SMTP server on 127.0.0.1 whose mail tests read.
#![allow(dead_code)]

pub mod browser;
pub mod outage;
pub mod slow_smtp;
pub mod smtp;
pub mod sync;

use std::time::Duration;

use licensedesk::{
    config::{Config, Settings},
    domain::{
        email::Email,
        license_key::{LicenceKeyPayload, VendorSigningKey},
        organization::{OrganizationDetails, OrganizationGuid},
        password::NewPassword,
        permissions::Role,
        products::Product,
    },
    startup::Application,
    storage::{self, administrators::NewAdministrator, audit::Actor, entities},
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

pub use smtp::MailServer;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    /// The vendor whose public key this app trusts.
    pub vendor: std::sync::Arc<VendorSigningKey>,
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub database_url: String,
    pub setup_url: Option<String>,
    pub mail: Option<MailServer>,
    /// Signs as the app does (registration code hashes, mail links).
    pub signer: licensedesk::domain::signed_links::LinkSigner,
    pub data_dir: tempfile::TempDir,
    /// A mail worker set up as the app's own, for `send_due_mail`.
    pub mail_worker: std::sync::Arc<licensedesk::mail::worker::Worker>,
}

/// A mail worker that sends as the app built from `config` does.
fn mail_worker(config: &Config, db: DatabaseConnection) -> licensedesk::mail::worker::Worker {
    licensedesk::mail::worker::Worker {
        db,
        transport: licensedesk::mail::transport::Transport::new(
            config.smtp_url.as_deref(),
            config.mail_dir(),
        )
        .expect("mail transport"),
        from: config.mail_from.clone(),
        host: config.base_host(),
        settings: config.outbox,
    }
}

/// A database nobody else uses: a SQLite file in `dir`, or a new PostgreSQL database.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("ld_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&admin_url)
                .await
                .expect("TEST_DATABASE_URL must reach a PostgreSQL server");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            let (base, _) = admin_url
                .rsplit_once('/')
                .expect("URL with a database name");
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
    }
}

pub fn test_config(
    data_dir: &std::path::Path,
    database_url: String,
    smtp_url: Option<String>,
    vendor: &VendorSigningKey,
) -> Config {
    let mut config = Config::load(Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: data_dir.to_path_buf(),
        database_url: Some(database_url),
        base_url: None,
        smtp_url,
        mail_from: "LicenseDesk <licensedesk@test.example>".into(),
        secret_key: Some("test secret key".into()),
        vendor_public_key: Some(vendor.public_key().to_base64()),
        offline_signing_key: None,
        session_timeout: 300,
        // Tests change users, licences and settings and check at once; production answers
        // from each instance's copy for up to 1 s.
        cache_ttl_ms: 0,
        outage_grace_secs: 600,
        metrics_token: None,
        audit_retention_days: None,
    })
    .expect("test config");
    config.outbox.poll_interval = Duration::from_millis(50);
    config.outbox.retry_base = Duration::from_millis(200);
    config.outbox.retry_max = Duration::from_millis(400);
    config
}

/// The application on a fresh database, without mail, with its configuration changed by
/// `configure` first; returns its address (`http://127.0.0.1:PORT`) and its data directory
/// (removed when dropped).
pub async fn spawn_app_configured(
    configure: impl FnOnce(&mut Config),
) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().to_path_buf();
    let vendor = VendorSigningKey::generate();
    let url = fresh_database_url(&data_dir).await;
    let mut config = test_config(&data_dir, url, None, &vendor);
    configure(&mut config);
    let app = Application::build(config)
        .await
        .expect("application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    (address, dir)
}

/// The application with a real SMTP server.
pub async fn spawn_app() -> TestApp {
    let mail = MailServer::start();
    let url = mail.url();
    spawn_app_with_smtp(Some(mail), Some(url)).await
}

/// The application sending to `smtp_url` (which may be down), with `mail` as the server if
/// the test already started one.
pub async fn spawn_app_with_smtp(mail: Option<MailServer>, smtp_url: Option<String>) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        licensedesk::telemetry::init();
    }
    let data_dir = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database_url(data_dir.path()).await;
    let vendor = std::sync::Arc::new(VendorSigningKey::generate());
    let config = test_config(data_dir.path(), database_url.clone(), smtp_url, &vendor);
    let signer = licensedesk::domain::signed_links::LinkSigner::new(&config.cookie_key);
    let worker_config = config.clone();
    let app = Application::build(config)
        .await
        .expect("application starts");
    let port = app.port();
    let db = app.db().clone();
    let mail_worker = std::sync::Arc::new(mail_worker(&worker_config, db.clone()));
    let setup_url = app.setup_url().map(str::to_owned);
    tokio::spawn(app.run_until_stopped());
    TestApp {
        vendor,
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: new_client(),
        db,
        database_url,
        setup_url,
        mail,
        data_dir,
        signer,
        mail_worker,
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

/// The value of the first `csrf_token` field in a page.
pub fn csrf_token_in(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// Undoes the HTML escaping of an attribute value.
fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The form of a confirmation page (src/web/confirm.rs) — what a browser without JavaScript
/// posts when the person presses its button: the form's action and its hidden fields.
pub fn confirmation_form(html: &str) -> (String, Vec<(String, String)>) {
    let card = &html[html
        .find("confirm-card")
        .unwrap_or_else(|| panic!("not a confirmation page: {html}"))..];
    let attribute = |text: &str, name: &str| -> Option<(String, usize)> {
        let start = text.find(&format!("{name}=\""))? + name.len() + 2;
        let end = text[start..].find('"')?;
        Some((unescape(&text[start..start + end]), start + end))
    };
    let (action, mut at) = attribute(card, "action").expect("the form's action");
    let mut fields = Vec::new();
    while let Some(offset) = card[at..].find("<input type=\"hidden\"") {
        let input = &card[at + offset..];
        let (name, after_name) = attribute(input, "name").unwrap();
        let (value, after_value) = attribute(&input[after_name..], "value").unwrap();
        fields.push((name, value));
        at += offset + after_name + after_value;
    }
    (action, fields)
}

impl TestApp {
    /// Presses the button of the confirmation page `html`, as a browser without JavaScript
    /// would; returns the answer.
    pub async fn confirm(&self, html: &str) -> reqwest::Response {
        let (action, fields) = confirmation_form(html);
        self.client
            .post(self.url(&action))
            .form(&fields)
            .send()
            .await
            .expect("POST")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// The CSRF token of this client's session, read from a page that has a form.
    pub async fn csrf_token(&self) -> String {
        // Logged in, /login redirects; logged out, /account/password does.
        for path in ["/account/password", "/login"] {
            if let Some(token) = csrf_token_in(&self.get_html(path).await) {
                return token;
            }
        }
        panic!("no page with a CSRF token");
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token().await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &token));
        self.client
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .expect("POST")
    }

    /// Posts a form exactly as given (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(&fields)
            .send()
            .await
            .expect("POST")
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }

    /// Logs in and checks that it worked.
    pub async fn login_ok(&self, email: &str) {
        let response = self.login(email, PASSWORD).await;
        assert_eq!(response.status(), 303, "login of {email} failed");
        assert_eq!(location(&response), "/");
    }

    pub async fn logout(&self) {
        self.post_form("/logout", &[]).await;
    }

    pub async fn create_organization(&self, name: &str) -> entities::organizations::Model {
        licensedesk::app::organizations::create(
            &self.db,
            &Actor::command_line(),
            OrganizationGuid::new_random(),
            OrganizationDetails::parse(name, "https://crm.example.com", None).unwrap(),
        )
        .await
        .expect("organization")
    }

    /// An administrator with password `PASSWORD`, created directly in storage.
    pub async fn create_administrator(
        &self,
        email: &str,
        role: Role,
        organization: Option<i64>,
    ) -> entities::administrators::Model {
        let hash = NewPassword::parse(PASSWORD, PASSWORD)
            .unwrap()
            .hash()
            .unwrap();
        licensedesk::app::administrators::create(
            &self.db,
            &Actor::command_line(),
            NewAdministrator {
                organization_id: organization,
                email: Email::parse(email).unwrap(),
                display_name: email.split('@').next().unwrap_or(email).to_owned(),
                role,
                password_hash: Some(hash),
            },
        )
        .await
        .expect("administrator")
    }

    /// An operator logged in on this client.
    pub async fn logged_in_operator(&self) -> entities::administrators::Model {
        let operator = self
            .create_administrator("operator@example.com", Role::Operator, None)
            .await;
        self.login_ok("operator@example.com").await;
        operator
    }

    /// Another visitor of the same running app, with its own cookie jar.
    pub fn second_client(&self) -> TestApp {
        TestApp {
            vendor: self.vendor.clone(),
            address: self.address.clone(),
            port: self.port,
            client: new_client(),
            db: self.db.clone(),
            database_url: self.database_url.clone(),
            setup_url: None,
            mail: None,
            data_dir: tempfile::tempdir().expect("temp dir"),
            signer: self.signer.clone(),
            mail_worker: self.mail_worker.clone(),
        }
    }

    /// A second instance of the application on the same database (as behind a load
    /// balancer), and a visitor of it with its own cookie jar. Keep the directory alive.
    pub async fn second_instance(&self) -> (TestApp, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = test_config(dir.path(), self.database_url.clone(), None, &self.vendor);
        let app = Application::build(config)
            .await
            .expect("second instance starts");
        let port = app.port();
        tokio::spawn(app.run_until_stopped());
        let mut visitor = self.second_client();
        visitor.port = port;
        visitor.address = format!("http://127.0.0.1:{port}");
        (visitor, dir)
    }

    /// A key from this app's vendor, valid from `valid_from` for `days` days.
    pub fn issue_key(
        &self,
        product: Product,
        limit: u32,
        competitive: bool,
        organizations: &[&entities::organizations::Model],
        valid_from: chrono::NaiveDate,
        valid_till: chrono::NaiveDate,
    ) -> String {
        self.vendor
            .issue(&LicenceKeyPayload {
                licence_id: uuid::Uuid::new_v4(),
                product,
                valid_from,
                valid_till,
                limit,
                competitive,
                organizations: organizations
                    .iter()
                    .map(|o| {
                        OrganizationGuid::parse(&o.organization_id)
                            .unwrap()
                            .into_uuid()
                    })
                    .collect(),
                issued_at: chrono::Utc::now(),
            })
            .expect("a valid key")
    }

    /// A key valid from a year ago until `days_left` days from today.
    pub fn current_key(
        &self,
        product: Product,
        limit: u32,
        competitive: bool,
        organizations: &[&entities::organizations::Model],
        days_left: i64,
    ) -> String {
        let today = chrono::Utc::now().date_naive();
        self.issue_key(
            product,
            limit,
            competitive,
            organizations,
            today - chrono::Duration::days(365),
            today + chrono::Duration::days(days_left),
        )
    }

    /// Imports a key straight into storage and returns the licence.
    pub async fn import(&self, key: &str) -> entities::licenses::Model {
        match licensedesk::app::licenses::import_key(
            &self.db,
            &self.vendor.public_key(),
            &Actor::command_line(),
            key,
            None,
        )
        .await
        .expect("the key imports")
        {
            licensedesk::app::licenses::ImportOutcome::Imported(licence)
            | licensedesk::app::licenses::ImportOutcome::AlreadyImported(licence) => licence,
        }
    }

    pub async fn add_mobile_user(
        &self,
        organization: &entities::organizations::Model,
        name: &str,
        state: licensedesk::domain::license_check::UserState,
    ) -> entities::mobile_users::Model {
        storage::mobile_users::insert(
            &self.db,
            organization.id,
            &uuid::Uuid::new_v4().to_string(),
            Some(name),
            state,
        )
        .await
        .expect("mobile user")
    }

    pub fn mail(&self) -> &MailServer {
        self.mail.as_ref().expect("this app has a mail server")
    }

    /// Sends the mail due now from the test itself (the worker's `run_once`), so it reached
    /// the SMTP server (or the `.eml` directory) when this returns.
    pub async fn send_due_mail(&self) -> usize {
        self.mail_worker
            .run_once()
            .await
            .expect("the outbox can be read")
    }

    /// Sends what is due (`send_due_mail`), then waits for any mail the app's own worker
    /// had in hand meanwhile.
    pub async fn wait_for_outbox_drained(&self) {
        self.send_due_mail().await;
        for _ in 0..200 {
            if storage::outbox::backlog(&self.db).await.unwrap() == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the outbox was not drained within 10 s");
    }
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The first device registration code (`ABCDE-FGH23`) in a text: a page or a mail.
pub fn code_in(text: &str) -> String {
    let alphabet = licensedesk::domain::registration::ALPHABET;
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|word| {
            word.len() == 11
                && word.as_bytes()[5] == b'-'
                && word
                    .bytes()
                    .filter(|b| *b != b'-')
                    .all(|b| alphabet.contains(&b))
        })
        .expect("a registration code")
        .to_owned()
}
