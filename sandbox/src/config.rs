//! Configuration: the merchant accounts the sandbox knows and how it behaves.

use std::time::Duration;

use pingpong_protocol::{FailureMode, TimeExpireFormat};

/// A PingPong merchant account: the store number, the merchant number and the signing salt.
///
/// The salt signs and verifies every message of this account. It is never logged, printed or
/// sent: `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// `accId`: the store number, e.g. `2018092714313010016291`.
    pub acc_id: String,
    /// `clientId`: the merchant number (by convention `accId` without its last 3 digits).
    pub client_id: String,
    /// The signing salt (secret).
    pub salt: String,
}

impl Account {
    /// The public sandbox account A of PingPong's docs, the default account of this project:
    /// accId `2018092714313010016291`, clientId `2018092714313010016`.
    pub fn sandbox_a() -> Account {
        Account {
            acc_id: "2018092714313010016291".into(),
            client_id: "2018092714313010016".into(),
            salt: "F78BC96A55548B2319EE68E0".into(),
        }
    }

    /// The public sandbox account B of PingPong's docs: accId `2018092714313010016289`,
    /// clientId `2018092714313010016`.
    pub fn sandbox_b() -> Account {
        Account {
            acc_id: "2018092714313010016289".into(),
            client_id: "2018092714313010016".into(),
            salt: "BCE27A281029F5EAF3CC0E82".into(),
        }
    }

    /// Parses `ACC:CLIENT:SALT` (the binary's `--account`). `None` when a part is missing
    /// or empty.
    pub fn parse(text: &str) -> Option<Account> {
        let mut parts = text.splitn(3, ':');
        let (acc, client, salt) = (parts.next()?, parts.next()?, parts.next()?);
        if acc.is_empty() || client.is_empty() || salt.is_empty() {
            return None;
        }
        Some(Account {
            acc_id: acc.into(),
            client_id: client.into(),
            salt: salt.into(),
        })
    }
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("acc_id", &self.acc_id)
            .field("client_id", &self.client_id)
            .field("salt", &"<redacted>")
            .finish()
    }
}

/// How the sandbox behaves. Start from [`SandboxConfig::default`] and change what you need.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// The merchant accounts that may call. Default: [`Account::sandbox_a`], [`Account::sandbox_b`].
    pub accounts: Vec<Account>,
    /// The base URL where this sandbox's routes are reachable, without a trailing slash
    /// (`http://127.0.0.1:8080/sandbox` when nested). `qrCode` is `{public_url}/wallet/{transactionId}`
    /// and `qrUrl` is `{public_url}/wallet/{transactionId}/qr.svg`.
    pub public_url: String,
    /// The store name the wallet page shows. Default `PingPong Sandbox Store`.
    pub merchant_name: String,
    /// How `timeExpire` is read (docs/protocol-choices.md #2). Default epoch seconds.
    pub time_expire_format: TimeExpireFormat,
    /// Whether a declined payment ends its order (#11). Default [`FailureMode::Retryable`].
    pub failure_mode: FailureMode,
    /// How long a refund stays PROCESSING before it turns SUCCESS (or FAILED). Default 2 s.
    pub refund_delay: Duration,
    /// Multiplies the notification retry schedule (5 s, 5 s, 3 min, …). Default 1.0; tests
    /// use about 0.001 so the whole schedule runs in about 45 s. Must be finite and ≥ 0.
    pub time_scale: f64,
    /// The accepted `paymentMethod.type` names. Default `AlipayCN-Offline`,
    /// `AlipayHK-Offline`, `Wechat-Offline`.
    pub methods: Vec<String>,
    /// How long one notification delivery may take before it counts as failed. Default
    /// 10 s (not scaled by `time_scale`).
    pub notify_timeout: Duration,
    /// How long a call under the "no answer" fault is held open before the sandbox gives up
    /// and answers 504. Default 120 s; clients are expected to time out first.
    pub no_answer_hold: Duration,
    /// The browser origins (`scheme://host[:port]`) allowed to use the wallet and control
    /// routes: CORS grants go to them alone, and a request carrying another `Origin` is
    /// refused (403) before it acts, so no other page can pay, expire or fault-inject
    /// orders. Requests without `Origin` (scripts, tests, the wallet page's navigation)
    /// are served. `None` (the default): any page, `Access-Control-Allow-Origin: *`.
    pub allowed_origins: Option<Vec<String>>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            accounts: vec![Account::sandbox_a(), Account::sandbox_b()],
            public_url: "http://127.0.0.1:8090".into(),
            merchant_name: "PingPong Sandbox Store".into(),
            time_expire_format: TimeExpireFormat::EpochSeconds,
            failure_mode: FailureMode::Retryable,
            refund_delay: Duration::from_secs(2),
            time_scale: 1.0,
            methods: vec![
                "AlipayCN-Offline".into(),
                "AlipayHK-Offline".into(),
                "Wechat-Offline".into(),
            ],
            notify_timeout: Duration::from_secs(10),
            no_answer_hold: Duration::from_secs(120),
            allowed_origins: None,
        }
    }
}

impl SandboxConfig {
    /// The account with this `accId` and `clientId`, if configured.
    pub fn account(&self, acc_id: &str, client_id: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.acc_id == acc_id && a.client_id == client_id)
    }

    /// The account with this `accId`, whatever the clientId.
    pub fn account_by_acc_id(&self, acc_id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.acc_id == acc_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_salt() {
        let text = format!("{:?}", SandboxConfig::default());
        assert!(text.contains("2018092714313010016291"));
        assert!(!text.contains("F78BC96A55548B2319EE68E0"));
        assert!(!text.contains("BCE27A281029F5EAF3CC0E82"));
    }

    #[test]
    fn parses_account_triples() {
        let a = Account::parse("1:2:S:x").unwrap();
        assert_eq!(
            (a.acc_id.as_str(), a.client_id.as_str(), a.salt.as_str()),
            ("1", "2", "S:x")
        );
        assert!(Account::parse("1:2").is_none());
        assert!(Account::parse("1::S").is_none());
    }
}
