//! Real database faults for tests: a TCP proxy in front of PostgreSQL that can cut every
//! connection and refuse new ones (what clients see when the server stops), and for SQLite a
//! second connection that holds the write lock (what the app sees when it cannot write).

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, TransactionTrait,
};
use tokio::{net::TcpListener, sync::watch};

/// Forwards 127.0.0.1:`port` to a PostgreSQL server until cut.
pub struct Proxy {
    pub port: u16,
    up: Arc<AtomicBool>,
    cuts: watch::Sender<u64>,
}

impl Proxy {
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let (cuts, _) = watch::channel(0u64);
        let (accepting, cut_signal) = (up.clone(), cuts.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if !accepting.load(Ordering::SeqCst) {
                    // The server is "stopped": the connection is refused at once.
                    drop(client);
                    continue;
                }
                let mut cut = cut_signal.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self { port, up, cuts }
    }

    /// Every connection drops and new ones are refused, as when PostgreSQL stops.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cuts.send_modify(|n| *n += 1);
    }

    /// PostgreSQL is back.
    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// A database the application reaches through something a test can break.
pub enum Outage {
    Postgres(Proxy),
    Sqlite {
        url: String,
        held: Option<(DatabaseConnection, DatabaseTransaction)>,
    },
}

impl Outage {
    /// For the database at `url`: returns the URL the application must use.
    pub async fn around(url: &str) -> (Self, String) {
        if url.starts_with("postgres") {
            let parsed = url::Url::parse(url).unwrap();
            let target: SocketAddr = format!(
                "{}:{}",
                parsed.host_str().unwrap(),
                parsed.port().unwrap_or(5432)
            )
            .parse()
            .unwrap();
            let proxy = Proxy::start(target).await;
            let mut through = parsed.clone();
            through.set_port(Some(proxy.port)).unwrap();
            (Self::Postgres(proxy), through.to_string())
        } else {
            (
                Self::Sqlite {
                    url: url.to_owned(),
                    held: None,
                },
                url.to_owned(),
            )
        }
    }

    pub async fn begin(&mut self) {
        match self {
            Self::Postgres(proxy) => proxy.cut(),
            Self::Sqlite { url, held } => {
                let db = Database::connect(url.as_str()).await.unwrap();
                let txn = db
                    .begin_with_options(sea_orm::TransactionOptions {
                        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await
                    .unwrap();
                txn.execute_unprepared("UPDATE readiness SET checked_at = checked_at")
                    .await
                    .unwrap();
                *held = Some((db, txn));
            }
        }
    }

    pub async fn end(&mut self) {
        match self {
            Self::Postgres(proxy) => proxy.restore(),
            Self::Sqlite { held, .. } => {
                if let Some((_, txn)) = held.take() {
                    txn.rollback().await.unwrap();
                }
            }
        }
    }
}
