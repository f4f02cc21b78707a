//! What a proxy is told at start: where it listens, who may call it, where PingPong is.
//!
//! [`Config`] is plain data; the binary fills it from flags and environment ([`crate::cli`]),
//! tests build it directly.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use pingpong_protocol::admin::MethodConfig;
use pingpong_protocol::contract::Method;
use pingpong_protocol::{CashierDeviceId, FailureMode, SignType, StoreId, TimeExpireFormat};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use crate::keys::KeyChoice;

/// A secret string (a salt, a register token, the admin key): `Debug` never shows it, it
/// has no `Display`, so it cannot slip into a log line by accident, and its memory is
/// zeroed when dropped. Two secrets compare in constant time.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret.
    pub fn new(text: impl Into<String>) -> Secret {
        Secret(SecretString::from(text.into()))
    }

    /// The secret itself. Use it only to sign, verify or compare.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.expose()
            .as_bytes()
            .ct_eq(other.expose().as_bytes())
            .into()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One register's credential: the bearer token the merchant issued, and what it is bound to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterToken {
    /// The bearer token (secret).
    pub token: Secret,
    /// The `cashierDeviceId` the proxy sends upstream for this register.
    pub cashier_device_id: CashierDeviceId,
    /// The store whose orders this register may see and refund.
    pub store_id: StoreId,
}

/// The token, cashier device and store of demo mode (docs/architecture.md, "Defaults").
pub const DEMO_TOKEN: &str = "demo-token";
/// The demo register's `cashierDeviceId`.
pub const DEMO_CASHIER_DEVICE_ID: &str = "DEMO-POS-1";
/// The demo register's store.
pub const DEMO_STORE_ID: &str = "DEMO-STORE";

impl RegisterToken {
    /// A register credential. Fails when the device or store is not a valid id
    /// (1..=64 of `A-Za-z0-9_-.`) or the token is empty or holds whitespace.
    pub fn new(token: &str, cashier_device_id: &str, store_id: &str) -> Result<Self, String> {
        if token.is_empty() || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("a register token must be non-empty, without spaces".into());
        }
        Ok(RegisterToken {
            token: Secret::new(token),
            cashier_device_id: CashierDeviceId::new(cashier_device_id)
                .map_err(|e| format!("cashierDeviceId {cashier_device_id:?}: {e}"))?,
            store_id: StoreId::new(store_id).map_err(|e| format!("store {store_id:?}: {e}"))?,
        })
    }

    /// The single register of demo mode: `demo-token` → `DEMO-POS-1` in `DEMO-STORE`.
    pub fn demo() -> RegisterToken {
        RegisterToken::new(DEMO_TOKEN, DEMO_CASHIER_DEVICE_ID, DEMO_STORE_ID)
            .expect("demo ids are valid")
    }
}

/// A PingPong merchant account and the host to call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PingPongAccount {
    /// Base URL without a trailing slash, e.g. `https://sandbox-acquirer-payment.pingpongx.com`.
    pub base_url: String,
    /// `accId`: the PingPong store number.
    pub acc_id: String,
    /// `clientId`: the PingPong merchant number.
    pub client_id: String,
    /// The signing salt (secret).
    pub salt: Secret,
    /// Signature algorithm of requests (responses are verified with the one they name).
    pub sign_type: SignType,
}

/// PingPong's public sandbox host (reference §1.1).
pub const PINGPONG_SANDBOX_URL: &str = "https://sandbox-acquirer-payment.pingpongx.com";

/// Settings of the embedded sandbox (demo mode only).
#[derive(Clone, Debug, PartialEq)]
pub struct SandboxOptions {
    /// Multiplies the sandbox's notification retry schedule; 1.0 is PingPong's real pace.
    pub time_scale: f64,
    /// How long a sandbox refund stays PROCESSING.
    pub refund_delay: Duration,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            time_scale: 1.0,
            refund_delay: Duration::from_secs(2),
        }
    }
}

/// Where the proxy sends signed requests, and whether the start configuration defines the
/// merchant `default`.
#[derive(Clone, Debug, PartialEq)]
pub enum Upstream {
    /// Demo mode: the sandbox runs inside the proxy, nested at `/sandbox` on its own
    /// listener, and is called over real HTTP; the merchant `default` is the demo merchant
    /// on the public sandbox account A.
    Demo(SandboxOptions),
    /// A real PingPong host (or any server speaking v4, such as a standalone sandbox), with
    /// the merchant `default` on this account (the single-merchant flags).
    PingPong(PingPongAccount),
    /// A real PingPong host at this base URL, serving only the merchants of the database
    /// (a platform: merchants added with the command line or the admin API).
    Platform {
        /// Base URL without a trailing slash.
        base_url: String,
    },
}

