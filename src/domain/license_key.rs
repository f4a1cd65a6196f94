//! Licence keys (docs/behaviour.md#licence-keys): a payload signed by the vendor with Ed25519, written as one line
//! that survives copy and paste: `LDK1.<payload>.<signature>`, both parts base64url.
//! The signature covers `LDK1.<payload>` exactly as written.

pub use super::keys::InvalidKeyMaterial;
use super::keys::{KeyPair, PublicKey};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::products::Product;

const PREFIX: &str = "LDK1";

/// What a licence key says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceKeyPayload {
    pub licence_id: Uuid,
    pub product: Product,
    pub valid_from: NaiveDate,
    pub valid_till: NaiveDate,
    pub limit: u32,
    pub competitive: bool,
    /// The organizations (their GUIDs) the licence is issued for.
    pub organizations: Vec<Uuid>,
    pub issued_at: DateTime<Utc>,
}

/// The payload as it travels: the product stays text so that a key for a product this
/// version does not know is reported as such, not as malformed.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    id: Uuid,
    product: String,
    valid_from: NaiveDate,
    valid_till: NaiveDate,
    limit: u32,
    competitive: bool,
    organizations: Vec<Uuid>,
    issued_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LicenceKeyError {
    #[error(
        "this is not a whole licence key ({0}); paste all of it, from “LDK1.” to its last character, as your vendor sent it (line breaks do not matter)"
    )]
    Malformed(&'static str),
    #[error("the key's signature does not verify: it was changed, or not issued by your vendor")]
    BadSignature,
    #[error("the key is for the unknown product “{0}”")]
    UnknownProduct(String),
    #[error("CHAT licences are nominal only: a competitive CHAT key is refused")]
    CompetitiveChat,
    #[error("the key's terms are invalid: {0}")]
    InvalidTerms(&'static str),
}

/// The vendor's public key, which every imported key must verify against.
pub type VendorPublicKey = PublicKey;

/// The vendor's private key (the `licensedesk license issue` side).
pub type VendorSigningKey = KeyPair;

impl KeyPair {
    /// Writes the key for `payload`. Refuses terms that an import would refuse.
    pub fn issue(&self, payload: &LicenceKeyPayload) -> Result<String, LicenceKeyError> {
        check_terms(payload)?;
        let wire = Wire {
            id: payload.licence_id,
            product: payload.product.as_str().to_owned(),
            valid_from: payload.valid_from,
            valid_till: payload.valid_till,
            limit: payload.limit,
            competitive: payload.competitive,
            organizations: payload.organizations.clone(),
            issued_at: payload.issued_at,
        };
        let json = serde_json::to_vec(&wire).map_err(|_| LicenceKeyError::Malformed("payload"))?;
        let signed = format!("{PREFIX}.{}", URL_SAFE_NO_PAD.encode(json));
        let signature = self.sign(signed.as_bytes());
        Ok(format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

fn check_terms(payload: &LicenceKeyPayload) -> Result<(), LicenceKeyError> {
    if payload.competitive && !payload.product.allows_competitive() {
        return Err(LicenceKeyError::CompetitiveChat);
    }
    if payload.valid_from > payload.valid_till {
        return Err(LicenceKeyError::InvalidTerms(
            "valid from is after valid till",
        ));
    }
    if payload.limit == 0 {
        return Err(LicenceKeyError::InvalidTerms("the limit is zero"));
    }
    if payload.organizations.is_empty() {
        return Err(LicenceKeyError::InvalidTerms("it names no organization"));
    }
    Ok(())
}

/// Checks a pasted key against the vendor's public key and reads it. Whitespace anywhere
/// (line breaks from mail clients) is ignored.
pub fn verify(text: &str, vendor: &VendorPublicKey) -> Result<LicenceKeyPayload, LicenceKeyError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut parts = compact.split('.');
    let (Some(prefix), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(LicenceKeyError::Malformed(
            "a key has three parts separated by dots",
        ));
    };
    if prefix != PREFIX {
        return Err(LicenceKeyError::Malformed("it does not start with “LDK1.”"));
    }
    let signature: [u8; 64] = URL_SAFE_NO_PAD
        .decode(signature)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(LicenceKeyError::Malformed(
            "its last part, the signature, is cut short or changed",
        ))?;
    let signed = &compact[..prefix.len() + 1 + payload.len()];
    if !vendor.verifies(signed.as_bytes(), &signature) {
        return Err(LicenceKeyError::BadSignature);
    }
    let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| {
        LicenceKeyError::Malformed("its middle part holds characters a key never has")
    })?;
    let wire: Wire = serde_json::from_slice(&json)
        .map_err(|_| LicenceKeyError::Malformed("its middle part does not describe a licence"))?;
    let product = Product::parse(&wire.product)
        .map_err(|_| LicenceKeyError::UnknownProduct(wire.product.clone()))?;
    let payload = LicenceKeyPayload {
        licence_id: wire.id,
        product,
        valid_from: wire.valid_from,
        valid_till: wire.valid_till,
        limit: wire.limit,
        competitive: wire.competitive,
        organizations: wire.organizations,
        issued_at: wire.issued_at,
    };
    check_terms(&payload)?;
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn payload(product: Product, competitive: bool) -> LicenceKeyPayload {
        LicenceKeyPayload {
            licence_id: Uuid::new_v4(),
            product,
            valid_from: "2026-01-01".parse().unwrap(),
            valid_till: "2027-12-31".parse().unwrap(),
            limit: 10,
            competitive,
            organizations: vec![Uuid::new_v4()],
            issued_at: Utc::now(),
        }
    }

    #[test]
    fn an_issued_key_verifies_and_reads_back() {
        let vendor = VendorSigningKey::generate();
        let issued = payload(Product::Mobile, true);
        let key = vendor.issue(&issued).unwrap();
        assert!(key.starts_with("LDK1.") && !key.contains(char::is_whitespace));
        let read = verify(&key, &vendor.public_key()).unwrap();
        assert_eq!(read.licence_id, issued.licence_id);
        assert_eq!(read.product, Product::Mobile);
        assert!(read.competitive);
        assert_eq!(read.organizations, issued.organizations);
    }

    #[test]
    fn line_breaks_from_copy_and_paste_do_not_matter() {
        let vendor = VendorSigningKey::generate();
        let key = vendor.issue(&payload(Product::Chat, false)).unwrap();
        let wrapped: String = key
            .as_bytes()
            .chunks(40)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\r\n ");
        assert!(verify(&wrapped, &vendor.public_key()).is_ok());
    }

    #[test]
    fn a_key_from_another_vendor_is_refused() {
        let key = VendorSigningKey::generate()
            .issue(&payload(Product::Mobile, false))
            .unwrap();
        let ours = VendorSigningKey::generate().public_key();
        assert_eq!(verify(&key, &ours), Err(LicenceKeyError::BadSignature));
    }

    #[test]
    fn competitive_chat_keys_are_refused_on_both_sides() {
        let vendor = VendorSigningKey::generate();
        assert_eq!(
            vendor.issue(&payload(Product::Chat, true)),
            Err(LicenceKeyError::CompetitiveChat)
        );
    }

    #[test]
    fn malformed_keys_say_what_is_wrong() {
        let vendor = VendorSigningKey::generate().public_key();
        assert!(matches!(
            verify("", &vendor),
            Err(LicenceKeyError::Malformed(_))
        ));
        assert!(matches!(
            verify("LDK2.a.b", &vendor),
            Err(LicenceKeyError::Malformed(_))
        ));
        assert!(matches!(
            verify("LDK1.a.b", &vendor),
            Err(LicenceKeyError::Malformed(_))
        ));
    }

    #[test]
    fn public_keys_round_trip_through_base64() {
        let vendor = VendorSigningKey::generate();
        let public = VendorPublicKey::parse(&vendor.public_key().to_base64()).unwrap();
        let key = vendor.issue(&payload(Product::Device, false)).unwrap();
        assert!(verify(&key, &public).is_ok());
        assert!(VendorPublicKey::parse("not base64!").is_err());
        assert!(VendorSigningKey::parse(&vendor.to_base64()).is_ok());
    }

    /// Signs any wire payload, as a vendor with other rules (or a newer version) might.
    fn sign_raw(vendor: &VendorSigningKey, wire: &Wire) -> String {
        let json = serde_json::to_vec(wire).unwrap();
        let signed = format!("{PREFIX}.{}", URL_SAFE_NO_PAD.encode(json));
        let signature = vendor.sign(signed.as_bytes());
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    fn wire(product: &str, competitive: bool) -> Wire {
        Wire {
            id: Uuid::new_v4(),
            product: product.to_owned(),
            valid_from: "2026-01-01".parse().unwrap(),
            valid_till: "2027-01-01".parse().unwrap(),
            limit: 3,
            competitive,
            organizations: vec![Uuid::new_v4()],
            issued_at: Utc::now(),
        }
    }

    #[test]
    fn a_signed_key_for_an_unknown_product_is_refused_by_name() {
        let vendor = VendorSigningKey::generate();
        let key = sign_raw(&vendor, &wire("FAX_MACHINE", false));
        assert_eq!(
            verify(&key, &vendor.public_key()),
            Err(LicenceKeyError::UnknownProduct("FAX_MACHINE".to_owned()))
        );
    }

    #[test]
    fn a_signed_competitive_chat_key_is_refused_on_import() {
        let vendor = VendorSigningKey::generate();
        let key = sign_raw(&vendor, &wire("CHAT", true));
        assert_eq!(
            verify(&key, &vendor.public_key()),
            Err(LicenceKeyError::CompetitiveChat)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn random_text_is_never_accepted(text in ".{0,300}") {
            let vendor = VendorSigningKey::generate().public_key();
            prop_assert!(verify(&text, &vendor).is_err());
        }

        #[test]
        fn changing_any_one_character_is_refused(position in any::<prop::sample::Index>(), replacement in "[A-Za-z0-9_.-]") {
            let vendor = VendorSigningKey::generate();
            let key = vendor.issue(&payload(Product::Mobile, false)).unwrap();
            let index = position.index(key.len());
            let mut bytes = key.clone().into_bytes();
            let new = replacement.as_bytes()[0];
            prop_assume!(bytes[index] != new);
            bytes[index] = new;
            let tampered = String::from_utf8(bytes).unwrap();
            prop_assert!(verify(&tampered, &vendor.public_key()).is_err());
        }
    }
}
