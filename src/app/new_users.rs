//! New mobile users of one server, written by one task (`group_commit`, like the pushes of
//! `sync::PushQueue`). A first-sync storm — a new customer's technicians all syncing at the
//! start of a shift — made every check that creates a user take the organization's lock and
//! commit on its own, one after the other: 1 169 new users a second, p99 258 ms. Here the
//! checks that arrive while a group is being written go in together: one transaction, the
//! organization locked and its Enabled users counted once per group, then each user decided
//! in arrival order against the seats left — the same answers, audit entries and notices as
//! one at a time, and never more Enabled users than seats, whatever the instances.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{
    Failure, Step,
    group_commit::{self, Limits, Queue, WriteGroup},
    notifications::{NoticeLinks, notify_assignment},
};
use crate::{
    domain::{
        audit::AuditAction,
        client_message::CheckRequest,
        license_check::{
            Answer, AnswerState, Decision, Facts, MobileSeats, Status, UserState, decide,
        },
        signed_links::LinkSigner,
    },
    storage::{
        self,
        audit::{self, Actor, Change},
        entities::{self, organizations},
        mobile_seats::{self, NewUserRow},
        mobile_users,
        organization_cache::CachedUser,
    },
};

/// A user the licence check decided to create.
pub struct NewUser {
    pub organization: organizations::Model,
    pub request: CheckRequest,
    pub now: DateTime<Utc>,
    /// What the check decided on (no user): a user created since is answered from these
    /// and its stored state.
    pub facts: Facts,
    pub wants: Wants,
}

pub enum Wants {
    /// Pending, with a temporary licence until `until`.
    Pending {
        until: DateTime<Utc>,
        answer: Answer,
    },
    /// Enabled if a seat is free (or can be freed), else Pending.
    Enabled(Enabling),
}

/// Where the licence check hands the users it creates (see the module's comment).
#[derive(Clone)]
pub struct NewUserQueue {
    queue: Queue<NewUser, Answer>,
}

impl NewUserQueue {
    /// Starts the writing task; it ends when the last copy of the queue is dropped. The
    /// links go into assignment notices.
    pub fn start(db: DatabaseConnection, base_url: String, signer: LinkSigner) -> Self {
        let (queue, receiver) = Queue::open();
        let writer = Writer {
            db,
            base_url,
            signer,
        };
        tokio::spawn(group_commit::write_groups(receiver, LIMITS, writer));
        Self { queue }
    }

    /// Creates the user once the groups before it are written; the check's answer.
    pub async fn create(&self, user: NewUser) -> Result<Answer, Failure> {
        self.queue
            .submit(user, "hand the new user to the writer")
            .await
    }
}

/// A group closes at 256 new users, so that none waits behind a long transaction.
const LIMITS: Limits<NewUser> = Limits {
    jobs: 256,
    weight: usize::MAX,
    weight_of: one,
    name: "new users",
};

fn one(_: &NewUser) -> usize {
    1
}

struct Writer {
    db: DatabaseConnection,
    base_url: String,
    signer: LinkSigner,
}

impl WriteGroup<NewUser, Answer> for Writer {
    async fn write(&self, users: &[NewUser]) -> Result<Vec<Answer>, Failure> {
        let links = NoticeLinks {
            base_url: &self.base_url,
            signer: &self.signer,
        };
        write_group(&self.db, &links, users).await
    }
}

/// Creates the users in one transaction; their answers, in order.
async fn write_group(
    db: &DatabaseConnection,
    links: &NoticeLinks<'_>,
    users: &[NewUser],
) -> Result<Vec<Answer>, Failure> {
    let txn = storage::begin_write(db).await.step("begin")?;
    let mut organizations: Vec<i64> = Vec::new();
    for user in users {
        if !organizations.contains(&user.organization.id) {
            organizations.push(user.organization.id);
        }
    }
    let mut answers = vec![None; users.len()];
    for organization_id in organizations {
        let mine: Vec<usize> = (0..users.len())
            .filter(|&i| users[i].organization.id == organization_id)
            .collect();
        write_organization(&txn, links, users, &mine, &mut answers).await?;
    }
    txn.commit().await.step("commit")?;
    Ok(answers.into_iter().flatten().collect())
}

