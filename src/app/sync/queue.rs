//! The pushes of one server, written by one task. A push waits only for the group being
//! written when it arrives; the pushes that came meanwhile then go in together, under one
//! version lock and in one transaction (group commit). Under load the lock is taken once
//! per group instead of once per push, and each table gets one statement per group; when
//! pushes are rare, a group holds one push and nothing waits.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

use super::apply::{PushJob, apply_group};
use crate::{app::Failure, domain::sync::ChangeResult};

/// A group closes at this many pushes or changes, so that no push waits behind a
/// transaction much longer than its own.
const GROUP_PUSHES: usize = 64;
const GROUP_CHANGES: usize = 2_000;

type Reply = Result<Vec<ChangeResult>, Arc<Failure>>;

struct Queued {
    job: PushJob,
    reply: oneshot::Sender<Reply>,
}

/// Where the sync API hands its pushes (see the module's comment).
#[derive(Clone)]
pub struct PushQueue {
    sender: mpsc::UnboundedSender<Queued>,
}

impl PushQueue {
    /// Starts the writing task; it ends when the last copy of the queue is dropped.
    pub fn start(db: DatabaseConnection) -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(write_groups(db, receiver));
        Self { sender }
    }

    /// Applies the push once the groups before it are written; its results.
    pub(super) async fn apply(&self, job: PushJob) -> Result<Vec<ChangeResult>, Failure> {
        let (reply, answer) = oneshot::channel();
        let stopped = || Failure {
            step: "hand the push to the writer",
            source: anyhow::anyhow!("the server is stopping"),
        };
        self.sender
            .send(Queued { job, reply })
            .map_err(|_| stopped())?;
        answer
            .await
            .map_err(|_| stopped())?
            .map_err(Failure::unshare)
    }
}

async fn write_groups(db: DatabaseConnection, mut receiver: mpsc::UnboundedReceiver<Queued>) {
    while let Some(first) = receiver.recv().await {
        let mut changes = first.job.changes.len();
        let mut group = vec![first];
        while group.len() < GROUP_PUSHES && changes < GROUP_CHANGES {
            let Ok(next) = receiver.try_recv() else { break };
            changes += next.job.changes.len();
            group.push(next);
        }
        let (jobs, replies): (Vec<PushJob>, Vec<_>) =
            group.into_iter().map(|q| (q.job, q.reply)).unzip();
        match apply_group(&db, &jobs).await {
            Ok(results) => {
                for (reply, results) in replies.into_iter().zip(results) {
                    // The device may have gone (its request was cancelled): nothing to tell.
                    let _ = reply.send(Ok(results));
                }
            }
            // A database that cannot be written fails every push alike, the ones that queued
            // meanwhile too (each group would wait its own 5 s otherwise): each device is
            // told to try again.
            Err(failure) if failure.is_unavailable() => {
                let failure = Arc::new(failure);
                let queued = std::iter::from_fn(|| receiver.try_recv().ok()).map(|q| q.reply);
                for reply in replies.into_iter().chain(queued.collect::<Vec<_>>()) {
                    let _ = reply.send(Err(failure.clone()));
                }
            }
            Err(failure) if jobs.len() == 1 => {
                if let Some(reply) = replies.into_iter().next() {
                    let _ = reply.send(Err(Arc::new(failure)));
                }
            }
            // Anything else may be one push's doing: each is tried alone.
            Err(failure) => {
                tracing::warn!(error = %failure, pushes = jobs.len(), "a group of pushes failed; applying them one by one");
                for (job, reply) in jobs.iter().zip(replies) {
                    let alone = apply_group(&db, std::slice::from_ref(job))
                        .await
                        .map(|mut results| results.remove(0))
                        .map_err(Arc::new);
                    let _ = reply.send(alone);
                }
            }
        }
    }
}
