//! Waking waits: a [`Wakeup`] that events and new statuses fire, a [`Hub`] that fires every
//! subscribed wait, and waits bounded by a gloo-timers timeout (cleared when dropped).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use futures::future::select;
use gloo_timers::future::TimeoutFuture;
use web_sys::AbortSignal;

use crate::core::error::Error;
use crate::web::abort;

#[derive(Default)]
struct Inner {
    woken: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

/// A one-shot, re-armable wake-up for one waiting task.
#[derive(Clone, Default)]
pub struct Wakeup(Rc<Inner>);

impl Wakeup {
    /// Fires it: the pending [`Wakeup::wait`] completes.
    pub fn wake(&self) {
        wake_inner(&self.0);
    }

    /// Completes once fired (at once if it fired since the last wait), then re-arms.
    pub fn wait(&self) -> WaitFuture {
        WaitFuture(self.0.clone())
    }

    /// Completes once fired or after `ms` milliseconds, whichever comes first.
    pub async fn wait_at_most(&self, ms: u64) {
        let timeout = TimeoutFuture::new(ms.min(u32::MAX.into()) as u32);
        select(pin!(self.wait()), timeout).await;
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
pub async fn sleep(ms: u32, signal: Option<&AbortSignal>) -> Result<(), Error> {
    abort::check(signal)?;
    let wakeup = Wakeup::default();
    let w = wakeup.clone();
    let _abort = abort::on_abort(signal, move || w.wake());
    wakeup.wait_at_most(ms.into()).await;
    abort::check(signal)
}
