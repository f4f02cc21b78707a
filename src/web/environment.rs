//! What the browser says about the register's surroundings: online or not (`online` and
//! `offline` on the window), the page visible or not (`visibilitychange` on the document).
//! Watched until dropped.

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::EventListener;
use web_sys::{Document, VisibilityState};

/// A change the register reacts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The browser went online (`true`) or offline.
    Online(bool),
    /// The page was shown or hidden.
    Visibility,
}

/// The online and visibility state, kept current by listeners removed on drop.
pub struct Environment {
    online: Rc<Cell<bool>>,
    visible: Rc<Cell<bool>>,
    _listeners: Vec<EventListener>,
}

fn is_visible(d: &Document) -> bool {
    d.visibility_state() != VisibilityState::Hidden
}

impl Environment {
    /// Starts watching; `on_change` is called after each change is recorded. Outside a
    /// window (a worker) the register counts as online and visible.
    pub fn watch(on_change: impl Fn(Change) + Clone + 'static) -> Environment {
        let online = Rc::new(Cell::new(true));
        let visible = Rc::new(Cell::new(true));
        let mut listeners = Vec::new();
        if let Some(window) = web_sys::window() {
            online.set(window.navigator().on_line());
            for (kind, now_online) in [("online", true), ("offline", false)] {
                let (state, f) = (online.clone(), on_change.clone());
                listeners.push(EventListener::new(&window, kind, move |_| {
                    state.set(now_online);
                    f(Change::Online(now_online));
                }));
            }
            if let Some(doc) = window.document() {
                visible.set(is_visible(&doc));
                let (state, d) = (visible.clone(), doc.clone());
                listeners.push(EventListener::new(&doc, "visibilitychange", move |_| {
                    state.set(is_visible(&d));
                    on_change(Change::Visibility);
                }));
            }
        }
        Environment {
            online,
            visible,
            _listeners: listeners,
        }
    }

    /// Whether the browser says it is online.
    pub fn online(&self) -> bool {
        self.online.get()
    }

    /// Whether the page is visible.
    pub fn visible(&self) -> bool {
        self.visible.get()
    }
}
