use std::fmt;

/// An email address, trimmed and lower-cased so that uniqueness is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("“{0}” is not an email address")]
pub struct InvalidEmail(pub String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, InvalidEmail> {
        let value = input.trim().to_lowercase();
        let valid = value.len() <= 254
            && match value.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.is_empty()
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains('@')
                        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
                }
                None => false,
            }
            // What the mailer can send to: an address accepted here must never fail later
            // as "invalid address" in the outbox.
            && value.parse::<lettre::Address>().is_ok();
        if valid {
            Ok(Self(value))
        } else {
            Err(InvalidEmail(input.trim().to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_lower_cased_and_trimmed() {
        assert_eq!(
            Email::parse("  Ann.Smith@Example.COM ").unwrap().as_str(),
            "ann.smith@example.com"
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "ann",
            "@example.com",
            "ann@",
            "ann@@example.com",
            "a nn@x.com",
            "ann@.com",
            "<script>alert(1)</script>@x.com",
            "ann(comment)@x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} was accepted");
        }
    }
}
