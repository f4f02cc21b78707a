//! The command line: flags, each with an environment variable, turned into a [`Config`];
//! and the administration subcommands (`merchant`, `store`, `register`, `master-key`), run
//! against the same database as a running proxy (see [`crate::commands`]).
//!
//! Salts are read from `PINGPONG_SALT` or a file (`--salt-file`, `-` for stdin), never from
//! a flag (a command line is visible to every user of the machine); the master key likewise
//! from `--master-key-file` or `PINGPONG_QR_MASTER_KEY`. Tokens belong in `--tokens-file`;
//! `--token` exists for scripts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use pingpong_protocol::admin::MethodConfig;
use pingpong_protocol::contract::Method;
use pingpong_protocol::{FailureMode, SignType, TimeExpireFormat};

use crate::config::{
    Config, ConnectionLimits, MethodNames, PINGPONG_SANDBOX_URL, PingPongAccount, SandboxOptions,
    Secret, Upstream, UpstreamTimeouts,
};
use crate::keys::{KeyChoice, MasterKey};
use crate::tokens;

const AFTER_HELP: &str = "\
Secrets:
  PINGPONG_SALT            the merchant `default`'s signing salt (or PINGPONG_SALT_FILE)
  PINGPONG_QR_MASTER_KEY   the master key, 64 hex characters (or --master-key-file)

Without PINGPONG_ACC_ID, PINGPONG_CLIENT_ID and a salt, and without --platform, the proxy
runs in DEMO MODE: the sandbox runs inside it at /sandbox and, unless --token or
--tokens-file configures registers, the single register token is `demo-token`.";

/// `pingpong-qr-proxy [FLAGS]`.
#[derive(Debug, Parser)]
#[command(
    name = "pingpong-qr-proxy",
    version,
    about = "The signing proxy between browser cash registers and PingPongCheckout (v4).",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Administration of the database instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
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
        default_value = "pingpong-qr-proxy.sqlite",
        global = true
    )]
    pub database: PathBuf,
    /// File holding the master key (64 hex characters) that seals salts and the
    /// register-token key [default: the file `{database}.key` if it exists; demo mode
    /// creates it].
    #[arg(long, env = "PINGPONG_QR_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,
    /// File holding the admin API's key (at least 32 characters); without it the admin API
    /// is off.
    #[arg(long, env = "PINGPONG_QR_ADMIN_KEY_FILE")]
    pub admin_key_file: Option<PathBuf>,
    /// Serve only the merchants of the database (added with `merchant add` or the admin
    /// API), calling PingPong at --base-url: no demo mode, no merchant `default`.
    #[arg(long, env = "PINGPONG_QR_PLATFORM")]
    pub platform: bool,
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

/// The administration subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Merchants: one PingPong account each.
    #[command(subcommand)]
    Merchant(MerchantCommand),
    /// A merchant's stores.
    #[command(subcommand)]
    Store(StoreCommand),
    /// The registers of a merchant's stores, and their tokens.
    #[command(subcommand)]
    Register(RegisterCommand),
    /// The master key.
    #[command(subcommand, name = "master-key")]
    MasterKey(MasterKeyCommand),
}

/// How administration commands print: a table for people, or the admin API's JSON.
#[derive(Debug, Args)]
pub struct Output {
    /// Print the admin API's JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// A merchant's settings on the command line (`merchant add`, `merchant update`).
#[derive(Debug, Args)]
pub struct MerchantArgs {
    /// Display name.
    #[arg(long)]
    pub name: Option<String>,
    /// PingPong `accId`.
    #[arg(long)]
    pub acc_id: Option<String>,
    /// PingPong `clientId`.
    #[arg(long)]
    pub client_id: Option<String>,
    /// File whose first line is the salt (`-`: stdin). Never a flag value.
    #[arg(long)]
    pub salt_file: Option<PathBuf>,
    /// SHA256 or MD5.
    #[arg(long, value_parser = parse_sign_type)]
    pub sign_type: Option<SignType>,
    /// A QR method, repeatable: METHOD=TYPE[:CUR,CUR…], e.g. `ALIPAY=AlipayHK-Offline:HKD`
    /// (no currency: any). Given at all, the list replaces the merchant's methods.
    #[arg(long = "method", value_parser = parse_method)]
    pub methods: Vec<MethodConfig>,
    /// "Failure final state" mode: true or false.
    #[arg(long)]
    pub failure_final: Option<bool>,
    /// epoch-seconds or duration-minutes.
    #[arg(long)]
    pub time_expire_format: Option<String>,
}

/// `merchant …`.
#[derive(Debug, Subcommand)]
pub enum MerchantCommand {
    /// Adds a merchant (its salt sealed under the master key).
    Add {
        /// The merchant's id (names its notification path /notify/pingpong/{id}).
        #[arg(long)]
        id: String,
        /// Its settings.
        #[command(flatten)]
        settings: MerchantArgs,
        /// How to print.
        #[command(flatten)]
        output: Output,
    },
    /// Lists the merchants (salts as fingerprints).
    List {
        /// How to print.
        #[command(flatten)]
        output: Output,
    },
    /// Changes a merchant's settings; only what is given changes.
    Update {
        /// The merchant's id.
        id: String,
        /// Its settings.
        #[command(flatten)]
        settings: MerchantArgs,
        /// Serve it (true) or refuse its registers at once (false).
        #[arg(long)]
        enabled: Option<bool>,
        /// How to print.
        #[command(flatten)]
        output: Output,
    },
    /// Refuses the merchant's registers at once (its open event streams close).
    Disable {
        /// The merchant's id.
        id: String,
        /// How to print.
        #[command(flatten)]
        output: Output,
    },
}

/// `store …`.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Adds a store to a merchant.
    Add {
        /// The merchant.
        #[arg(long)]
        merchant: String,
        /// The store's id.
        #[arg(long)]
        id: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// How to print.
        #[command(flatten)]
        output: Output,
    },
    /// Lists a merchant's stores.
    List {
        /// The merchant.
        #[arg(long)]
        merchant: String,
        /// How to print.
        #[command(flatten)]
        output: Output,
    },
}

