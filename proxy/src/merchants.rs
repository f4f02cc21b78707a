//! The merchant a call acts for: read from the journal at each call (so an administrator's
//! change applies at once), its salt opened with the master key, or — for the merchant
//! `default` that the start flags or demo mode define — taken from the start configuration.

use std::sync::Arc;

use pingpong_protocol::admin::MerchantSettings;
use pingpong_protocol::contract::paths;
use pingpong_protocol::{ErrorCode, MerchantId, SignType};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{ApiFailure, fail};
use crate::journal::MerchantRecord;
use crate::vault::Vault;

/// The merchant the start flags (or demo mode) define, and the one a journal of the
/// single-merchant version belongs to.
pub const DEFAULT_MERCHANT: &str = "default";

/// A merchant ready to sign for.
pub(crate) struct Merchant {
    pub id: MerchantId,
    pub settings: MerchantSettings,
    salt: SecretString,
    pub enabled: bool,
}

impl std::fmt::Debug for Merchant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merchant")
            .field("id", &self.id)
            .field("settings", &self.settings)
            .field("salt", &"<redacted>")
            .field("enabled", &self.enabled)
            .finish()
    }
}

impl Merchant {
    /// A merchant with its salt.
    pub(crate) fn new(
        id: MerchantId,
        settings: MerchantSettings,
        salt: SecretString,
        enabled: bool,
    ) -> Merchant {
        Merchant {
            id,
            settings,
            salt,
            enabled,
        }
    }

    /// The salt. Use it only to sign or verify.
    pub(crate) fn salt(&self) -> &str {
        self.salt.expose_secret()
    }

    /// PingPong `accId`.
    pub(crate) fn acc_id(&self) -> &str {
        &self.settings.acc_id
    }

    /// PingPong `clientId`.
    pub(crate) fn client_id(&self) -> &str {
        &self.settings.client_id
    }

    /// The signature algorithm of its requests, answers and pushes.
    pub(crate) fn sign_type(&self) -> SignType {
        self.settings.sign_type
    }

    /// The notification path of a merchant: `/notify/pingpong/{id}`.
    pub(crate) fn notify_path(id: &MerchantId) -> String {
        paths::NOTIFY_MERCHANT.replace("{merchantId}", id.as_str())
    }
}

/// Turns journaled merchants into [`Merchant`]s.
pub(crate) struct Merchants {
    /// The salt of [`DEFAULT_MERCHANT`] from the start configuration, if it defines one.
    startup_salt: Option<SecretString>,
    /// Opens sealed salts; `None` when the proxy was given no master key.
    vault: Option<Arc<Vault>>,
}

impl Merchants {
    pub(crate) fn new(startup_salt: Option<SecretString>, vault: Option<Arc<Vault>>) -> Merchants {
        Merchants {
            startup_salt,
            vault,
        }
    }

    /// The vault, when the proxy has a master key.
    pub(crate) fn vault(&self) -> Option<&Arc<Vault>> {
        self.vault.as_ref()
    }

    /// The merchant of `record`, with its salt. A salt that cannot be opened is the
    /// operator's problem (logged with what to do), answered `INTERNAL`.
    pub(crate) fn resolve(&self, record: MerchantRecord) -> Result<Merchant, ApiFailure> {
        let salt = match (&record.sealed_salt, &self.vault) {
            (Some(sealed), Some(vault)) => vault.open_salt(record.id.as_str(), sealed).ok(),
            (None, _) if record.id.as_str() == DEFAULT_MERCHANT => self.startup_salt.clone(),
            _ => None,
        };
        let Some(salt) = salt else {
            tracing::error!(
                merchant = %record.id,
                "cannot open this merchant's salt: the proxy was started without the master \
                 key it is sealed with (or, for `default`, without the start flags); restart \
                 it with that key"
            );
            return Err(fail(
                ErrorCode::Internal,
                "the proxy cannot sign for this merchant; its operator must restart it with the master key",
            ));
        };
        Ok(Merchant::new(
            record.id,
            record.settings,
            salt,
            record.enabled,
        ))
    }
}
