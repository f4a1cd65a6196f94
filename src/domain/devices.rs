//! A device as the administrator describes it in the device dialog (docs/behaviour.md#active-devices). Device Settings:
//! team, time zone or the team's default, a DEVICE licence seat, nickname, description, and
//! who gets the registration code (chosen employees and further addresses), valid for
//! "Expires In". Clients: which kind of clients the device may work for, all of them or
//! selected wholesale clients (and those of the team's area). Allowed Functionality: the
//! company settings or a custom set of features from a fixed list.

use chrono_tz::Tz;

use super::{
    email::Email,
    lookups::{LookupError, parse_name, parse_time_zone},
    registration::Expiry,
};

pub const MAX_DESCRIPTION: usize = 1000;
/// A registration code goes to at most this many addresses at once.
pub const MAX_RECIPIENTS: usize = 20;

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
    #[error("A code can be mailed to at most {MAX_RECIPIENTS} addresses at once.")]
    TooManyRecipients,
    #[error("Choose how long the registration code is valid.")]
    BadExpiry,
    #[error("Choose which clients the device works for: both, retail or wholesale.")]
    BadClientSelection,
    #[error("Only wholesale clients can be selected one by one: choose All for retail clients.")]
    RetailNotSelectable,
    #[error(
        "Choose at least one wholesale client, or include all clients of the team's area, or \
         make all clients available."
    )]
    NoClientSelected,
    #[error("Choose at least one feature, or use the company settings.")]
    NoFeature,
    #[error("“{0}” is not a feature of the list.")]
    UnknownFeature(String),
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
    /// `both`, `retail` or `wholesale` (empty: both).
    pub client_type: &'a str,
    /// `selected`, or anything else for all clients.
    pub client_scope: &'a str,
    /// Ids of the assigned wholesale clients (for `selected`).
    pub clients: &'a [String],
    pub include_area: bool,
    /// `custom`, or anything else for the company settings.
    pub functionality: &'a str,
    /// Feature keys (for `custom`).
    pub features: &'a [String],
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
        if recipients.len() > MAX_RECIPIENTS {
            return Err(DeviceInputError::TooManyRecipients);
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
    pub clients: ClientChoice,
    pub functionality: Functionality,
}

/// Which kind of clients a device may work for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientSelection {
    #[default]
    Both,
    Retail,
    Wholesale,
}

impl ClientSelection {
    pub const ALL: [ClientSelection; 3] = [
        ClientSelection::Both,
        ClientSelection::Retail,
        ClientSelection::Wholesale,
    ];

    /// As stored and sent by forms.
    pub fn key(self) -> &'static str {
        match self {
            ClientSelection::Both => "both",
            ClientSelection::Retail => "retail",
            ClientSelection::Wholesale => "wholesale",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClientSelection::Both => "Both retail and wholesale",
            ClientSelection::Retail => "Retail",
            ClientSelection::Wholesale => "Wholesale",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key.trim())
    }
}

/// The device dialog's Clients tab.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientChoice {
    pub selection: ClientSelection,
    /// `true`: every client of the selected kind; `false`: only `assigned` (and the area's).
    pub all: bool,
    /// Assigned wholesale clients (empty when `all`).
    pub assigned: Vec<i64>,
    /// Also every client of the area of the device's team (only with selected clients).
    pub include_area: bool,
}

impl ClientChoice {
    pub fn everyone() -> Self {
        Self {
            all: true,
            ..Self::default()
        }
    }
}

/// Features the device app can offer: the fixed list of a custom Allowed Functionality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Feature {
    ServiceRequests,
    Inspections,
    WorkOrders,
    Estimates,
    Invoices,
    Photos,
}

impl Feature {
    pub const ALL: [Feature; 6] = [
        Feature::ServiceRequests,
        Feature::Inspections,
        Feature::WorkOrders,
        Feature::Estimates,
        Feature::Invoices,
        Feature::Photos,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Feature::ServiceRequests => "service_requests",
            Feature::Inspections => "inspections",
            Feature::WorkOrders => "work_orders",
            Feature::Estimates => "estimates",
            Feature::Invoices => "invoices",
            Feature::Photos => "photos",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Feature::ServiceRequests => "Service requests",
            Feature::Inspections => "Inspections",
            Feature::WorkOrders => "Work orders",
            Feature::Estimates => "Estimates",
            Feature::Invoices => "Invoices",
            Feature::Photos => "Photos and attachments",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key.trim())
    }
}

/// The device dialog's Allowed Functionality tab.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Functionality {
    /// The organization's settings decide.
    #[default]
    CompanySettings,
    /// Exactly these features (at least one, each once, in list order).
    Custom(Vec<Feature>),
}

