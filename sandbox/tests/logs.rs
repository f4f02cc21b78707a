//! The sandbox's log lines never contain a salt or a whole signature.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use pingpong_protocol::{Envelope, SignType};
use pingpong_sandbox::Account;
use serde_json::json;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_hold_no_salt_and_no_signature() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let h = start().await;
    let rx = Receiver::start(vec![Reply::Fail, Reply::Ok]).await;
    let mut signatures = Vec::new();
    let mut biz = order("M-LOG", "R-LOG", "3.00");
    biz["notificationUrl"] = json!(rx.url);
    let a = h.create(&biz).await;
    signatures.push(a.env.get("sign").unwrap().to_owned());
    h.wallet(a.str("qrCode"), "pay").await;
    let mut r = refund("M-LOG", "RF-LOG", "1.00");
    r["notificationUrl"] = json!(rx.url);
    signatures.push(h.call(REFUND, &r).await.env.get("sign").unwrap().to_owned());
    // A bad signature, an unknown account, an MD5 call.
    let mut env = Envelope::request(
        &h.account.acc_id,
        &h.account.client_id,
        SignType::Sha256,
        "{}".into(),
    );
    env.set("sign", "A".repeat(64));
    signatures.push("A".repeat(64));
    signatures.push(
        Envelope::parse(h.post_raw(QUERY, &env.to_json()).await.1.as_bytes())
            .unwrap()
            .get("sign")
            .unwrap()
            .to_owned(),
    );
    let b = Account::sandbox_b();
    let md5 = h
        .call_as(
            &b,
            SignType::Md5,
            QUERY,
            r#"{"merchantTransactionId":"M-LOG"}"#,
        )
        .await;
    signatures.push(md5.env.get("sign").unwrap().to_owned());
    for body in rx.wait_for(3).await {
        signatures.push(
            Envelope::parse(body.as_bytes())
                .unwrap()
                .get("sign")
                .unwrap()
                .to_owned(),
        );
    }

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("v4 call") && log.contains("notification delivery"),
        "logging is on: {log}"
    );
    for secret in [Account::sandbox_a().salt, b.salt] {
        assert!(!log.contains(&secret), "a salt was logged");
    }
    for sig in &signatures {
        assert!(!log.contains(sig.as_str()), "a signature was logged: {sig}");
    }
}
