//! Password rules and argon2id hashing. Hashing is slow on purpose: call these from a
//! blocking thread, never on an async worker.

use std::sync::LazyLock;

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::{PasswordHasher, phc::PasswordHash},
};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// A password that meets the rules, ready to hash. Never printed.
pub struct NewPassword(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("the password must be at least {MIN_LENGTH} characters long")]
    TooShort,
    #[error("the password must be at most {MAX_LENGTH} characters long")]
    TooLong,
    #[error("the two passwords differ")]
    Mismatch,
    #[error("the password could not be hashed")]
    Hashing,
}

impl NewPassword {
    pub fn parse(password: &str, confirmation: &str) -> Result<Self, PasswordError> {
        let length = password.chars().count();
        if length < MIN_LENGTH {
            return Err(PasswordError::TooShort);
        }
        if length > MAX_LENGTH {
            return Err(PasswordError::TooLong);
        }
        if password != confirmation {
            return Err(PasswordError::Mismatch);
        }
        Ok(Self(password.to_owned()))
    }

    /// The PHC string (`$argon2id$v=19$…`) with a fresh random salt.
    pub fn hash(&self) -> Result<String, PasswordError> {
        Argon2::default()
            .hash_password(self.0.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|_| PasswordError::Hashing)
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// A hash of a password nobody knows: verifying against it when the account does not exist
/// costs as much as a real check, so response times do not reveal which emails exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"no account has this password")
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

/// Whether `password` matches `stored_hash`; a missing or unreadable hash never matches but
/// still costs one argon2 verification.
pub fn verify(password: &str, stored_hash: Option<&str>) -> bool {
    verify_in(&mut Vec::new(), password, stored_hash)
}

/// `verify`, with argon2's working memory (19 MiB with the default parameters) taken from
/// `memory` and left there for the next call: a thread that verifies many passwords holds
/// that much once, instead of asking the allocator for it every time (which let a login
/// burst grow the process by hundreds of MiB).
pub fn verify_in(memory: &mut Vec<Block>, password: &str, stored_hash: Option<&str>) -> bool {
    match stored_hash {
        Some(hash) => matches(memory, password, hash),
        None => {
            matches(memory, password, &DUMMY_HASH);
            false
        }
    }
}

fn matches(memory: &mut Vec<Block>, password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let Ok(version) = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map(Option::unwrap_or_default)
    else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    memory.resize(params.block_count(), Block::default());
    let mut computed = vec![0u8; expected.as_bytes().len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt.as_ref(),
            &mut computed,
            &mut memory[..],
        )
        .is_ok()
        && super::tokens::constant_time_eq_bytes(&computed, expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_or_mismatched_passwords_are_refused() {
        assert_eq!(
            NewPassword::parse("short", "short").unwrap_err(),
            PasswordError::TooShort
        );
        assert_eq!(
            NewPassword::parse("long enough password", "long enough passworD").unwrap_err(),
            PasswordError::Mismatch
        );
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = NewPassword::parse("correct horse battery", "correct horse battery")
            .unwrap()
            .hash()
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(&hash)));
        assert!(!verify("correct horse battery!", Some(&hash)));
        assert!(!verify("anything", None));
        assert!(!verify("anything", Some("not a phc string")));
    }
}
