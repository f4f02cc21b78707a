//! The v4 signature on arbitrary fields, salts and candidate signatures: never panics;
//! `verify` is exactly "equals the fresh signature"; signatures are upper-case hex of the
//! algorithm's length; the string to sign ignores field order, `sign` and blank values.
//!
//! Input: lines; the first is the salt, then `key=value` fields, and the last line is a
//! candidate signature. The first byte picks the algorithm.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pingpong_protocol::SignType;
use pingpong_protocol::sign::{constant_time_eq, sign, string_to_sign, verify};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let st = if pick & 1 == 0 {
        SignType::Sha256
    } else {
        SignType::Md5
    };
    let text = String::from_utf8_lossy(rest);
    let mut lines: Vec<&str> = text.split('\n').collect();
    let salt = lines.remove(0);
    let candidate = lines.pop().unwrap_or("");
    let fields: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| l.split_once('=').unwrap_or((l, "")))
        .collect();

    let sig = sign(st, salt, fields.iter().copied());
    assert_eq!(sig.len(), if st == SignType::Md5 { 32 } else { 64 });
    assert!(
        sig.bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
    );
    assert!(verify(st, salt, fields.iter().copied(), &sig));
    assert_eq!(
        verify(st, salt, fields.iter().copied(), candidate),
        candidate == sig
    );
    if sig.bytes().any(|b| b.is_ascii_alphabetic()) {
        assert!(!verify(
            st,
            salt,
            fields.iter().copied(),
            &sig.to_lowercase()
        ));
    }
    assert!(!verify(
        st,
        salt,
        fields.iter().copied(),
        &sig[..sig.len() - 1]
    ));

    // Order, `sign` and blank values do not take part.
    let base = string_to_sign(salt, fields.iter().copied());
    let mut shuffled = fields.clone();
    shuffled.reverse();
    shuffled.push(("sign", candidate));
    shuffled.push(("blank", "  "));
    // A duplicate key sorts next to its twin in either order: only compare without twins.
    let mut keys: Vec<&str> = fields.iter().map(|f| f.0).collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.len() == fields.len() && !keys.contains(&"blank") {
        assert_eq!(string_to_sign(salt, shuffled.iter().copied()), base);
    }
    assert!(base.starts_with(salt));

    // Constant-time comparison agrees with ==.
    assert_eq!(
        constant_time_eq(candidate.as_bytes(), sig.as_bytes()),
        candidate == sig
    );
    assert_eq!(
        constant_time_eq(salt.as_bytes(), candidate.as_bytes()),
        salt == candidate
    );
});