impl Functionality {
    /// As stored: none for the company settings, else the feature keys separated by commas.
    pub fn stored(&self) -> Option<String> {
        match self {
            Functionality::CompanySettings => None,
            Functionality::Custom(features) => Some(
                features
                    .iter()
                    .map(|f| f.key())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        }
    }

    /// Reads the stored form back; keys no longer on the list are dropped.
    pub fn from_stored(stored: Option<&str>) -> Self {
        match stored {
            None => Functionality::CompanySettings,
            Some(keys) => {
                Functionality::Custom(keys.split(',').filter_map(Feature::parse).collect())
            }
        }
    }

    pub fn allows(&self, feature: Feature) -> bool {
        match self {
            Functionality::CompanySettings => false,
            Functionality::Custom(features) => features.contains(&feature),
        }
    }
}

fn parse_clients(fields: &DeviceFields<'_>) -> Result<ClientChoice, DeviceInputError> {
    let selection = match fields.client_type.trim() {
        "" => ClientSelection::Both,
        key => ClientSelection::parse(key).ok_or(DeviceInputError::BadClientSelection)?,
    };
    if fields.client_scope.trim() != "selected" {
        return Ok(ClientChoice {
            selection,
            ..ClientChoice::everyone()
        });
    }
    if selection == ClientSelection::Retail {
        return Err(DeviceInputError::RetailNotSelectable);
    }
    let mut assigned: Vec<i64> = fields
        .clients
        .iter()
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    assigned.sort_unstable();
    assigned.dedup();
    if assigned.is_empty() && !fields.include_area {
        return Err(DeviceInputError::NoClientSelected);
    }
    Ok(ClientChoice {
        selection,
        all: false,
        assigned,
        include_area: fields.include_area,
    })
}

fn parse_functionality(fields: &DeviceFields<'_>) -> Result<Functionality, DeviceInputError> {
    if fields.functionality.trim() != "custom" {
        return Ok(Functionality::CompanySettings);
    }
    let mut features = Vec::new();
    for key in fields.features {
        let feature =
            Feature::parse(key).ok_or_else(|| DeviceInputError::UnknownFeature(key.clone()))?;
        features.push(feature);
    }
    features.sort_unstable();
    features.dedup();
    if features.is_empty() {
        return Err(DeviceInputError::NoFeature);
    }
    Ok(Functionality::Custom(features))
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
            clients: parse_clients(fields)?,
            functionality: parse_functionality(fields)?,
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
            ..DeviceFields::default()
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

    #[test]
    fn clients_are_all_by_default_and_selected_ones_are_wholesale() {
        let device = DeviceInput::parse(&fields()).unwrap();
        assert_eq!(device.clients, ClientChoice::everyone());
        let ids = ["7".to_owned(), "3".to_owned(), "7".to_owned()];
        let selected = DeviceFields {
            client_type: "wholesale",
            client_scope: "selected",
            clients: &ids,
            ..fields()
        };
        assert_eq!(
            DeviceInput::parse(&selected).unwrap().clients,
            ClientChoice {
                selection: ClientSelection::Wholesale,
                all: false,
                assigned: vec![3, 7],
                include_area: false,
            }
        );
        let retail = DeviceFields {
            client_type: "retail",
            ..selected.clone()
        };
        assert_eq!(
            DeviceInput::parse(&retail),
            Err(DeviceInputError::RetailNotSelectable)
        );
        let nobody = DeviceFields {
            clients: &[],
            ..selected.clone()
        };
        assert_eq!(
            DeviceInput::parse(&nobody),
            Err(DeviceInputError::NoClientSelected)
        );
        let the_area = DeviceFields {
            include_area: true,
            ..nobody
        };
        assert!(DeviceInput::parse(&the_area).unwrap().clients.include_area);
        // All clients: a leftover selection is not kept.
        let all = DeviceFields {
            client_scope: "all",
            include_area: true,
            ..selected
        };
        assert_eq!(
            DeviceInput::parse(&all).unwrap().clients,
            ClientChoice {
                selection: ClientSelection::Wholesale,
                ..ClientChoice::everyone()
            }
        );
    }

    #[test]
    fn a_custom_functionality_names_features_of_the_list() {
        let keys = ["work_orders".to_owned(), "inspections".to_owned()];
        let custom = DeviceFields {
            functionality: "custom",
            features: &keys,
            ..fields()
        };
        let functionality = DeviceInput::parse(&custom).unwrap().functionality;
        assert_eq!(
            functionality,
            Functionality::Custom(vec![Feature::Inspections, Feature::WorkOrders])
        );
        assert_eq!(
            functionality.stored().as_deref(),
            Some("inspections,work_orders")
        );
        assert_eq!(
            Functionality::from_stored(functionality.stored().as_deref()),
            functionality
        );
        assert_eq!(
            Functionality::from_stored(None),
            Functionality::CompanySettings
        );
        let none = DeviceFields {
            features: &[],
            ..custom.clone()
        };
        assert_eq!(DeviceInput::parse(&none), Err(DeviceInputError::NoFeature));
        let unknown = ["teleport".to_owned()];
        let bad = DeviceFields {
            features: &unknown,
            ..custom
        };
        assert_eq!(
            DeviceInput::parse(&bad),
            Err(DeviceInputError::UnknownFeature("teleport".to_owned()))
        );
    }

    #[test]
    fn a_code_goes_to_a_bounded_number_of_valid_addresses() {
        let twenty: Vec<String> = (0..20).map(|i| format!("a{i}@x.example")).collect();
        assert_eq!(parse_recipients(&twenty.join(",")).unwrap().len(), 20);
        let more = format!("{},b@x.example", twenty.join(","));
        assert_eq!(
            parse_recipients(&more),
            Err(DeviceInputError::TooManyRecipients)
        );
        assert_eq!(
            parse_recipients("a@x.example, a@x.example").unwrap().len(),
            1,
            "the same address counts once"
        );
        assert!(matches!(
            parse_recipients("ok@x.example,<b>@x.example"),
            Err(DeviceInputError::BadRecipient(_))
        ));
    }
}
