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

/// The request span of `tracing-actix-web`, with the CSRF token left out of the logged target
/// (the CSV upload form carries it in its query string, as multipart bodies are not read
/// before the check).
pub struct RedactedRootSpan;

impl tracing_actix_web::RootSpanBuilder for RedactedRootSpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        let span = tracing_actix_web::root_span!(request);
        if request.query_string().contains("csrf_token=") {
            let query: String = request
                .query_string()
                .split('&')
                .filter(|pair| !pair.starts_with("csrf_token="))
                .collect::<Vec<_>>()
                .join("&");
            let target = if query.is_empty() {
                request.path().to_owned()
            } else {
                format!("{}?{query}", request.path())
            };
            span.record("http.target", target.as_str());
        }
        span
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
