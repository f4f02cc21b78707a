//! The create-payment requests of the load test: the register's `POST /v1/payments` body for
//! the proxy, and the signed v4 `unifiedPay` envelope the proxy would send for it, for the
//! sandbox called directly. Every request has its own order id (and `requestId`).

use std::sync::atomic::{AtomicU64, Ordering};

use pingpong_protocol::biz::{PaymentMethod, UnifiedPayRequest, WireAmount};
use pingpong_protocol::{Currency, Envelope, Money, SignType, TimeExpireFormat};

/// The public sandbox account A (docs/architecture.md, "Defaults"): what the proxy's demo mode signs with.
pub const ACCOUNT_A_ACC_ID: &str = "2018092714313010016291";
/// Account A's `clientId`.
pub const ACCOUNT_A_CLIENT_ID: &str = "2018092714313010016";
/// Account A's salt. It exists only in the sandbox and in test and benchmark tooling.
pub const ACCOUNT_A_SALT: &str = "F78BC96A55548B2319EE68E0";

/// The amount of every benchmark payment, in minor units of USD.
const AMOUNT_MINOR: u64 = 1250;
/// QR validity of benchmark orders: long enough that none closes (and notifies) mid-run.
pub const EXPIRES_IN_SECONDS: u32 = 3600;
/// The demo register's `cashierDeviceId` (the proxy sets it from the token).
const CASHIER_DEVICE_ID: &str = "DEMO-POS-1";
/// The proxy's default `paymentMethod.type` for ALIPAY (docs/protocol-choices.md #1).
const ALIPAY_METHOD: &str = "AlipayCN-Offline";

/// Makes unique ids: `{prefix}{run}-{n}`, where `run` is the start time in base 36. Shared
/// by every worker of a run.
#[derive(Debug)]
pub struct Ids {
    run: String,
    next: AtomicU64,
}

impl Ids {
    /// Ids of a run started at `epoch_ms`.
    pub fn new(epoch_ms: u64) -> Ids {
        Ids {
            run: base36(epoch_ms),
            next: AtomicU64::new(0),
        }
    }

    /// The next id with `prefix` (each call a new number): at most 2 + 9 + 13 characters,
    /// inside the 64 of `A-Z a-z 0-9 _ - .` that ids allow.
    pub fn next(&self, prefix: &str) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{prefix}{}-{n}", self.run)
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

fn usd() -> Currency {
    Currency::from_code("USD").expect("USD is supported")
}

/// The register's create-payment body for the proxy (`POST /v1/payments`).
pub fn proxy_body(merchant_transaction_id: &str) -> String {
    serde_json::json!({
        "amount": "12.50",
        "currency": "USD",
        "method": "ALIPAY",
        "expiresInSeconds": EXPIRES_IN_SECONDS,
        "merchantTransactionId": merchant_transaction_id,
    })
    .to_string()
}

/// The signed `unifiedPay` envelope (JSON) the proxy sends for [`proxy_body`], as of
/// `now_ms`, with notifications to `notify_url`.
pub fn sandbox_body(
    merchant_transaction_id: &str,
    request_id: &str,
    notify_url: &str,
    now_ms: u64,
) -> String {
    let biz = UnifiedPayRequest {
        merchant_transaction_id: merchant_transaction_id.to_owned(),
        request_id: request_id.to_owned(),
        amount: WireAmount::from_money(Money::from_minor(AMOUNT_MINOR, usd())),
        currency: "USD".to_owned(),
        capture_delay_hours: 0,
        cashier_device_id: CASHIER_DEVICE_ID.to_owned(),
        payment_method: PaymentMethod {
            kind: ALIPAY_METHOD.to_owned(),
            scan_code_id: None,
        },
        time_expire: Some(TimeExpireFormat::EpochSeconds.encode(now_ms, EXPIRES_IN_SECONDS)),
        notification_url: Some(notify_url.to_owned()),
        close_notification_url: Some(notify_url.to_owned()),
        remark: None,
        device: None,
        shopper_ip: None,
    };
    let mut envelope = Envelope::request(
        ACCOUNT_A_ACC_ID,
        ACCOUNT_A_CLIENT_ID,
        SignType::Sha256,
        Envelope::biz_text(&biz),
    );
    envelope
        .sign(ACCOUNT_A_SALT)
        .expect("a request envelope has every field signing needs");
    envelope.to_json()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_valid_and_short() {
        let ids = Ids::new(1_764_086_700_000);
        let a = ids.next("PB");
        let b = ids.next("PB");
        assert_ne!(a, b);
        for id in [&a, &b] {
            assert!(
                pingpong_protocol::MerchantTransactionId::new(id).is_ok(),
                "{id}"
            );
            assert!(pingpong_protocol::RequestId::new(id).is_ok(), "{id}");
        }
        assert!(a.starts_with("PB") && a.ends_with("-1"));
        assert_eq!(base36(0), "0");
        assert_eq!(base36(36 * 36 + 35), "10z");
    }

    #[test]
    fn proxy_body_passes_the_contract_validation() {
        let body: pingpong_protocol::contract::CreatePaymentRequest =
            serde_json::from_str(&proxy_body("PB1-1")).unwrap();
        let new = body.validate().unwrap();
        assert_eq!(new.amount.minor(), AMOUNT_MINOR);
        assert_eq!(new.expires_in.seconds(), EXPIRES_IN_SECONDS);
    }

    #[test]
    fn sandbox_body_is_signed_with_account_a_and_carries_the_order() {
        let json = sandbox_body(
            "PB1-1",
            "PR1-1",
            "http://127.0.0.1:9/notify/pingpong",
            1_000,
        );
        let envelope = Envelope::parse(json.as_bytes()).unwrap();
        envelope.verify(ACCOUNT_A_SALT).unwrap();
        assert!(envelope.verify("WRONG-SALT").is_err());
        assert_eq!(envelope.acc_id().unwrap(), ACCOUNT_A_ACC_ID);
        let biz: UnifiedPayRequest = envelope.biz().unwrap();
        assert_eq!(biz.merchant_transaction_id, "PB1-1");
        assert_eq!(biz.request_id, "PR1-1");
        assert_eq!(biz.amount, WireAmount::from_text("12.50"));
        assert_eq!(biz.time_expire.as_deref(), Some("3601"));
    }
}
