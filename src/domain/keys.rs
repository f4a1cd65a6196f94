//! Ed25519 key pairs written as base64 text: the vendor's licence-key pair and the server's
//! offline-licence pair.

use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a valid Ed25519 {0} key (expected 32 bytes in base64)")]
pub struct InvalidKeyMaterial(&'static str);

/// A public key: verifies signatures.
#[derive(Debug, Clone)]
pub struct PublicKey(VerifyingKey);

/// A private key with its public half: signs.
pub struct KeyPair(SigningKey);

fn decode_32(text: &str, what: &'static str) -> Result<[u8; 32], InvalidKeyMaterial> {
    let bytes = STANDARD
        .decode(text.trim())
        .or_else(|_| URL_SAFE_NO_PAD.decode(text.trim()))
        .map_err(|_| InvalidKeyMaterial(what))?;
    bytes.try_into().map_err(|_| InvalidKeyMaterial(what))
}

impl PublicKey {
    pub fn parse(text: &str) -> Result<Self, InvalidKeyMaterial> {
        let bytes = decode_32(text, "public")?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| InvalidKeyMaterial("public"))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.to_bytes())
    }

    /// Whether `signature` is this key's (strict) signature of `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.0
            .verify_strict(message, &Signature::from_bytes(signature))
            .is_ok()
    }
}

impl KeyPair {
    pub fn generate() -> Self {
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
        Self(SigningKey::from_bytes(&secret))
    }

    pub fn parse(text: &str) -> Result<Self, InvalidKeyMaterial> {
        decode_32(text, "private").map(|bytes| Self(SigningKey::from_bytes(&bytes)))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.to_bytes())
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}
