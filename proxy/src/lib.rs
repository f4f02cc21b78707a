//! pingpong-qr-proxy: the reference signing proxy between browser cash registers and
//! PingPongCheckout's v4 acquirer.
//!
//! The browser never holds a salt: registers call this proxy with a bearer token; the
//! proxy finds the register's merchant and store from the token, applies the merchant's
//! policy (validation, ids, methods, notification URL), signs with that merchant's salt,
//! calls PingPong, verifies the signed answer, journals everything in SQLite, and pushes
//! status changes to the register's store as Server-Sent Events. A platform provisions
//! merchants, stores and registers with the command line or the admin API; salts are
//! sealed under a master key. Without PingPong credentials it runs the sandbox in-process
//! (demo mode).
//!
//! ```no_run
//! # async fn run() -> Result<(), pingpong_qr_proxy::StartError> {
//! use pingpong_qr_proxy::{Config, start};
//! let proxy = start(Config::demo("demo.sqlite")).await?;
//! println!("{} (sandbox at {:?})", proxy.url(), proxy.sandbox_url());
//! proxy.shutdown().await;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod admin;
mod app;
mod auth;
mod body;
pub mod cli;
pub mod commands;
pub mod config;
mod demo;
mod error;
mod events;
mod http;
mod journal;
pub mod keys;
mod listener;
mod locks;
mod merchants;
mod notify;
mod openapi;
mod payments;
mod refunds;
mod seal;
mod statics;
pub mod tokens;
mod upstream;
mod util;
mod vault;
mod verify;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{
    Config, ConnectionLimits, MethodNames, PingPongAccount, RegisterToken, SandboxOptions, Secret,
    Upstream, UpstreamTimeouts,
};
pub use demo::{SANDBOX_PATH, sandbox_database};
pub use keys::{KeyChoice, KeySource, MasterKey};
pub use merchants::DEFAULT_MERCHANT;
pub use openapi::document as openapi_document;
pub use pingpong_sandbox::Sandbox;

use admin::http::AdminKey;
use app::App;
use auth::Registers;
use journal::SharedJournal;
use journal::sqlite::SqliteJournal;
use locks::KeyedLocks;
use merchants::Merchants;
use upstream::PingPong;
use vault::Vault;

/// Why the proxy could not start. The message says what to fix.
#[derive(Debug)]
pub enum StartError {
    /// The configuration is inconsistent (a bad URL, no register token…).
    Config(String),
    /// The address could not be bound.
    Bind(std::io::Error),
    /// The journal file could not be opened or is of a newer schema.
    Journal(String),
    /// The master key is missing, unreadable, or does not open what the database holds.
    Key(String),
    /// Demo mode: the embedded sandbox's state file could not be opened.
    Sandbox(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Config(m) => write!(f, "configuration: {m}"),
            StartError::Bind(e) => write!(f, "cannot listen: {e}"),
            StartError::Journal(m) => write!(f, "cannot open the journal: {m}"),
            StartError::Key(m) => write!(f, "master key: {m}"),
            StartError::Sandbox(m) => write!(f, "cannot open the demo sandbox's state: {m}"),
        }
    }
}

impl std::error::Error for StartError {}

/// A running proxy. Dropping it leaves the server running until the runtime ends; call
/// [`ProxyHandle::shutdown`] to stop it.
pub struct ProxyHandle {
    addr: SocketAddr,
    url: String,
    public_url: String,
    sandbox: Option<Sandbox>,
    key_source: Option<KeySource>,
    demo_register: bool,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
}

impl ProxyHandle {
    /// The bound address (the real port when `listen` had port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://{bound address}`, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL PingPong and browsers are told (notifications go to
    /// `{public_url}/notify/pingpong/{merchantId}`).
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Where the master key came from; `None` when the proxy runs without one.
    pub fn key_source(&self) -> Option<&KeySource> {
        self.key_source.as_ref()
    }

    /// The embedded sandbox (demo mode only).
    pub fn sandbox(&self) -> Option<&Sandbox> {
        self.sandbox.as_ref()
    }

