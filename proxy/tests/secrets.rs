//! No secret leaves: the salt, the register tokens, the event tickets and every whole
//! signature exchanged are absent from every answer (body and headers), from the journal
//! file, and from the log output of the whole run (captured at TRACE level, every crate).

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use pingpong_protocol::Envelope;
use pingpong_protocol::sign::sign;
use pingpong_qr_proxy::RegisterToken;
use pingpong_sandbox::{Account, Faults};
use reqwest::Method;
use serde_json::json;

const SALT: &str = "SALT-7f3a9c2e1b4d8f6a0c5e";
const TOKEN: &str = "tok-7Hq2Lx9Pz4Wm8Rv1Ks6N";
const TOKEN_OTHER: &str = "tok-other-3Jd8Fq1Zx5Cv9Bn2";

#[derive(Clone)]
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

fn record(seen: &mut Vec<String>, r: &Reply) {
    seen.push(r.text.clone());
    for (k, v) in &r.headers {
        seen.push(format!("{k}: {}", v.to_str().unwrap_or("")));
    }
}

#[tokio::test]
async fn no_secret_in_answers_journal_or_logs() {
    let logs = Captured(Arc::new(Mutex::new(Vec::new())));
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let account = Account {
        acc_id: "2018092714313010099001".into(),
        client_id: "2018092714313010099".into(),
        salt: SALT.into(),
    };
    let upstream = StandaloneSandbox::start(vec![account.clone()]).await;
    upstream.sandbox.set_faults(Faults {
        duplicate_notifications: true,
        ..Faults::default()
    });
    let mut h = pingpong_harness(&upstream.sandbox, &upstream.url, &account, |c| {
        c.registers = vec![
            RegisterToken::new(TOKEN, "POS-S1", "STORE-S").unwrap(),
            RegisterToken::new(TOKEN_OTHER, "POS-S2", "STORE-T").unwrap(),
        ];
        c.allow_origins = vec!["http://pos.example".into()];
    })
    .await;

    let mut answers = Vec::new();
    let mut tickets = Vec::new();
    let t = h.post("/v1/events/tickets", TOKEN, json!({})).await;
    tickets.push(t.json["ticket"].as_str().unwrap().to_owned());
    let mut events = EventStream::open(&h.http, &h.url, &tickets[0], None).await;
    let p = h
        .create_payment(
            TOKEN,
            json!({ "amount": "20.00", "currency": "USD", "method": "ALIPAY" }),
        )
        .await;
    let mtid = p["merchantTransactionId"].as_str().unwrap().to_owned();
    h.pay(&p).await;
    events.next_where(|e| e.data["status"] == "SUCCESS").await;
    let paid = h.get(&format!("/v1/payments/{mtid}"), TOKEN).await;
    record(&mut answers, &paid);
    let refunds = format!("/v1/payments/{mtid}/refunds");
    let r = h
        .post(
            &refunds,
            TOKEN,
            json!({ "amount": "5.00", "merchantRefundId": "RF-SEC-1" }),
        )
        .await;
    record(&mut answers, &r);
    events.next_where(|e| e.event == "refund").await;
    for r in [
        h.get(&format!("{refunds}/RF-SEC-1"), TOKEN).await,
        h.post(
            &refunds,
            TOKEN,
            json!({ "amount": "5.00", "merchantRefundId": "RF-SEC-1" }),
        )
        .await,
        h.post(&refunds, TOKEN, json!({ "amount": "99.00" })).await,
        h.get(&format!("/v1/payments/{mtid}"), TOKEN_OTHER).await,
        h.get(&format!("/v1/payments/{mtid}"), "tok-guess").await,
        h.post(
            "/v1/payments",
            TOKEN,
            json!({ "amount": "-1", "currency": "USD", "method": "ALIPAY" }),
        )
        .await,
        h.call(Method::GET, "/v1/events?ticket=forged", None, None)
            .await,
        h.call(
            Method::POST,
            "/notify/pingpong",
            None,
            Some(json!({ "accId": account.acc_id, "sign": "00" })),
        )
        .await,
        h.call(Method::GET, "/healthz", None, None).await,
        h.call(Method::GET, "/openapi.json", None, None).await,
    ] {
        record(&mut answers, &r);
    }
    let open = h
        .create_payment(
            TOKEN,
            json!({ "amount": "1.00", "currency": "USD", "method": "WECHAT" }),
        )
        .await;
    let queried = h
        .get(
            &format!(
                "/v1/payments/{}",
                open["merchantTransactionId"].as_str().unwrap()
            ),
            TOKEN,
        )
        .await;
    record(&mut answers, &queried);
    let t = h.post("/v1/events/tickets", TOKEN_OTHER, json!({})).await;
    tickets.push(t.json["ticket"].as_str().unwrap().to_owned());
    let preflight = h
        .http
        .request(Method::OPTIONS, format!("{}/v1/payments", h.url))
        .header("origin", "http://pos.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    answers.extend(
        preflight
            .headers()
            .iter()
            .map(|(k, v)| format!("{k}: {v:?}")),
    );
    drop(events);
    // Let the duplicated pushes land before stopping.
    eventually("all notifications delivered", || async {
        let s = upstream.sandbox.stats();
        (s.delivered >= s.notifications && s.notifications >= 4).then_some(())
    })
    .await;
    h.shutdown().await;

    // Every whole signature of the run, recomputed from the journaled envelopes.
    let db = h.dir.path().join("journal.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut envelopes: Vec<String> = Vec::new();
    for sql in [
        "SELECT request FROM exchanges",
        "SELECT response FROM exchanges WHERE response IS NOT NULL",
        "SELECT envelope FROM notifications",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        envelopes.extend(rows.map(Result::unwrap));
    }
    drop(conn);
    let signatures: Vec<String> = envelopes
        .iter()
        .filter_map(|text| Envelope::parse(text.as_bytes()).ok())
        .filter(|env| env.get("sign").is_none())
        .map(|env| sign(env.sign_type().unwrap(), SALT, env.fields()))
        .collect();
    assert!(
        signatures.len() >= 10,
        "{} signatures recomputed",
        signatures.len()
    );

    let mut journal = Vec::new();
    for entry in std::fs::read_dir(h.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("journal.sqlite")
        {
            journal.extend(std::fs::read(&path).unwrap());
        }
    }
    let journal = String::from_utf8_lossy(&journal).into_owned();
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("PingPong answered"), "the logs were captured");
    assert!(journal.contains(&mtid), "the journal was read");
    let answers = answers.join("\n");

    let mut secrets: Vec<(&str, String)> = vec![
        ("salt", SALT.into()),
        ("token", TOKEN.into()),
        ("token", TOKEN_OTHER.into()),
    ];
    secrets.extend(tickets.iter().map(|t| ("ticket", t.clone())));
    secrets.extend(signatures.iter().map(|s| ("signature", s.clone())));
    for (what, secret) in &secrets {
        assert!(!logs.contains(secret.as_str()), "a {what} is in the logs");
        assert!(
            !journal.contains(secret.as_str()),
            "a {what} is in the journal"
        );
        if *what != "ticket" {
            // A ticket is handed to its register once, by design.
            assert!(
                !answers.contains(secret.as_str()),
                "a {what} is in an answer"
            );
        }
    }
    // Not even the lower-case form of a signature.
    for s in &signatures {
        let lower = s.to_lowercase();
        assert!(!logs.contains(&lower) && !journal.contains(&lower));
    }
}
