//! The offline licence file (docs/behaviour.md#offline-licences): the Enabled users of an organization and how long each
//! may synchronise, signed with the server's Ed25519 key. The file is JSON holding the
//! payload exactly as signed, so verification needs no canonical form.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::{KeyPair, PublicKey};

const FORMAT: &str = "licensedesk-offline-licence-1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineUser {
    pub user_id: String,
    pub valid_until: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineLicence {
    pub organization_id: String,
    pub organization_url: String,
    pub issued_at: DateTime<Utc>,
    pub users: Vec<OfflineUser>,
}

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    payload: String,
    signature: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OfflineFileError {
    #[error("not an offline licence file: {0}")]
    Malformed(&'static str),
    #[error("the signature does not verify: the file was changed or signed with another key")]
    BadSignature,
}

impl OfflineLicence {
    /// The file's text (pretty JSON).
    pub fn sign(&self, key: &KeyPair) -> String {
        let payload = serde_json::to_vec(self).unwrap_or_default();
        let signature = key.sign(&payload);
        let file = File {
            format: FORMAT.to_owned(),
            payload: URL_SAFE_NO_PAD.encode(&payload),
            signature: URL_SAFE_NO_PAD.encode(signature),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    pub fn verify(text: &str, key: &PublicKey) -> Result<Self, OfflineFileError> {
        let file: File = serde_json::from_str(text)
            .map_err(|_| OfflineFileError::Malformed("not JSON of the expected shape"))?;
        if file.format != FORMAT {
            return Err(OfflineFileError::Malformed("unknown format"));
        }
        let payload = URL_SAFE_NO_PAD
            .decode(&file.payload)
            .map_err(|_| OfflineFileError::Malformed("the payload is not base64url"))?;
        let signature: [u8; 64] = URL_SAFE_NO_PAD
            .decode(&file.signature)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(OfflineFileError::Malformed(
                "the signature is not 64 bytes of base64url",
            ))?;
        if !key.verifies(&payload, &signature) {
            return Err(OfflineFileError::BadSignature);
        }
        serde_json::from_slice(&payload)
            .map_err(|_| OfflineFileError::Malformed("the payload is not a licence"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn licence() -> OfflineLicence {
        OfflineLicence {
            organization_id: "4f767aff-b33f-437c-a7cb-00249948c82b".to_owned(),
            organization_url: "https://crm.example.com".to_owned(),
            issued_at: "2026-06-01T10:00:00Z".parse().unwrap(),
            users: vec![OfflineUser {
                user_id: "661bac34-1128-40b1-9653-00b9f54158cd".to_owned(),
                valid_until: "2026-12-31T00:00:00Z".parse().unwrap(),
            }],
        }
    }

    #[test]
    fn a_signed_file_verifies_and_reads_back() {
        let key = KeyPair::generate();
        let text = licence().sign(&key);
        assert_eq!(
            OfflineLicence::verify(&text, &key.public_key()),
            Ok(licence())
        );
    }

    #[test]
    fn a_tampered_file_or_another_key_fails() {
        let key = KeyPair::generate();
        let text = licence().sign(&key);
        let mut file: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut other = licence();
        other.users[0].valid_until = "2099-01-01T00:00:00Z".parse().unwrap();
        file["payload"] = URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&other).unwrap())
            .into();
        assert_eq!(
            OfflineLicence::verify(&file.to_string(), &key.public_key()),
            Err(OfflineFileError::BadSignature)
        );
        assert_eq!(
            OfflineLicence::verify(&text, &KeyPair::generate().public_key()),
            Err(OfflineFileError::BadSignature)
        );
        assert!(matches!(
            OfflineLicence::verify("{}", &key.public_key()),
            Err(OfflineFileError::Malformed(_))
        ));
    }
}
