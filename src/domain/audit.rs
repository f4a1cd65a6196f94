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
}
