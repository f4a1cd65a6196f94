//! Group commit, for the writes that requests hand to one task per instance (the sync's
//! pushes, the licence check's new users). A job waits only for the group being written
//! when it arrives; the jobs that came meanwhile then go in together, in one transaction.
//! Under load a lock is taken and a statement run once per group instead of once per job;
//! when jobs are rare, a group holds one job and nothing waits.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::Failure;

/// A job, and where its answer goes.
pub struct Queued<J, A> {
    job: J,
    reply: oneshot::Sender<Result<A, Arc<Failure>>>,
}

/// The writer task's end of a queue.
pub type Receiver<J, A> = mpsc::UnboundedReceiver<Queued<J, A>>;

/// Where requests hand their jobs to the writer task (`write_groups`).
pub struct Queue<J, A> {
    sender: mpsc::UnboundedSender<Queued<J, A>>,
}

impl<J, A> Clone for Queue<J, A> {
    fn clone(&self) -> Self {
        Self {
            sender: self.sender.clone(),
        }
    }
}

impl<J, A> Queue<J, A> {
    /// A queue, and the end its writer task reads from.
    pub fn open() -> (Self, Receiver<J, A>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (Self { sender }, receiver)
    }

    /// Hands the job over and waits until its group is written; its answer. `step` names
    /// the hand-over in the error of a server that is stopping.
    pub async fn submit(&self, job: J, step: &'static str) -> Result<A, Failure> {
        let (reply, answer) = oneshot::channel();
        let stopped = || Failure {
            step,
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

/// How large a group may grow: `jobs` jobs, and work up to `weight` as `weight_of` counts
/// it, so that no job waits behind a transaction much longer than its own.
pub struct Limits<J> {
    pub jobs: usize,
    pub weight: usize,
    pub weight_of: fn(&J) -> usize,
    /// What the jobs are, for the log ("pushes").
    pub name: &'static str,
}

/// What writes a group.
pub trait WriteGroup<J, A>: Send {
    /// Writes the jobs in one transaction; each job's answer, in order.
    fn write(&self, jobs: &[J]) -> impl Future<Output = Result<Vec<A>, Failure>> + Send;
}

/// Writes the queued jobs group by group until every `Queue` is dropped.
pub async fn write_groups<J: Send + Sync, A: Send>(
    mut receiver: Receiver<J, A>,
    limits: Limits<J>,
    writer: impl WriteGroup<J, A>,
) {
    while let Some(first) = receiver.recv().await {
        let mut weight = (limits.weight_of)(&first.job);
        let mut group = vec![first];
        while group.len() < limits.jobs && weight < limits.weight {
            let Ok(next) = receiver.try_recv() else { break };
            weight += (limits.weight_of)(&next.job);
            group.push(next);
        }
        let (jobs, replies): (Vec<J>, Vec<_>) = group.into_iter().map(|q| (q.job, q.reply)).unzip();
        match writer.write(&jobs).await {
            Ok(answers) => {
                for (reply, answer) in replies.into_iter().zip(answers) {
                    // The client may have gone (its request was cancelled): nothing to tell.
                    let _ = reply.send(Ok(answer));
                }
            }
            // A database that cannot be written fails every job alike, the ones that queued
            // meanwhile too (each group would wait its own 5 s otherwise): each client is
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
            // Anything else may be one job's doing: each is tried alone.
            Err(failure) => {
                tracing::warn!(error = %failure, jobs = jobs.len(), "a group of {} failed; writing them one by one", limits.name);
                for (job, reply) in jobs.iter().zip(replies) {
                    let alone = writer
                        .write(std::slice::from_ref(job))
                        .await
                        .map(|mut answers| answers.remove(0))
                        .map_err(Arc::new);
                    let _ = reply.send(alone);
                }
            }
        }
    }
}