/// `register …`.
#[derive(Debug, Subcommand)]
pub enum RegisterCommand {
    /// Adds a register and prints its token, once (only a keyed hash is kept).
    Add {
        /// The merchant.
        #[arg(long)]
        merchant: String,
        /// The store.
        #[arg(long)]
        store: String,
        /// The cashierDeviceId sent to PingPong for its payments.
        #[arg(long)]
        cashier_device_id: String,
        /// A label for people.
        #[arg(long, default_value = "")]
        label: String,
        /// How to print.
        #[command(flatten)]
        output: Output,
    },
    /// Lists a merchant's registers (never their tokens).
    List {
        /// The merchant.
        #[arg(long)]
        merchant: String,
        /// Only this store's.
        #[arg(long)]
        store: Option<String>,
        /// How to print.
        #[command(flatten)]
        output: Output,
    },
    /// Revokes a register: its token is refused at once and its event streams close.
    Revoke {
        /// The merchant.
        #[arg(long)]
        merchant: String,
        /// The register's id (`register list`).
        id: String,
        /// How to print.
        #[command(flatten)]
        output: Output,
    },
}

/// `master-key …`.
#[derive(Debug, Subcommand)]
pub enum MasterKeyCommand {
    /// Re-seals every salt and the register-token key under a new master key, in one
    /// transaction; register tokens stay valid. Stop the proxy first, then start it with
    /// the new key.
    Rotate {
        /// File holding the new key (64 hex characters, e.g. `openssl rand -hex 32`).
        #[arg(long)]
        new_key_file: PathBuf,
    },
}

fn parse_method(text: &str) -> Result<MethodConfig, String> {
    let usage = "expected METHOD=TYPE[:CUR,CUR…], e.g. ALIPAY=AlipayHK-Offline:HKD";
    let (method, rest) = text.split_once('=').ok_or(usage)?;
    let method = Method::parse(method.trim()).ok_or("METHOD is ALIPAY or WECHAT")?;
    let (kind, currencies) = match rest.split_once(':') {
        Some((kind, list)) => (
            kind,
            list.split(',')
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect(),
        ),
        None => (rest, Vec::new()),
    };
    if kind.trim().is_empty() {
        return Err(usage.into());
    }
    Ok(MethodConfig {
        method,
        kind: kind.trim().to_owned(),
        currencies,
    })
}

/// The master key these flags and `PINGPONG_QR_MASTER_KEY` (`key_env`) give.
pub fn key_choice(file: Option<PathBuf>, key_env: Option<String>) -> Result<KeyChoice, String> {
    let key_env = key_env.filter(|k| !k.trim().is_empty());
    match (file, key_env) {
        (Some(_), Some(_)) => Err(
            "set --master-key-file (PINGPONG_QR_MASTER_KEY_FILE) or PINGPONG_QR_MASTER_KEY, \
             not both"
                .into(),
        ),
        (Some(path), None) => Ok(KeyChoice::File(path)),
        (None, Some(hex)) => Ok(KeyChoice::Key(std::sync::Arc::new(
            MasterKey::from_hex(&hex).map_err(|e| format!("PINGPONG_QR_MASTER_KEY: {e}"))?,
        ))),
        (None, None) => Ok(KeyChoice::Unset),
    }
}

/// The first line of a secret file, or of stdin for `-`; never empty.
pub fn read_secret(path: &std::path::Path, what: &str) -> Result<Secret, String> {
    let text = if path.as_os_str() == "-" {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the {what} from stdin: {e}"))?;
        line
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the {what} file {}: {e}", path.display()))?
    };
    let line = text.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        return Err(format!("the {what} is empty ({})", path.display()));
    }
    Ok(Secret::new(line))
}

