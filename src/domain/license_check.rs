//! The licence check decision (docs/behaviour.md#license-check) as a function of facts and `now`: no I/O. The caller
//! loads the facts, asks `decide`, and carries out what it says in one transaction (where
//! creating an Enabled user re-checks the free seats).

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// What the client is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    NotFound,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::NotFound => "LICENSE: NOT FOUND",
            Self::Expired => "LICENSE: EXPIRED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserState {
    Enabled,
    Pending,
    Disabled,
}

impl UserState {
    pub const ALL: [UserState; 3] = [Self::Enabled, Self::Pending, Self::Disabled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "Enabled",
            Self::Pending => "Pending",
            Self::Disabled => "Disabled",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        match stored {
            "Enabled" => Some(Self::Enabled),
            "Pending" => Some(Self::Pending),
            "Disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

impl std::fmt::Display for UserState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `<State>` of the answer: a user state, or Trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerState {
    User(UserState),
    Trial,
}

impl AnswerState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User(state) => state.as_str(),
            Self::Trial => "Trial",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub status: Status,
    pub state: AnswerState,
    /// When the right to synchronise ends, if known.
    pub valid_until: Option<DateTime<Utc>>,
}

/// The user as stored, if known (a deleted user is unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownUser {
    pub state: UserState,
    pub temporary_license_until: Option<DateTime<Utc>>,
}

/// The organization's MOBILE seats right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MobileSeats {
    /// Seats of the valid MOBILE licences, combined.
    pub total: u64,
    /// Enabled users.
    pub used: u64,
    /// Whether the organization ever had a MOBILE licence (so "all expired" can be told
    /// apart from "never licensed").
    pub any_licence: bool,
    /// The last day of the valid MOBILE licence that ends last.
    pub valid_till: Option<NaiveDate>,
}

impl MobileSeats {
    /// The one rule for taking seats: how many more users may be Enabled now.
    pub fn free(&self) -> u64 {
        self.total.saturating_sub(self.used)
    }

    /// Whether `enabled` users may be Enabled after a change that sets many states at once
    /// (an import): within the seats, or at least no more than before (a change that only
    /// disables users is never refused, even where licences ran out).
    pub fn allow_enabled(&self, enabled: u64) -> bool {
        enabled <= self.used.max(self.total)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub now: DateTime<Utc>,
    pub trial_until: Option<NaiveDate>,
    pub user: Option<KnownUser>,
    pub seats: MobileSeats,
    pub auto_assign: bool,
    pub auto_free_after_days: Option<u32>,
    pub temporary_license_days: u32,
}

/// What to do, and what to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Answer; nothing to create.
    Answer(Answer),
    /// Create the unknown user as Pending with a temporary licence until `until`.
    CreatePending {
        until: DateTime<Utc>,
        answer: Answer,
    },
    /// Create the unknown user Enabled, taking a free seat (re-checked in the transaction;
    /// if it is gone by then, fall back to `fallback`).
    CreateEnabled {
        answer: Answer,
        fallback: DateTime<Utc>,
    },
    /// No seat is free, but the Enabled user whose last sync is oldest and more than
    /// `days` ago may give up theirs; otherwise as `CreatePending`.
    FreeOldestThenEnable {
        days: u32,
        answer: Answer,
        fallback: DateTime<Utc>,
    },
}

