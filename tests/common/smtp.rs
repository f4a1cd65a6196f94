//! A real SMTP server on 127.0.0.1 (mailin-embedded) that keeps every message it receives.

use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
    time::Duration,
};

use mailin_embedded::{Handler, Response, Server, SslConfig, response};

#[derive(Clone, Default)]
struct Collector {
    current: Vec<u8>,
    received: Arc<Mutex<Vec<String>>>,
}

impl Handler for Collector {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> Response {
        self.current.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let message = String::from_utf8_lossy(&self.current).into_owned();
        self.received.lock().unwrap().push(message);
        response::OK
    }
}

pub struct MailServer {
    pub port: u16,
    received: Arc<Mutex<Vec<String>>>,
}

impl MailServer {
    /// Listens on a free port.
    pub fn start() -> Self {
        Self::start_on(TcpListener::bind("127.0.0.1:0").expect("bind SMTP port"))
    }

    /// Listens on `port` (a port a test reserved earlier, e.g. to start the server late).
    pub fn start_on_port(port: u16) -> Self {
        Self::start_on(TcpListener::bind(("127.0.0.1", port)).expect("bind SMTP port"))
    }

    fn start_on(listener: TcpListener) -> Self {
        let port = listener.local_addr().unwrap().port();
        let collector = Collector::default();
        let received = collector.received.clone();
        let mut server = Server::new(collector);
        server
            .with_name("smtp.test")
            .with_ssl(SslConfig::None)
            .expect("no TLS")
            // Each mail worker (the app's, a second instance's, a test's `send_due_mail`) keeps
            // a pooled connection open: enough threads that none waits for another.
            .with_num_threads(8)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, received }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }

    /// Waits up to 10 s for at least `count` messages.
    pub async fn wait_for(&self, count: usize) -> Vec<String> {
        for _ in 0..200 {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {count} mails, got {}", self.received().len());
    }
}

/// The decoded plain-text body of a raw message.
pub fn text_body(raw: &str) -> String {
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a parsable mail");
    message
        .body_text(0)
        .map(|b| b.into_owned())
        .unwrap_or_default()
}

pub fn html_body(raw: &str) -> String {
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a parsable mail");
    message
        .body_html(0)
        .map(|b| b.into_owned())
        .unwrap_or_default()
}

pub fn header(raw: &str, name: &str) -> String {
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a parsable mail");
    message
        .header_raw(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// The first link in `text` that starts with `prefix`.
pub fn link_in(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)?;
    let end = text[start..]
        .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .map_or(text.len(), |e| start + e);
    Some(text[start..end].to_owned())
}
