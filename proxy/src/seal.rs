//! Secrets at rest: XChaCha20-Poly1305 under a key derived from the master key with
//! HKDF-SHA256, what the value belongs to (a merchant id, a key's name) as associated data,
//! so a sealed salt moved to another merchant's row does not open.
//!
//! A sealed value is `version (1) || nonce (24) || ciphertext + tag (16)`; the nonce is
//! random (XChaCha's 192 bits make collisions negligible).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use secrecy::{SecretBox, SecretString};
use sha2::{Digest, Sha256};

use crate::keys::MasterKey;
use crate::util::random_bytes;

/// The first byte of every sealed value.
const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
/// HKDF `info` of the sealing key.
const SEAL_INFO: &[u8] = b"pingpong-qr seal v1";

/// Seals and opens with the key derived from one master key.
pub(crate) struct Sealer {
    cipher: XChaCha20Poly1305,
}

/// A sealed value did not open: another master key, or altered bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OpenError;

/// What a sealed salt belongs to.
pub(crate) fn salt_context(merchant: &str) -> Vec<u8> {
    [b"salt\0".as_slice(), merchant.as_bytes()].concat()
}

/// What a sealed generated key belongs to.
pub(crate) fn key_context(name: &str) -> Vec<u8> {
    [b"key\0".as_slice(), name.as_bytes()].concat()
}

impl Sealer {
    /// The sealer of `master`.
    pub(crate) fn new(master: &MasterKey) -> Sealer {
        let mut okm = zeroize::Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(None, master.bytes())
            .expand(SEAL_INFO, okm.as_mut_slice())
            .expect("32 bytes is a valid HKDF-SHA256 length");
        Sealer {
            cipher: XChaCha20Poly1305::new(Key::from_slice(okm.as_slice())),
        }
    }

    /// Seals `plain` for `context`.
    pub(crate) fn seal(&self, context: &[u8], plain: &[u8]) -> Vec<u8> {
        let nonce = random_bytes::<NONCE_LEN>();
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .expect("XChaCha20-Poly1305 seals any length we use");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens a value sealed for `context`.
    pub(crate) fn open(&self, context: &[u8], sealed: &[u8]) -> Result<SecretBox<[u8]>, OpenError> {
        if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != VERSION {
            return Err(OpenError);
        }
        let (nonce, body) = sealed[1..].split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context,
                },
            )
            .map(SecretBox::from)
            .map_err(|_| OpenError)
    }

    /// Seals a merchant's salt.
    pub(crate) fn seal_salt(&self, merchant: &str, salt: &str) -> Vec<u8> {
        self.seal(&salt_context(merchant), salt.as_bytes())
    }

    /// Opens a merchant's sealed salt.
    pub(crate) fn open_salt(
        &self,
        merchant: &str,
        sealed: &[u8],
    ) -> Result<SecretString, OpenError> {
        use secrecy::ExposeSecret;
        let plain = self.open(&salt_context(merchant), sealed)?;
        let text = std::str::from_utf8(plain.expose_secret()).map_err(|_| OpenError)?;
        Ok(SecretString::from(text))
    }
}

/// 8 hex characters that tell salts apart in admin output and logs: the start of
/// SHA-256 over a fixed prefix and the salt. 32 bits of a digest say nothing useful about
/// a salt of 96 bits or more, and an operator can recompute it to check which salt is set:
/// `printf 'pingpong-qr salt fingerprint v1\0%s' "$SALT" | sha256sum | cut -c1-8`.
pub(crate) fn fingerprint(salt: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"pingpong-qr salt fingerprint v1\0")
        .chain_update(salt.as_bytes())
        .finalize();
    hex::encode(&digest[..4])
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn key(byte: u8) -> MasterKey {
        MasterKey::from_hex(&hex::encode([byte; 32])).unwrap()
    }

    #[test]
    fn a_salt_opens_with_its_key_and_merchant_only() {
        let s = Sealer::new(&key(1));
        let sealed = s.seal_salt("m1", "F78BC96A55548B2319EE68E0");
        assert_eq!(
            s.open_salt("m1", &sealed).unwrap().expose_secret(),
            "F78BC96A55548B2319EE68E0"
        );
        assert!(
            !sealed.windows(8).any(|w| w == b"F78BC96A"),
            "no clear text in the sealed bytes"
        );
        assert_eq!(
            s.open_salt("m2", &sealed).unwrap_err(),
            OpenError,
            "another merchant"
        );
        assert_eq!(
            Sealer::new(&key(2)).open_salt("m1", &sealed).unwrap_err(),
            OpenError
        );
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(s.open_salt("m1", &altered).is_err());
        assert!(s.open_salt("m1", &sealed[..20]).is_err());
        assert_ne!(
            s.seal_salt("m1", "x"),
            s.seal_salt("m1", "x"),
            "a fresh nonce each time"
        );
        assert!(
            s.open(&key_context("m1"), &sealed).is_err(),
            "a salt is not a key"
        );
    }

    #[test]
    fn fingerprints_are_short_stable_and_distinct() {
        let f = fingerprint("F78BC96A55548B2319EE68E0");
        assert_eq!(f.len(), 8);
        assert_eq!(f, fingerprint("F78BC96A55548B2319EE68E0"));
        assert_ne!(f, fingerprint("BCE27A281029F5EAF3CC0E82"));
        assert!(!"F78BC96A55548B2319EE68E0".to_lowercase().contains(&f));
    }
}