    /// `demo-token`, when it is a register: demo mode with no register configured.
    pub fn demo_token(&self) -> Option<&'static str> {
        self.demo_register.then_some(config::DEMO_TOKEN)
    }

    /// `{url}/sandbox` in demo mode.
    pub fn sandbox_url(&self) -> Option<String> {
        self.sandbox
            .as_ref()
            .map(|_| format!("{}{SANDBOX_PATH}", self.url))
    }

    /// Stops accepting, ends the event streams, and waits (at most 5 s) for requests in
    /// flight to finish.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let mut server = self.server;
        if tokio::time::timeout(Duration::from_secs(5), &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
    }

    /// Runs until the server stops (an I/O error) or `signal` completes, then shuts down.
    pub async fn serve_until(self, signal: impl std::future::Future<Output = ()>) {
        let mut this = self;
        tokio::select! {
            result = &mut this.server => {
                if let Ok(Err(e)) = result {
                    tracing::error!(error = %e, "server stopped");
                }
            }
            () = signal => this.shutdown().await,
        }
    }
}

/// The master key's vault, or `None` when no key is given and the database holds nothing
/// sealed.
async fn open_vault(
    config: &Config,
    journal: &SharedJournal,
) -> Result<(Option<Arc<Vault>>, Option<KeySource>), StartError> {
    let key = config
        .master_key
        .resolve(&config.database, config.is_demo())
        .map_err(StartError::Key)?;
    let Some((key, source)) = key else {
        let sealed_key = journal
            .sealed_key(vault::TOKEN_KEY)
            .await
            .map_err(|e| StartError::Journal(e.to_string()))?;
        let sealed_salt = journal
            .merchants()
            .await
            .map_err(|e| StartError::Journal(e.to_string()))?
            .iter()
            .any(|m| m.sealed_salt.is_some());
        if sealed_key.is_some() || sealed_salt {
            return Err(StartError::Key(format!(
                "{} holds salts or register tokens sealed with a master key, and none is given: \
                 start with --master-key-file or {}",
                config.database.display(),
                keys::MASTER_KEY_ENV
            )));
        }
        return Ok((None, None));
    };
    let vault = Vault::open(journal.as_ref(), &key)
        .await
        .map_err(|e| StartError::Key(format!("{e} (the key given: {source})")))?;
    tracing::info!(%source, "master key opened every sealed salt and key");
    Ok((Some(Arc::new(vault)), Some(source)))
}

/// The merchant `default` the start configuration defines, written to the journal (its
/// salt is kept in memory only) with the stores its configured registers name (so `register
/// add --merchant default` can add a register beside them), and that salt.
async fn startup_merchant(
    config: &Config,
    account: &PingPongAccount,
    registers: &[RegisterToken],
    journal: &SharedJournal,
) -> Result<secrecy::SecretString, StartError> {
    use pingpong_protocol::admin::MerchantSettings;
    let now = util::now_ms();
    let record = journal::MerchantRecord {
        id: pingpong_protocol::MerchantId::new(DEFAULT_MERCHANT).expect("a valid id"),
        settings: MerchantSettings {
            name: if config.is_demo() {
                "Demo merchant (sandbox account A)".into()
            } else {
                "Merchant of the start flags".into()
            },
            acc_id: account.acc_id.clone(),
            client_id: account.client_id.clone(),
            sign_type: account.sign_type,
            methods: config.methods.catalogue(),
            failure_mode: config.failure_mode,
            time_expire_format: config.time_expire_format,
        },
        sealed_salt: None,
        salt_fingerprint: seal::fingerprint(account.salt.expose()),
        enabled: true,
        created_at: now,
        updated_at: now,
    };
    let failed = |e: journal::JournalError| StartError::Journal(e.to_string());
    journal
        .put_startup_merchant(&record)
        .await
        .map_err(failed)?;
    for store in registers.iter().map(|r| &r.store_id) {
        let store = journal::StoreRecord {
            merchant_id: record.id.clone(),
            store_id: store.clone(),
            name: store.as_str().to_owned(),
            created_at: now,
        };
        // Already there (from an earlier start) is fine.
        let _ = journal.add_store(&store).await.map_err(failed)?;
    }
    Ok(secrecy::SecretString::from(account.salt.expose()))
}

