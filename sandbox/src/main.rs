//! `pingpong-sandbox --listen 127.0.0.1:PORT`: the PingPong sandbox on its own.
//!
//! Prints its URL and the accIds it accepts (never a salt), then serves until stopped.

use std::time::Duration;

use clap::Parser;
use pingpong_protocol::{FailureMode, TimeExpireFormat};
use pingpong_sandbox::{Account, Sandbox, SandboxConfig};

/// A local simulator of PingPongCheckout's v4 acquirer for the in-person QR flow.
#[derive(Parser, Debug)]
#[command(name = "pingpong-sandbox", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: String,
    /// Base URL where this sandbox is reachable, used in qrCode/qrUrl (default: http://LISTEN).
    #[arg(long)]
    public_url: Option<String>,
    /// Multiplies the notification retry schedule (0.001 runs it in seconds).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// How long a refund stays PROCESSING, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    refund_delay_ms: u64,
    /// A merchant account ACC:CLIENT:SALT; repeat for more. Replaces the default sandbox accounts.
    #[arg(long = "account", value_name = "ACC:CLIENT:SALT")]
    accounts: Vec<String>,
    /// Accepted paymentMethod.type; repeat for more. Replaces the defaults.
    #[arg(long = "method", value_name = "TYPE")]
    methods: Vec<String>,
    /// The store name shown on the wallet page.
    #[arg(long, default_value = "PingPong Sandbox Store")]
    merchant_name: String,
    /// How timeExpire is read: epoch-seconds or duration-minutes.
    #[arg(long, default_value = "epoch-seconds")]
    time_expire_format: String,
    /// A declined payment ends its order (PingPong's optional "failure final state").
    #[arg(long)]
    failure_final: bool,
    /// Keep the state in this SQLite file (created when missing), so a restart on it loses
    /// nothing; without it the state lives in memory.
    #[arg(long)]
    database: Option<std::path::PathBuf>,
    /// A browser origin allowed to use the wallet and control routes (repeatable); without
    /// it, any page may (`Access-Control-Allow-Origin: *`).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    if let Err(message) = run(Args::parse()).await {
        eprintln!("pingpong-sandbox: {message}");
        std::process::exit(2);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let mut config = SandboxConfig::default();
    if !args.accounts.is_empty() {
        config.accounts = args
            .accounts
            .iter()
            .map(|a| Account::parse(a).ok_or("--account must be ACC:CLIENT:SALT"))
            .collect::<Result<_, _>>()?;
    }
    if !args.methods.is_empty() {
        config.methods = args.methods;
    }
    if !(args.time_scale.is_finite() && args.time_scale >= 0.0) {
        return Err("--time-scale must be a number >= 0".into());
    }
    config.time_scale = args.time_scale;
    config.refund_delay = Duration::from_millis(args.refund_delay_ms);
    config.merchant_name = args.merchant_name;
    config.time_expire_format = TimeExpireFormat::parse(&args.time_expire_format)
        .ok_or("--time-expire-format must be epoch-seconds or duration-minutes")?;
    if args.failure_final {
        config.failure_mode = FailureMode::Final;
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    config.public_url = args
        .public_url
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_owned();
    println!("pingpong-sandbox listening on http://{addr}");
    println!("public URL: {}", config.public_url);
    for account in &config.accounts {
        println!(
            "account: accId {} clientId {}",
            account.acc_id, account.client_id
        );
    }
    match &args.database {
        Some(path) => println!("state: {}", path.display()),
        None => println!("state: in memory (lost at exit; --database FILE keeps it)"),
    }
    if !args.allow_origins.is_empty() {
        config.allowed_origins = Some(args.allow_origins);
    }
    let sandbox = match &args.database {
        Some(path) => Sandbox::open(config, path).map_err(|e| e.to_string())?,
        None => Sandbox::new(config),
    };
    pingpong_sandbox::serve(sandbox, listener)
        .await
        .map_err(|e| format!("server stopped: {e}"))
}
