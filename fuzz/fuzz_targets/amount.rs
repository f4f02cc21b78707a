//! Amount parsing on arbitrary text in every currency: never panics; an accepted amount is
//! positive, plain digits with at most one dot, reads the same from the wire, and its
//! decimal forms (the currency's exponent, PingPong's 6 decimals) read back to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pingpong_protocol::biz::WireAmount;
use pingpong_protocol::{Currency, Money};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let currencies: Vec<Currency> = Currency::all().collect();
    let c = currencies[pick as usize % currencies.len()];
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if let Ok(code) = Currency::from_code(text) {
        assert_eq!(code.code(), text);
    }
    let plain = |t: &str| {
        t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && t.bytes().filter(|b| *b == b'.').count() <= 1
    };
    if let Ok(m) = Money::parse(text, c) {
        assert!(m.minor() > 0 && m.currency() == c);
        assert!(m.within_rule(), "{text:?} accepted beyond the amount rule");
        assert!(plain(text), "{text:?} accepted");
        assert_eq!(Money::parse_wire(text, c), Ok(m));
        assert_eq!(Money::parse_wire(&m.to_decimal(), c), Ok(m));
    }
    if let Ok(m) = Money::parse_wire(text, c) {
        assert!(m.minor() > 0);
        assert!(plain(text), "{text:?} accepted from the wire");
        assert_eq!(Money::parse_wire(&m.to_decimal(), c), Ok(m));
        assert_eq!(Money::parse_wire(&m.to_decimal_with(6), c), Ok(m));
        assert_eq!(WireAmount::from_money(m).to_money(c), Ok(m));
        let doubled = m.checked_add(m);
        if let Some(d) = doubled {
            assert_eq!(d.checked_sub(m), Some(m));
        }
    }
    // The same text as a JSON value of an amount field (string or number).
    #[derive(serde::Deserialize)]
    struct A {
        amount: WireAmount,
    }
    for json in [
        format!("{{\"amount\":{text}}}"),
        format!("{{\"amount\":\"{text}\"}}"),
    ] {
        if let Ok(a) = serde_json::from_str::<A>(&json) {
            if let Ok(m) = a.amount.to_money(c) {
                assert!(m.minor() > 0);
            }
        }
    }
});
