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
use crate::web::bridge::{from_json, to_js};

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
        let refund: RefundEntry = from_json(&self.get(key).ok()??)?;
        (refund.merchant_refund_id == refund_id).then_some((payment, refund))
    }

    fn payment_at(&self, id: &str, text: &str) -> Option<PaymentEntry> {
        from_json::<PaymentEntry>(text)
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
        let bare = to_js(entry);
        let _ = js_sys::Reflect::set(&bare, &"refunds".into(), &js_sys::Array::new());
        self.set(&join(&[&self.payments, id]), &encode(&bare)?)?;
        for refund in &entry.refunds {
            let key = self.refund_key(id, &refund.merchant_refund_id);
            let text = encode(&to_js(refund))?;
            let stored = self.get(&key)?;
            let behind = stored
                .as_deref()
                .and_then(from_json::<RefundEntry>)
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

/// The journal in a real browser, written by two "tabs" whose copies lag behind each other
/// (as real tabs' do): a stale save never drops a refund another copy journaled, nor puts
/// back an older state of it; entries written by earlier versions are still read.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use pingpong_protocol::RefundStatus;
    use pingpong_protocol::contract::{CreatePaymentRequest, CreateRefundRequest, RefundView};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::core::journal::{self, Phase};

    fn storage() -> web_sys::Storage {
        web_sys::window().unwrap().local_storage().unwrap().unwrap()
    }

    /// A journal namespace no other test uses, emptied first.
    fn open(name: &str) -> LocalJournal {
        let s = storage();
        let prefix = [name, ":"].concat();
        let keys: Vec<String> = (0..s.length().unwrap())
            .filter_map(|i| s.key(i).unwrap())
            .filter(|k| k.starts_with(&prefix))
            .collect();
        for k in keys {
            s.remove_item(&k).unwrap();
        }
        LocalJournal::open(name).unwrap()
    }

    fn keys_of(name: &str) -> Vec<String> {
        let s = storage();
        let prefix = [name, ":"].concat();
        let mut keys: Vec<String> = (0..s.length().unwrap())
            .filter_map(|i| s.key(i).unwrap())
            .filter(|k| k.starts_with(&prefix))
            .collect();
        keys.sort();
        keys
    }

    fn payment(id: &str, now: u64) -> PaymentEntry {
        let request = CreatePaymentRequest {
            amount: "30.00".into(),
            currency: "USD".into(),
            method: "ALIPAY".into(),
            merchant_transaction_id: Some(id.into()),
            ..Default::default()
        };
        PaymentEntry::new(request, id.into(), now)
    }

    fn refund(id: &str, amount: &str, now: u64) -> RefundEntry {
        let request = CreateRefundRequest {
            amount: amount.into(),
            merchant_refund_id: Some(id.into()),
            remark: None,
        };
        RefundEntry::new(request, id.into(), now)
    }

    fn answered(mut r: RefundEntry, payment: &str, status: RefundStatus, at: u64) -> RefundEntry {
        r.phase = Phase::Answered;
        r.refund = Some(RefundView {
            merchant_transaction_id: payment.into(),
            merchant_refund_id: r.merchant_refund_id.clone(),
            refund_id: Some("RTX1".into()),
            status,
            amount: r.request.amount.clone(),
            currency: "USD".into(),
            result_code: None,
            result_description: None,
            created_at: at,
            updated_at: at,
            server_time: at,
        });
        r.updated_at = at;
        r
    }

    fn states(e: &PaymentEntry) -> Vec<(String, String)> {
        e.refunds
            .iter()
            .map(|r| {
                let state = to_js(&r.state()).as_string().unwrap();
                (r.merchant_refund_id.clone(), state)
            })
            .collect()
    }

    #[wasm_bindgen_test]
    fn a_stale_copy_of_a_payment_does_not_drop_or_roll_back_a_refund() {
        let j = open("t-stale");
        j.save(&payment("PQ1", 1)).unwrap();

        // Tab B reads the payment; tab A then journals a refund (before sending it).
        let tab_b = j.load("PQ1").unwrap().unwrap();
        let mut tab_a = j.load("PQ1").unwrap().unwrap();
        tab_a.refunds.push(refund("RF1", "10.00", 5));
        j.save(&tab_a).unwrap();

        // Tab B saves its copy, which has never heard of the refund.
        let mut stale = tab_b.clone();
        stale.gave_up = true;
        stale.updated_at = 6;
        j.save(&stale).unwrap();
        let now = j.load("PQ1").unwrap().unwrap();
        assert!(now.gave_up, "tab B's own change is kept");
        assert_eq!(states(&now), [("RF1".to_owned(), "SENDING".to_owned())]);
        assert_eq!(
            journal::pending(&j).unwrap().len(),
            1,
            "resume still finds it"
        );

        // Tab A learns the refund succeeded; tab B, holding it as SENDING, saves again.
        let mut tab_b = j.load("PQ1").unwrap().unwrap();
        let mut tab_a = j.load("PQ1").unwrap().unwrap();
        tab_a.refunds[0] = answered(tab_a.refunds[0].clone(), "PQ1", RefundStatus::Success, 9);
        j.save(&tab_a).unwrap();
        tab_b.updated_at = 10;
        j.save(&tab_b).unwrap();
        let now = j.load("PQ1").unwrap().unwrap();
        assert_eq!(states(&now), [("RF1".to_owned(), "SUCCESS".to_owned())]);

        // A second refund from tab B, while tab A's copy knows only the first.
        let mut tab_b = j.load("PQ1").unwrap().unwrap();
        tab_b.refunds.push(refund("RF2", "5.00", 12));
        j.save(&tab_b).unwrap();
        j.save(&tab_a).unwrap();
        let all = j.entries().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(
            states(&all[0]),
            [
                ("RF1".to_owned(), "SUCCESS".to_owned()),
                ("RF2".to_owned(), "SENDING".to_owned())
            ]
        );
        assert_eq!(
            keys_of("t-stale"),
            [
                "t-stale:payment:PQ1",
                "t-stale:refund:PQ1:RF1",
                "t-stale:refund:PQ1:RF2"
            ]
        );

        // Removing the payment removes its refunds; another payment's are untouched.
        let mut other = payment("PQ2", 20);
        other.refunds.push(refund("RF9", "1.00", 21));
        j.save(&other).unwrap();
        j.remove("PQ1").unwrap();
        assert_eq!(
            keys_of("t-stale"),
            ["t-stale:payment:PQ2", "t-stale:refund:PQ2:RF9"]
        );
        assert!(j.load("PQ1").unwrap().is_none());
        assert_eq!(states(&j.load("PQ2").unwrap().unwrap()).len(), 1);
    }

    #[wasm_bindgen_test]
    fn an_entry_with_its_refunds_inline_is_read_and_moved_to_their_own_keys() {
        let j = open("t-inline");
        let mut e = payment("PQ7", 1);
        e.refunds.push(answered(
            refund("RF7", "3.00", 2),
            "PQ7",
            RefundStatus::Processing,
            3,
        ));
        // The layout before refunds had their own keys: one JSON with the refunds inside.
        let inline = js_sys::JSON::stringify(&to_js(&e)).unwrap();
        storage()
            .set_item("t-inline:payment:PQ7", &String::from(inline))
            .unwrap();
        let loaded = j.load("PQ7").unwrap().unwrap();
        assert_eq!(
            states(&loaded),
            [("RF7".to_owned(), "PROCESSING".to_owned())]
        );
        j.save(&loaded).unwrap();
        assert_eq!(
            keys_of("t-inline"),
            ["t-inline:payment:PQ7", "t-inline:refund:PQ7:RF7"]
        );
        assert_eq!(j.load("PQ7").unwrap().unwrap(), loaded);
    }

    #[wasm_bindgen_test]
    fn unreadable_or_misfiled_refund_keys_are_ignored() {
        let j = open("t-junk");
        let mut e = payment("PQ3", 1);
        e.refunds.push(refund("RF3", "1.00", 2));
        j.save(&e).unwrap();
        let s = storage();
        s.set_item("t-junk:refund:PQ3:RF4", "{not json").unwrap();
        // RF3's entry filed under another refund id, and a refund of no journaled payment.
        let rf3 = s.get_item("t-junk:refund:PQ3:RF3").unwrap().unwrap();
        s.set_item("t-junk:refund:PQ3:RF5", &rf3).unwrap();
        s.set_item("t-junk:refund:PQ404:RF3", &rf3).unwrap();
        assert_eq!(
            states(&j.load("PQ3").unwrap().unwrap()),
            [("RF3".to_owned(), "SENDING".to_owned())]
        );
        let all = j.entries().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0], j.load("PQ3").unwrap().unwrap());
    }

    #[wasm_bindgen_test]
    fn entries_written_by_the_hand_written_writer_are_read() {
        // A payment and a refund exactly as the library wrote them before serde-wasm-bindgen
        // (field by field, absent values null, flags always written).
        let j = open("t-v1");
        let s = storage();
        s.set_item(
            "t-v1:payment:PQ9",
            concat!(
                r#"{"v":1,"merchantTransactionId":"PQ9","request":{"amount":"30.00","#,
                r#""currency":"USD","method":"ALIPAY","expiresInSeconds":300,"#,
                r#""merchantTransactionId":"PQ9"},"phase":"ANSWERED","payment":{"#,
                r#""merchantTransactionId":"PQ9","transactionId":"TX9","status":"SUCCESS","#,
                r#""amount":"30.00","currency":"USD","method":"ALIPAY","qrCode":null,"#,
                r#""qrUrl":null,"qrCodeExpiredAt":1764086700000,"refundedAmount":"0.00","#,
                r#""refundableAmount":"30.00","resultCode":null,"resultDescription":null,"#,
                r#""lateSuccess":false,"remark":null,"createdAt":10,"updatedAt":20,"#,
                r#""serverTime":21},"createdAt":1,"updatedAt":22,"gaveUp":true,"#,
                r#""finalReported":true,"lateSuccessPending":false,"#,
                r#""lateSuccessReported":false,"refunds":[]}"#
            ),
        )
        .unwrap();
        s.set_item(
            "t-v1:refund:PQ9:RF9",
            concat!(
                r#"{"merchantRefundId":"RF9","request":{"amount":"5.00","#,
                r#""merchantRefundId":"RF9"},"phase":"UNKNOWN","refund":null,"#,
                r#""createdAt":30,"updatedAt":31}"#
            ),
        )
        .unwrap();
        let e = j.load("PQ9").unwrap().expect("the old entry is read");
        assert_eq!(e.phase, Phase::Answered);
        assert!(e.gave_up && e.final_reported && !e.late_success_pending);
        let view = e.payment.as_ref().unwrap();
        assert_eq!(view.transaction_id.as_deref(), Some("TX9"));
        assert_eq!(view.qr_code_expired_at, Some(1_764_086_700_000));
        assert_eq!(view.qr_code, None);
        assert_eq!(e.request.expires_in_seconds, Some(300));
        assert_eq!(states(&e), [("RF9".to_owned(), "UNKNOWN".to_owned())]);
        assert_eq!(e.refunds[0].request.amount, "5.00");
        // Written back and read again: the same entry.
        j.save(&e).unwrap();
        assert_eq!(j.load("PQ9").unwrap().unwrap(), e);
    }
}
