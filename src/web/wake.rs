//! Waking waits: a [`Wakeup`] that timers, events and new statuses can fire, a [`Hub`] that
//! fires every subscribed wait, and timers that cancel on drop.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use gloo_timers::callback::Timeout;
use web_sys::AbortSignal;

use crate::core::error::Error;
use crate::web::listen::{check_abort, on_abort};

#[derive(Default)]
struct Inner {
    woken: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

/// A one-shot, re-armable wake-up for one waiting task.
#[derive(Clone, Default)]
pub struct Wakeup(Rc<Inner>);

impl Wakeup {
    /// A new, unfired wake-up.
    pub fn new() -> Wakeup {
        Wakeup::default()
    }

    /// Fires it: the pending [`Wakeup::wait`] completes.
    pub fn wake(&self) {
        wake_inner(&self.0);
    }

    /// Completes once fired (at once if it fired since the last wait), then re-arms.
    pub fn wait(&self) -> WaitFuture {
        WaitFuture(self.0.clone())
    }

    /// Fires it after `ms` milliseconds, unless the returned timer is dropped first.
    pub fn after(&self, ms: u64) -> Timeout {
        let me = self.clone();
        Timeout::new(ms.min(u32::MAX as u64) as u32, move || me.wake())
    }
}

fn wake_inner(inner: &Inner) {
    inner.woken.set(true);
    if let Some(w) = inner.waker.borrow_mut().take() {
        w.wake();
    }
}

/// The future of [`Wakeup::wait`].
pub struct WaitFuture(Rc<Inner>);

impl Future for WaitFuture {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.woken.replace(false) {
            Poll::Ready(())
        } else {
            *self.0.waker.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// Wakes every subscribed wait (a status arrived, the network or visibility changed).
#[derive(Default)]
pub struct Hub {
    waits: RefCell<Vec<Weak<Inner>>>,
}

impl Hub {
    /// Subscribes `wakeup` for as long as it lives.
    pub fn subscribe(&self, wakeup: &Wakeup) {
        let mut waits = self.waits.borrow_mut();
        waits.retain(|w| w.strong_count() > 0);
        waits.push(Rc::downgrade(&wakeup.0));
    }

    /// Fires every live subscriber.
    pub fn wake_all(&self) {
        let live: Vec<Rc<Inner>> = self
            .waits
            .borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for inner in live {
            wake_inner(&inner);
        }
    }
}

/// Sleeps `ms` milliseconds; `ABORTED` as soon as `signal` fires.
pub async fn sleep(ms: u64, signal: Option<&AbortSignal>) -> Result<(), Error> {
    check_abort(signal)?;
    let wakeup = Wakeup::new();
    let _timer = wakeup.after(ms);
    let w = wakeup.clone();
    let _abort = on_abort(signal, move || w.wake());
    wakeup.wait().await;
    check_abort(signal)
}
