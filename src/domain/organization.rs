use std::fmt;

use uuid::Uuid;

/// The GUID that identifies an organization to mobile clients. Parsed case-insensitively,
/// written lower-case with hyphens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrganizationGuid(Uuid);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OrganizationError {
    #[error("“{0}” is not a GUID (expected something like 4F767AFF-B33F-437C-A7CB-00249948C82B)")]
    InvalidGuid(String),
    #[error("the organization needs a name")]
    MissingName,
    #[error("the name is longer than 200 characters")]
    NameTooLong,
    #[error("“{0}” is not an http:// or https:// URL")]
    InvalidUrl(String),
}

impl OrganizationGuid {
    pub fn parse(input: &str) -> Result<Self, OrganizationError> {
        let trimmed = input.trim().trim_start_matches('{').trim_end_matches('}');
        Uuid::parse_str(trimmed)
            .map(Self)
            .map_err(|_| OrganizationError::InvalidGuid(input.trim().to_owned()))
    }

    pub fn new_random() -> Self {
        Self(Uuid::new_v4())
    }

    pub fn into_uuid(self) -> Uuid {
        self.0
    }
}

impl fmt::Display for OrganizationGuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// What an administrator types to create or edit an organization, once it makes sense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationDetails {
    pub name: String,
    pub url: String,
    pub trial_until: Option<chrono::NaiveDate>,
}

impl OrganizationDetails {
    pub fn parse(
        name: &str,
        url: &str,
        trial_until: Option<chrono::NaiveDate>,
    ) -> Result<Self, OrganizationError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(OrganizationError::MissingName);
        }
        if name.chars().count() > 200 {
            return Err(OrganizationError::NameTooLong);
        }
        let url = url.trim();
        let has_host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace));
        if !has_host {
            return Err(OrganizationError::InvalidUrl(url.to_owned()));
        }
        Ok(Self {
            name: name.to_owned(),
            url: url.to_owned(),
            trial_until,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_match_case_insensitively_and_with_braces() {
        let upper = OrganizationGuid::parse("4F767AFF-B33F-437C-A7CB-00249948C82B").unwrap();
        let lower = OrganizationGuid::parse("{4f767aff-b33f-437c-a7cb-00249948c82b}").unwrap();
        assert_eq!(upper, lower);
        assert_eq!(upper.to_string(), "4f767aff-b33f-437c-a7cb-00249948c82b");
    }

    #[test]
    fn a_guid_with_a_wrong_digit_is_refused() {
        assert!(OrganizationGuid::parse("4F767AFF-B33F-437C-A7CB-00249948C82G").is_err());
    }

    #[test]
    fn details_need_a_name_and_a_web_url() {
        assert_eq!(
            OrganizationDetails::parse("  ", "https://x.example", None),
            Err(OrganizationError::MissingName)
        );
        assert!(matches!(
            OrganizationDetails::parse("Acme", "ftp://x", None),
            Err(OrganizationError::InvalidUrl(_))
        ));
        let ok = OrganizationDetails::parse(" Acme ", "https://crm.acme.example", None).unwrap();
        assert_eq!(ok.name, "Acme");
    }
}
