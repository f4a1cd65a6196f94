//! Argon2 work, bounded (docs/behaviour.md#running): a few dedicated threads hash and verify passwords, and at most
//! `QUEUE` requests wait for them; beyond that a login gets "busy, try again" at once.
//!
//! Each verification needs ~19 MiB of working memory. Run on the blocking pool, a burst of
//! 60 logins ran 60 at once (RSS 26 MB → 1.16 GB, and the allocator kept it). Here at most
//! one per core runs, always on the same threads, each reusing its own working memory, so
//! the whole of it is `threads × 19 MiB`, however many logins arrive.

use std::sync::{Arc, Mutex, mpsc};

use argon2::Block;
use tokio::sync::oneshot;

use crate::domain::password::{self, NewPassword, PasswordError};

/// Requests that may wait for a hashing thread; more at once are refused.
const QUEUE: usize = 64;

/// A job gets its thread's argon2 working memory, kept between jobs.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    #[error("too many sign-ins at once")]
    Busy,
    #[error("the password hashing thread stopped")]
    Stopped,
    #[error(transparent)]
    Password(#[from] PasswordError),
}

pub struct PasswordWork {
    jobs: mpsc::SyncSender<Job>,
}

impl PasswordWork {
    /// One hashing thread per core.
    pub fn new() -> Self {
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        Self::with_threads(threads)
    }

    pub fn with_threads(threads: usize) -> Self {
        let (jobs, queue) = mpsc::sync_channel::<Job>(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    loop {
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password hashing thread");
            }
        }
        Self { jobs }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, WorkError> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = done.send(work(memory));
        });
        self.jobs.try_send(job).map_err(|error| match error {
            mpsc::TrySendError::Full(_) => WorkError::Busy,
            mpsc::TrySendError::Disconnected(_) => WorkError::Stopped,
        })?;
        result.await.map_err(|_| WorkError::Stopped)
    }

    /// `password::verify` on a hashing thread.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, WorkError> {
        self.run(move |memory| password::verify_in(memory, &password, hash.as_deref()))
            .await
    }

    /// `NewPassword::hash` on a hashing thread.
    pub async fn hash(&self, password: NewPassword) -> Result<String, WorkError> {
        Ok(self.run(move |_| password.hash()).await??)
    }
}

impl Default for PasswordWork {
    fn default() -> Self {
        Self::new()
    }
}
