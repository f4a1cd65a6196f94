//! Roles and what they may do (docs/behaviour.md#tenancy). The web guard asks `Role::allows`; nothing else decides.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, in every organization.
    Operator,
    /// Everything in its own organization.
    Admin,
    /// Reads its own organization.
    Viewer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectClass {
    MobileUsers,
    Licenses,
    Devices,
    Settings,
    SyncLog,
    /// Entities, access profiles and the records devices sync.
    Records,
    Audit,
    Administrators,
    Outbox,
    /// Tenants themselves: only operators manage them.
    Organizations,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Select,
    Create,
    Update,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Permission {
    pub class: ObjectClass,
    pub action: Action,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("“{0}” is not a role (operator, admin or viewer)")]
pub struct UnknownRole(pub String);

impl Role {
    pub const ALL: [Role; 3] = [Role::Operator, Role::Admin, Role::Viewer];

    pub fn parse(input: &str) -> Result<Self, UnknownRole> {
        match input.trim().to_lowercase().as_str() {
            "operator" => Ok(Self::Operator),
            "admin" => Ok(Self::Admin),
            "viewer" => Ok(Self::Viewer),
            other => Err(UnknownRole(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Operator => "Operator",
            Self::Admin => "Admin",
            Self::Viewer => "Viewer",
        }
    }

    /// Operators are global; every other role belongs to one organization.
    pub fn is_global(self) -> bool {
        self == Self::Operator
    }

    /// Whether an administrator of this role may give `role` to someone: operators any,
    /// the others every role but operator.
    pub fn may_grant(self, role: Role) -> bool {
        self.is_global() || !role.is_global()
    }

    pub fn allows(self, permission: Permission) -> bool {
        use ObjectClass::*;
        match self {
            Self::Operator => true,
            Self::Admin => permission.class != Organizations,
            Self::Viewer => {
                permission.action == Action::Select
                    && !matches!(permission.class, Organizations | Outbox)
            }
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ObjectClass {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MobileUsers => "mobile_users",
            Self::Licenses => "licenses",
            Self::Devices => "devices",
            Self::Settings => "settings",
            Self::SyncLog => "sync_log",
            Self::Records => "records",
            Self::Audit => "audit",
            Self::Administrators => "administrators",
            Self::Outbox => "outbox",
            Self::Organizations => "organizations",
        }
    }
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Select => "select",
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

impl Permission {
    pub const fn new(class: ObjectClass, action: Action) -> Self {
        Self { class, action }
    }
}

/// Written as `class/action`, the way the 403 page names it.
impl Permission {
    /// What it allows, in words: "add licences", "see the audit log".
    pub fn in_words(&self) -> String {
        let verb = match self.action {
            Action::Select => "see",
            Action::Create => "add",
            Action::Update => "change",
            Action::Delete => "delete",
        };
        let what = match self.class {
            ObjectClass::MobileUsers => "mobile users",
            ObjectClass::Licenses => "licences",
            ObjectClass::Devices => "devices",
            ObjectClass::Settings => "organization settings",
            ObjectClass::SyncLog => "the sync log",
            ObjectClass::Records => "records, entities and access profiles",
            ObjectClass::Audit => "the audit log",
            ObjectClass::Administrators => "administrators",
            ObjectClass::Outbox => "the outbox",
            ObjectClass::Organizations => "organizations",
        };
        format!("{verb} {what}")
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.class.as_str(), self.action.as_str())
    }
}

/// Why a change of an administrator's role or access was refused.
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub enum AccessRefused {
    #[error("only operators can create operators")]
    OnlyOperatorsGrantOperator,
    #[error("you cannot change your own role or deactivate yourself")]
    OwnAccount,
    /// Operators are global and the others belong to an organization.
    #[error("operators stay operators; create a new account to give someone operator rights")]
    CrossesOperatorLine,
}

/// Whether an administrator of role `by` may set an account's role from `from` to `to` and
/// its access to `active`; `own` when it is their own account.
pub fn check_access_change(
    by: Role,
    own: bool,
    from: Role,
    to: Role,
    active: bool,
) -> Result<(), AccessRefused> {
    if own && (to != from || !active) {
        return Err(AccessRefused::OwnAccount);
    }
    if to.is_global() != from.is_global() || !by.may_grant(to) {
        return Err(AccessRefused::CrossesOperatorLine);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDIT_USERS: Permission = Permission::new(ObjectClass::MobileUsers, Action::Update);
    const READ_AUDIT: Permission = Permission::new(ObjectClass::Audit, Action::Select);
    const NEW_ORG: Permission = Permission::new(ObjectClass::Organizations, Action::Create);

    #[test]
    fn viewers_only_read() {
        assert!(Role::Viewer.allows(READ_AUDIT));
        assert!(!Role::Viewer.allows(EDIT_USERS));
        assert!(!Role::Viewer.allows(Permission::new(ObjectClass::Outbox, Action::Select)));
    }

    #[test]
    fn admins_do_everything_but_manage_organizations() {
        assert!(Role::Admin.allows(EDIT_USERS));
        assert!(!Role::Admin.allows(NEW_ORG));
    }

    #[test]
    fn operators_do_everything() {
        assert!(Role::Operator.allows(NEW_ORG));
    }

    #[test]
    fn roles_parse_case_insensitively_and_permissions_print_as_class_slash_action() {
        assert_eq!(Role::parse(" Viewer ").unwrap(), Role::Viewer);
        assert!(Role::parse("root").is_err());
        assert_eq!(EDIT_USERS.to_string(), "mobile_users/update");
    }

    #[test]
    fn nobody_changes_their_own_access_and_nobody_crosses_the_operator_line() {
        use Role::*;
        assert_eq!(
            check_access_change(Admin, true, Admin, Viewer, true),
            Err(AccessRefused::OwnAccount)
        );
        assert_eq!(
            check_access_change(Operator, true, Operator, Operator, false),
            Err(AccessRefused::OwnAccount)
        );
        assert_eq!(check_access_change(Admin, true, Admin, Admin, true), Ok(()));
        assert_eq!(
            check_access_change(Operator, false, Admin, Operator, true),
            Err(AccessRefused::CrossesOperatorLine)
        );
        assert_eq!(
            check_access_change(Admin, false, Operator, Operator, false),
            Err(AccessRefused::CrossesOperatorLine)
        );
        assert_eq!(
            check_access_change(Admin, false, Viewer, Admin, false),
            Ok(())
        );
        assert!(Operator.may_grant(Operator) && !Admin.may_grant(Operator));
    }
}
