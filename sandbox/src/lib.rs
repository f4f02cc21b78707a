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

mod clock;
mod config;
mod control;
mod faults;
mod notify;
mod origin;
mod persist;
mod records;
mod stats;
mod store;
mod v4;
mod wallet;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

pub use config::{AcceptedMethod, Account, SandboxConfig};
pub use faults::{Api, Faults};
pub use notify::RETRY_SCHEDULE;
pub use persist::PersistError;
pub use records::{
    AttemptRecord, DeliveryRecord, NotificationOutcome, NotificationRecord, OrderRecord,
    RefundRecord, RequestRecord,
};
pub use stats::Stats;
pub use wallet::{WalletError, WalletView};

use clock::now_ms;
use store::{Effects, Store};

/// How many of the latest v4 requests [`Sandbox::requests`] keeps.
pub const REQUEST_LOG_CAPACITY: usize = 1000;

/// A simulated acquirer: cheap to clone (shared state). Its handlers and the methods that
/// change orders ([`Sandbox::pay`], …) spawn timers and notification deliveries on the
/// current tokio runtime, so call them from within one.
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
}

pub(crate) struct Shared {
    config: SandboxConfig,
    store: Mutex<Store>,
    http: reqwest::Client,
}

impl Shared {
    /// Runs `f` on the state under its lock, then writes what it changed to the file.
    pub(crate) fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        let mut store = self
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let out = f(&mut store);
        store.flush();
        out
    }
}

impl Sandbox {
    /// A sandbox with `config`. Spawns nothing by itself.
    ///
    /// # Panics
    /// If the HTTP client for notifications cannot be built (no TLS roots on the system).
    pub fn new(config: SandboxConfig) -> Sandbox {
        Sandbox::with(config, Store::default())
    }

    /// A sandbox whose state lives in the SQLite file at `path` (created when missing):
    /// every change is written before it is answered, and a sandbox opened again on the
    /// file, after a crash included, carries on where it was: its orders, attempts,
    /// refunds, remembered answers, the notifications it still owes (delivered again), the
    /// expiry and refund timers. Fault knobs, statistics and the request log start afresh.
    ///
    /// Call it inside a tokio runtime (the timers and deliveries start at once).
    ///
    /// # Panics
    /// As [`Sandbox::new`].
    pub fn open(config: SandboxConfig, path: &std::path::Path) -> Result<Sandbox, PersistError> {
        let (disk, saved) = persist::Disk::open(path)?;
        let (store, owed) = Store::restore(&config, saved, disk);
        let sandbox = Sandbox::with(config, store);
        tracing::info!(
            path = %path.display(),
            orders = sandbox.with_store(|s| s.len()),
            notifications_owed = owed.jobs.len(),
            "sandbox state restored"
        );
        sandbox.spawn_effects(owed);
        Ok(sandbox)
    }

    fn with(config: SandboxConfig, store: Store) -> Sandbox {
        let http = reqwest::Client::builder()
            .timeout(config.notify_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the notification HTTP client builds");
        Sandbox {
            shared: Arc::new(Shared {
                config,
                store: Mutex::new(store),
                http,
            }),
        }
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &SandboxConfig {
        &self.shared.config
    }

    /// Every route at the root: the v4 APIs (`/v4/…`), the wallet (`/wallet/{transactionId}`
    /// and below) and the control routes (`/control/…`). Wallet and control routes serve the
    /// pages of [`SandboxConfig::allowed_origins`] (any page when `None`); see
    /// docs/sandbox.md.
    pub fn router(&self) -> Router {
        let v4 = Router::new()
            .route(Api::UnifiedPay.path(), post(v4::unified_pay))
            .route(Api::Query.path(), post(v4::query))
            .route(Api::Refund.path(), post(v4::refund))
            .route(Api::RefundQuery.path(), post(v4::refund_query));
        let open = Router::new()
            .route("/wallet/{transaction_id}", get(wallet::page))
            .route("/wallet/{transaction_id}/qr.svg", get(wallet::qr_svg))
            .route("/wallet/{transaction_id}/status", get(wallet::status))
            .route("/wallet/{transaction_id}/pay", post(wallet::pay))
            .route("/wallet/{transaction_id}/decline", post(wallet::decline))
            .route(
                "/control/faults",
                get(control::get_faults).put(control::put_faults),
            )
            .route("/control/stats", get(control::stats))
            .route(
                "/control/orders/{merchant_transaction_id}",
                get(control::order),
            )
            .route(
                "/control/orders/{merchant_transaction_id}/expire",
                post(control::expire),
            )
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                origin::guard,
            ))
            .layer(origin::cors(self.config()));
        v4.merge(open).with_state(self.clone())
    }

    /// The fault knobs in force (counters show what is left).
    pub fn faults(&self) -> Faults {
        self.with_store(|s| s.faults.clone())
    }

    /// Replaces the fault knobs.
    pub fn set_faults(&self, faults: Faults) {
        self.with_store(|s| s.faults = faults);
    }

    /// Counts of API requests, orders, refunds and notifications so far.
    pub fn stats(&self) -> Stats {
        self.with_store(|s| s.stats.clone())
    }

