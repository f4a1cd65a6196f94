//! Products and how licences of one product combine (docs/behaviour.md#products).

use std::fmt;

use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Product {
    CallCenter,
    CallManager,
    VoipDevice,
    Mobile,
    Email,
    Chat,
    QualityAuditor,
    CustomerService,
    CustomerPortal,
    /// Device registrations (docs/behaviour.md#active-devices).
    Device,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("“{0}” is not a product (one of {list})", list = Product::names())]
pub struct UnknownProduct(pub String);

impl Product {
    pub const ALL: [Product; 10] = [
        Self::CallCenter,
        Self::CallManager,
        Self::VoipDevice,
        Self::Mobile,
        Self::Email,
        Self::Chat,
        Self::QualityAuditor,
        Self::CustomerService,
        Self::CustomerPortal,
        Self::Device,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CallCenter => "CALL_CENTER",
            Self::CallManager => "CALL_MANAGER",
            Self::VoipDevice => "VOIP_DEVICE",
            Self::Mobile => "MOBILE",
            Self::Email => "EMAIL",
            Self::Chat => "CHAT",
            Self::QualityAuditor => "QUALITY_AUDITOR",
            Self::CustomerService => "CUSTOMER_SERVICE",
            Self::CustomerPortal => "CUSTOMER_PORTAL",
            Self::Device => "DEVICE",
        }
    }

    pub fn parse(input: &str) -> Result<Self, UnknownProduct> {
        let wanted = input.trim().to_uppercase();
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == wanted)
            .ok_or_else(|| UnknownProduct(input.trim().to_owned()))
    }

    fn names() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }

    /// Whether an administrator gives a user a seat of a licence of this product by hand:
    /// nominal seats only, and not MOBILE (a user's seat comes with being Enabled) nor
    /// DEVICE (devices hold those).
    pub fn assigned_to_users(self, competitive: bool) -> bool {
        !competitive && !matches!(self, Self::Mobile | Self::Device)
    }

    /// CHAT is sold per assigned user only.
    pub fn allows_competitive(self) -> bool {
        self != Self::Chat
    }

    /// For CHAT and EMAIL the largest licence applies; for the rest limits add up.
    pub fn limits_add_up(self) -> bool {
        !matches!(self, Self::Chat | Self::Email)
    }
}

impl fmt::Display for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The facts of one licence that decide what it grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LicenceTerms {
    pub valid_from: NaiveDate,
    pub valid_till: NaiveDate,
    pub limit: u32,
}

impl LicenceTerms {
    /// Granting seats on `today`: started, and not past its last day.
    pub fn is_valid_on(&self, today: NaiveDate) -> bool {
        self.valid_from <= today && today <= self.valid_till
    }

    /// Whether a licence with `used` seats taken has one more to give.
    pub fn has_free_seat(&self, used: u64) -> bool {
        used < u64::from(self.limit)
    }

    pub fn is_expired_on(&self, today: NaiveDate) -> bool {
        today > self.valid_till
    }

    /// Days until the end (0 on the last day), or `None` once expired.
    pub fn days_left(&self, today: NaiveDate) -> Option<i64> {
        (!self.is_expired_on(today)).then(|| (self.valid_till - today).num_days())
    }
}

/// How many seats several licences of one product grant together on `today`: expired (or
/// not yet started) licences grant nothing; CHAT and EMAIL take the largest, others the sum.
pub fn combined_limit(product: Product, licences: &[LicenceTerms], today: NaiveDate) -> u32 {
    let valid = licences
        .iter()
        .filter(|l| l.is_valid_on(today))
        .map(|l| l.limit);
    if product.limits_add_up() {
        valid.fold(0u32, u32::saturating_add)
    } else {
        valid.max().unwrap_or(0)
    }
}

/// Days before the end at which subscribed administrators are warned, each once.
pub const EXPIRY_WARNINGS: [i64; 3] = [30, 7, 1];

/// The warning due for a licence with `days_left` (0 on its last day): the tightest
/// threshold reached, so a licence imported 5 days before its end warns at 7, not 30.
pub fn expiry_warning_due(days_left: i64) -> Option<i64> {
    EXPIRY_WARNINGS
        .iter()
        .rev()
        .copied()
        .find(|threshold| days_left >= 0 && days_left <= *threshold)
}

/// Spreads `used` seats over licences with these capacities, filling them in order (the
/// caller sorts, e.g. by end date); what exceeds every capacity shows on the last one, so an
/// over-limit organization sees it.
pub fn spread_usage(used: u64, capacities: &[u32]) -> Vec<u64> {
    let mut left = used;
    let mut spread: Vec<u64> = capacities
        .iter()
        .map(|&capacity| {
            let take = left.min(u64::from(capacity));
            left -= take;
            take
        })
        .collect();
    if let Some(last) = spread.last_mut() {
        *last += left;
    }
    spread
}