/// Binds, opens the journal and the master key's vault, writes the merchant `default` of
/// the start configuration, mounts the sandbox in demo mode, and serves in a background
/// task of the current tokio runtime.
pub async fn start(config: Config) -> Result<ProxyHandle, StartError> {
    config.check().map_err(StartError::Config)?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(StartError::Bind)?;
    let addr = listener.local_addr().map_err(StartError::Bind)?;
    let url = format!("http://{addr}");
    let public_url = config.public_url.clone().unwrap_or_else(|| url.clone());
    let journal: SharedJournal = Arc::new(
        SqliteJournal::open(&config.database).map_err(|e| StartError::Journal(e.to_string()))?,
    );
    let (vault, key_source) = open_vault(&config, &journal).await?;

    let mut registers = config.registers.clone();
    // `demo-token` exists only while no register is configured: a merchant who issued
    // tokens must not find a public one next to them.
    let demo_register = config.is_demo() && registers.is_empty();
    if demo_register {
        registers.push(RegisterToken::demo());
    }
    let (account, sandbox, mode) = match &config.upstream {
        Upstream::Demo(options) => {
            let sandbox = demo::sandbox(&config, options, &public_url)
                .map_err(|e| StartError::Sandbox(e.to_string()))?;
            (Some(demo::account(addr)), Some(sandbox), "demo")
        }
        Upstream::PingPong(account) => (Some(account.clone()), None, "pingpong"),
        Upstream::Platform { .. } => (None, None, "platform"),
    };
    let base_url = match (&config.upstream, &account) {
        (Upstream::Platform { base_url }, _) => base_url.clone(),
        (_, Some(account)) => account.base_url.clone(),
        (_, None) => unreachable!("demo and pingpong modes define an account"),
    };
    let startup_salt = match &account {
        Some(account) => Some(startup_merchant(&config, account, &registers, &journal).await?),
        None => None,
    };
    if mode == "pingpong" && registers.is_empty() {
        let default = pingpong_protocol::MerchantId::new(DEFAULT_MERCHANT).expect("a valid id");
        let stored = journal
            .registers(&default, None)
            .await
            .map_err(|e| StartError::Journal(e.to_string()))?;
        if stored.iter().all(|r| r.revoked_at.is_some()) {
            return Err(StartError::Config(
                "no register token is configured (--tokens-file or PINGPONG_QR_TOKENS) and the \
                 database has no register of the merchant `default` (`pingpong-qr-proxy \
                 register add`): no register could call the proxy"
                    .into(),
            ));
        }
    }
    let upstream = PingPong::new(base_url, config.timeouts.clone(), journal.clone())
        .map_err(StartError::Config)?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let open_files = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft);
    let (max_connections, max_event_streams) = config.connections.resolve(open_files);
    let app = Arc::new(App {
        journal,
        upstream,
        merchants: Merchants::new(startup_salt, vault),
        registers: Registers::new(&registers),
        admin_key: config.admin_key.as_ref().map(|k| AdminKey::new(k.expose())),
        public_url: public_url.clone(),
        ticket_ttl: config.ticket_ttl,
        locks: KeyedLocks::default(),
        streams: Arc::new(tokio::sync::Semaphore::new(max_event_streams)),
        keep_alive: config.keep_alive,
        shutdown: shutdown_rx.clone(),
        mode,
    });
    let mut router = http::router(app, &config);
    if let Some(sandbox) = &sandbox {
        router = router.nest(SANDBOX_PATH, sandbox.router());
    }
    let router = router.layer(axum::middleware::from_fn(http::log_requests));
    let limits = listener::Limits {
        header_read: config.connections.header_read,
        body_read: config.connections.body_read,
        max_connections,
    };
    let server = tokio::spawn(listener::serve(listener, router, limits, shutdown_rx));
    tracing::info!(
        %addr,
        public_url,
        mode,
        admin_api = config.admin_key.is_some(),
        max_connections,
        max_event_streams,
        "proxy started"
    );
    Ok(ProxyHandle {
        addr,
        url,
        public_url,
        sandbox,
        key_source,
        demo_register,
        shutdown: shutdown_tx,
        server,
    })
}
