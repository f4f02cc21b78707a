//! The command line: flags, each with an environment variable, turned into a [`Config`].
//!
//! The salt is read from `PINGPONG_SALT` or the file named by `--salt-file` /
//! `PINGPONG_SALT_FILE`, never from a flag (a command line is visible to every user of the
//! machine). Tokens likewise belong in `--tokens-file`; `--token` exists for scripts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use pingpong_protocol::{FailureMode, SignType, TimeExpireFormat};

use crate::config::{
    Config, ConnectionLimits, MethodNames, PINGPONG_SANDBOX_URL, PingPongAccount, SandboxOptions,
    Secret, Upstream, UpstreamTimeouts,
};
use crate::tokens;

const AFTER_HELP: &str = "\
Secrets:
  PINGPONG_SALT            the merchant's signing salt (or PINGPONG_SALT_FILE / --salt-file)

Without PINGPONG_ACC_ID, PINGPONG_CLIENT_ID and a salt the proxy runs in DEMO MODE: the
sandbox runs inside it at /sandbox and, unless --token or --tokens-file configures
registers, the single register token is `demo-token`.";

/// `pingpong-qr-proxy [FLAGS]`.
#[derive(Debug, Parser)]
#[command(
    name = "pingpong-qr-proxy",
    version,
    about = "The signing proxy between browser cash registers and PingPongCheckout (v4).",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "PINGPONG_QR_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// URL PingPong and browsers reach this proxy at [default: http://{bound address}].
    #[arg(long, env = "PINGPONG_QR_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The SQLite journal file.
    #[arg(
        long,
        env = "PINGPONG_QR_DATABASE",
        default_value = "pingpong-qr-proxy.sqlite"
    )]
    pub database: PathBuf,
    /// A browser origin allowed to call the API (repeatable; env: comma-separated).
    #[arg(
        long = "allow-origin",
        env = "PINGPONG_QR_ALLOW_ORIGINS",
        value_delimiter = ','
    )]
    pub allow_origins: Vec<String>,
    /// File of register tokens: `TOKEN CASHIER_DEVICE_ID STORE_ID` per line.
    #[arg(long, env = "PINGPONG_QR_TOKENS_FILE")]
    pub tokens_file: Option<PathBuf>,
    /// A register token `TOKEN:CASHIER_DEVICE_ID:STORE_ID` (repeatable; env: comma-separated).
    #[arg(
        long = "token",
        env = "PINGPONG_QR_TOKENS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub tokens: Vec<String>,
    /// PingPong's base URL.
    #[arg(long, env = "PINGPONG_BASE_URL", default_value = PINGPONG_SANDBOX_URL)]
    pub base_url: String,
    /// PingPong `accId` (the store number).
    #[arg(long, env = "PINGPONG_ACC_ID")]
    pub acc_id: Option<String>,
    /// PingPong `clientId` (the merchant number).
    #[arg(long, env = "PINGPONG_CLIENT_ID")]
    pub client_id: Option<String>,
    /// File holding the salt (first line).
    #[arg(long, env = "PINGPONG_SALT_FILE")]
    pub salt_file: Option<PathBuf>,
    /// Signature algorithm: SHA256 or MD5.
    #[arg(long, env = "PINGPONG_SIGN_TYPE", default_value = "SHA256", value_parser = parse_sign_type)]
    pub sign_type: SignType,
    /// `paymentMethod.type` sent for ALIPAY (docs/protocol-choices.md #1).
    #[arg(
        long,
        env = "PINGPONG_METHOD_ALIPAY",
        default_value = "AlipayCN-Offline"
    )]
    pub method_alipay: String,
    /// `paymentMethod.type` sent for WECHAT (docs/protocol-choices.md #1).
    #[arg(long, env = "PINGPONG_METHOD_WECHAT", default_value = "Wechat-Offline")]
    pub method_wechat: String,
    /// `timeExpire` format: epoch-seconds or duration-minutes (docs/protocol-choices.md #2).
    #[arg(long, env = "PINGPONG_TIME_EXPIRE_FORMAT", default_value = "epoch-seconds", value_parser = parse_time_expire)]
    pub time_expire_format: TimeExpireFormat,
    /// PingPong runs this merchant in "failure final state" mode (docs/protocol-choices.md #11).
    #[arg(long, env = "PINGPONG_FAILURE_FINAL")]
    pub failure_final: bool,
    /// Directory served at / (the demo register).
    #[arg(long, env = "PINGPONG_QR_WWW", default_value = "www")]
    pub www: PathBuf,
    /// Directory served at /pkg/ (the wasm package).
    #[arg(long, env = "PINGPONG_QR_PKG", default_value = "pkg")]
    pub pkg: PathBuf,
    /// Demo mode: multiplies the sandbox's notification retry schedule.
    #[arg(long, env = "PINGPONG_SANDBOX_TIME_SCALE", default_value_t = 1.0)]
    pub sandbox_time_scale: f64,
    /// Demo mode: how long a sandbox refund stays PROCESSING, in ms.
    #[arg(long, env = "PINGPONG_SANDBOX_REFUND_DELAY_MS", default_value_t = 2000)]
    pub sandbox_refund_delay_ms: u64,
    /// Time to connect to PingPong, in ms.
    #[arg(long, env = "PINGPONG_CONNECT_TIMEOUT_MS", default_value_t = 3000)]
    pub connect_timeout_ms: u64,
    /// Time for a whole PingPong exchange, in ms; after it the outcome is unknown.
    #[arg(long, env = "PINGPONG_TIMEOUT_MS", default_value_t = 10_000)]
    pub timeout_ms: u64,
    /// Sends per PingPong call when it is unreachable or answers 5xx.
    #[arg(long, env = "PINGPONG_ATTEMPTS", default_value_t = 3)]
    pub attempts: u32,
    /// Time for a request's headers (and for an idle connection), in ms.
    #[arg(long, env = "PINGPONG_QR_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    pub header_timeout_ms: u64,
    /// Time for a request's whole body after its headers, in ms.
    #[arg(long, env = "PINGPONG_QR_BODY_TIMEOUT_MS", default_value_t = 10_000)]
    pub body_timeout_ms: u64,
    /// Connections held at once [default: the open-file limit less 64].
    #[arg(long, env = "PINGPONG_QR_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Event streams open at once [default: half the connections].
    #[arg(long, env = "PINGPONG_QR_MAX_EVENT_STREAMS")]
    pub max_event_streams: Option<usize>,
}

