//! What the master key opens: merchants' salts and the register-token key, checked at
//! start (a wrong key stops the proxy with a message that says so).
//!
//! Register tokens issued by the proxy are `ppq_<registerId>_<secret>` (64 hex characters of
//! secret). The proxy keeps only HMAC-SHA256 of the secret under the token key, a random key
//! generated once, sealed in the database (so re-sealing under a new master key keeps every
//! token valid). Event-stream tickets of those registers are MAC'd with a key derived from it.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use pingpong_protocol::RegisterId;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::Sha256;

use crate::journal::{Journal, Sealed};
use crate::keys::MasterKey;
use crate::seal::{OpenError, Sealer, key_context};
use crate::util::{now_ms, random_bytes};

/// The name of the sealed register-token key.
pub(crate) const TOKEN_KEY: &str = "register-token-key";
/// The prefix of tokens the proxy issues.
pub(crate) const TOKEN_PREFIX: &str = "ppq_";

type HmacSha256 = Hmac<Sha256>;

/// The keys the master key opens.
pub(crate) struct Vault {
    sealer: Sealer,
    token_hash: SecretBox<[u8; 32]>,
    ticket: SecretBox<[u8; 32]>,
}

fn derive(root: &[u8], info: &[u8]) -> SecretBox<[u8; 32]> {
    let mut out = Box::new([0u8; 32]);
    Hkdf::<Sha256>::new(None, root)
        .expand(info, out.as_mut_slice())
        .expect("32 bytes is a valid HKDF-SHA256 length");
    SecretBox::new(out)
}

fn mac(key: &[u8; 32], parts: &[&[u8]]) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m
}

/// A register token split into its register id and secret.
pub(crate) fn parse_token(token: &str) -> Option<(RegisterId, &str)> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.rsplit_once('_')?;
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((RegisterId::new(id).ok()?, secret))
}

impl Vault {
    /// Opens the database's sealed material with `master`: the token key (generated and
    /// sealed when the database has none yet) and every merchant's salt. The error says
    /// which value did not open.
    pub(crate) async fn open(journal: &dyn Journal, master: &MasterKey) -> Result<Vault, String> {
        let sealer = Sealer::new(master);
        let wrong_key = |what: &str| {
            format!(
                "the master key does not open {what} sealed in this database: start with the \
                 master key the database was sealed with (--master-key-file or \
                 PINGPONG_QR_MASTER_KEY); `master-key rotate` changes it"
            )
        };
        let stored = journal
            .sealed_key(TOKEN_KEY)
            .await
            .map_err(|e| e.to_string())?;
        let sealed = match stored {
            Some(s) => s,
            None => {
                let fresh = SecretBox::new(Box::new(random_bytes::<32>()));
                let sealed = sealer.seal(&key_context(TOKEN_KEY), fresh.expose_secret());
                journal
                    .add_sealed_key(TOKEN_KEY, &sealed, now_ms())
                    .await
                    .map_err(|e| e.to_string())?
            }
        };
        let root = sealer
            .open(&key_context(TOKEN_KEY), &sealed)
            .map_err(|OpenError| wrong_key("the register-token key"))?;
        for m in journal.merchants().await.map_err(|e| e.to_string())? {
            if let Some(sealed) = &m.sealed_salt {
                sealer
                    .open_salt(m.id.as_str(), sealed)
                    .map_err(|OpenError| wrong_key(&format!("the salt of merchant {}", m.id)))?;
            }
        }
        Ok(Vault {
            token_hash: derive(root.expose_secret(), b"pingpong-qr register token hash v1"),
            ticket: derive(root.expose_secret(), b"pingpong-qr event ticket v1"),
            sealer,
        })
    }

    /// The sealer (merchants' salts).
    pub(crate) fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    /// Opens a merchant's sealed salt.
    pub(crate) fn open_salt(
        &self,
        merchant: &str,
        sealed: &[u8],
    ) -> Result<SecretString, OpenError> {
        self.sealer.open_salt(merchant, sealed)
    }

    /// A new token for register `id` and the hash to store.
    pub(crate) fn mint(&self, id: &RegisterId) -> (SecretString, Vec<u8>) {
        let secret = zeroize::Zeroizing::new(hex::encode(random_bytes::<32>()));
        let token = SecretString::from(format!("{TOKEN_PREFIX}{id}_{}", secret.as_str()));
        (token, self.token_hash(id, &secret))
    }

    /// What is stored for the token of register `id` with this secret.
    pub(crate) fn token_hash(&self, id: &RegisterId, secret: &str) -> Vec<u8> {
        mac(
            self.token_hash.expose_secret(),
            &[id.as_str().as_bytes(), b"\0", secret.as_bytes()],
        )
        .finalize()
        .into_bytes()
        .to_vec()
    }

    /// Whether `secret` is the secret of register `id` whose stored hash is `stored`
    /// (the MAC's own constant-time verification).
    pub(crate) fn verify_token(&self, id: &RegisterId, secret: &str, stored: &[u8]) -> bool {
        mac(
            self.token_hash.expose_secret(),
            &[id.as_str().as_bytes(), b"\0", secret.as_bytes()],
        )
        .verify_slice(stored)
        .is_ok()
    }

