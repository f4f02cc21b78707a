//! The state every request shares.

use std::sync::Arc;
use std::time::Duration;

use pingpong_protocol::{FailureMode, TimeExpireFormat};
use tokio::sync::{Semaphore, watch};

use crate::auth::{Registers, Tickets};
use crate::config::MethodNames;
use crate::journal::Journal;
use crate::locks::KeyedLocks;
use crate::upstream::PingPong;

/// What the proxy adds to every request before it goes upstream.
pub(crate) struct Policy {
    /// `{public_url}/notify/pingpong`: notificationUrl and closeNotificationUrl.
    pub notify_url: String,
    pub methods: MethodNames,
    pub time_expire_format: TimeExpireFormat,
    pub failure_mode: FailureMode,
}

/// The proxy's shared state.
pub(crate) struct App {
    pub journal: Journal,
    pub upstream: PingPong,
    pub registers: Registers,
    pub tickets: Tickets,
    pub policy: Policy,
    pub locks: KeyedLocks,
    /// One permit per event stream that may be open (each holds its connection busy).
    pub streams: Arc<Semaphore>,
    pub keep_alive: Duration,
    /// Turns true when the proxy shuts down: event streams end.
    pub shutdown: watch::Receiver<bool>,
    /// `demo` or `pingpong`.
    pub mode: &'static str,
}
