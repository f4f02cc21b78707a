//! Both sides agree on the v4 signature byte for byte: a request signed by hand (sha2 or
//! md-5 and the reference's rules, no protocol crate) is accepted, and the sandbox's answer
//! verifies both by hand and with the protocol crate. Also the binary's start-up lines.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use md5::Md5;
use pingpong_protocol::{Envelope, SignType};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The reference's rule, written out: salt + sorted `k=v` of every field but `sign`,
/// blanks skipped, joined with `&`; the digest the `signType` field names (MD5, else
/// SHA256); upper-case hex.
fn hand_sign(salt: &str, fields: &[(&str, &str)]) -> String {
    let mut pairs: Vec<_> = fields
        .iter()
        .filter(|(k, v)| *k != "sign" && !v.is_empty())
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let content = format!("{salt}{}", joined.join("&"));
    let md5 = fields.iter().any(|&(k, v)| k == "signType" && v == "MD5");
    let digest = if md5 {
        Md5::digest(content.as_bytes()).to_vec()
    } else {
        Sha256::digest(content.as_bytes()).to_vec()
    };
    digest.iter().map(|b| format!("{b:02X}")).collect()
}

/// Every top-level field of a JSON answer, as (key, string value).
fn fields_of(raw: &str) -> Vec<(String, String)> {
    let answer: serde_json::Map<String, Value> = serde_json::from_str(raw).unwrap();
    answer
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

/// Checks `raw`'s `sign` by hand.
fn assert_hand_verifies(salt: &str, raw: &str) {
    let texts = fields_of(raw);
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let sign = refs.iter().find(|(k, _)| *k == "sign").expect("signed").1;
    assert_eq!(sign, hand_sign(salt, &refs), "{raw}");
}

/// Posts `fields` plus their hand-made `sign` as a JSON object.
async fn post_hand_signed(h: &Harness, path: &str, salt: &str, fields: &[(&str, &str)]) -> String {
    let mut body = serde_json::Map::new();
    for (k, v) in fields {
        body.insert((*k).into(), json!(v));
    }
    body.insert("sign".into(), json!(hand_sign(salt, fields)));
    let (status, raw) = h.post_raw(path, &Value::Object(body).to_string()).await;
    assert_eq!(status, 200, "{raw}");
    raw
}

#[test]
fn the_hand_signer_reproduces_the_reference_vectors() {
    // Vector 1 of the reference (§3.6): sandbox account B, MD5, and its derived SHA256 twin.
    let biz = r#"{"merchantTransactionId":"10019","trackingNumber":"423431241","logisticsCompany":"sf","logisticsCompanyUrl":"https://www.baidu.com"}"#;
    let salt = "BCE27A281029F5EAF3CC0E82";
    let fields = |sign_type| {
        [
            ("accId", "2018092714313010016289"),
            ("clientId", "2018092714313010016"),
            ("signType", sign_type),
            ("version", "1.0"),
            ("bizContent", biz),
        ]
    };
    assert_eq!(
        hand_sign(salt, &fields("MD5")),
        "055AD0B08E3A92A91475E24E1F0C005F"
    );
    assert_eq!(
        hand_sign(salt, &fields("SHA256")),
        "CF54E3E89BE3255D8B05E3E5671CF0378011BD55ED8E020426BFB6A02947DD6A"
    );
}

#[tokio::test]
async fn a_hand_signed_request_is_accepted_and_the_answer_verifies_both_ways() {
    let h = start().await;
    let salt = "F78BC96A55548B2319EE68E0";
    // Written by hand, keys deliberately unsorted, amount as a JSON number.
    let biz = format!(
        r#"{{"requestId":"R-HAND","amount":12.5,"currency":"CNY","merchantTransactionId":"M-HAND","captureDelayHours":0,"cashierDeviceId":"POS-9","paymentMethod":{{"type":"Wechat-Offline"}},"timeExpire":"{}"}}"#,
        now_s() + 120
    );
    let fields = [
        ("accId", "2018092714313010016291"),
        ("clientId", "2018092714313010016"),
        ("signType", "SHA256"),
        ("version", "1.0"),
        ("bizContent", biz.as_str()),
    ];
    let raw = post_hand_signed(&h, UNIFIED_PAY, salt, &fields).await;

    // By hand: every top-level field of the answer but sign.
    assert_hand_verifies(salt, &raw);
    let answer: serde_json::Map<String, Value> = serde_json::from_str(&raw).unwrap();
    assert_eq!(answer["signType"], "SHA256");
    assert_eq!(answer["code"], "002000", "{raw}");
    // And with the protocol crate.
    let env = Envelope::parse(raw.as_bytes()).unwrap();
    env.verify(salt).unwrap();
    let biz: Value = serde_json::from_str(env.biz_content().unwrap()).unwrap();
    assert_eq!(
        (biz["status"].as_str(), biz["amount"].as_str()),
        (Some("PROCESSING"), Some("12.500000"))
    );
}

#[tokio::test]
async fn a_hand_signed_md5_request_is_accepted_and_answers_and_pushes_in_md5() {
    let h = start().await;
    let rx = Receiver::start(vec![Reply::Ok]).await;
    let salt = "F78BC96A55548B2319EE68E0";
    let biz = format!(
        r#"{{"merchantTransactionId":"M-HAND-MD5","requestId":"R-HAND-MD5","amount":"7.25","currency":"CNY","captureDelayHours":0,"cashierDeviceId":"POS-9","paymentMethod":{{"type":"AlipayCN-Offline"}},"timeExpire":"{}","notificationUrl":"{}"}}"#,
        now_s() + 120,
        rx.url
    );
    let fields = [
        ("accId", "2018092714313010016291"),
        ("clientId", "2018092714313010016"),
        ("signType", "MD5"),
        ("version", "1.0"),
        ("bizContent", biz.as_str()),
    ];
    assert_eq!(hand_sign(salt, &fields).len(), 32);
    let raw = post_hand_signed(&h, UNIFIED_PAY, salt, &fields).await;
    let answer: serde_json::Map<String, Value> = serde_json::from_str(&raw).unwrap();
    assert_eq!(answer["code"], "002000", "{raw}");
    assert_eq!(answer["signType"], "MD5");
    assert_eq!(answer["sign"].as_str().unwrap().len(), 32);
    assert_hand_verifies(salt, &raw);
    let env = Envelope::parse(raw.as_bytes()).unwrap();
    env.verify(salt).unwrap();

    // The same fields signed with another salt are refused.
    let wrong = post_hand_signed(&h, UNIFIED_PAY, "F78BC96A55548B2319EE68E1", &fields).await;
    assert!(wrong.contains(r#""code":"104000""#), "{wrong}");

    // The order's notification is signed the way the order was created: MD5.
    let biz: Value = serde_json::from_str(env.biz_content().unwrap()).unwrap();
    let (status, _) = h.wallet(biz["qrCode"].as_str().unwrap(), "pay").await;
    assert_eq!(status, 200);
    let pushed = &rx.wait_for(1).await[0];
    let push: serde_json::Map<String, Value> = serde_json::from_str(pushed).unwrap();
    assert_eq!(push["signType"], "MD5");
    assert_hand_verifies(salt, pushed);
}

#[tokio::test]
async fn md5_requests_get_md5_answers() {
    let h = start().await;
    let a = h
        .call_as(
            &h.account,
            SignType::Md5,
            QUERY,
            &json!({ "merchantTransactionId": "M-MD5" }).to_string(),
        )
        .await;
    assert_eq!(a.env.get("signType"), Some("MD5"));
    assert_eq!(a.env.get("sign").unwrap().len(), 32);
    assert_eq!(a.code(), "107001");
}

#[test]
fn the_binary_prints_its_url_and_acc_ids_but_never_a_salt() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pingpong-sandbox"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--account",
            "1234567890123:1234567890:SECRET-SALT-X",
            "--method",
            "AlipayHK-Offline:HKD,CNY",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = KillOnDrop(child);
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("pingpong-sandbox listening on ")
        .expect(&first)
        .to_owned();
    let mut printed = vec![first];
    for _ in 0..3 {
        printed.push(lines.next().unwrap().unwrap());
    }
    let text = printed.join("\n");
    assert!(text.contains("accId 1234567890123"), "{text}");
    assert!(
        text.ends_with("\nmethod: AlipayHK-Offline HKD,CNY"),
        "{text}"
    );
    assert!(!text.contains("SECRET-SALT-X"), "{text}");
    // It answers, and signs with the configured account.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let raw = rt.block_on(async {
        let mut env = Envelope::request(
            "1234567890123",
            "1234567890",
            SignType::Sha256,
            r#"{"merchantTransactionId":"M"}"#.into(),
        );
        env.sign("SECRET-SALT-X").unwrap();
        reqwest::Client::new()
            .post(format!("{url}{QUERY}"))
            .body(env.to_json())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    drop(child);
    let env = Envelope::parse(raw.as_bytes()).unwrap();
    env.verify("SECRET-SALT-X").unwrap();
    assert_eq!(env.code(), Some("107001"));
}

/// Stops the child process even when an assertion fails first.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
