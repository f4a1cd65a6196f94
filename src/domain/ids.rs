//! GUIDs as mobile clients send them: case-insensitive, with or without braces.

use std::fmt;

use uuid::Uuid;

/// A GUID (organization id, user id), written lower-case with hyphens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Guid(Uuid);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("“{0}” is not a GUID (expected something like 4F767AFF-B33F-437C-A7CB-00249948C82B)")]
pub struct InvalidGuid(pub String);

impl Guid {
    pub fn parse(input: &str) -> Result<Self, InvalidGuid> {
        let trimmed = input.trim().trim_start_matches('{').trim_end_matches('}');
        Uuid::parse_str(trimmed)
            .map(Self)
            .map_err(|_| InvalidGuid(input.trim().to_owned()))
    }

    pub fn new_random() -> Self {
        Self(Uuid::new_v4())
    }

    pub fn into_uuid(self) -> Uuid {
        self.0
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_match_case_insensitively_and_with_braces() {
        let upper = Guid::parse("4F767AFF-B33F-437C-A7CB-00249948C82B").unwrap();
        let lower = Guid::parse("{4f767aff-b33f-437c-a7cb-00249948c82b}").unwrap();
        assert_eq!(upper, lower);
        assert_eq!(upper.to_string(), "4f767aff-b33f-437c-a7cb-00249948c82b");
    }

    #[test]
    fn a_guid_with_a_wrong_digit_is_refused() {
        assert!(Guid::parse("4F767AFF-B33F-437C-A7CB-00249948C82G").is_err());
    }
}