/// PingPong's `paymentMethod.type` for each contract method (docs/protocol-choices.md #1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodNames {
    /// Sent for `ALIPAY`. Default `AlipayCN-Offline`.
    pub alipay: String,
    /// Sent for `WECHAT`. Default `Wechat-Offline`.
    pub wechat: String,
}

impl Default for MethodNames {
    fn default() -> Self {
        MethodNames {
            alipay: "AlipayCN-Offline".into(),
            wechat: "Wechat-Offline".into(),
        }
    }
}

impl MethodNames {
    /// The upstream name of `method`.
    pub fn name(&self, method: Method) -> &str {
        match method {
            Method::Alipay => &self.alipay,
            Method::Wechat => &self.wechat,
        }
    }

    /// The method catalogue of the merchant `default`: both methods, any currency.
    pub fn catalogue(&self) -> Vec<MethodConfig> {
        Method::ALL
            .into_iter()
            .map(|method| MethodConfig {
                method,
                kind: self.name(method).to_owned(),
                currencies: Vec::new(),
            })
            .collect()
    }
}

/// Limits of upstream calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpstreamTimeouts {
    /// Time to open a connection. A call that cannot connect was not sent, so it is retried.
    pub connect: Duration,
    /// Time for the whole exchange. A call that times out after sending has an unknown
    /// outcome: it is not retried inline but completed later with the same ids.
    pub request: Duration,
    /// Sends per call when PingPong cannot be reached or answers 5xx (1 = no retry).
    pub attempts: u32,
    /// Pause before the first retry; each next pause is three times longer.
    pub backoff: Duration,
}

impl Default for UpstreamTimeouts {
    fn default() -> Self {
        UpstreamTimeouts {
            connect: Duration::from_secs(3),
            request: Duration::from_secs(10),
            attempts: 3,
            backoff: Duration::from_millis(100),
        }
    }
}

/// Limits of the proxy's own listener, against clients that connect and stall (docs/proxy.md,
/// "Limits").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Time for a request's headers, from the connection's start or the previous answer's
    /// end: also how long an idle connection stays open. Default 10 s.
    pub header_read: Duration,
    /// Time for a request's whole body, from its headers. Default 10 s.
    pub body_read: Duration,
    /// Connections held at once. Beyond it the oldest connection without a request in
    /// progress is closed to make room; when every one is busy a new one is answered
    /// `503 BUSY`. `None`: the open-file limit less [`FILES_RESERVED`] (16..=16384).
    pub max_connections: Option<usize>,
    /// Event streams open at once (each holds a connection busy); beyond it
    /// `GET /v1/events` answers `503 BUSY`. `None`: half of `max_connections`.
    pub max_event_streams: Option<usize>,
}

/// Open files kept for the journal, upstream calls and the rest when the connection cap
/// is derived from the open-file limit.
pub const FILES_RESERVED: usize = 64;

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read: Duration::from_secs(10),
            body_read: Duration::from_secs(10),
            max_connections: None,
            max_event_streams: None,
        }
    }
}

impl ConnectionLimits {
    /// `(max_connections, max_event_streams)` for a process that may open `open_files`
    /// files.
    pub fn resolve(&self, open_files: u64) -> (usize, usize) {
        let derived = usize::try_from(open_files)
            .unwrap_or(usize::MAX)
            .saturating_sub(FILES_RESERVED)
            .clamp(16, 16_384);
        let connections = self.max_connections.unwrap_or(derived);
        let streams = self.max_event_streams.unwrap_or(connections / 2);
        (connections, streams)
    }
}

