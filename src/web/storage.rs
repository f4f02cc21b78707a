//! The journal in `localStorage`: each payment under `{storageKey}:payment:{id}` and each of
//! its refunds under `{storageKey}:refund:{id}:{refundId}` (ids hold no `:`). Registers with
//! the same storage key (tabs included) share it.
//!
//! Tabs do not see each other's writes at once (each has its own copy of the storage, updated
//! after the fact), so a tab can save a stale copy of a payment. Keeping each refund under
//! its own key means such a save cannot drop a refund another tab journaled, and a refund is
//! only written over by a copy that is not behind it ([`RefundEntry::is_not_behind`]).

use pingpong_protocol::ErrorCode;
use wasm_bindgen::JsValue;
use web_sys::Storage;

use crate::core::error::Error;
use crate::core::journal::{Journal, PaymentEntry, RefundEntry, SCHEMA_VERSION};
use crate::web::value::Js;

/// A journal in the browser's `localStorage`.
pub struct LocalJournal {
    storage: Storage,
    /// `{storageKey}:`
    namespace: String,
    /// `{storageKey}:payment:`
    payments: String,
    /// `{storageKey}:refund:`
    refunds: String,
}

fn storage_error(what: &str) -> Error {
    let mut message = String::from("browser storage refused to ");
    message.push_str(what);
    message.push_str(" the journal (disabled or full); nothing was sent");
    Error::new(ErrorCode::Storage, message)
}

fn parse<T: Js>(text: &str) -> Option<T> {
    js_sys::JSON::parse(text).ok().and_then(|v| T::from_js(&v))
}

fn encode(value: &JsValue) -> Result<String, Error> {
    Ok(js_sys::JSON::stringify(value)
        .map_err(|_| storage_error("encode"))?
        .into())
}

/// `parts` joined (smaller in wasm than `concat`).
fn join(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push_str(p);
    }
    out
}

impl LocalJournal {
    /// The journal of namespace `key`. `STORAGE` when `localStorage` is unavailable.
    pub fn open(key: &str) -> Result<LocalJournal, Error> {
        let storage = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .ok_or_else(|| storage_error("open"))?;
        Ok(LocalJournal {
            storage,
            namespace: join(&[key, ":"]),
            payments: join(&[key, ":payment:"]),
            refunds: join(&[key, ":refund:"]),
        })
    }

    fn get(&self, key: &str) -> Result<Option<String>, Error> {
        self.storage
            .get_item(key)
            .map_err(|_| storage_error("read"))
    }

    fn set(&self, key: &str, text: &str) -> Result<(), Error> {
        self.storage
            .set_item(key, text)
            .map_err(|_| storage_error("write"))
    }

    /// The storage's keys that start with `prefix`.
    fn keys(&self, prefix: &str) -> Result<Vec<String>, Error> {
        let n = self.storage.length().map_err(|_| storage_error("read"))?;
        Ok((0..n)
            .filter_map(|i| self.storage.key(i).ok().flatten())
            .filter(|k| k.starts_with(prefix))
            .collect())
    }

    /// `(payment id, refund)` for a refund key of this journal, if `key` is one.
    fn refund_at<'k>(&self, key: &'k str) -> Option<(&'k str, RefundEntry)> {
        let (payment, refund_id) = key.strip_prefix(&self.refunds)?.split_once(':')?;
        let refund: RefundEntry = parse(&self.get(key).ok()??)?;
        (refund.merchant_refund_id == refund_id).then_some((payment, refund))
    }

    fn payment_at(&self, id: &str, text: &str) -> Option<PaymentEntry> {
        parse::<PaymentEntry>(text)
            .filter(|e| e.v == SCHEMA_VERSION && e.merchant_transaction_id == id)
    }

    /// The payments among `keys`, with their refunds among `keys`.
    fn collect(&self, keys: &[String]) -> Result<Vec<PaymentEntry>, Error> {
        let mut entries = Vec::new();
        for key in keys {
            if let Some(id) = key.strip_prefix(&self.payments)
                && let Some(entry) = self.get(key)?.and_then(|t| self.payment_at(id, &t))
            {
                entries.push(entry);
            }
        }
        for key in keys {
            if let Some((payment, refund)) = self.refund_at(key)
                && let Some(entry) = entries
                    .iter_mut()
                    .find(|e| e.merchant_transaction_id == payment)
            {
                entry.merge_refund(refund);
            }
        }
        Ok(entries)
    }

    fn refund_key(&self, payment: &str, refund: &str) -> String {
        join(&[&self.refunds, payment, ":", refund])
    }
}

impl Journal for LocalJournal {
    fn load(&self, id: &str) -> Result<Option<PaymentEntry>, Error> {
        let mut keys = self.keys(&self.refund_key(id, ""))?;
        keys.push(join(&[&self.payments, id]));
        Ok(self.collect(&keys)?.pop())
    }

    fn save(&self, entry: &PaymentEntry) -> Result<(), Error> {
        let id = &entry.merchant_transaction_id;
        // The payment without its refunds: they have their own keys.
        let bare = entry.to_js();
        let _ = js_sys::Reflect::set(&bare, &"refunds".into(), &js_sys::Array::new());
        self.set(&join(&[&self.payments, id]), &encode(&bare)?)?;
        for refund in &entry.refunds {
            let key = self.refund_key(id, &refund.merchant_refund_id);
            let text = encode(&refund.to_js())?;
            let stored = self.get(&key)?;
            let behind = stored
                .as_deref()
                .and_then(parse::<RefundEntry>)
                .is_some_and(|s| !refund.is_not_behind(&s));
            if !behind && stored.as_deref() != Some(text.as_str()) {
                self.set(&key, &text)?;
            }
        }
        Ok(())
    }

    fn remove(&self, id: &str) -> Result<(), Error> {
        let mut keys = self.keys(&self.refund_key(id, ""))?;
        keys.push(join(&[&self.payments, id]));
        for key in keys {
            self.storage
                .remove_item(&key)
                .map_err(|_| storage_error("write"))?;
        }
        Ok(())
    }

    fn entries(&self) -> Result<Vec<PaymentEntry>, Error> {
        self.collect(&self.keys(&self.namespace)?)
    }
}
