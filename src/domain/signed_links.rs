//! Links in mail that work without login (docs/behaviour.md#notification-mail): the token is an HMAC-SHA256 of what it
//! grants (a notice to view, an address to manage), so it cannot be forged, and a token for
//! one address is worthless for another.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Signs and checks link tokens with the server's secret.
#[derive(Clone)]
pub struct LinkSigner {
    key: Vec<u8>,
}

impl LinkSigner {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            key: secret.to_vec(),
        }
    }

    fn mac(&self, purpose: &str, subject: &str) -> Vec<u8> {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(mac) => mac,
            // HMAC takes keys of any length; this branch cannot be reached.
            Err(_) => return Vec::new(),
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(subject.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    pub fn sign(&self, purpose: &str, subject: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(purpose, subject))
    }

    /// Constant-time check that `token` was made by `sign(purpose, subject)`.
    pub fn verify(&self, purpose: &str, subject: &str, token: &str) -> bool {
        let Ok(given) = URL_SAFE_NO_PAD.decode(token.trim()) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return false;
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(subject.as_bytes());
        mac.verify_slice(&given).is_ok()
    }
}

pub const VIEW_NOTICE: &str = "view-notice";
pub const MANAGE_SUBSCRIPTIONS: &str = "manage-subscriptions";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_for_their_subject_purpose_and_key() {
        let signer = LinkSigner::new(b"secret");
        let token = signer.sign(MANAGE_SUBSCRIPTIONS, "ann@acme.example");
        assert!(signer.verify(MANAGE_SUBSCRIPTIONS, "ann@acme.example", &token));
        assert!(!signer.verify(MANAGE_SUBSCRIPTIONS, "bob@acme.example", &token));
        assert!(!signer.verify(VIEW_NOTICE, "ann@acme.example", &token));
        assert!(!LinkSigner::new(b"other").verify(
            MANAGE_SUBSCRIPTIONS,
            "ann@acme.example",
            &token
        ));
        assert!(!signer.verify(MANAGE_SUBSCRIPTIONS, "ann@acme.example", "forged"));
    }
}
