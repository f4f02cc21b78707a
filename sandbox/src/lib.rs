//! pingpong-sandbox: a local simulator of PingPongCheckout's v4 acquirer for the in-person
//! QR flow, faithful to `docs/protocol-choices.md`, failures included.
//!
//! It serves the four v4 APIs (signed envelopes, result codes, idempotency), a consumer
//! "wallet" page that each order's QR points to, signed notifications with PingPong's retry
//! schedule, and fault knobs. Run it alone (`pingpong-sandbox --listen 127.0.0.1:PORT`) or
//! mount [`Sandbox::router`] in another axum server (the proxy nests it at `/sandbox`).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use pingpong_sandbox::{Sandbox, SandboxConfig};
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let url = format!("http://{}", listener.local_addr()?);
//! let sandbox = Sandbox::new(SandboxConfig { public_url: url, ..SandboxConfig::default() });
//! pingpong_sandbox::serve(sandbox, listener).await
//! # }
//! ```
#![deny(missing_docs)]

mod config;
mod faults;
mod stats;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};

pub use config::{Account, SandboxConfig};
pub use faults::{Api, Faults};
pub use stats::Stats;

/// A running sandbox: cheap to clone (shared state), one per simulated acquirer.
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
}

struct Shared {
    config: SandboxConfig,
    faults: Mutex<Faults>,
    stats: Mutex<Stats>,
}

impl Sandbox {
    /// A sandbox with `config`. Spawns no task itself; its handlers spawn timers and
    /// notification deliveries on the current tokio runtime.
    pub fn new(config: SandboxConfig) -> Sandbox {
        Sandbox {
            shared: Arc::new(Shared {
                config,
                faults: Mutex::new(Faults::default()),
                stats: Mutex::new(Stats::default()),
            }),
        }
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &SandboxConfig {
        &self.shared.config
    }

    /// Every route at the root: `/v4/…`, `/wallet/…`, `/control/…`.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/v4/payment/unifiedPay", post(not_yet))
            .route("/v4/payment/query", post(not_yet))
            .route("/v4/payment/refund", post(not_yet))
            .route("/v4/refund/query", post(not_yet))
            .route("/wallet/{transaction_id}", get(not_yet))
            .route("/wallet/{transaction_id}/qr.svg", get(not_yet))
            .route("/wallet/{transaction_id}/pay", post(not_yet))
            .route("/wallet/{transaction_id}/decline", post(not_yet))
            .route("/control/faults", get(not_yet).put(not_yet))
            .route("/control/stats", get(not_yet))
            .route("/control/orders/{merchant_transaction_id}", get(not_yet))
    }

    /// The fault knobs in force.
    pub fn faults(&self) -> Faults {
        self.shared.faults.lock().unwrap().clone()
    }

    /// Replaces the fault knobs.
    pub fn set_faults(&self, faults: Faults) {
        *self.shared.faults.lock().unwrap() = faults;
    }

    /// Counts of API requests, orders, refunds and notifications so far.
    pub fn stats(&self) -> Stats {
        self.shared.stats.lock().unwrap().clone()
    }
}

async fn not_yet() -> StatusCode {
    StatusCode::NOT_IMPLEMENTED
}

/// Serves `sandbox` on `listener` until the process ends.
pub async fn serve(sandbox: Sandbox, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, sandbox.router()).await
}
