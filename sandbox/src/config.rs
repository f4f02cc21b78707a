//! Configuration: the merchant accounts the sandbox knows and how it behaves.

use std::time::Duration;

use pingpong_protocol::{Currency, FailureMode, QrMethod, TimeExpireFormat, methods};

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

/// A `paymentMethod.type` the sandbox accepts, and the currencies it takes with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptedMethod {
    /// PingPong's `paymentMethod.type`, e.g. `AlipayHK-Offline`.
    pub pingpong_type: String,
    /// The currencies a unifiedPay may use with it (while
    /// [`SandboxConfig::check_method_currency`] is on).
    pub currencies: Vec<Currency>,
}

impl AcceptedMethod {
    /// A method of PingPong's table, with the currencies the table lists.
    pub fn known(method: &QrMethod) -> AcceptedMethod {
        AcceptedMethod {
            pingpong_type: method.pingpong_type.to_owned(),
            currencies: method.currencies().collect(),
        }
    }

    /// Parses the binary's `--method`: `TYPE:CUR,CUR…` (e.g. `AlipayHK-Offline:HKD,CNY`), or
    /// `TYPE` alone for a type of PingPong's table, which takes the table's currencies.
    pub fn parse(text: &str) -> Result<AcceptedMethod, String> {
        let (kind, list) = match text.split_once(':') {
            Some((kind, list)) => (kind, Some(list)),
            None => (text, None),
        };
        if kind.is_empty() {
            return Err(format!("{text:?}: the paymentMethod.type is empty"));
        }
        let currencies = match list {
            Some(list) => list
                .split(',')
                .map(|code| {
                    Currency::from_code(code)
                        .map_err(|_| format!("{text:?}: {code:?} is not a supported ISO 4217 code"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => methods::by_pingpong_type(kind)
                .ok_or_else(|| {
                    format!("{text:?}: not in PingPong's method table; give its currencies as {kind}:CUR,CUR")
                })?
                .currencies()
                .collect(),
        };
        Ok(AcceptedMethod {
            pingpong_type: kind.to_owned(),
            currencies,
        })
    }

    /// Whether it takes `currency`.
    pub fn takes(&self, currency: Currency) -> bool {
        self.currencies.contains(&currency)
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
    /// The accepted `paymentMethod.type` names and their currencies. Default PingPong's
    /// table ([`pingpong_protocol::methods::KNOWN`]): `AlipayCN-Offline` CNY,
    /// `AlipayHK-Offline` HKD, `Wechat-Offline` CNY and HKD.
    pub methods: Vec<AcceptedMethod>,
    /// Whether a unifiedPay in a currency its method does not take is refused (102000
    /// naming `currency`), as PingPong does. Default on; off, any supported currency goes
    /// with any accepted method.
    pub check_method_currency: bool,
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
            methods: methods::KNOWN.iter().map(AcceptedMethod::known).collect(),
            check_method_currency: true,
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

    /// The accepted method PingPong calls `pingpong_type`, if configured.
    pub fn method(&self, pingpong_type: &str) -> Option<&AcceptedMethod> {
        self.methods
            .iter()
            .find(|m| m.pingpong_type == pingpong_type)
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
    fn accepts_pingpongs_table_by_default() {
        let config = SandboxConfig::default();
        let codes = |kind: &str| -> Vec<&str> {
            config
                .method(kind)
                .unwrap()
                .currencies
                .iter()
                .map(|c| c.code())
                .collect()
        };
        assert!(config.check_method_currency);
        assert_eq!(codes("AlipayCN-Offline"), ["CNY"]);
        assert_eq!(codes("AlipayHK-Offline"), ["HKD"]);
        assert_eq!(codes("Wechat-Offline"), ["CNY", "HKD"]);
        assert_eq!(config.methods.len(), 3);
    }

    #[test]
    fn parses_methods_with_and_without_currencies() {
        let code = |c| Currency::from_code(c).unwrap();
        let own = AcceptedMethod::parse("AlipayHK-Offline:HKD,CNY").unwrap();
        assert_eq!(own.pingpong_type, "AlipayHK-Offline");
        assert_eq!(own.currencies, [code("HKD"), code("CNY")]);
        let known = AcceptedMethod::parse("Wechat-Offline").unwrap();
        assert_eq!(known.currencies, [code("CNY"), code("HKD")]);
        let custom = AcceptedMethod::parse("Alipay+:USD").unwrap();
        assert!(custom.takes(code("USD")) && !custom.takes(code("CNY")));
        for bad in [
            "Alipay+",
            ":CNY",
            "AlipayCN-Offline:usd",
            "AlipayCN-Offline:",
            "X:CNY,",
        ] {
            assert!(AcceptedMethod::parse(bad).is_err(), "{bad}");
        }
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
