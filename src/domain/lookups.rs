//! The small lookups devices are described with (docs/behaviour.md#active-devices): areas, teams, employees and clients.
//! Names are required and short; a team's default time zone is an IANA zone (chrono-tz's
//! list); an employee has an email address, where registration codes are sent; a client is a
//! retail or a wholesale customer, possibly of an area.

use std::str::FromStr;

use chrono_tz::Tz;

use super::email::Email;

pub const MAX_NAME: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("Enter a name.")]
    NameMissing,
    #[error("The name is longer than {MAX_NAME} characters.")]
    NameTooLong,
    #[error("“{0}” is not a time zone of the IANA list (e.g. Europe/Prague).")]
    UnknownTimeZone(String),
    #[error("“{0}” is not an email address.")]
    BadEmail(String),
    #[error("Choose whether the client is retail or wholesale.")]
    KindMissing,
    #[error("A name is one line: no line breaks, tabs, control or text-direction characters.")]
    ControlCharacter,
}

/// A trimmed, non-empty name of at most `MAX_NAME` characters.
pub fn parse_name(input: &str) -> Result<String, LookupError> {
    let name = input.trim();
    if name.is_empty() {
        Err(LookupError::NameMissing)
    } else if !super::text::is_one_line(name) {
        Err(LookupError::ControlCharacter)
    } else if name.chars().count() > MAX_NAME {
        Err(LookupError::NameTooLong)
    } else {
        Ok(name.to_owned())
    }
}

pub fn parse_time_zone(input: &str) -> Result<Tz, LookupError> {
    Tz::from_str(input.trim()).map_err(|_| LookupError::UnknownTimeZone(input.trim().to_owned()))
}

/// Every IANA zone name, for the time zone list.
pub fn time_zones() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

/// A team as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamInput {
    pub name: String,
    pub time_zone: Tz,
    pub area_id: Option<i64>,
}

impl TeamInput {
    pub fn parse(name: &str, time_zone: &str, area_id: &str) -> Result<Self, LookupError> {
        Ok(Self {
            name: parse_name(name)?,
            time_zone: parse_time_zone(time_zone)?,
            area_id: area_id.trim().parse().ok(),
        })
    }
}

/// An employee as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeInput {
    pub name: String,
    pub email: Email,
    pub team_id: Option<i64>,
}

impl EmployeeInput {
    pub fn parse(name: &str, email: &str, team_id: &str) -> Result<Self, LookupError> {
        Ok(Self {
            name: parse_name(name)?,
            email: Email::parse(email)
                .map_err(|_| LookupError::BadEmail(email.trim().to_owned()))?,
            team_id: team_id.trim().parse().ok(),
        })
    }
}

/// A client is a retail or a wholesale customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    Retail,
    Wholesale,
}

impl ClientKind {
    pub const ALL: [ClientKind; 2] = [ClientKind::Retail, ClientKind::Wholesale];

    /// As stored and sent by forms.
    pub fn key(self) -> &'static str {
        match self {
            ClientKind::Retail => "retail",
            ClientKind::Wholesale => "wholesale",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClientKind::Retail => "Retail",
            ClientKind::Wholesale => "Wholesale",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.key() == key.trim())
    }
}

/// A client as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInput {
    pub name: String,
    pub kind: ClientKind,
    pub area_id: Option<i64>,
}

impl ClientInput {
    pub fn parse(name: &str, kind: &str, area_id: &str) -> Result<Self, LookupError> {
        Ok(Self {
            name: parse_name(name)?,
            kind: ClientKind::parse(kind).ok_or(LookupError::KindMissing)?,
            area_id: area_id.trim().parse().ok(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_required_and_bounded() {
        assert_eq!(parse_name("  North  "), Ok("North".to_owned()));
        assert_eq!(parse_name("   "), Err(LookupError::NameMissing));
        assert_eq!(parse_name(&"x".repeat(121)), Err(LookupError::NameTooLong));
    }

    #[test]
    fn time_zones_come_from_the_iana_list() {
        assert_eq!(parse_time_zone("Europe/Prague"), Ok(Tz::Europe__Prague));
        assert!(matches!(
            parse_time_zone("Mars/Olympus"),
            Err(LookupError::UnknownTimeZone(_))
        ));
        assert!(time_zones().any(|z| z == "America/New_York"));
        assert!(time_zones().count() > 400);
    }

    #[test]
    fn an_employee_needs_a_real_email_address() {
        let ok = EmployeeInput::parse("Eve", " eve@acme.example ", "3").unwrap();
        assert_eq!(
            (ok.email.as_str(), ok.team_id),
            ("eve@acme.example", Some(3))
        );
        assert_eq!(
            EmployeeInput::parse("Eve", "eve at acme", ""),
            Err(LookupError::BadEmail("eve at acme".to_owned()))
        );
    }

    #[test]
    fn a_team_without_an_area_has_none() {
        let team = TeamInput::parse("North", "UTC", "").unwrap();
        assert_eq!(team.area_id, None);
        assert_eq!(
            TeamInput::parse("North", "UTC", "7").unwrap().area_id,
            Some(7)
        );
    }

    #[test]
    fn a_client_is_retail_or_wholesale() {
        let client = ClientInput::parse(" Rent-a-Van ", "wholesale", "2").unwrap();
        assert_eq!(
            (client.name.as_str(), client.kind, client.area_id),
            ("Rent-a-Van", ClientKind::Wholesale, Some(2))
        );
        assert_eq!(
            ClientInput::parse("Rent-a-Van", "", ""),
            Err(LookupError::KindMissing)
        );
        assert_eq!(ClientKind::parse("retail"), Some(ClientKind::Retail));
    }
}
