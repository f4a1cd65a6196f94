//! A device as the administrator describes it on the Device Settings tab (§6.1): team, time
//! zone or the team's default, a DEVICE licence seat, nickname, description, and who gets the
//! registration code (chosen employees and further addresses), valid for "Expires In".

use chrono_tz::Tz;

use super::{
    email::Email,
    lookups::{LookupError, parse_name, parse_time_zone},
    registration::Expiry,
};

pub const MAX_DESCRIPTION: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceInputError {
    #[error("Choose the device's team.")]
    TeamMissing,
    #[error("Nickname: {0}")]
    Nickname(LookupError),
    #[error("{0}")]
    TimeZone(LookupError),
    #[error("The description is longer than {MAX_DESCRIPTION} characters.")]
    DescriptionTooLong,
    #[error("“{0}” is not an email address.")]
    BadRecipient(String),
    #[error("Choose how long the registration code is valid.")]
    BadExpiry,
}

/// The form as typed (strings, so that a mistake can be shown with what was entered).
#[derive(Debug, Clone, Default)]
pub struct DeviceFields<'a> {
    pub team_id: &'a str,
    pub time_zone: &'a str,
    pub license_id: &'a str,
    pub nickname: &'a str,
    pub description: &'a str,
    /// Further recipients: addresses separated by commas, semicolons or line breaks.
    pub recipients: &'a str,
    pub expires_in: &'a str,
}

/// Addresses separated by commas, semicolons or line breaks, each once.
pub fn parse_recipients(text: &str) -> Result<Vec<Email>, DeviceInputError> {
    let mut recipients: Vec<Email> = Vec::new();
    for address in text
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        let email = Email::parse(address)
            .map_err(|_| DeviceInputError::BadRecipient(address.to_owned()))?;
        if !recipients.contains(&email) {
            recipients.push(email);
        }
    }
    Ok(recipients)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInput {
    pub team_id: i64,
    /// `None`: the team's default.
    pub time_zone: Option<Tz>,
    pub license_id: Option<i64>,
    pub nickname: String,
    pub description: Option<String>,
    pub recipients: Vec<Email>,
    pub expires_in: Expiry,
}

impl DeviceInput {
    pub fn parse(fields: &DeviceFields<'_>) -> Result<Self, DeviceInputError> {
        let team_id = fields
            .team_id
            .trim()
            .parse()
            .map_err(|_| DeviceInputError::TeamMissing)?;
        let time_zone = match fields.time_zone.trim() {
            "" => None,
            zone => Some(parse_time_zone(zone).map_err(DeviceInputError::TimeZone)?),
        };
        let description = match fields.description.trim() {
            "" => None,
            text if text.chars().count() > MAX_DESCRIPTION => {
                return Err(DeviceInputError::DescriptionTooLong);
            }
            text => Some(text.to_owned()),
        };
        let recipients = parse_recipients(fields.recipients)?;
        let expires_in = match fields.expires_in.trim() {
            "" => Expiry::default(),
            key => Expiry::parse(key).ok_or(DeviceInputError::BadExpiry)?,
        };
        Ok(Self {
            team_id,
            time_zone,
            license_id: fields.license_id.trim().parse().ok(),
            nickname: parse_name(fields.nickname).map_err(DeviceInputError::Nickname)?,
            description,
            recipients,
            expires_in,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> DeviceFields<'static> {
        DeviceFields {
            team_id: "4",
            time_zone: "",
            license_id: "9",
            nickname: " Van 7 ",
            description: "",
            recipients: "a@acme.example; b@acme.example\nA@acme.example",
            expires_in: "",
        }
    }

    #[test]
    fn a_device_form_reads_into_a_device() {
        let device = DeviceInput::parse(&fields()).unwrap();
        assert_eq!(device.team_id, 4);
        assert_eq!(device.time_zone, None, "the team's default");
        assert_eq!(device.license_id, Some(9));
        assert_eq!(device.nickname, "Van 7");
        assert_eq!(device.recipients.len(), 2, "addresses once each");
        assert_eq!(device.expires_in, Expiry::FifteenMinutes);
    }

    #[test]
    fn mistakes_are_named() {
        let no_team = DeviceFields {
            team_id: "",
            ..fields()
        };
        assert_eq!(
            DeviceInput::parse(&no_team),
            Err(DeviceInputError::TeamMissing)
        );
        let bad_address = DeviceFields {
            recipients: "a@acme.example, nobody",
            ..fields()
        };
        assert_eq!(
            DeviceInput::parse(&bad_address),
            Err(DeviceInputError::BadRecipient("nobody".to_owned()))
        );
        let bad_zone = DeviceFields {
            time_zone: "Moon/Base",
            ..fields()
        };
        assert!(matches!(
            DeviceInput::parse(&bad_zone),
            Err(DeviceInputError::TimeZone(_))
        ));
        let no_name = DeviceFields {
            nickname: " ",
            ..fields()
        };
        assert!(matches!(
            DeviceInput::parse(&no_name),
            Err(DeviceInputError::Nickname(_))
        ));
    }
}
