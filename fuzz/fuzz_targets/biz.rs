//! bizContent readers on arbitrary text: the four answers and the two notifications never
//! panic, what they read is written back and read again to the same value, and amounts and
//! timestamps inside are read without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pingpong_protocol::Currency;
use pingpong_protocol::biz::{
    Notification, QueryResponse, RefundResponse, UnifiedPayRequest, UnifiedPayResponse, WireAmount,
};
use pingpong_protocol::time::{TimeExpireFormat, parse_timestamp_ms};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Reads `T`; if it reads, its JSON reads back equal.
fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(
    text: &str,
) -> Option<T> {
    let value: T = serde_json::from_str(text).ok()?;
    let again: T = serde_json::from_str(&serde_json::to_string(&value).expect("serialises"))
        .expect("its own JSON reads back");
    assert_eq!(again, value);
    Some(value)
}

fn amounts(a: Option<&WireAmount>) {
    if let Some(a) = a {
        for c in Currency::all() {
            let _ = a.to_money(c);
        }
    }
}

fn times(t: Option<&String>) {
    if let Some(t) = t {
        let _ = parse_timestamp_ms(t);
        let _ = TimeExpireFormat::EpochSeconds.decode(t, 1_764_000_000_000);
        let _ = TimeExpireFormat::DurationMinutes.decode(t, 1_764_000_000_000);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(r) = round_trip::<UnifiedPayResponse>(text) {
        let _ = (r.qr_text(), r.qr_image_url(), r.qr_expires_at_ms());
        amounts(r.amount.as_ref());
        times(r.qr_code_expired.as_ref());
        times(r.transaction_time.as_ref());
    }
    if let Some(r) = round_trip::<QueryResponse>(text) {
        amounts(r.amount.as_ref());
        times(r.qr_code_expired.as_ref());
        times(r.transaction_ending_time.as_ref());
    }
    if let Some(r) = round_trip::<RefundResponse>(text) {
        amounts(r.amount.as_ref());
        times(r.refund_time.as_ref());
    }
    if let Some(r) = round_trip::<UnifiedPayRequest>(text) {
        amounts(Some(&r.amount));
        times(r.time_expire.as_ref());
    }
    match Notification::parse(text) {
        Ok(Notification::Payment(p)) => {
            amounts(Some(&p.amount));
            let again = Notification::parse(&serde_json::to_string(&p).unwrap()).unwrap();
            assert_eq!(again, Notification::Payment(p));
        }
        Ok(Notification::Refund(r)) => {
            amounts(Some(&r.amount));
            let again = Notification::parse(&serde_json::to_string(&r).unwrap()).unwrap();
            assert_eq!(again, Notification::Refund(r));
        }
        Err(e) => {
            let _ = e.field();
        }
    }
});
