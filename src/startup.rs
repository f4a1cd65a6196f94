//! Builds the whole application: database, mail worker, HTTP server. Tests call
//! `Application::build` with port 0 and talk to the real thing.

use std::net::TcpListener;

use actix_web::{App, HttpServer, dev::Server, middleware::from_fn};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use tokio::{sync::watch, task::JoinHandle};
use tracing_actix_web::TracingLogger;

use crate::{
    config::Config,
    mail::{transport::Transport, worker::Worker},
    storage::{self, tokens::Purpose},
    web::{self, metrics::Metrics, state::AppState},
};

pub struct Application {
    port: u16,
    server: Server,
    db: DatabaseConnection,
    /// The one-time link that creates the first operator, while there is no administrator.
    setup_url: Option<String>,
    worker: JoinHandle<()>,
    expiry_warnings: JoinHandle<()>,
    /// Writes the licence checks' last-sync bookkeeping.
    flusher: JoinHandle<()>,
    /// Copies SQLite's write-ahead log into the database file (nothing on PostgreSQL).
    checkpoints: JoinHandle<()>,
    /// Tells the mail worker and the jobs to stop.
    stop_worker: watch::Sender<bool>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = if config.read_only {
            storage::connect_read_only(&config.database_url).await
        } else {
            storage::connect_serving(&config.database_url).await
        }
        .context("cannot open the database")?;
        let listener = TcpListener::bind(&config.bind)
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let mut config = config;
        if config.base_url.ends_with(":0") {
            // Port 0 (tests): links must name the port the system picked.
            config.base_url = format!("{}{port}", config.base_url.trim_end_matches('0'));
        }

        let setup_url = if config.read_only || storage::administrators::any_exist(&db).await? {
            None
        } else {
            let token =
                storage::tokens::issue(&db, Purpose::Setup, None, chrono::Duration::hours(24))
                    .await?;
            let url = format!("{}/setup?token={token}", config.base_url);
            tracing::warn!("no administrator yet: open {url} to create the first operator");
            Some(url)
        };

        let transport = Transport::new(config.smtp_url.as_deref(), config.mail_dir())
            .context("cannot set up mail")?;
        let (stop_worker, stopped) = watch::channel(false);
        // A read-only instance sends no mail and queues none: the primary does.
        let bookkeeping = std::sync::Arc::new(
            crate::storage::sync_bookkeeping::SyncBookkeeping::new(config.last_sync_interval),
        );
        let flusher = {
            let (bookkeeping, db, stopped) = (bookkeeping.clone(), db.clone(), stopped.clone());
            tokio::spawn(async move {
                bookkeeping
                    .run(db, std::time::Duration::from_secs(1), stopped)
                    .await;
            })
        };
        let checkpoints = if config.read_only {
            tokio::spawn(async {})
        } else {
            tokio::spawn(crate::jobs::run_checkpoints(db.clone(), stopped.clone()))
        };
        let (expiry_warnings, worker) = if config.read_only {
            tracing::warn!("read-only: licence checks for known users only, no changes, no mail");
            (tokio::spawn(async {}), tokio::spawn(async {}))
        } else {
            let expiry_warnings = tokio::spawn(crate::jobs::run_expiry_warnings(
                db.clone(),
                config.base_url.clone(),
                config.audit_retention,
                stopped.clone(),
            ));
            let worker = tokio::spawn(
                Worker {
                    db: db.clone(),
                    transport,
                    from: config.mail_from.clone(),
                    host: config.base_host(),
                    settings: config.outbox,
                }
                .run(stopped),
            );
            (expiry_warnings, worker)
        };

        let cookie_key = config.cookie_key.clone();
        let secure = config.secure_cookies();
        let vendor_key = config.vendor_public_key()?;
        if vendor_key.is_none() {
            tracing::warn!(
                "LICENSEDESK_VENDOR_PUBLIC_KEY is not set: licence keys cannot be imported"
            );
        }
        let offline_key = config.offline_signing_key()?;
        let state = actix_web::web::Data::new(AppState {
            bookkeeping,
            organization_cache: crate::storage::organization_cache::OrganizationCache::new(
                config.organization_cache_ttl,
            )
            .with_outage_grace(config.outage_grace),
            passwords: web::password_work::PasswordWork::new(),
            pushes: crate::app::sync::PushQueue::start(db.clone()),
            new_users: crate::app::new_users::NewUserQueue::start(
                db.clone(),
                config.base_url.clone(),
                crate::domain::signed_links::LinkSigner::new(&config.cookie_key),
            ),
            vendor_key,
            offline_key,
            signer: crate::domain::signed_links::LinkSigner::new(&config.cookie_key),
            db: db.clone(),
            config,
            metrics: Metrics::new().context("cannot register metrics")?,
        });
        let (session_db, read_only) = (db.clone(), state.config.read_only);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(from_fn(web::read_only::refuse_changes))
                .wrap(from_fn(web::csrf::check))
                .wrap(from_fn(web::input::refuse_nul))
                .wrap(web::session_middleware(
                    &cookie_key,
                    secure,
                    session_db.clone(),
                    read_only,
                ))
                .wrap(from_fn(web::session_store::explain_failures))
                .wrap(web::security_headers(secure))
                .wrap(from_fn(web::metrics::record))
                .wrap(TracingLogger::<crate::telemetry::RedactedRootSpan>::new())
                .configure(web::configure)
                .default_service(actix_web::web::to(web::not_found))
        })
        .listen(listener)?
        .shutdown_timeout(30)
        .run();

        Ok(Self {
            port,
            server,
            db,
            setup_url,
            worker,
            expiry_warnings,
            flusher,
            checkpoints,
            stop_worker,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn setup_url(&self) -> Option<&str> {
        self.setup_url.as_deref()
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Serves until SIGTERM or Ctrl-C; requests in flight and the mail being sent finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        if let Some(url) = &self.setup_url {
            println!("\n  Create the first operator: {url}\n");
        }
        tracing::info!(port = self.port, "LicenseDesk is serving");
        self.server.await?;
        let _ = self.stop_worker.send(true);
        self.worker.await.ok();
        self.expiry_warnings.await.ok();
        self.flusher.await.ok();
        self.checkpoints.await.ok();
        tracing::info!("stopped");
        Ok(())
    }
}
