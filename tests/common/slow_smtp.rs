//! A small SMTP server on 127.0.0.1 that answers the end of each message only when the test
//! lets it (or after a delay): to hold a mail "in flight" while a test breaks something.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::Semaphore,
};

pub struct SlowSmtp {
    pub port: u16,
    received: Arc<Mutex<Vec<String>>>,
    /// One permit per message the server may acknowledge.
    gate: Arc<Semaphore>,
    /// Messages whose DATA arrived (acknowledged or not).
    arrived: Arc<Semaphore>,
}

impl SlowSmtp {
    /// Acknowledges a message `delay` after it arrived, or when `release` allows it if
    /// `delay` is `None`.
    pub async fn start(delay: Option<Duration>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let gate = Arc::new(Semaphore::new(0));
        let arrived = Arc::new(Semaphore::new(0));
        let (r, g, a) = (received.clone(), gate.clone(), arrived.clone());
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let (received, gate, arrived) = (r.clone(), g.clone(), a.clone());
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 slow.test ESMTP\r\n").await;
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(message) = data.as_mut() {
                            if line == "." {
                                let message = data.take().unwrap_or_default();
                                arrived.add_permits(1);
                                match delay {
                                    Some(delay) => tokio::time::sleep(delay).await,
                                    None => gate.acquire().await.unwrap().forget(),
                                }
                                received.lock().unwrap().push(message);
                                let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
                            } else {
                                message.push_str(&line);
                                message.push_str("\r\n");
                            }
                            continue;
                        }
                        let command = line.to_ascii_uppercase();
                        let reply: &[u8] = if command.starts_with("EHLO") {
                            b"250-slow.test\r\n250 8BITMIME\r\n"
                        } else if command.starts_with("DATA") {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        } else if command.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            b"250 OK\r\n"
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        Self {
            port,
            received,
            gate,
            arrived,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Waits until a message's DATA arrived (not yet acknowledged).
    pub async fn wait_for_arrival(&self) {
        tokio::time::timeout(Duration::from_secs(20), self.arrived.acquire())
            .await
            .expect("a mail arrives within 20 s")
            .unwrap()
            .forget();
    }

    /// Lets the server acknowledge one message.
    pub fn release(&self) {
        self.gate.add_permits(1);
    }

    pub fn received(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}
