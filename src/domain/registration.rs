//! Device registration codes (docs/behaviour.md#registration-codes): random, typed by hand on a device, so drawn from an
//! alphabet without look-alikes (no 0/O, 1/I/L); valid for a chosen time, used once, and
//! replaced by a new one on request. Only a keyed hash of a code is stored.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;

use super::signed_links::LinkSigner;

/// 31 characters a person reads and types without confusing them.
pub const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// 10 characters of 31: about 49.5 bits, far beyond guessing at the rate limits of the API.
pub const LENGTH: usize = 10;

/// A code as handed out: shown once, mailed, never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistrationCode(String);

impl RegistrationCode {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        Self(
            (0..LENGTH)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect(),
        )
    }

    /// What a device sends: case, spaces and hyphens do not matter.
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        let code: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if code.is_empty() {
            return Err(CodeError::Missing);
        }
        if code.len() != LENGTH || !code.bytes().all(|b| ALPHABET.contains(&b)) {
            return Err(CodeError::Malformed);
        }
        Ok(Self(code))
    }

    /// The characters, for hashing.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The keyed hash (HMAC with the server secret) a code is stored and looked up under: a
/// stolen database does not allow trying codes offline. `text` is a parsed code, or for an
/// attempt that did not parse, what was sent (to count failures per code).
pub fn code_hash(signer: &LinkSigner, text: &str) -> String {
    signer.sign("registration-code", text)
}

/// Grouped in fives for reading aloud and typing: `ABCDE-FGHJK`.
impl fmt::Display for RegistrationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, second) = self.0.split_at(self.0.len() / 2);
        write!(f, "{first}-{second}")
    }
}

/// Never in logs by accident.
impl fmt::Debug for RegistrationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RegistrationCode(…)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("the registration code is missing")]
    Missing,
    #[error(
        "this is not a registration code: it has {LENGTH} letters and digits, like ABCDE-FGH23"
    )]
    Malformed,
}

/// How long a new code stays valid ("Expires In").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expiry {
    #[default]
    FifteenMinutes,
    OneHour,
    FourHours,
    OneDay,
    OneWeek,
}

impl Expiry {
    pub const ALL: [Self; 5] = [
        Self::FifteenMinutes,
        Self::OneHour,
        Self::FourHours,
        Self::OneDay,
        Self::OneWeek,
    ];

    pub fn duration(self) -> Duration {
        match self {
            Self::FifteenMinutes => Duration::minutes(15),
            Self::OneHour => Duration::hours(1),
            Self::FourHours => Duration::hours(4),
            Self::OneDay => Duration::days(1),
            Self::OneWeek => Duration::days(7),
        }
    }

    /// The form value.
    pub fn key(self) -> &'static str {
        match self {
            Self::FifteenMinutes => "15m",
            Self::OneHour => "1h",
            Self::FourHours => "4h",
            Self::OneDay => "1d",
            Self::OneWeek => "7d",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::FifteenMinutes => "15 minutes",
            Self::OneHour => "1 hour",
            Self::FourHours => "4 hours",
            Self::OneDay => "1 day",
            Self::OneWeek => "7 days",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.key() == key.trim())
    }

    /// The choice a code valid for `validity` was most likely issued with (a code's expiry
    /// is its issue time plus the choice, to the second).
    pub fn nearest(validity: Duration) -> Self {
        Self::ALL
            .into_iter()
            .min_by_key(|e| (e.duration() - validity).num_seconds().abs())
            .unwrap_or_default()
    }
}

/// A stored code as the register API finds it by its hash.
#[derive(Debug, Clone, Copy)]
pub struct IssuedCode {
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub replaced_at: Option<DateTime<Utc>>,
}

/// Why a code that exists cannot be used (`410 Gone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Gone {
    #[error("this registration code has already been used")]
    Used,
    #[error("this registration code was replaced by a newer one; use the code in the latest mail")]
    Replaced,
    #[error("this registration code has expired; ask your administrator for a new one")]
    Expired,
}

impl IssuedCode {
    /// Whether the code can register a device at `now`.
    pub fn redeemable(&self, now: DateTime<Utc>) -> Result<(), Gone> {
        if self.used_at.is_some() {
            Err(Gone::Used)
        } else if self.replaced_at.is_some() {
            Err(Gone::Replaced)
        } else if now >= self.expires_at {
            Err(Gone::Expired)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_codes_validity_gives_back_the_choice_it_was_issued_with() {
        for choice in Expiry::ALL {
            // Stored times can lose a fraction of a second.
            let stored = choice.duration() - Duration::milliseconds(700);
            assert_eq!(Expiry::nearest(stored), choice);
        }
        assert_eq!(Expiry::nearest(Duration::days(30)), Expiry::OneWeek);
    }

    #[test]
    fn codes_are_long_random_and_unambiguous() {
        let a = RegistrationCode::generate();
        let b = RegistrationCode::generate();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), LENGTH);
        for look_alike in ['0', 'O', '1', 'I', 'L'] {
            assert!(!a.as_str().contains(look_alike));
            assert!(!ALPHABET.contains(&(look_alike as u8)));
        }
    }

    #[test]
    fn a_code_is_read_back_however_it_is_typed() {
        let code = RegistrationCode::generate();
        let shown = code.to_string();
        assert_eq!(shown.len(), LENGTH + 1);
        assert_eq!(RegistrationCode::parse(&shown), Ok(code.clone()));
        let sloppy = format!(" {} ", shown.to_lowercase().replace('-', " "));
        assert_eq!(RegistrationCode::parse(&sloppy), Ok(code));
    }

    #[test]
    fn malformed_codes_are_refused() {
        assert_eq!(RegistrationCode::parse(""), Err(CodeError::Missing));
        assert_eq!(RegistrationCode::parse("ABCDE"), Err(CodeError::Malformed));
        assert_eq!(
            RegistrationCode::parse("ABCDE-FGHI0"),
            Err(CodeError::Malformed),
            "I and 0 are not in the alphabet"
        );
    }

    #[test]
    fn a_code_is_good_until_it_expires_is_used_or_is_replaced() {
        let now = Utc::now();
        let fresh = IssuedCode {
            expires_at: now + Expiry::default().duration(),
            used_at: None,
            replaced_at: None,
        };
        assert_eq!(Expiry::default().duration(), Duration::minutes(15));
        assert_eq!(fresh.redeemable(now), Ok(()));
        assert_eq!(
            fresh.redeemable(now + Duration::minutes(15)),
            Err(Gone::Expired)
        );
        let used = IssuedCode {
            used_at: Some(now),
            ..fresh
        };
        assert_eq!(used.redeemable(now), Err(Gone::Used));
        let replaced = IssuedCode {
            replaced_at: Some(now),
            ..fresh
        };
        assert_eq!(replaced.redeemable(now), Err(Gone::Replaced));
    }

    #[test]
    fn every_expiry_choice_round_trips() {
        for expiry in Expiry::ALL {
            assert_eq!(Expiry::parse(expiry.key()), Some(expiry));
        }
        assert_eq!(Expiry::parse("forever"), None);
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_accepts_only_alphabet_codes(input in ".{0,40}") {
            if let Ok(code) = RegistrationCode::parse(&input) {
                prop_assert_eq!(code.as_str().len(), LENGTH);
                prop_assert!(code.as_str().bytes().all(|b| ALPHABET.contains(&b)));
            }
        }
    }
}
