//! Settings (docs/behaviour.md#running): each one a flag and an environment variable, with embedded defaults, and
//! the secrets that are generated once into the data directory when not given.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context;
use clap::Args;
use sha2::{Digest, Sha512};

use crate::domain::{keys::KeyPair, license_key::VendorPublicKey};

/// The settings shared by every subcommand (`licensedesk --help` lists them).
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address and port to serve on.
    #[arg(
        long,
        env = "LICENSEDESK_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,
    /// Directory for the SQLite database, generated keys and .eml mail files.
    #[arg(
        long,
        env = "LICENSEDESK_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Database to use; SQLite in the data directory when unset.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Public address of this server, used for links in mail.
    #[arg(long, env = "LICENSEDESK_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// SMTP server for mail (smtp://user:pass@host:587?tls=required); .eml files when unset.
    #[arg(long, env = "SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// Sender of every mail.
    #[arg(
        long,
        env = "LICENSEDESK_MAIL_FROM",
        default_value = "LicenseDesk <licensedesk@localhost>",
        global = true
    )]
    pub mail_from: String,
    /// Key for session cookies and tokens; generated once into the data directory when unset.
    #[arg(
        long,
        env = "LICENSEDESK_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    pub secret_key: Option<String>,
    /// Vendor public key that licence keys must be signed with (docs/behaviour.md#licence-keys).
    #[arg(long, env = "LICENSEDESK_VENDOR_PUBLIC_KEY", global = true)]
    pub vendor_public_key: Option<String>,
    /// Seconds without a heartbeat after which a competitive session ends (docs/behaviour.md#sessions-api).
    #[arg(
        long,
        env = "LICENSEDESK_SESSION_TIMEOUT",
        default_value_t = 300,
        global = true
    )]
    pub session_timeout: u64,
    /// Milliseconds an instance answers licence checks from its copy of an organization
    /// before looking at the database again: how long a change made on another instance
    /// can take to reach this one's checks.
    #[arg(
        long = "cache-ttl-ms",
        env = "LICENSEDESK_CACHE_TTL_MS",
        default_value_t = 1000,
        global = true
    )]
    pub cache_ttl_ms: u64,
    /// Seconds an instance goes on answering known users' licence checks from its copy
    /// while the database cannot be reached (new users need the database).
    #[arg(
        long = "outage-grace-secs",
        env = "LICENSEDESK_OUTAGE_GRACE_SECS",
        default_value_t = 600,
        global = true
    )]
    pub outage_grace_secs: u64,
    /// Bearer token that `GET /metrics` requires; `/metrics` is open when unset.
    #[arg(
        long = "metrics-token",
        env = "LICENSEDESK_METRICS_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub metrics_token: Option<String>,
    /// Key that signs offline licence files (docs/behaviour.md#offline-licences); generated into the data directory when unset.
    #[arg(
        long = "offline-signing-key",
        env = "LICENSEDESK_SIGNING_KEY",
        hide_env_values = true,
        global = true
    )]
    pub offline_signing_key: Option<String>,
    /// Days the audit log keeps an entry; older ones are pruned hourly (export them first
    /// with the Audit page's Export CSV). Kept forever when unset.
    #[arg(
        long = "audit-retention-days",
        env = "LICENSEDESK_AUDIT_RETENTION_DAYS",
        global = true
    )]
    pub audit_retention_days: Option<u32>,
}

/// Everything the application needs to run, resolved from `Settings`.
#[derive(Clone)]
pub struct Config {
    pub bind: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub base_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// 64 bytes for signing and encrypting cookies.
    pub cookie_key: Vec<u8>,
    pub vendor_public_key: Option<String>,
    pub signing_key: Option<String>,
    pub outbox: OutboxSettings,
    pub login_limits: LoginLimits,
    /// How long a competitive session lives without a heartbeat.
    pub session_timeout: Duration,
    /// `serve --read-only`: a backup licensing server on a read replica (docs/behaviour.md#read-only-replica).
    pub read_only: bool,
    /// How long an instance answers licence checks from its copy of an organization.
    pub organization_cache_ttl: Duration,
    /// How long known users are answered from that copy while the database is away.
    pub outage_grace: Duration,
    /// `Authorization: Bearer …` that `/metrics` requires, if any.
    pub metrics_token: Option<String>,
    /// A mobile user's last sync is written at most once per this interval.
    pub last_sync_interval: Duration,
    /// How long the audit log keeps an entry; forever when `None`.
    pub audit_retention: Option<chrono::Duration>,
}

#[derive(Debug, Clone, Copy)]
pub struct OutboxSettings {
    /// How often an idle worker looks for due mail.
    pub poll_interval: Duration,
    /// Wait after the first failed attempt; doubles with each further one.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// After this many attempts a mail is marked failed (it can still be resent by hand).
    pub max_attempts: i32,
    /// How long a worker owns a mail it is sending before another may take it over.
    pub lease: Duration,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(1),
            retry_base: Duration::from_secs(10),
            retry_max: Duration::from_secs(3600),
            max_attempts: 10,
            lease: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub window: Duration,
    /// Failed logins for one email address within the window.
    pub per_address: u64,
    /// Failed logins from one client (IP address) within the window.
    pub per_client: u64,
}