/// End of a licence's last day, as the moment the right to sync ends.
fn end_of(day: NaiveDate) -> DateTime<Utc> {
    (day + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
}

pub fn decide(facts: &Facts) -> Decision {
    let today = facts.now.date_naive();
    let answer = |status, state, valid_until| Answer {
        status,
        state,
        valid_until,
    };
    let temporary_until = facts.now + Duration::days(i64::from(facts.temporary_license_days));
    let licensed_until = facts.seats.valid_till.map(end_of);

    // 2. Trial: everyone may sync; unknown users are still recorded.
    if let Some(trial_until) = facts.trial_until.filter(|until| *until >= today) {
        let trial = answer(Status::Ok, AnswerState::Trial, Some(end_of(trial_until)));
        return match facts.user {
            Some(_) => Decision::Answer(trial),
            None => Decision::CreatePending {
                until: temporary_until,
                answer: trial,
            },
        };
    }

    match facts.user {
        // 3. Enabled: a valid MOBILE licence must cover the seat.
        Some(KnownUser {
            state: UserState::Enabled,
            ..
        }) => {
            let state = AnswerState::User(UserState::Enabled);
            Decision::Answer(if facts.seats.total > 0 {
                answer(Status::Ok, state, licensed_until)
            } else if facts.seats.any_licence {
                answer(Status::Expired, state, None)
            } else {
                answer(Status::NotFound, state, None)
            })
        }
        // 4. Disabled.
        Some(KnownUser {
            state: UserState::Disabled,
            ..
        }) => Decision::Answer(answer(
            Status::NotFound,
            AnswerState::User(UserState::Disabled),
            None,
        )),
        // 5. Pending: the temporary licence.
        Some(KnownUser {
            state: UserState::Pending,
            temporary_license_until,
        }) => {
            let state = AnswerState::User(UserState::Pending);
            Decision::Answer(match temporary_license_until {
                Some(until) if until > facts.now => answer(Status::Ok, state, Some(until)),
                _ => answer(Status::Expired, state, temporary_license_until),
            })
        }
        // 6. Unknown (or deleted).
        None => {
            let pending = answer(
                Status::Ok,
                AnswerState::User(UserState::Pending),
                Some(temporary_until),
            );
            let enabled = answer(
                Status::Ok,
                AnswerState::User(UserState::Enabled),
                licensed_until,
            );
            match (
                facts.auto_assign,
                facts.seats.free() > 0,
                facts.auto_free_after_days,
            ) {
                (true, true, _) => Decision::CreateEnabled {
                    answer: enabled,
                    fallback: temporary_until,
                },
                (true, false, Some(days)) if facts.seats.total > 0 => {
                    Decision::FreeOldestThenEnable {
                        days,
                        answer: enabled,
                        fallback: temporary_until,
                    }
                }
                _ => Decision::CreatePending {
                    until: temporary_until,
                    answer: pending,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-06-01T10:00:00Z".parse().unwrap()
    }

    fn facts() -> Facts {
        Facts {
            now: now(),
            trial_until: None,
            user: None,
            seats: MobileSeats {
                total: 10,
                used: 3,
                any_licence: true,
                valid_till: Some("2026-12-31".parse().unwrap()),
            },
            auto_assign: false,
            auto_free_after_days: None,
            temporary_license_days: 14,
        }
    }

    fn known(state: UserState) -> Option<KnownUser> {
        Some(KnownUser {
            state,
            temporary_license_until: None,
        })
    }

    fn answer_of(decision: Decision) -> Answer {
        match decision {
            Decision::Answer(a)
            | Decision::CreatePending { answer: a, .. }
            | Decision::CreateEnabled { answer: a, .. }
            | Decision::FreeOldestThenEnable { answer: a, .. } => a,
        }
    }

    #[test]
    fn a_trial_answers_ok_for_anyone_and_records_new_users() {
        let mut f = facts();
        f.trial_until = Some("2026-06-30".parse().unwrap());
        f.user = known(UserState::Disabled);
        let a = answer_of(decide(&f));
        assert_eq!((a.status, a.state), (Status::Ok, AnswerState::Trial));
        f.user = None;
        assert!(matches!(decide(&f), Decision::CreatePending { .. }));
        f.trial_until = Some("2026-05-31".parse().unwrap());
        assert_ne!(
            answer_of(decide(&f)).state,
            AnswerState::Trial,
            "the trial ended yesterday"
        );
    }

    #[test]
    fn enabled_users_need_a_valid_mobile_licence() {
        let mut f = facts();
        f.user = known(UserState::Enabled);
        let a = answer_of(decide(&f));
        assert_eq!(a.status, Status::Ok);
        assert_eq!(a.valid_until, Some("2027-01-01T00:00:00Z".parse().unwrap()));
        f.seats.total = 0;
        assert_eq!(answer_of(decide(&f)).status, Status::Expired);
        f.seats.any_licence = false;
        assert_eq!(answer_of(decide(&f)).status, Status::NotFound);
    }

    #[test]
    fn disabled_users_are_not_found() {
        let mut f = facts();
        f.user = known(UserState::Disabled);
        let a = answer_of(decide(&f));
        assert_eq!(
            (a.status, a.state),
            (Status::NotFound, AnswerState::User(UserState::Disabled))
        );
    }

    #[test]
    fn pending_users_sync_until_their_temporary_licence_runs_out() {
        let mut f = facts();
        f.user = Some(KnownUser {
            state: UserState::Pending,
            temporary_license_until: Some(now() + Duration::hours(1)),
        });
        assert_eq!(answer_of(decide(&f)).status, Status::Ok);
        f.user = Some(KnownUser {
            state: UserState::Pending,
            temporary_license_until: Some(now() - Duration::seconds(1)),
        });
        assert_eq!(answer_of(decide(&f)).status, Status::Expired);
    }

    #[test]
    fn unknown_users_are_pending_unless_auto_assignment_finds_a_seat() {
        let mut f = facts();
        match decide(&f) {
            Decision::CreatePending { until, answer } => {
                assert_eq!(until, now() + Duration::days(14));
                assert_eq!(answer.state, AnswerState::User(UserState::Pending));
            }
            other => panic!("{other:?}"),
        }
        f.auto_assign = true;
        assert!(matches!(decide(&f), Decision::CreateEnabled { .. }));
        f.seats.used = 10;
        assert!(
            matches!(decide(&f), Decision::CreatePending { .. }),
            "no seat free"
        );
        f.auto_free_after_days = Some(30);
        assert!(matches!(
            decide(&f),
            Decision::FreeOldestThenEnable { days: 30, .. }
        ));
        f.seats.total = 0;
        assert!(
            matches!(decide(&f), Decision::CreatePending { .. }),
            "nothing to free without a licence"
        );
    }
}