    /// The latest v4 API requests as they arrived, oldest first, faulted ones included (at
    /// most [`REQUEST_LOG_CAPACITY`]).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.with_store(|s| s.requests.iter().cloned().collect())
    }

    /// The order with this merchantTransactionId (the oldest, if several accounts used it).
    pub fn order(&self, merchant_transaction_id: &str) -> Option<OrderRecord> {
        self.with_store(|s| {
            s.find_any(merchant_transaction_id)
                .first()
                .map(|o| o.rec.clone())
        })
    }

    /// The order with this transactionId.
    pub fn order_by_transaction_id(&self, transaction_id: &str) -> Option<OrderRecord> {
        self.with_store(|s| s.order(transaction_id).map(|o| o.rec.clone()))
    }

    /// The consumer pays the order (what the wallet's Pay button does). A PROCESSING order
    /// turns SUCCESS and is notified; a CLOSED one only under the `lateSuccess` fault.
    pub fn pay(&self, transaction_id: &str) -> Result<OrderRecord, WalletError> {
        self.change(transaction_id, |s, cfg, now| {
            s.pay(cfg, transaction_id, now)
        })
    }

    /// The consumer declines the order (the wallet's Decline button): PROCESSING turns
    /// FAILED and is notified.
    pub fn decline(&self, transaction_id: &str) -> Result<OrderRecord, WalletError> {
        self.change(transaction_id, |s, cfg, now| {
            s.decline(cfg, transaction_id, now)
        })
    }

    /// Expires the order now, as if its QR had timed out: an open order (PROCESSING, or
    /// FAILED when failures are not final) turns CLOSED and `closeNotificationUrl` is
    /// notified. For tests that cannot wait a minute.
    pub fn expire(&self, merchant_transaction_id: &str) -> Result<OrderRecord, WalletError> {
        let txid = self
            .order(merchant_transaction_id)
            .ok_or(WalletError::Unknown)?
            .transaction_id;
        self.change(&txid, |s, cfg, now| {
            let status = s.order(&txid).map(|o| o.rec.status);
            s.close_now(cfg, &txid, now).ok_or(match status {
                Some(pingpong_protocol::PaymentStatus::Success) => WalletError::AlreadyPaid,
                Some(pingpong_protocol::PaymentStatus::Closed) => WalletError::Expired,
                _ => WalletError::Declined,
            })
        })
    }

    fn change(
        &self,
        transaction_id: &str,
        f: impl FnOnce(&mut Store, &SandboxConfig, u64) -> Result<Effects, WalletError>,
    ) -> Result<OrderRecord, WalletError> {
        let cfg = &self.shared.config;
        let (result, mut effects) = self.with_store(|s| {
            let now = now_ms();
            let effects = s.sweep(cfg, now);
            let result = f(s, cfg, now).map(|more| {
                let rec = s.order(transaction_id).map(|o| o.rec.clone());
                (rec, more)
            });
            (result, effects)
        });
        let outcome = match result {
            Ok((rec, more)) => {
                effects.extend(more);
                rec.ok_or(WalletError::Unknown)
            }
            Err(e) => Err(e),
        };
        self.spawn_effects(effects);
        outcome
    }

    pub(crate) fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        self.shared.with_store(f)
    }

    /// Starts what a transition asked for: deliveries, expiry timers, refund timers.
    pub(crate) fn spawn_effects(&self, effects: Effects) {
        for job in effects.jobs {
            tokio::spawn(notify::deliver(Arc::downgrade(&self.shared), job));
        }
        for (txid, at_ms) in effects.expiries {
            let weak = Arc::downgrade(&self.shared);
            let wait = Duration::from_millis(at_ms.saturating_sub(now_ms()) + 1);
            tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                if let Some(shared) = weak.upgrade() {
                    let sb = Sandbox { shared };
                    let cfg = sb.config().clone();
                    let effects = sb.with_store(|s| s.close_if_due(&cfg, &txid, now_ms()));
                    sb.spawn_effects(effects);
                }
            });
        }
        for (txid, mrid) in effects.refunds {
            let weak = Arc::downgrade(&self.shared);
            let wait = self.shared.config.refund_delay;
            tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                if let Some(shared) = weak.upgrade() {
                    let sb = Sandbox { shared };
                    let cfg = sb.config().clone();
                    let effects = sb.with_store(|s| s.finish_refund(&cfg, &txid, &mrid, now_ms()));
                    sb.spawn_effects(effects);
                }
            });
        }
    }
}

/// Serves `sandbox` on `listener` until the process ends or the listener fails.
pub async fn serve(sandbox: Sandbox, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, sandbox.router()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use pingpong_protocol::PaymentStatus;

    /// The expiry timer closes an order with no request arriving (not only lazily).
    #[tokio::test]
    async fn the_expiry_timer_closes_orders_by_itself() {
        let sandbox = Sandbox::new(SandboxConfig::default());
        let expires = now_ms() + 50;
        let effects =
            sandbox.with_store(|s| s.insert_order(store::test_order("2026010100000001", expires)));
        assert_eq!(effects.expiries.len(), 1);
        sandbox.spawn_effects(effects);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            // Reads the store without sweeping, so only the timer can have closed it.
            let status = sandbox.with_store(|s| s.order("2026010100000001").map(|o| o.rec.status));
            if status == Some(PaymentStatus::Closed) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the timer did not close the order"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let rec = sandbox.order_by_transaction_id("2026010100000001").unwrap();
        assert!(rec.ended_at_ms.unwrap() >= expires);
        assert_eq!(rec.attempts[0].status, PaymentStatus::Closed);
    }
}