impl Cli {
    /// The configuration these flags describe; `salt_env` is `PINGPONG_SALT`, `key_env`
    /// is `PINGPONG_QR_MASTER_KEY`.
    pub fn into_config(
        self,
        salt_env: Option<String>,
        key_env: Option<String>,
    ) -> Result<Config, String> {
        let master_key = key_choice(self.master_key_file.clone(), key_env)?;
        let admin_key = self
            .admin_key_file
            .as_deref()
            .map(|p| read_secret(p, "admin key"))
            .transpose()?;
        let salt_env = salt_env.filter(|s| !s.trim().is_empty());
        let salt = match (salt_env, &self.salt_file) {
            (Some(_), Some(_)) => {
                return Err("set PINGPONG_SALT or PINGPONG_SALT_FILE, not both".into());
            }
            (Some(s), None) => Some(Secret::new(s.trim())),
            (None, Some(path)) => Some(read_secret(path, "salt")?),
            (None, None) => None,
        };
        let upstream = match (self.acc_id, self.client_id, salt) {
            (None, None, None) if self.platform => Upstream::Platform {
                base_url: self.base_url.trim_end_matches('/').to_owned(),
            },
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
            _ if self.platform => {
                return Err("--platform serves the database's merchants only: drop \
                            PINGPONG_ACC_ID, PINGPONG_CLIENT_ID and the salt"
                    .into());
            }
            _ => {
                return Err(
                    "set PINGPONG_ACC_ID, PINGPONG_CLIENT_ID and PINGPONG_SALT (or \
                            PINGPONG_SALT_FILE) together, or none of them for demo mode"
                        .into(),
                );
            }
        };
        if self.platform && !(self.tokens.is_empty() && self.tokens_file.is_none()) {
            return Err(
                "--platform takes no --token or --tokens-file: add registers with \
                        `register add` or the admin API"
                    .into(),
            );
        }
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
            master_key,
            admin_key,
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
            .into_config(None, None)
            .unwrap();
        assert!(c.is_demo());
        assert_eq!(c.listen.port(), 0);
        assert_eq!(c.database, PathBuf::from("pingpong-qr-proxy.sqlite"));
    }

    #[test]
    fn credentials_come_together() {
        let err = cli(&["--acc-id", "1"]).into_config(None, None).unwrap_err();
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
        .into_config(Some("SALT".into()), None)
        .unwrap();
        let Upstream::PingPong(account) = &c.upstream else {
            panic!("not real mode")
        };
        assert_eq!(account.salt.expose(), "SALT");
        assert_eq!(account.sign_type, SignType::Md5);
        assert_eq!(account.base_url, "http://127.0.0.1:9");
        assert_eq!(c.registers.len(), 1);
    }

    #[test]
    fn reads_administration_commands() {
        let c = cli(&[
            "merchant",
            "add",
            "--id",
            "m1",
            "--name",
            "Café",
            "--acc-id",
            "1",
            "--client-id",
            "2",
            "--salt-file",
            "-",
            "--method",
            "ALIPAY=AlipayHK-Offline:HKD",
            "--method",
            "WECHAT=Wechat-Offline:CNY,HKD",
            "--database",
            "x.sqlite",
        ]);
        assert_eq!(c.database, PathBuf::from("x.sqlite"));
        let Some(Command::Merchant(MerchantCommand::Add { id, settings, .. })) = c.command else {
            panic!("not merchant add")
        };
        assert_eq!(id, "m1");
        assert_eq!(settings.methods.len(), 2);
        assert_eq!(settings.methods[1].currencies, ["CNY", "HKD"]);
        assert_eq!(settings.methods[0].kind, "AlipayHK-Offline");
        assert!(parse_method("PAYPAL=x").is_err());
        assert!(parse_method("ALIPAY").is_err());
        assert!(parse_method("ALIPAY=").is_err());
        let c = cli(&["register", "revoke", "--merchant", "m1", "RG1", "--json"]);
        assert!(matches!(
            c.command,
            Some(Command::Register(RegisterCommand::Revoke {
                output: Output { json: true },
                ..
            }))
        ));
    }

    #[test]
    fn the_master_key_comes_from_one_place() {
        assert!(matches!(key_choice(None, None), Ok(KeyChoice::Unset)));
        let hex = "11".repeat(32);
        assert!(matches!(
            key_choice(None, Some(hex.clone())),
            Ok(KeyChoice::Key(_))
        ));
        assert!(key_choice(Some("k".into()), Some(hex)).is_err());
        let e = key_choice(None, Some("nothex".into())).unwrap_err();
        assert!(e.contains("64 hex"), "{e}");
    }

    #[test]
    fn platform_mode_serves_the_database_only() {
        let c = cli(&["--platform", "--base-url", "https://pp.example"])
            .into_config(None, None)
            .unwrap();
        assert_eq!(
            c.upstream,
            Upstream::Platform {
                base_url: "https://pp.example".into()
            }
        );
        assert!(
            cli(&["--platform", "--acc-id", "1"])
                .into_config(None, None)
                .is_err()
        );
        assert!(
            cli(&["--platform", "--token", "t:P:S"])
                .into_config(None, None)
                .is_err()
        );
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
        let err = cli(&["--allow-origin", "*"])
            .into_config(None, None)
            .unwrap_err();
        assert!(err.contains("wildcard"), "{err}");
    }
}
