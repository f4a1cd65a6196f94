//! Organization settings as an administrator types them (docs/behaviour.md#organization-settings), checked before saving.

use super::email::Email;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    Online,
    Offline,
    Hybrid,
}

impl SyncMode {
    pub const ALL: [SyncMode; 3] = [Self::Online, Self::Offline, Self::Hybrid];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Offline => "offline",
            Self::Hybrid => "hybrid",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == input.trim())
    }
}

impl std::fmt::Display for SyncMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsInput {
    pub auto_assign_licenses: bool,
    pub auto_free_after_days: Option<u32>,
    pub temporary_license_days: u32,
    pub send_assignment_notifications: bool,
    pub notification_addresses: Vec<Email>,
    pub permission_request_email: Option<Email>,
    pub sync_mode: SyncMode,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("“{0}” is not a number of days from 1 to 3650")]
    Days(String),
    #[error("notification address: {0}")]
    Address(String),
    #[error("permission request address: {0}")]
    PermissionAddress(String),
    #[error("“{0}” is not a sync mode (online, offline or hybrid)")]
    SyncMode(String),
}

fn days(input: &str) -> Result<u32, SettingsError> {
    input
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .ok_or_else(|| SettingsError::Days(input.trim().to_owned()))
}

impl SettingsInput {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        auto_assign_licenses: bool,
        auto_free_after_days: &str,
        temporary_license_days: &str,
        send_assignment_notifications: bool,
        notification_addresses: &str,
        permission_request_email: &str,
        sync_mode: &str,
    ) -> Result<Self, SettingsError> {
        let auto_free_after_days = match auto_free_after_days.trim() {
            "" => None,
            text => Some(days(text)?),
        };
        let notification_addresses = notification_addresses
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(|line| Email::parse(line).map_err(|e| SettingsError::Address(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let permission_request_email = match permission_request_email.trim() {
            "" => None,
            text => Some(
                Email::parse(text).map_err(|e| SettingsError::PermissionAddress(e.to_string()))?,
            ),
        };
        Ok(Self {
            auto_assign_licenses,
            auto_free_after_days,
            temporary_license_days: days(temporary_license_days)?,
            send_assignment_notifications,
            notification_addresses,
            permission_request_email,
            sync_mode: SyncMode::parse(sync_mode)
                .ok_or_else(|| SettingsError::SyncMode(sync_mode.trim().to_owned()))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_and_refuse_with_reasons() {
        let ok = SettingsInput::parse(
            true,
            "",
            "14",
            true,
            "a@x.example\n b@x.example ,",
            "",
            "hybrid",
        )
        .unwrap();
        assert_eq!(ok.auto_free_after_days, None);
        assert_eq!(ok.notification_addresses.len(), 2);
        assert_eq!(ok.sync_mode, SyncMode::Hybrid);
        assert_eq!(
            SettingsInput::parse(true, "0", "14", false, "", "", "online").unwrap_err(),
            SettingsError::Days("0".to_owned())
        );
        assert!(matches!(
            SettingsInput::parse(true, "", "14", false, "nope", "", "online"),
            Err(SettingsError::Address(_))
        ));
        assert!(matches!(
            SettingsInput::parse(true, "", "x", false, "", "", "online"),
            Err(SettingsError::Days(_))
        ));
        assert!(matches!(
            SettingsInput::parse(true, "", "14", false, "", "", "satellite"),
            Err(SettingsError::SyncMode(_))
        ));
    }
}
