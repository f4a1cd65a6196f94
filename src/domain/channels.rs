//! Chat gateways and email profiles (docs/behaviour.md#products): how many may be enabled at once.

use super::products::Product;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    ChatGateway,
    EmailProfile,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 2] = [Self::ChatGateway, Self::EmailProfile];

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == stored)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChatGateway => "chat_gateway",
            Self::EmailProfile => "email_profile",
        }
    }

    /// The product whose licences limit this kind.
    pub fn product(self) -> Product {
        match self {
            Self::ChatGateway => Product::Chat,
            Self::EmailProfile => Product::Email,
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Self::ChatGateway => "chat gateways",
            Self::EmailProfile => "email profiles",
        }
    }
}

impl std::fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnableRefused {
    #[error("there is no valid {product} licence, so no {plural} can be enabled", product = .0.product(), plural = .0.plural())]
    NoLicence(ChannelKind),
    #[error("the {product} licence allows {limit} {plural} enabled at the same time, and {enabled} are", product = .kind.product(), plural = .kind.plural())]
    LimitReached {
        kind: ChannelKind,
        limit: u32,
        enabled: u64,
    },
}

/// Whether one more can be enabled, given the licence limit (largest valid licence) and
/// how many are enabled across the licence's organizations.
pub fn may_enable(kind: ChannelKind, limit: u32, enabled: u64) -> Result<(), EnableRefused> {
    if limit == 0 {
        return Err(EnableRefused::NoLicence(kind));
    }
    if enabled >= u64::from(limit) {
        return Err(EnableRefused::LimitReached {
            kind,
            limit,
            enabled,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_named_when_reached() {
        assert!(may_enable(ChannelKind::ChatGateway, 3, 2).is_ok());
        let refused = may_enable(ChannelKind::ChatGateway, 3, 3)
            .unwrap_err()
            .to_string();
        assert_eq!(
            refused,
            "the CHAT licence allows 3 chat gateways enabled at the same time, and 3 are"
        );
        assert_eq!(
            may_enable(ChannelKind::EmailProfile, 0, 0)
                .unwrap_err()
                .to_string(),
            "there is no valid EMAIL licence, so no email profiles can be enabled"
        );
    }
}