/// Everything a proxy needs to start. [`Config::default`] is demo mode on `127.0.0.1:8080`.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (see [`crate::ProxyHandle::addr`]).
    pub listen: SocketAddr,
    /// The URL PingPong and browsers reach this proxy at, without a trailing slash.
    /// `None`: `http://{bound address}`. Notifications go to `{public_url}/notify/pingpong`.
    pub public_url: Option<String>,
    /// The SQLite journal file (created when missing).
    pub database: PathBuf,
    /// The master key that seals salts and the register-token key. Unset: the key file
    /// beside the database, created by demo mode on its first start.
    pub master_key: KeyChoice,
    /// The key of the admin API (`/admin/v1/…`); `None`: the admin API is off.
    pub admin_key: Option<Secret>,
    /// Origins allowed to call the API from a browser (CORS), e.g. `https://pos.example.com`.
    pub allow_origins: Vec<String>,
    /// Register credentials of the merchant `default` (the tokens file). Demo mode with none
    /// configured has [`RegisterToken::demo`] alone; with any configured, `demo-token` is not
    /// a register.
    pub registers: Vec<RegisterToken>,
    /// PingPong, or the embedded sandbox.
    pub upstream: Upstream,
    /// `paymentMethod.type` names (choice #1).
    pub methods: MethodNames,
    /// How `timeExpire` is written (choice #2).
    pub time_expire_format: TimeExpireFormat,
    /// Whether PingPong treats FAILED as final for this merchant (choice #11).
    pub failure_mode: FailureMode,
    /// Directory served at `/` (the demo register).
    pub www_dir: PathBuf,
    /// Directory served at `/pkg/` (the wasm package).
    pub pkg_dir: PathBuf,
    /// Upstream timeouts and retries.
    pub timeouts: UpstreamTimeouts,
    /// How long an event-stream ticket may be used to open `GET /v1/events`.
    pub ticket_ttl: Duration,
    /// Interval of SSE keep-alive comments.
    pub keep_alive: Duration,
    /// Time limits and caps of the listener.
    pub connections: ConnectionLimits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            database: PathBuf::from("pingpong-qr-proxy.sqlite"),
            master_key: KeyChoice::Unset,
            admin_key: None,
            allow_origins: Vec::new(),
            registers: Vec::new(),
            upstream: Upstream::Demo(SandboxOptions::default()),
            methods: MethodNames::default(),
            time_expire_format: TimeExpireFormat::default(),
            failure_mode: FailureMode::default(),
            www_dir: PathBuf::from("www"),
            pkg_dir: PathBuf::from("pkg"),
            timeouts: UpstreamTimeouts::default(),
            ticket_ttl: Duration::from_secs(120),
            keep_alive: Duration::from_secs(15),
            connections: ConnectionLimits::default(),
        }
    }
}

impl Config {
    /// Demo mode on a free loopback port with `database`: what tests start from.
    pub fn demo(database: impl Into<PathBuf>) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database: database.into(),
            ..Config::default()
        }
    }

    /// Whether the embedded sandbox is used.
    pub fn is_demo(&self) -> bool {
        matches!(self.upstream, Upstream::Demo(_))
    }

    /// Checks what can be checked before binding: URLs, origins, tokens.
    pub fn check(&self) -> Result<(), String> {
        if let Some(url) = &self.public_url {
            check_base_url("public URL", url)?;
        }
        for origin in &self.allow_origins {
            check_origin(origin)?;
        }
        match &self.upstream {
            Upstream::PingPong(account) => {
                check_base_url("PingPong base URL", &account.base_url)?;
                if account.acc_id.is_empty() || account.client_id.is_empty() {
                    return Err("PingPong accId and clientId must not be empty".into());
                }
                if account.salt.expose().trim().is_empty() {
                    return Err("the PingPong salt must not be empty".into());
                }
            }
            Upstream::Platform { base_url } => {
                check_base_url("PingPong base URL", base_url)?;
                if !self.registers.is_empty() {
                    return Err("platform mode has no merchant `default`, so no configured \
                                register tokens: add registers with `register add` or the \
                                admin API"
                        .into());
                }
            }
            Upstream::Demo(options) => {
                if !options.time_scale.is_finite() || options.time_scale < 0.0 {
                    return Err("--sandbox-time-scale must be a finite number ≥ 0".into());
                }
            }
        }
        for (i, a) in self.registers.iter().enumerate() {
            if self.registers[..i].iter().any(|b| b.token == a.token) {
                return Err(format!(
                    "two registers share one token (register {}, device {})",
                    i + 1,
                    a.cashier_device_id
                ));
            }
        }
        if self.timeouts.attempts == 0 {
            return Err("upstream attempts must be at least 1".into());
        }
        if self
            .admin_key
            .as_ref()
            .is_some_and(|k| k.expose().len() < 32)
        {
            return Err(
                "the admin key must be at least 32 characters (e.g. `openssl rand \
                        -hex 32`)"
                    .into(),
            );
        }
        let limits = &self.connections;
        if limits.header_read.is_zero() || limits.body_read.is_zero() {
            return Err("the header and body timeouts must be longer than 0".into());
        }
        if limits.max_connections.is_some_and(|c| c < 2) {
            return Err("--max-connections must be at least 2".into());
        }
        if limits.max_event_streams == Some(0) {
            return Err("--max-event-streams must be at least 1".into());
        }
        if let (Some(c), Some(s)) = (limits.max_connections, limits.max_event_streams)
            && s >= c
        {
            return Err(
                "--max-event-streams must be below --max-connections: streams hold their \
                 connections, and requests need some"
                    .into(),
            );
        }
        Ok(())
    }
}

