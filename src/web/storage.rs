//! The journal in `localStorage`: one JSON entry per payment under `{storageKey}:payment:{id}`.
//! Registers with the same storage key (tabs included) share it.

use pingpong_protocol::ErrorCode;
use web_sys::Storage;

use crate::core::error::Error;
use crate::core::journal::{Journal, PaymentEntry, SCHEMA_VERSION};
use crate::web::value::Js;

/// A journal in the browser's `localStorage`.
pub struct LocalJournal {
    storage: Storage,
    prefix: String,
}

fn storage_error(what: &str) -> Error {
    let mut message = String::from("browser storage refused to ");
    message.push_str(what);
    message.push_str(" the journal (disabled or full); nothing was sent");
    Error::new(ErrorCode::Storage, message)
}

impl LocalJournal {
    /// The journal of namespace `key`. `STORAGE` when `localStorage` is unavailable.
    pub fn open(key: &str) -> Result<LocalJournal, Error> {
        let storage = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .ok_or_else(|| storage_error("open"))?;
        let mut prefix = String::from(key);
        prefix.push_str(":payment:");
        Ok(LocalJournal { storage, prefix })
    }

    fn key(&self, id: &str) -> String {
        let mut key = self.prefix.clone();
        key.push_str(id);
        key
    }
}

impl Journal for LocalJournal {
    fn load(&self, id: &str) -> Result<Option<PaymentEntry>, Error> {
        let Some(text) = self
            .storage
            .get_item(&self.key(id))
            .map_err(|_| storage_error("read"))?
        else {
            return Ok(None);
        };
        let entry = js_sys::JSON::parse(&text)
            .ok()
            .and_then(|v| PaymentEntry::from_js(&v))
            .filter(|e| e.v == SCHEMA_VERSION && e.merchant_transaction_id == id);
        Ok(entry)
    }

    fn save(&self, entry: &PaymentEntry) -> Result<(), Error> {
        let text: String = js_sys::JSON::stringify(&entry.to_js())
            .map_err(|_| storage_error("encode"))?
            .into();
        self.storage
            .set_item(&self.key(&entry.merchant_transaction_id), &text)
            .map_err(|_| storage_error("write"))
    }

    fn remove(&self, id: &str) -> Result<(), Error> {
        self.storage
            .remove_item(&self.key(id))
            .map_err(|_| storage_error("write"))
    }

    fn ids(&self) -> Result<Vec<String>, Error> {
        let n = self.storage.length().map_err(|_| storage_error("read"))?;
        let mut ids = Vec::new();
        for i in 0..n {
            if let Ok(Some(key)) = self.storage.key(i)
                && let Some(id) = key.strip_prefix(&self.prefix)
            {
                ids.push(id.to_owned());
            }
        }
        Ok(ids)
    }
}
