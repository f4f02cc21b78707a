//! The state every request shares.

use std::sync::Arc;
use std::time::Duration;

use pingpong_protocol::MerchantId;
use tokio::sync::{Semaphore, watch};

use crate::admin::http::AdminKey;
use crate::auth::Registers;
use crate::journal::SharedJournal;
use crate::locks::KeyedLocks;
use crate::merchants::{Merchant, Merchants};
use crate::upstream::PingPong;

/// The proxy's shared state.
pub(crate) struct App {
    pub journal: SharedJournal,
    pub upstream: PingPong,
    pub merchants: Merchants,
    /// The configured registers of the merchant `default`.
    pub registers: Registers,
    /// `None`: the admin API is off.
    pub admin_key: Option<AdminKey>,
    /// The URL PingPong and browsers reach the proxy at, without a trailing slash.
    pub public_url: String,
    /// How long an event-stream ticket may be used.
    pub ticket_ttl: Duration,
    pub locks: KeyedLocks,
    /// One permit per event stream that may be open (each holds its connection busy).
    pub streams: Arc<Semaphore>,
    pub keep_alive: Duration,
    /// Turns true when the proxy shuts down: event streams end.
    pub shutdown: watch::Receiver<bool>,
    /// `demo`, `pingpong` or `platform`.
    pub mode: &'static str,
}

impl App {
    /// `notificationUrl` and `closeNotificationUrl` of the merchant's orders and refunds:
    /// `{public_url}/notify/pingpong/{merchantId}`.
    pub(crate) fn notify_url(&self, merchant: &MerchantId) -> String {
        format!("{}{}", self.public_url, Merchant::notify_path(merchant))
    }
}