impl LoginLimits {
    /// Whether failures counted within the window already reach a limit.
    pub fn reached(&self, by_address: u64, by_client: u64) -> bool {
        by_address >= self.per_address || by_client >= self.per_client
    }
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(15 * 60),
            per_address: 5,
            per_client: 20,
        }
    }
}

impl Config {
    /// Resolves defaults, creates the data directory and generates missing secrets into it.
    pub fn load(settings: Settings) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "cannot create data directory {}",
                settings.data_dir.display()
            )
        })?;
        let database_url = settings.database_url.unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                settings.data_dir.join("licensedesk.db").display()
            )
        });
        let secret = match settings.secret_key {
            Some(secret) if !secret.trim().is_empty() => secret,
            _ => read_or_generate_secret(&settings.data_dir.join("secret.key"))?,
        };
        let base_url = settings
            .base_url
            .unwrap_or_else(|| format!("http://{}", settings.bind))
            .trim_end_matches('/')
            .to_owned();
        Ok(Self {
            bind: settings.bind,
            data_dir: settings.data_dir,
            database_url,
            base_url,
            smtp_url: settings.smtp_url.filter(|url| !url.trim().is_empty()),
            mail_from: settings.mail_from,
            cookie_key: Sha512::digest(secret.as_bytes()).to_vec(),
            vendor_public_key: settings.vendor_public_key,
            signing_key: settings.offline_signing_key,
            outbox: OutboxSettings::default(),
            login_limits: LoginLimits::default(),
            session_timeout: Duration::from_secs(settings.session_timeout.max(1)),
            read_only: false,
            organization_cache_ttl: Duration::from_millis(settings.cache_ttl_ms),
            outage_grace: Duration::from_secs(settings.outage_grace_secs),
            metrics_token: settings.metrics_token.filter(|t| !t.trim().is_empty()),
            last_sync_interval: Duration::from_secs(30),
            audit_retention: settings
                .audit_retention_days
                .map(|days| chrono::Duration::days(i64::from(days.max(1)))),
        })
    }

    /// Cookies are marked Secure when the server is reached over TLS.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// The vendor public key (docs/behaviour.md#licence-keys), given as base64 or as the path of a file holding it.
    /// Without one, the key `licensedesk demo` made in the data directory is trusted (for
    /// trying LicenseDesk out only).
    pub fn vendor_public_key(&self) -> anyhow::Result<Option<VendorPublicKey>> {
        let Some(value) = self
            .vendor_public_key
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        else {
            let demo = demo_public_key(&self.data_dir);
            if demo.is_some() {
                tracing::warn!(
                    "trusting the demo vendor key of `licensedesk demo`: for trying out only"
                );
            }
            return Ok(demo);
        };
        let text = match std::fs::read_to_string(value) {
            Ok(contents) => contents,
            Err(_) => value.to_owned(),
        };
        VendorPublicKey::parse(&text)
            .map(Some)
            .context("LICENSEDESK_VENDOR_PUBLIC_KEY")
    }

    /// The key that signs offline licence files (docs/behaviour.md#offline-licences): `LICENSEDESK_SIGNING_KEY` (base64 or
    /// a file holding it), or one generated once into the data directory. Several instances
    /// must share it: set it explicitly for them.
    pub fn offline_signing_key(&self) -> anyhow::Result<KeyPair> {
        if let Some(value) = self
            .signing_key
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            let text = std::fs::read_to_string(value).unwrap_or_else(|_| value.to_owned());
            return KeyPair::parse(&text).context("LICENSEDESK_SIGNING_KEY");
        }
        let path = self.data_dir.join("offline-signing.key");
        if let Ok(text) = std::fs::read_to_string(&path) {
            return KeyPair::parse(&text).with_context(|| path.display().to_string());
        }
        let key = KeyPair::generate();
        write_private(&path, &key.to_base64())
            .with_context(|| format!("cannot write {}", path.display()))?;
        std::fs::write(
            self.data_dir.join("offline-signing.pub"),
            key.public_key().to_base64(),
        )?;
        Ok(key)
    }

    /// The host of the base URL (`licensedesk.example.com`), for `Message-ID`s.
    pub fn base_host(&self) -> String {
        url::Url::parse(&self.base_url)
            .ok()
            .and_then(|url| {
                url.host_str()
                    .map(|h| h.trim_matches(['[', ']']).to_owned())
            })
            .filter(|host| !host.is_empty())
            .unwrap_or_else(|| "localhost".to_owned())
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }
}

fn read_or_generate_secret(path: &Path) -> anyhow::Result<String> {
    if let Ok(existing) = std::fs::read_to_string(path)
        && !existing.trim().is_empty()
    {
        return Ok(existing.trim().to_owned());
    }
    let secret = crate::domain::tokens::new_token();
    write_private(path, &secret)
        .with_context(|| format!("cannot write secret key to {}", path.display()))?;
    Ok(secret)
}

/// Where `licensedesk demo` leaves its vendor public key in the data directory.
pub const DEMO_PUBLIC_KEY_FILE: &str = "demo-vendor.pub";

/// The demo vendor's public key, if `licensedesk demo` made one in this data directory.
pub fn demo_public_key(data_dir: &Path) -> Option<VendorPublicKey> {
    let text = std::fs::read_to_string(data_dir.join(DEMO_PUBLIC_KEY_FILE)).ok()?;
    VendorPublicKey::parse(&text).ok()
}

/// Writes a file only its owner can read.
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, contents.as_bytes())
}
