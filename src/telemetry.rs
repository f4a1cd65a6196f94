//! Structured logs: `RUST_LOG` picks the level (info by default). Each HTTP request is one
//! span carrying its request id; its close event is the access log line (status, duration).

use tracing_subscriber::{EnvFilter, fmt, fmt::format::FmtSpan};

pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    // A second call (tests) keeps the first subscriber.
    let _ = fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
