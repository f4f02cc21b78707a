//! The `localStorage` journal in a real browser, written by two "tabs" whose copies lag behind
//! each other (as real tabs' do): a stale save never drops a refund another copy journaled,
//! nor puts back an older state of it.
#![cfg(target_arch = "wasm32")]

use pingpong_protocol::RefundStatus;
use pingpong_protocol::contract::{CreatePaymentRequest, CreateRefundRequest, RefundView};
use pingpong_qr::core::journal::{self, Journal, PaymentEntry, Phase, RefundEntry};
use pingpong_qr::web::storage::LocalJournal;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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

fn states(e: &PaymentEntry) -> Vec<(String, &'static str)> {
    e.refunds
        .iter()
        .map(|r| (r.merchant_refund_id.clone(), r.state()))
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
    assert_eq!(states(&now), [("RF1".to_owned(), "SENDING")]);
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
    assert_eq!(states(&now), [("RF1".to_owned(), "SUCCESS")]);

    // A second refund from tab B, while tab A's copy knows only the first.
    let mut tab_b = j.load("PQ1").unwrap().unwrap();
    tab_b.refunds.push(refund("RF2", "5.00", 12));
    j.save(&tab_b).unwrap();
    j.save(&tab_a).unwrap();
    let all = j.entries().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        states(&all[0]),
        [("RF1".to_owned(), "SUCCESS"), ("RF2".to_owned(), "SENDING")]
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
    let inline = js_sys::JSON::stringify(&pingpong_qr::web::value::Js::to_js(&e)).unwrap();
    storage()
        .set_item("t-inline:payment:PQ7", &String::from(inline))
        .unwrap();
    let loaded = j.load("PQ7").unwrap().unwrap();
    assert_eq!(states(&loaded), [("RF7".to_owned(), "PROCESSING")]);
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
        [("RF3".to_owned(), "SENDING")]
    );
    let all = j.entries().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0], j.load("PQ3").unwrap().unwrap());
}
