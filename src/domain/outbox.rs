//! The outbox's vocabulary: what a queued mail is about, and where it stands.

/// Where a queued mail stands. `Sending` is held under a lease: a worker that dies
/// mid-send leaves it to be taken again once the lease ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    Pending,
    Sending,
    Sent,
    Failed,
}

impl MailStatus {
    pub const ALL: [MailStatus; 4] = [Self::Pending, Self::Sending, Self::Sent, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == stored)
    }
}

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    AdministratorWelcome,
    PasswordReset,
    LicenceExpiry,
    AssignmentNotice,
    /// Its body holds a secret: blanked once sent, and never sent again.
    RegistrationCode,
    /// A mobile user lacks a permission a sync needed (docs/behaviour.md#sync-log).
    AccessRequest,
}

impl MailKind {
    pub const ALL: [MailKind; 6] = [
        Self::AdministratorWelcome,
        Self::PasswordReset,
        Self::LicenceExpiry,
        Self::AssignmentNotice,
        Self::RegistrationCode,
        Self::AccessRequest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AdministratorWelcome => "administrator_welcome",
            Self::PasswordReset => "password_reset",
            Self::LicenceExpiry => "licence_expiry",
            Self::AssignmentNotice => "assignment_notice",
            Self::RegistrationCode => "registration_code",
            Self::AccessRequest => "access_request",
        }
    }

    /// As the Outbox page names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::AdministratorWelcome => "Welcome of a new administrator",
            Self::PasswordReset => "Password reset",
            Self::LicenceExpiry => "Licence expiry warning",
            Self::AssignmentNotice => "Licence assigned automatically",
            Self::RegistrationCode => "Device registration code",
            Self::AccessRequest => "Access request of a mobile user",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == stored)
    }
}

impl std::fmt::Display for MailStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for MailKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sent registration code: its body was blanked once mailed (the code is a secret), so
/// there is nothing to send again.
pub fn body_discarded(kind: MailKind, status: MailStatus) -> bool {
    kind == MailKind::RegistrationCode && status == MailStatus::Sent
}

/// Whether Resend can send a mail again: not waiting or in flight, and its body still there.
pub fn resendable(kind: MailKind, status: MailStatus) -> bool {
    matches!(status, MailStatus::Sent | MailStatus::Failed) && !body_discarded(kind, status)
}

/// A mail's body as the Outbox page shows it: the value of every `token=` in a link hidden,
/// so that reading the outbox never hands out someone's sign-in or password link.
pub fn hide_link_tokens(body: &str) -> String {
    const KEY: &str = "token=";
    let mut shown = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find(KEY) {
        let value_start = at + KEY.len();
        shown.push_str(&rest[..value_start]);
        let value_len = rest[value_start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '&' | '"' | '\'' | '<' | '>'))
            .unwrap_or(rest.len() - value_start);
        if value_len > 0 {
            shown.push_str("(hidden)");
        }
        rest = &rest[value_start + value_len..];
    }
    shown.push_str(rest);
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_and_kind_reads_back_from_its_stored_text() {
        for status in MailStatus::ALL {
            assert_eq!(MailStatus::parse(status.as_str()), Some(status));
        }
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(MailKind::parse("Registration_code"), None);
    }

    #[test]
    fn a_sent_registration_code_is_never_sent_again_and_nothing_in_flight_is() {
        use MailStatus::*;
        assert!(!resendable(MailKind::RegistrationCode, Sent));
        assert!(body_discarded(MailKind::RegistrationCode, Sent));
        assert!(
            resendable(MailKind::RegistrationCode, Failed),
            "never sent: body kept"
        );
        assert!(resendable(MailKind::PasswordReset, Sent));
        assert!(!resendable(MailKind::PasswordReset, Pending));
        assert!(!resendable(MailKind::PasswordReset, Sending));
    }

    #[test]
    fn link_tokens_are_hidden_and_the_rest_kept() {
        let body = "Set it: https://x.example/password/set?token=abc123 (valid 24 h)\n\
                    <a href=\"https://x.example/notices/4?token=s1g&amp;x=1\">open</a> token=";
        assert_eq!(
            hide_link_tokens(body),
            "Set it: https://x.example/password/set?token=(hidden) (valid 24 h)\n\
             <a href=\"https://x.example/notices/4?token=(hidden)&amp;x=1\">open</a> token="
        );
    }
}
