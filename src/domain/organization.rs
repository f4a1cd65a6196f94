pub use super::ids::Guid;

/// The GUID that identifies an organization to mobile clients.
pub type OrganizationGuid = Guid;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OrganizationError {
    #[error("the organization needs a name")]
    MissingName,
    #[error("the name is longer than 200 characters")]
    NameTooLong,
    #[error("“{0}” is not an http:// or https:// URL")]
    InvalidUrl(String),
    #[error("the name is one line: no line breaks, tabs, control or text-direction characters")]
    ControlCharacter,
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
        if !super::text::is_one_line(name) {
            return Err(OrganizationError::ControlCharacter);
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
