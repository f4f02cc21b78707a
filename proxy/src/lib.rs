//! pingpong-qr-proxy: the reference signing proxy between browser cash registers and
//! PingPongCheckout's v4 acquirer.
//!
//! The browser never holds the salt: registers call this proxy with a bearer token; the
//! proxy checks the register, applies the policy (validation, ids, notification URL), signs,
//! calls PingPong, verifies the signed answer, journals everything in SQLite, and pushes
//! status changes to the register's store as Server-Sent Events. Without PingPong
//! credentials it runs the sandbox in-process (demo mode).
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

mod app;
mod auth;
mod body;
pub mod cli;
pub mod config;
mod demo;
mod error;
mod events;
mod http;
mod journal;
mod listener;
mod locks;
mod notify;
mod openapi;
mod payments;
mod refunds;
pub mod tokens;
mod upstream;
mod util;
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
pub use openapi::document as openapi_document;
pub use pingpong_sandbox::Sandbox;

use app::{App, Policy};
use auth::{Registers, Tickets};
use journal::Journal;
use locks::KeyedLocks;
use upstream::PingPong;

/// Why the proxy could not start. The message says what to fix.
#[derive(Debug)]
pub enum StartError {
    /// The configuration is inconsistent (a bad URL, no register token…).
    Config(String),
    /// The address could not be bound.
    Bind(std::io::Error),
    /// The journal file could not be opened or is of a newer schema.
    Journal(String),
    /// Demo mode: the embedded sandbox's state file could not be opened.
    Sandbox(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Config(m) => write!(f, "configuration: {m}"),
            StartError::Bind(e) => write!(f, "cannot listen: {e}"),
            StartError::Journal(m) => write!(f, "cannot open the journal: {m}"),
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

    /// The URL PingPong and browsers are told (notifications go to `{public_url}/notify/pingpong`).
    pub fn public_url(&self) -> &str {
        &self.public_url
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

/// Binds, opens the journal, mounts the sandbox in demo mode, and serves in a background
/// task of the current tokio runtime.
pub async fn start(config: Config) -> Result<ProxyHandle, StartError> {
    config.check().map_err(StartError::Config)?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(StartError::Bind)?;
    let addr = listener.local_addr().map_err(StartError::Bind)?;
    let url = format!("http://{addr}");
    let public_url = config.public_url.clone().unwrap_or_else(|| url.clone());
    let journal =
        Journal::open(&config.database).map_err(|e| StartError::Journal(e.to_string()))?;

    let mut registers = config.registers.clone();
    // `demo-token` exists only while no register is configured: a merchant who issued
    // tokens must not find a public one next to them.
    let demo_register = config.is_demo() && registers.is_empty();
    if demo_register {
        registers.push(RegisterToken::demo());
    }
    let (account, sandbox) = match &config.upstream {
        Upstream::Demo(options) => (
            demo::account(addr),
            Some(
                demo::sandbox(&config, options, &public_url)
                    .map_err(|e| StartError::Sandbox(e.to_string()))?,
            ),
        ),
        Upstream::PingPong(account) => (account.clone(), None),
    };
    let upstream = PingPong::new(account, config.timeouts.clone(), journal.clone())
        .map_err(StartError::Config)?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let open_files = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft);
    let (max_connections, max_event_streams) = config.connections.resolve(open_files);
    let app = Arc::new(App {
        journal,
        upstream,
        registers: Registers::new(&registers),
        tickets: Tickets::new(&registers, config.ticket_ttl),
        policy: Policy {
            notify_url: format!("{public_url}{}", pingpong_protocol::contract::paths::NOTIFY),
            methods: config.methods.clone(),
            time_expire_format: config.time_expire_format,
            failure_mode: config.failure_mode,
        },
        locks: KeyedLocks::default(),
        streams: Arc::new(tokio::sync::Semaphore::new(max_event_streams)),
        keep_alive: config.keep_alive,
        shutdown: shutdown_rx.clone(),
        mode: if sandbox.is_some() {
            "demo"
        } else {
            "pingpong"
        },
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
        demo = sandbox.is_some(),
        max_connections,
        max_event_streams,
        "proxy started"
    );
    Ok(ProxyHandle {
        addr,
        url,
        public_url,
        sandbox,
        demo_register,
        shutdown: shutdown_tx,
        server,
    })
}