/// The new users `mine` of one organization: its change stamp taken (which locks it until
/// the commit, so no other writer adds users meanwhile), its seats counted once if anyone
/// may be Enabled, each user decided in arrival order, then all inserted together.
async fn write_organization(
    txn: &impl ConnectionTrait,
    links: &NoticeLinks<'_>,
    users: &[NewUser],
    mine: &[usize],
    answers: &mut [Option<Answer>],
) -> Result<(), Failure> {
    let Some(first) = mine.first().map(|&i| &users[i]) else {
        return Ok(());
    };
    let organization_id = first.organization.id;
    let version = mobile_users::next_version(txn, organization_id, false)
        .await
        .step("take the users' change stamp")?;
    let mut seats = if mine
        .iter()
        .any(|&i| matches!(users[i].wants, Wants::Enabled(_)))
    {
        Some(
            mobile_seats::lock_mobile_seats(txn, organization_id, first.now)
                .await
                .step("lock the MOBILE seats")?,
        )
    } else {
        None
    };
    let user_ids: Vec<String> = mine
        .iter()
        .map(|&i| users[i].request.user_id.to_string())
        .collect();
    // Users created since the checks looked (by another instance, an administrator, an
    // import): answered as stored.
    let stored = mobile_users::find_by_user_ids(txn, organization_id, &user_ids)
        .await
        .step("look the new users up")?;
    // A user twice in the group gets the first one's answer.
    let mut given: HashMap<String, Answer> = HashMap::new();
    let mut rows = Vec::with_capacity(mine.len());
    for &i in mine {
        let user = &users[i];
        let user_id = user.request.user_id.to_string();
        let answer = if let Some(answer) = given.get(&user_id) {
            *answer
        } else if let Some(row) = stored.get(&user_id) {
            as_stored(user, row)
        } else {
            match (&user.wants, seats.as_mut()) {
                (Wants::Pending { until, answer }, _) => {
                    rows.push(row(user, UserState::Pending, Some(*until)));
                    *answer
                }
                (Wants::Enabled(enabling), Some(seats)) => {
                    enable(txn, links, user, *enabling, seats, &mut rows).await?
                }
                // Not reached: the seats are counted when anyone of the group wants one.
                (Wants::Enabled(enabling), None) => {
                    rows.push(row(user, UserState::Pending, Some(enabling.pending_until)));
                    enabling.pending()
                }
            }
        };
        given.insert(user_id, answer);
        answers[i] = Some(answer);
    }
    mobile_seats::insert_new_users(txn, organization_id, &rows, version)
        .await
        .step("record the new users")
}

/// The answer to a user who is there already: the check's decision for that stored user.
fn as_stored(user: &NewUser, row: &entities::mobile_users::Model) -> Answer {
    let facts = Facts {
        user: Some(CachedUser::from_row(row).known),
        ..user.facts
    };
    match decide(&facts) {
        Decision::Answer(answer) => answer,
        // A known user is only ever answered; should that change, the user waits.
        Decision::CreatePending { answer, .. } => answer,
        Decision::CreateEnabled { fallback, .. }
        | Decision::FreeOldestThenEnable { fallback, .. } => Enabling::pending_until(fallback),
    }
}

fn row(user: &NewUser, state: UserState, until: Option<DateTime<Utc>>) -> NewUserRow<'_> {
    NewUserRow {
        request: &user.request,
        state,
        temporary_license_until: until,
        now: user.now,
    }
}

/// What the check decided for a user who may take a seat.
#[derive(Clone, Copy)]
pub struct Enabling {
    /// Free the seat of the Enabled user idle longest, if idle longer than this.
    pub free_after_days: Option<u32>,
    /// The answer once Enabled.
    pub answer: Answer,
    /// Pending until then when no seat can be had.
    pub pending_until: DateTime<Utc>,
}

impl Enabling {
    /// The answer when no seat could be had.
    fn pending(&self) -> Answer {
        Self::pending_until(self.pending_until)
    }

    fn pending_until(until: DateTime<Utc>) -> Answer {
        Answer {
            status: Status::Ok,
            state: AnswerState::User(UserState::Pending),
            valid_until: Some(until),
        }
    }
}

/// Auto-assignment: takes a free seat (or, with `free_after_days`, the seat of the Enabled
/// user whose last sync is oldest and older than that) for the new user, or leaves the user
/// Pending when none can be had; the user's row goes into `rows`. `seats` are the
/// organization's, counted under its lock and kept up to date here.
async fn enable<'a>(
    txn: &impl ConnectionTrait,
    links: &NoticeLinks<'_>,
    user: &'a NewUser,
    enabling: Enabling,
    seats: &mut MobileSeats,
    rows: &mut Vec<NewUserRow<'a>>,
) -> Result<Answer, Failure> {
    let service = Actor::system("licensing service");
    let (organization, request, now) = (&user.organization, &user.request, user.now);
    let mut free = seats.free() > 0;
    let mut freed_user = None;
    if !free && let Some(days) = enabling.free_after_days {
        let oldest = mobile_seats::oldest_enabled_synced_before(
            txn,
            organization.id,
            mobile_seats::days_before(now, days),
        )
        .await
        .step("find the user to free")?;
        if let Some(oldest) = oldest {
            mobile_users::set_state(txn, &oldest, UserState::Disabled)
                .await
                .step("disable the user freed")?;
            seats.used = seats.used.saturating_sub(1);
            freed_user = Some(oldest.user_id.clone());
            audit::record(
                txn,
                &service,
                Change::new(
                    Some(organization.id),
                    AuditAction::MobileUserAutoFree,
                    format!(
                        "user {} (no sync for more than {days} days)",
                        oldest.user_id
                    ),
                ),
            )
            .await
            .step("record the auto-free audit entry")?;
            free = true;
        }
    }
    if !free {
        rows.push(row(user, UserState::Pending, Some(enabling.pending_until)));
        return Ok(enabling.pending());
    }
    rows.push(row(user, UserState::Enabled, None));
    audit::record(
        txn,
        &service,
        Change::new(
            Some(organization.id),
            AuditAction::MobileUserAutoAssign,
            format!("user {}", request.user_id),
        ),
    )
    .await
    .step("record the auto-assign audit entry")?;
    seats.used += 1;
    notify_assignment(
        txn,
        organization,
        &request.user_id.to_string(),
        freed_user.as_deref(),
        *seats,
        links,
    )
    .await
    .step("queue the assignment notices")?;
    Ok(enabling.answer)
}