fn check_base_url(what: &str, url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("{what} must start with http:// or https:// ({url})"))?;
    if rest.is_empty() || url.ends_with('/') || url.contains(['?', '#', ' ']) {
        return Err(format!(
            "{what} must be a base URL without a trailing slash, query or fragment ({url})"
        ));
    }
    Ok(())
}

fn check_origin(origin: &str) -> Result<(), String> {
    if origin.contains('*') {
        return Err(format!(
            "origin {origin:?}: no wildcard; list each allowed origin (scheme://host[:port])"
        ));
    }
    let rest = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .ok_or_else(|| format!("origin must start with http:// or https:// ({origin})"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '*']) {
        return Err(format!(
            "origin must be scheme://host[:port], no path and no wildcard ({origin})"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug() {
        let t = RegisterToken::new("tok-123456", "POS-1", "S1").unwrap();
        let text = format!("{t:?}");
        assert!(!text.contains("tok-123456") && text.contains("POS-1"));
    }

    #[test]
    fn register_tokens_are_validated() {
        assert!(RegisterToken::new("", "POS-1", "S1").is_err());
        assert!(RegisterToken::new("a b", "POS-1", "S1").is_err());
        assert!(RegisterToken::new("tok", "POS 1", "S1").is_err());
        assert!(RegisterToken::new("tok", "POS-1", "").is_err());
    }

    #[test]
    fn checks_urls_and_origins() {
        let mut c = Config::demo("x.sqlite");
        assert!(c.check().is_ok());
        c.public_url = Some("http://h:1/".into());
        assert!(c.check().is_err());
        c.public_url = Some("http://h:1".into());
        c.allow_origins = vec!["https://pos.example.com".into()];
        assert!(c.check().is_ok());
        c.allow_origins = vec!["*".into()];
        assert!(c.check().is_err());
        c.allow_origins = vec!["https://pos.example.com/".into()];
        assert!(c.check().is_err());
    }

    #[test]
    fn connection_caps_follow_the_open_file_limit() {
        let d = ConnectionLimits::default();
        assert_eq!(d.resolve(256), (192, 96));
        assert_eq!(d.resolve(1024), (960, 480));
        assert_eq!(d.resolve(20), (16, 8));
        assert_eq!(d.resolve(u64::MAX), (16_384, 8_192));
        let set = ConnectionLimits {
            max_connections: Some(100),
            max_event_streams: Some(10),
            ..d
        };
        assert_eq!(set.resolve(256), (100, 10));
        let mut c = Config::demo("x.sqlite");
        c.connections.max_connections = Some(10);
        c.connections.max_event_streams = Some(10);
        assert!(c.check().unwrap_err().contains("below --max-connections"));
    }

    #[test]
    fn two_registers_never_share_a_token() {
        let mut c = Config::demo("x.sqlite");
        c.upstream = Upstream::PingPong(PingPongAccount {
            base_url: PINGPONG_SANDBOX_URL.into(),
            acc_id: "a".into(),
            client_id: "c".into(),
            salt: Secret::new("s"),
            sign_type: SignType::Sha256,
        });
        c.registers.push(RegisterToken::new("t", "P", "S").unwrap());
        assert!(c.check().is_ok());
        c.registers.push(RegisterToken::new("t", "Q", "S").unwrap());
        assert!(c.check().unwrap_err().contains("share one token"));
    }

    #[test]
    fn platform_mode_takes_no_configured_token() {
        let mut c = Config::demo("x.sqlite");
        c.upstream = Upstream::Platform {
            base_url: PINGPONG_SANDBOX_URL.into(),
        };
        assert!(c.check().is_ok());
        c.registers.push(RegisterToken::demo());
        assert!(c.check().unwrap_err().contains("platform mode"));
    }

    #[test]
    fn a_short_admin_key_is_refused() {
        let mut c = Config::demo("x.sqlite");
        c.admin_key = Some(Secret::new("short"));
        assert!(c.check().unwrap_err().contains("admin key"));
        c.admin_key = Some(Secret::new("k".repeat(32)));
        assert!(c.check().is_ok());
        assert!(Secret::new("a") == Secret::new("a") && Secret::new("a") != Secret::new("b"));
    }
}