    /// The MAC of a ticket body of a stored register.
    pub(crate) fn ticket_mac(&self, body: &str) -> [u8; 32] {
        mac(self.ticket.expose_secret(), &[body.as_bytes()])
            .finalize()
            .into_bytes()
            .into()
    }

    /// Whether `tag` is the MAC of a ticket body (constant time).
    pub(crate) fn verify_ticket(&self, body: &str, tag: &[u8]) -> bool {
        mac(self.ticket.expose_secret(), &[body.as_bytes()])
            .verify_slice(tag)
            .is_ok()
    }
}

/// Re-seals every salt and key of `journal` from `old` to `new`, in one transaction.
pub(crate) async fn rotate(
    journal: &dyn Journal,
    old: &MasterKey,
    new: &MasterKey,
) -> Result<usize, String> {
    // Everything must open with the old key first (the same check as a start).
    Vault::open(journal, old).await?;
    let (old, new) = (Sealer::new(old), Sealer::new(new));
    let reseal: crate::journal::Resealer = Box::new(move |value| {
        let (context, sealed) = match value {
            Sealed::Salt { merchant, sealed } => (crate::seal::salt_context(merchant), sealed),
            Sealed::Key { name, sealed } => (key_context(name), sealed),
        };
        let plain = old
            .open(&context, sealed)
            .map_err(|OpenError| "a sealed value did not open with the old key".to_owned())?;
        Ok(new.seal(&context, plain.expose_secret()))
    });
    journal.reseal(reseal).await.map_err(|e| e.to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::tests::{merchant, sqlite};

    fn key(b: u8) -> MasterKey {
        MasterKey::from_hex(&hex::encode([b; 32])).unwrap()
    }

    #[test]
    fn tokens_parse_into_id_and_secret() {
        let secret = "ab".repeat(32);
        let token = format!("ppq_RG0ABC_{secret}");
        let (id, s) = parse_token(&token).unwrap();
        assert_eq!((id.as_str(), s), ("RG0ABC", secret.as_str()));
        for bad in [
            "demo-token".to_owned(),
            format!("ppq_RG0ABC_{}", &secret[1..]),
            format!("ppq__{secret}"),
            format!("xpq_RG0ABC_{secret}"),
            format!("ppq_RG 0_{secret}"),
        ] {
            assert!(parse_token(&bad).is_none(), "{bad}");
        }
    }

    #[tokio::test]
    async fn tokens_verify_against_their_hash_only() {
        let f = sqlite().await;
        let v = Vault::open(f.journal.as_ref(), &key(1)).await.unwrap();
        let id = RegisterId::new("RG1").unwrap();
        let (token, hash) = v.mint(&id);
        let (parsed, secret) = parse_token(token.expose_secret()).unwrap();
        assert_eq!(parsed, id);
        assert!(v.verify_token(&id, secret, &hash));
        assert!(!v.verify_token(&RegisterId::new("RG2").unwrap(), secret, &hash));
        assert!(!v.verify_token(&id, &"0".repeat(64), &hash));
        assert!(!hash.windows(8).any(|w| secret.as_bytes().starts_with(w)));
        // The same database opened again derives the same keys: the token stays valid.
        let again = Vault::open(f.journal.as_ref(), &key(1)).await.unwrap();
        assert!(again.verify_token(&id, secret, &hash));
        let body = "1.2.RG1";
        assert!(again.verify_ticket(body, &v.ticket_mac(body)));
    }

    #[tokio::test]
    async fn a_wrong_key_is_refused_and_rotation_keeps_tokens_valid() {
        let f = sqlite().await;
        let j = f.journal.as_ref();
        let v = Vault::open(j, &key(1)).await.unwrap();
        let mut m = merchant("m1");
        m.sealed_salt = Some(v.sealer().seal_salt("m1", "SALT-ONE"));
        j.add_merchant(&m).await.unwrap().unwrap();
        let id = RegisterId::new("RG1").unwrap();
        let (token, hash) = v.mint(&id);
        let e = Vault::open(j, &key(2)).await.err().unwrap();
        assert!(e.contains("does not open"), "{e}");
        assert!(
            rotate(j, &key(2), &key(3)).await.is_err(),
            "the old key must open"
        );
        assert_eq!(rotate(j, &key(1), &key(2)).await.unwrap(), 2);
        assert!(Vault::open(j, &key(1)).await.is_err());
        let v2 = Vault::open(j, &key(2)).await.unwrap();
        let (_, secret) = parse_token(token.expose_secret()).unwrap();
        assert!(v2.verify_token(&id, secret, &hash));
        let sealed = j
            .merchant(&m.id)
            .await
            .unwrap()
            .unwrap()
            .sealed_salt
            .unwrap();
        assert_eq!(
            v2.open_salt("m1", &sealed).unwrap().expose_secret(),
            "SALT-ONE"
        );
    }
}
