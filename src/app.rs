//! Use cases: each opens the one write transaction it needs, loads facts through
//! `storage`, asks the rules in `domain`, writes the result with its audit entry and its
//! outbox mail, and commits. The web layer calls these; `storage` never calls back up.
//!
//! A use case returns its outcome, or an [`Error`]: either a refusal (a typed reason the
//! person asking is told, nothing changed) or a [`Failure`] (something broke: the step that
//! failed and its cause, logged, never shown).

pub mod access_profiles;
pub mod administrators;
pub mod channels;
pub mod devices;
pub mod expiry_warnings;
pub mod group_commit;
pub mod license_check;
pub mod licenses;
pub mod login;
pub mod lookups;
pub mod mobile_users;
pub mod new_users;
pub mod notifications;
pub mod organizations;
pub mod outbox;
pub mod records;
pub mod registration;
pub mod sessions;
pub mod settings;
pub mod sync;
pub mod sync_entities;
pub mod sync_log;

/// A step of a use case that failed for a reason the person asking cannot fix (the
/// database, mostly). `step` names it for the log: "lock the MOBILE seats".
#[derive(Debug, thiserror::Error)]
#[error("{step}: {source:#}")]
pub struct Failure {
    pub step: &'static str,
    pub source: anyhow::Error,
}

impl Failure {
    /// The database could not be used (down, full, locked): worth a "try again" answer.
    pub fn is_unavailable(&self) -> bool {
        crate::storage::is_unavailable_cause(&self.source)
    }

    /// The cause with the step as its context (the database error stays in the chain).
    pub fn into_anyhow(self) -> anyhow::Error {
        self.source.context(self.step)
    }

    /// One request's copy of a failure that a group of them shared (group commit): the
    /// database error stays in the chain, so each answer is the same "try again" or
    /// "broken".
    pub fn unshare(shared: std::sync::Arc<Failure>) -> Failure {
        std::sync::Arc::try_unwrap(shared).unwrap_or_else(|shared| Failure {
            step: shared.step,
            source: anyhow::Error::new(Shared(shared)),
        })
    }
}

#[derive(Debug)]
struct Shared(std::sync::Arc<Failure>);

impl std::fmt::Display for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0.source)
    }
}

impl std::error::Error for Shared {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(AsRef::<dyn std::error::Error + Send + Sync>::as_ref(
            &self.0.source,
        ))
    }
}

/// Names the step a fallible call belongs to: `storage::x(..).await.step("load the user")?`.
pub trait Step<T> {
    fn step(self, step: &'static str) -> Result<T, Failure>;
}

impl<T, E: Into<anyhow::Error>> Step<T> for Result<T, E> {
    fn step(self, step: &'static str) -> Result<T, Failure> {
        self.map_err(|error| Failure {
            step,
            source: error.into(),
        })
    }
}

/// Why a use case did not do what was asked.
#[derive(Debug)]
pub enum Error<R> {
    /// Against a rule: `R` says which, in words the person asking understands.
    Refused(R),
    Failed(Failure),
}

impl<R> From<Failure> for Error<R> {
    fn from(failure: Failure) -> Self {
        Self::Failed(failure)
    }
}

impl<R: std::fmt::Display> Error<R> {
    /// For the command line: a refusal is an error message like any other.
    pub fn into_anyhow(self) -> anyhow::Error {
        match self {
            Self::Refused(reason) => anyhow::anyhow!("{reason}"),
            Self::Failed(failure) => failure.into_anyhow(),
        }
    }
}

/// Shorthand for a use case's result.
pub type Outcome<T, R> = Result<T, Error<R>>;

/// Refuses with `reason`: `return refuse(Reason::NoSeat)`.
pub fn refuse<T, R>(reason: R) -> Outcome<T, R> {
    Err(Error::Refused(reason))
}
