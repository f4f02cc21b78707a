//! PingPong's method table over real HTTP: which currency each QR method takes, what a
//! unifiedPay in another one gets, and the knobs for an account that differs.

mod common;

use common::*;
use pingpong_sandbox::{AcceptedMethod, SandboxConfig};
use serde_json::{Value, json};

/// A valid unifiedPay of `amount` in `currency` with `method`.
fn pay_with(mtid: &str, method: &str, currency: &str, amount: &str) -> Value {
    let mut biz = order(mtid, &format!("{mtid}-r1"), amount);
    biz["paymentMethod"] = json!({ "type": method });
    biz["currency"] = json!(currency);
    biz
}

/// A refusal naming `field`, with no status and nothing created.
async fn assert_refused(h: &Harness, biz: &Value, field: &str) -> String {
    let before = h.sandbox.stats().orders;
    let a = h.call(UNIFIED_PAY, biz).await;
    assert_eq!(a.code(), "102000", "{}", a.raw);
    assert!(
        a.description().contains(&format!("{field} (")),
        "{}",
        a.description()
    );
    assert_eq!(a.status(), None);
    assert_eq!(
        h.sandbox.stats().orders,
        before,
        "a refusal creates nothing"
    );
    a.description().to_owned()
}

#[tokio::test]
async fn alipay_hk_in_hkd_is_taken_and_paid_end_to_end() {
    let h = start().await;
    let a = h
        .create(&pay_with("M-HK", "AlipayHK-Offline", "HKD", "88.80"))
        .await;
    assert_eq!(
        (a.str("currency"), a.biz["paymentMethod"]["type"].as_str()),
        ("HKD", Some("AlipayHK-Offline"))
    );
    // The consumer's wallet page names the method as the consumer knows it.
    let page = h
        .http
        .get(a.str("qrCode"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in ["AlipayHK 支付宝香港", "AlipayHK-Offline", "88.80", "HKD"] {
        assert!(page.contains(needle), "the page lacks {needle}");
    }
    let (status, view) = h.wallet(a.str("qrCode"), "pay").await;
    assert_eq!(
        (status, view["status"].as_str(), view["method"].as_str()),
        (200, Some("SUCCESS"), Some("AlipayHK-Offline"))
    );
    let q = h.query("M-HK").await;
    assert_eq!(
        (q.status(), q.str("currency"), q.str("amount")),
        (Some("SUCCESS"), "HKD", "88.800000")
    );
    // And refunded in its currency.
    let mut refund = refund("M-HK", "RF-HK", "8.80");
    refund["currency"] = json!("HKD");
    let r = h.call(REFUND, &refund).await;
    assert_eq!(r.code(), "002000", "{}", r.raw);
}

#[tokio::test]
async fn a_currency_the_method_does_not_take_is_102000_currency() {
    let h = start().await;
    let cases = [
        (
            "AlipayCN-Offline",
            "HKD",
            "AlipayCN-Offline takes CNY, not HKD",
        ),
        (
            "AlipayCN-Offline",
            "USD",
            "AlipayCN-Offline takes CNY, not USD",
        ),
        (
            "AlipayHK-Offline",
            "CNY",
            "AlipayHK-Offline takes HKD, not CNY",
        ),
        (
            "Wechat-Offline",
            "USD",
            "Wechat-Offline takes CNY, HKD, not USD",
        ),
    ];
    for (i, (method, currency, why)) in cases.into_iter().enumerate() {
        let biz = pay_with(&format!("M-NO-{i}"), method, currency, "1.00");
        let description = assert_refused(&h, &biz, "currency").await;
        assert!(
            description.ends_with(&format!("currency ({why})")),
            "{description}"
        );
    }
    // An unknown method is named first, whatever the currency.
    let biz = pay_with("M-NO-TYPE", "AlipayUS-Offline", "HKD", "1.00");
    assert_refused(&h, &biz, "paymentMethod.type").await;
    // A refused request is not remembered: its ids serve again in the right currency.
    let a = h
        .create(&pay_with("M-NO-0", "AlipayCN-Offline", "CNY", "1.00"))
        .await;
    assert_eq!(a.str("currency"), "CNY");
}

#[tokio::test]
async fn wechat_takes_cny_and_hkd() {
    let h = start().await;
    for currency in ["CNY", "HKD"] {
        let mtid = format!("M-WX-{currency}");
        let a = h
            .create(&pay_with(&mtid, "Wechat-Offline", currency, "12.34"))
            .await;
        assert_eq!(a.str("currency"), currency);
        let (status, view) = h.wallet(a.str("qrCode"), "pay").await;
        assert_eq!((status, view["status"].as_str()), (200, Some("SUCCESS")));
    }
    assert_eq!(h.sandbox.stats().orders, 2);
}

/// An account whose methods differ from PingPong's table is configured, not patched.
#[tokio::test]
async fn the_table_is_configurable_and_the_check_can_be_off() {
    let own = start_with(SandboxConfig {
        methods: vec![AcceptedMethod::parse("AlipayCN-Offline:CNY,HKD").unwrap()],
        ..fast_config()
    })
    .await;
    own.create(&pay_with("M-OWN", "AlipayCN-Offline", "HKD", "5.00"))
        .await;
    assert_refused(
        &own,
        &pay_with("M-OWN-X", "AlipayCN-Offline", "USD", "5.00"),
        "currency",
    )
    .await;
    assert_refused(
        &own,
        &pay_with("M-OWN-Y", "Wechat-Offline", "CNY", "5.00"),
        "paymentMethod.type",
    )
    .await;

    // Off (the proxy's demo mode, until merchants have a method catalogue): any supported
    // currency goes with any accepted method.
    let any = start_with(SandboxConfig {
        check_method_currency: false,
        ..fast_config()
    })
    .await;
    let a = any
        .create(&pay_with("M-ANY", "AlipayCN-Offline", "USD", "5.00"))
        .await;
    assert_eq!(a.str("currency"), "USD");
    assert_refused(
        &any,
        &pay_with("M-ANY-X", "AlipayCN-Offline", "XXX", "5.00"),
        "currency",
    )
    .await;
}
