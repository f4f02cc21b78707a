//! Both sides agree on the v4 signature byte for byte: a request signed by hand (sha2 and
//! the reference's rules, no protocol crate) is accepted, and the sandbox's answer verifies
//! both by hand and with the protocol crate. Also MD5, and the binary's start-up lines.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use pingpong_protocol::{Envelope, SignType};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The reference's rule, written out: salt + sorted `k=v` of every field but `sign`,
/// blanks skipped, joined with `&`; SHA256; upper-case hex.
fn hand_sign(salt: &str, fields: &[(&str, &str)]) -> String {
    let mut pairs: Vec<_> = fields
        .iter()
        .filter(|(k, v)| *k != "sign" && !v.is_empty())
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let joined: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let digest = Sha256::digest(format!("{salt}{}", joined.join("&")).as_bytes());
    digest.iter().map(|b| format!("{b:02X}")).collect()
}

#[tokio::test]
async fn a_hand_signed_request_is_accepted_and_the_answer_verifies_both_ways() {
    let h = start().await;
    let salt = "F78BC96A55548B2319EE68E0";
    // Written by hand, keys deliberately unsorted, amount as a JSON number.
    let biz = format!(
        r#"{{"requestId":"R-HAND","amount":12.5,"currency":"USD","merchantTransactionId":"M-HAND","captureDelayHours":0,"cashierDeviceId":"POS-9","paymentMethod":{{"type":"Wechat-Offline"}},"timeExpire":"{}"}}"#,
        now_s() + 120
    );
    let fields = [
        ("accId", "2018092714313010016291"),
        ("clientId", "2018092714313010016"),
        ("signType", "SHA256"),
        ("version", "1.0"),
        ("bizContent", biz.as_str()),
    ];
    let sign = hand_sign(salt, &fields);
    let mut body = serde_json::Map::new();
    for (k, v) in fields {
        body.insert(k.into(), json!(v));
    }
    body.insert("sign".into(), json!(sign));
    let (status, raw) = h
        .post_raw(UNIFIED_PAY, &Value::Object(body).to_string())
        .await;
    assert_eq!(status, 200);

    // By hand: every top-level field of the answer but sign.
    let answer: serde_json::Map<String, Value> = serde_json::from_str(&raw).unwrap();
    let texts: Vec<(String, String)> = answer
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(answer["sign"].as_str().unwrap(), hand_sign(salt, &refs));
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
    for _ in 0..2 {
        printed.push(lines.next().unwrap().unwrap());
    }
    let text = printed.join("\n");
    assert!(text.contains("accId 1234567890123"), "{text}");
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
