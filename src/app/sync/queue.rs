//! The pushes of one server, written by one task. A push waits only for the group being
//! written when it arrives; the pushes that came meanwhile then go in together, under one
//! version lock and in one transaction (group commit). Under load the lock is taken once
//! per group instead of once per push, and each table gets one statement per group; when
//! pushes are rare, a group holds one push and nothing waits.

use sea_orm::DatabaseConnection;

use super::apply::{PushJob, apply_group};
use crate::{
    app::{
        Failure,
        group_commit::{self, Limits, Queue, WriteGroup},
    },
    domain::sync::ChangeResult,
};

/// A group closes at 64 pushes or 2 000 changes, so that no push waits behind a
/// transaction much longer than its own.
const LIMITS: Limits<PushJob> = Limits {
    jobs: 64,
    weight: 2_000,
    weight_of: changes,
    name: "pushes",
};

fn changes(job: &PushJob) -> usize {
    job.changes.len()
}

struct Writer {
    db: DatabaseConnection,
}

impl WriteGroup<PushJob, Vec<ChangeResult>> for Writer {
    async fn write(&self, jobs: &[PushJob]) -> Result<Vec<Vec<ChangeResult>>, Failure> {
        apply_group(&self.db, jobs).await
    }
}

/// Where the sync API hands its pushes (see the module's comment).
#[derive(Clone)]
pub struct PushQueue {
    queue: Queue<PushJob, Vec<ChangeResult>>,
}

impl PushQueue {
    /// Starts the writing task; it ends when the last copy of the queue is dropped.
    pub fn start(db: DatabaseConnection) -> Self {
        let (queue, receiver) = Queue::open();
        tokio::spawn(group_commit::write_groups(receiver, LIMITS, Writer { db }));
        Self { queue }
    }

    /// Applies the push once the groups before it are written; its results.
    pub(super) async fn apply(&self, job: PushJob) -> Result<Vec<ChangeResult>, Failure> {
        self.queue.submit(job, "hand the push to the writer").await
    }
}