/// Which seats each licence holds, as (first, count) positions in the ordered list of seat
/// holders: `spread_usage`, with each licence's run starting where the previous one ended.
pub fn seat_runs(used: u64, capacities: &[u32]) -> Vec<(u64, u64)> {
    let mut start = 0;
    spread_usage(used, capacities)
        .into_iter()
        .map(|count| {
            let run = (start, count);
            start += count;
            run
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seat_runs_follow_each_other_and_cover_every_holder_once() {
        assert_eq!(seat_runs(7, &[5, 10]), vec![(0, 5), (5, 2)]);
        assert_eq!(seat_runs(0, &[5, 10]), vec![(0, 0), (0, 0)]);
        // Over every capacity: the rest shows on the last licence.
        assert_eq!(seat_runs(20, &[5, 10]), vec![(0, 5), (5, 15)]);
        assert_eq!(seat_runs(3, &[]), Vec::<(u64, u64)>::new());
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn terms(from: &str, till: &str, limit: u32) -> LicenceTerms {
        LicenceTerms {
            valid_from: date(from),
            valid_till: date(till),
            limit,
        }
    }

    #[test]
    fn products_parse_case_insensitively_and_unknown_ones_are_named() {
        assert_eq!(Product::parse(" chat ").unwrap(), Product::Chat);
        let error = Product::parse("FAX").unwrap_err().to_string();
        assert!(error.contains("“FAX” is not a product") && error.contains("CUSTOMER_PORTAL"));
    }

    #[test]
    fn chat_and_email_take_the_largest_licence() {
        let licences = [
            terms("2026-01-01", "2027-12-31", 10),
            terms("2026-01-01", "2027-12-31", 25),
        ];
        let today = date("2026-06-01");
        assert_eq!(combined_limit(Product::Chat, &licences, today), 25);
        assert_eq!(combined_limit(Product::Email, &licences, today), 25);
        assert_eq!(combined_limit(Product::Mobile, &licences, today), 35);
    }

    #[test]
    fn expired_and_future_licences_grant_nothing() {
        let licences = [
            terms("2025-01-01", "2025-12-31", 100),
            terms("2026-01-01", "2026-12-31", 5),
            terms("2027-01-01", "2027-12-31", 50),
        ];
        assert_eq!(
            combined_limit(Product::Mobile, &licences, date("2026-06-01")),
            5
        );
        assert_eq!(
            combined_limit(Product::Chat, &licences, date("2026-06-01")),
            5
        );
        assert_eq!(
            combined_limit(Product::Mobile, &licences, date("2028-01-01")),
            0
        );
    }

    #[test]
    fn the_last_day_still_counts() {
        let licence = terms("2026-01-01", "2026-12-31", 5);
        assert!(licence.is_valid_on(date("2026-12-31")));
        assert_eq!(licence.days_left(date("2026-12-31")), Some(0));
        assert_eq!(licence.days_left(date("2027-01-01")), None);
        assert_eq!(licence.days_left(date("2026-12-01")), Some(30));
    }

    #[test]
    fn usage_fills_licences_in_order_and_overflow_shows_on_the_last() {
        assert_eq!(spread_usage(12, &[10, 5]), vec![10, 2]);
        assert_eq!(spread_usage(20, &[10, 5]), vec![10, 10]);
        assert_eq!(spread_usage(0, &[10]), vec![0]);
        assert!(spread_usage(3, &[]).is_empty());
    }

    #[test]
    fn the_tightest_reached_expiry_warning_is_due() {
        assert_eq!(expiry_warning_due(31), None);
        assert_eq!(expiry_warning_due(30), Some(30));
        assert_eq!(expiry_warning_due(8), Some(30));
        assert_eq!(expiry_warning_due(7), Some(7));
        assert_eq!(expiry_warning_due(2), Some(7));
        assert_eq!(expiry_warning_due(1), Some(1));
        assert_eq!(expiry_warning_due(0), Some(1));
        assert_eq!(expiry_warning_due(-1), None);
    }

    #[test]
    fn only_chat_refuses_competitive_licences() {
        assert!(!Product::Chat.allows_competitive());
        assert!(
            Product::ALL
                .iter()
                .filter(|p| !p.allows_competitive())
                .count()
                == 1
        );
    }

    #[test]
    fn users_are_given_nominal_seats_of_every_product_but_mobile_and_device() {
        assert!(Product::Chat.assigned_to_users(false));
        assert!(
            !Product::Chat.assigned_to_users(true),
            "competitive: by sessions"
        );
        assert!(!Product::Mobile.assigned_to_users(false));
        assert!(!Product::Device.assigned_to_users(false));
        let terms = LicenceTerms {
            valid_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            valid_till: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            limit: 2,
        };
        assert!(terms.has_free_seat(1) && !terms.has_free_seat(2));
    }
}
