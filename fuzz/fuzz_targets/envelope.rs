//! Envelope parsing and verification on arbitrary bytes: never panics; what parses
//! serialises back to the same envelope; verification agrees with a fresh signature, and a
//! signature changed in any way no longer verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pingpong_protocol::Envelope;
use pingpong_protocol::biz::{QueryResponse, RefundResponse, UnifiedPayResponse};

const SALT: &str = "F78BC96A55548B2319EE68E0";

fuzz_target!(|data: &[u8]| {
    let Ok(env) = Envelope::parse(data) else {
        return;
    };
    let _ = (env.acc_id(), env.client_id(), env.code(), env.description());
    let _ = env.biz::<UnifiedPayResponse>();
    let _ = env.biz::<QueryResponse>();
    let _ = env.biz::<RefundResponse>();
    let verified = env.verify(SALT).is_ok();

    // What it writes reads back as the same envelope, with the same verdict.
    let back = Envelope::parse(env.to_json().as_bytes()).expect("its own JSON parses");
    assert_eq!(back, env);
    assert_eq!(back.verify(SALT).is_ok(), verified);

    // Signed with the salt it verifies; any other signature does not.
    let mut signed = env.clone();
    if signed.sign(SALT).is_ok() {
        signed.verify(SALT).expect("a fresh signature verifies");
        let sig = signed.get("sign").expect("signed").to_owned();
        if verified {
            assert_eq!(env.get("sign"), Some(sig.as_str()));
        }
        for forged in [
            sig.to_lowercase(),
            sig[1..].to_owned(),
            format!("{sig}0"),
            String::new(),
        ] {
            if forged != sig {
                let mut f = signed.clone();
                f.set("sign", forged);
                assert!(f.verify(SALT).is_err());
            }
        }
        assert!(signed.verify("another salt").is_err());
    } else {
        assert!(
            !verified,
            "an envelope without a valid signType cannot verify"
        );
    }
});
