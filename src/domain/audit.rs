//! The names of audited changes. The audit log stores the text (`area.verb`); the code
//! only ever names a variant, so a misspelt action cannot reach the log.

macro_rules! audit_actions {
    ($($variant:ident => $text:literal),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($variant),*
        }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(Self::$variant),*];

            /// As stored in `audit_log.action`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),*
                }
            }
        }
    };
}

audit_actions! {
    AdministratorActivate => "administrator.activate",
    AdministratorChangeRole => "administrator.change_role",
    AdministratorCreate => "administrator.create",
    AdministratorDeactivate => "administrator.deactivate",
    AdministratorResetPassword => "administrator.reset_password",
    AdministratorSetPassword => "administrator.set_password",
    AdministratorSignOutEverywhere => "administrator.sign_out_everywhere",
    AreaCreate => "area.create",
    AuditPrune => "audit.prune",
    AreaUpdate => "area.update",
    AreaDelete => "area.delete",
    ChatGatewayCreate => "chat_gateway.create",
    ChatGatewayUpdate => "chat_gateway.update",
    ChatGatewayDelete => "chat_gateway.delete",
    ClientCreate => "client.create",
    ClientUpdate => "client.update",
    ClientDelete => "client.delete",
    DeviceCreate => "device.create",
    DeviceUpdate => "device.update",
    DeviceDelete => "device.delete",
    DeviceRegister => "device.register",
    DeviceReplaceCode => "device.replace_code",
    EmailProfileCreate => "email_profile.create",
    EmailProfileUpdate => "email_profile.update",
    EmailProfileDelete => "email_profile.delete",
    EmployeeCreate => "employee.create",
    EntityCreate => "entity.create",
    EntityUpdate => "entity.update",
    EmployeeUpdate => "employee.update",
    EmployeeDelete => "employee.delete",
    LicenseAssign => "license.assign",
    LicenseUnassign => "license.unassign",
    LicenseForceLogout => "license.force_logout",
    LicenseImport => "license.import",
    LoginBlocked => "login.blocked",
    LoginFailed => "login.failed",
    MobileUserAutoAssign => "mobile_user.auto_assign",
    MobileUserAutoFree => "mobile_user.auto_free",
    MobileUserCreate => "mobile_user.create",
    MobileUserDelete => "mobile_user.delete",
    MobileUserDisable => "mobile_user.disable",
    MobileUserEnable => "mobile_user.enable",
    MobileUserImport => "mobile_user.import",
    NotificationsSubscribe => "notifications.subscribe",
    NotificationsUnsubscribe => "notifications.unsubscribe",
    OfflineLicenceUpdate => "offline_licence.update",
    OrganizationCreate => "organization.create",
    OrganizationUpdate => "organization.update",
    OutboxResend => "outbox.resend",
    AccessProfileCreate => "access_profile.create",
    AccessProfileUpdate => "access_profile.update",
    AccessProfileDelete => "access_profile.delete",
    MobileUserProfile => "mobile_user.profile",
    RecordUpdate => "record.update",
    RecordDelete => "record.delete",
    SyncRevert => "sync.revert",
    SyncRequestAccess => "sync.request_access",
    SettingsUpdate => "settings.update",
    SetupComplete => "setup.complete",
    TeamCreate => "team.create",
    TeamUpdate => "team.update",
    TeamDelete => "team.delete",
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One field of an audited change, as shown: its value before and after (none where the
/// thing did not exist yet, or no longer does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What changed between the stored before and after (JSON objects): the fields whose value
/// differs, by name; every field of something created or deleted. A
/// value that is not a JSON object is one field named "value".
pub fn field_changes(before: Option<&str>, after: Option<&str>) -> Vec<FieldChange> {
    let fields = |text: Option<&str>| -> Vec<(String, serde_json::Value)> {
        match text.map(serde_json::from_str::<serde_json::Value>) {
            None => Vec::new(),
            Some(Ok(serde_json::Value::Object(map))) => map.into_iter().collect(),
            Some(Ok(other)) => vec![("value".to_owned(), other)],
            Some(Err(_)) => vec![("value".to_owned(), text.unwrap_or_default().into())],
        }
    };
    let (before, after) = (fields(before), fields(after));
    let mut names: Vec<&String> = before.iter().map(|(name, _)| name).collect();
    for (name, _) in &after {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let find = |side: &[(String, serde_json::Value)], name: &str| {
        side.iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.clone())
    };
    names
        .into_iter()
        .filter_map(|name| {
            let (old, new) = (find(&before, name), find(&after, name));
            (old != new).then(|| FieldChange {
                field: name.clone(),
                before: old.map(shown),
                after: new.map(shown),
            })
        })
        .collect()
}

/// A stored value as a person reads it: text without quotes, "empty" for null.
fn shown(value: serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text,
        serde_json::Value::Null => "empty".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_area_dot_verb_name() {
        let mut seen = std::collections::HashSet::new();
        for action in AuditAction::ALL {
            let text = action.as_str();
            assert!(seen.insert(text), "{text} twice");
            let (area, verb) = text.split_once('.').expect("area.verb");
            assert!(!area.is_empty() && !verb.is_empty(), "{text}");
        }
    }

    #[test]
    fn an_update_shows_only_the_fields_that_changed() {
        let changes = field_changes(
            Some(r#"{"name":"Ann","state":"Pending","email":null}"#),
            Some(r#"{"name":"Ann","state":"Enabled","email":"ann@acme.example"}"#),
        );
        assert_eq!(
            changes,
            vec![
                FieldChange {
                    field: "email".into(),
                    before: Some("empty".into()),
                    after: Some("ann@acme.example".into()),
                },
                FieldChange {
                    field: "state".into(),
                    before: Some("Pending".into()),
                    after: Some("Enabled".into()),
                },
            ]
        );
    }

    #[test]
    fn a_creation_shows_every_field_and_odd_values_still_show() {
        let created = field_changes(None, Some(r#"{"name":"North","seats":5}"#));
        assert_eq!(created.len(), 2);
        assert_eq!(created[1].field, "seats");
        assert_eq!(created[1].after.as_deref(), Some("5"));
        assert!(created.iter().all(|c| c.before.is_none()));
        let odd = field_changes(Some("not json"), Some("[1,2]"));
        assert_eq!(odd.len(), 1);
        assert_eq!(odd[0].before.as_deref(), Some("not json"));
        assert_eq!(odd[0].after.as_deref(), Some("[1,2]"));
        assert!(field_changes(Some("{}"), Some("{}")).is_empty());
    }
}