fn parse_sign_type(text: &str) -> Result<SignType, String> {
    SignType::parse(text).ok_or_else(|| "expected SHA256 or MD5".into())
}

fn parse_time_expire(text: &str) -> Result<TimeExpireFormat, String> {
    TimeExpireFormat::parse(text).ok_or_else(|| "expected epoch-seconds or duration-minutes".into())
}

impl Cli {
    /// The configuration these flags describe; `salt_env` is `PINGPONG_SALT`.
    pub fn into_config(self, salt_env: Option<String>) -> Result<Config, String> {
        let salt_env = salt_env.filter(|s| !s.trim().is_empty());
        let salt = match (salt_env, &self.salt_file) {
            (Some(_), Some(_)) => {
                return Err("set PINGPONG_SALT or PINGPONG_SALT_FILE, not both".into());
            }
            (Some(s), None) => Some(Secret::new(s.trim())),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read the salt file {}: {e}", path.display()))?;
                let line = text.lines().next().unwrap_or("").trim().to_owned();
                if line.is_empty() {
                    return Err(format!("the salt file {} is empty", path.display()));
                }
                Some(Secret::new(line))
            }
            (None, None) => None,
        };
        let upstream = match (self.acc_id, self.client_id, salt) {
            (None, None, None) => Upstream::Demo(SandboxOptions {
                time_scale: self.sandbox_time_scale,
                refund_delay: Duration::from_millis(self.sandbox_refund_delay_ms),
            }),
            (Some(acc_id), Some(client_id), Some(salt)) => Upstream::PingPong(PingPongAccount {
                base_url: self.base_url.trim_end_matches('/').to_owned(),
                acc_id,
                client_id,
                salt,
                sign_type: self.sign_type,
            }),
            _ => {
                return Err(
                    "set PINGPONG_ACC_ID, PINGPONG_CLIENT_ID and PINGPONG_SALT (or \
                            PINGPONG_SALT_FILE) together, or none of them for demo mode"
                        .into(),
                );
            }
        };
        let mut registers = Vec::new();
        if let Some(path) = &self.tokens_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the tokens file {}: {e}", path.display()))?;
            registers.extend(tokens::parse_file(&text)?);
        }
        for entry in self.tokens.iter().filter(|e| !e.trim().is_empty()) {
            registers.push(tokens::parse_entry(entry)?);
        }
        let config = Config {
            listen: self.listen,
            public_url: self.public_url.map(|u| u.trim_end_matches('/').to_owned()),
            database: self.database,
            allow_origins: self
                .allow_origins
                .into_iter()
                .filter(|o| !o.is_empty())
                .collect(),
            registers,
            upstream,
            methods: MethodNames {
                alipay: self.method_alipay,
                wechat: self.method_wechat,
            },
            time_expire_format: self.time_expire_format,
            failure_mode: if self.failure_final {
                FailureMode::Final
            } else {
                FailureMode::Retryable
            },
            www_dir: self.www,
            pkg_dir: self.pkg,
            timeouts: UpstreamTimeouts {
                connect: Duration::from_millis(self.connect_timeout_ms),
                request: Duration::from_millis(self.timeout_ms),
                attempts: self.attempts,
                ..UpstreamTimeouts::default()
            },
            connections: ConnectionLimits {
                header_read: Duration::from_millis(self.header_timeout_ms),
                body_read: Duration::from_millis(self.body_timeout_ms),
                max_connections: self.max_connections,
                max_event_streams: self.max_event_streams,
            },
            ..Config::default()
        };
        config.check()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Cli {
        let mut all = vec!["pingpong-qr-proxy"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap()
    }

    #[test]
    fn no_credentials_is_demo_mode() {
        let c = cli(&["--listen", "127.0.0.1:0", "--sandbox-time-scale", "0.01"])
            .into_config(None)
            .unwrap();
        assert!(c.is_demo());
        assert_eq!(c.listen.port(), 0);
        assert_eq!(c.database, PathBuf::from("pingpong-qr-proxy.sqlite"));
    }

    #[test]
    fn credentials_come_together_with_a_register() {
        let err = cli(&["--acc-id", "1"]).into_config(None).unwrap_err();
        assert!(err.contains("together"));
        let c = cli(&[
            "--acc-id",
            "1",
            "--client-id",
            "2",
            "--token",
            "tok:POS-1:S1",
            "--sign-type",
            "MD5",
            "--base-url",
            "http://127.0.0.1:9/",
        ])
        .into_config(Some("SALT".into()))
        .unwrap();
        let Upstream::PingPong(account) = &c.upstream else {
            panic!("not real mode")
        };
        assert_eq!(account.salt.expose(), "SALT");
        assert_eq!(account.sign_type, SignType::Md5);
        assert_eq!(account.base_url, "http://127.0.0.1:9");
        assert_eq!(c.registers.len(), 1);
        let err = cli(&["--acc-id", "1", "--client-id", "2"])
            .into_config(Some("SALT".into()))
            .unwrap_err();
        assert!(err.contains("no register token"), "{err}");
    }

    #[test]
    fn refuses_bad_values() {
        let parse = |args: &[&str]| {
            let mut all = vec!["pingpong-qr-proxy"];
            all.extend_from_slice(args);
            Cli::try_parse_from(all)
        };
        assert!(parse(&["--sign-type", "SHA1"]).is_err());
        assert!(parse(&["--time-expire-format", "hours"]).is_err());
        assert!(parse(&["--listen", "nowhere"]).is_err());
        let err = cli(&["--allow-origin", "*"]).into_config(None).unwrap_err();
        assert!(err.contains("wildcard"), "{err}");
    }
}
