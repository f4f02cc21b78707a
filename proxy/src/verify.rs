//! Whether a message that claims to come from PingPong (an answer or a push) is from the
//! merchant's account: addressed to its `accId` and `clientId`, signed with the algorithm
//! the account is configured for (a message never chooses its own), and signed with its
//! salt. The account is a parameter: each merchant's messages are checked with that
//! merchant's account alone.

use pingpong_protocol::{Envelope, SignType};

use crate::config::PingPongAccount;

/// Why a message is not trusted. The text names no secret and no signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Untrusted {
    /// `accId` is missing or another account's.
    AccId,
    /// `clientId` is missing or another merchant's.
    ClientId,
    /// `signType` is missing, unknown, or not the account's algorithm.
    SignType {
        /// What the account signs with.
        expected: SignType,
    },
    /// The signature is missing or does not verify with the account's salt.
    Signature,
}

impl Untrusted {
    /// What the sender is told (and the log says).
    pub(crate) fn message(&self) -> String {
        match self {
            Untrusted::AccId => "the accId is not this merchant's account".into(),
            Untrusted::ClientId => "the clientId is not this merchant's".into(),
            Untrusted::SignType { expected } => {
                format!("the signType is not this merchant's ({expected})")
            }
            Untrusted::Signature => "the signature does not verify".into(),
        }
    }
}

/// Checks `envelope` against `account`; see the module doc.
pub(crate) fn verify(account: &PingPongAccount, envelope: &Envelope) -> Result<(), Untrusted> {
    if envelope.acc_id().ok() != Some(account.acc_id.as_str()) {
        return Err(Untrusted::AccId);
    }
    if envelope.client_id().ok() != Some(account.client_id.as_str()) {
        return Err(Untrusted::ClientId);
    }
    if envelope.sign_type().ok() != Some(account.sign_type) {
        return Err(Untrusted::SignType {
            expected: account.sign_type,
        });
    }
    envelope
        .verify(account.salt.expose())
        .map_err(|_| Untrusted::Signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn account(sign_type: SignType) -> PingPongAccount {
        PingPongAccount {
            base_url: "http://127.0.0.1:1".into(),
            acc_id: "ACC-1".into(),
            client_id: "CLI-1".into(),
            salt: Secret::new("SALT-1"),
            sign_type,
        }
    }

    fn signed(acc: &str, client: &str, st: SignType, salt: &str) -> Envelope {
        let mut e = Envelope::response(acc, client, st, "000000", "ok", "{}".into());
        e.sign(salt).unwrap();
        e
    }

    #[test]
    fn only_the_accounts_own_messages_are_trusted() {
        let sha = account(SignType::Sha256);
        assert_eq!(
            verify(&sha, &signed("ACC-1", "CLI-1", SignType::Sha256, "SALT-1")),
            Ok(())
        );
        // Correctly signed with the salt, but with the other algorithm: refused.
        assert_eq!(
            verify(&sha, &signed("ACC-1", "CLI-1", SignType::Md5, "SALT-1")),
            Err(Untrusted::SignType {
                expected: SignType::Sha256
            })
        );
        let md5 = account(SignType::Md5);
        assert_eq!(
            verify(&md5, &signed("ACC-1", "CLI-1", SignType::Md5, "SALT-1")),
            Ok(())
        );
        assert!(verify(&md5, &signed("ACC-1", "CLI-1", SignType::Sha256, "SALT-1")).is_err());
        assert_eq!(
            verify(&sha, &signed("ACC-2", "CLI-1", SignType::Sha256, "SALT-1")),
            Err(Untrusted::AccId)
        );
        assert_eq!(
            verify(&sha, &signed("ACC-1", "CLI-2", SignType::Sha256, "SALT-1")),
            Err(Untrusted::ClientId)
        );
        let mut no_client = signed("ACC-1", "CLI-1", SignType::Sha256, "SALT-1");
        no_client.remove("clientId");
        no_client.sign("SALT-1").unwrap();
        assert_eq!(verify(&sha, &no_client), Err(Untrusted::ClientId));
        assert_eq!(
            verify(&sha, &signed("ACC-1", "CLI-1", SignType::Sha256, "SALT-2")),
            Err(Untrusted::Signature)
        );
        assert!(!Untrusted::Signature.message().contains("SALT"));
    }
}
