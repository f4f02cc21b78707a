//! No secret leaves: the salt, the register tokens, the event tickets and every whole
//! signature exchanged are absent from every answer (body and headers: API answers, 201
//! creates, the event stream, the acknowledgments of PingPong's pushes), from the journal
//! file, and from the log output of the whole run (captured at TRACE level, every crate).
//! The scan itself is checked: a secret planted in any of them is found.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
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
    record_headers(seen, &r.headers);
}

fn record_headers(seen: &mut Vec<String>, headers: &reqwest::header::HeaderMap) {
    for (k, v) in headers {
        seen.push(format!("{k}: {}", v.to_str().unwrap_or("")));
    }
}

/// Sits at the proxy's public URL: passes PingPong's pushes to the proxy and records the
/// proxy's acknowledgments (status, headers, body) on their way back to the sandbox.
#[derive(Clone)]
struct AckRecorder {
    proxy_url: Arc<OnceLock<String>>,
    acks: Arc<Mutex<Vec<String>>>,
}

impl AckRecorder {
    async fn start() -> (AckRecorder, String) {
        let recorder = AckRecorder {
            proxy_url: Arc::new(OnceLock::new()),
            acks: Arc::new(Mutex::new(Vec::new())),
        };
        let app = axum::Router::new()
            .route("/notify/pingpong", axum::routing::post(pass_push))
            .route(
                "/notify/pingpong/{merchant}",
                axum::routing::post(pass_push),
            )
            .with_state(recorder.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (recorder, url)
    }
}

async fn pass_push(
    State(rec): State<AckRecorder>,
    uri: axum::http::Uri,
    body: Bytes,
) -> (StatusCode, String) {
    let proxy = rec.proxy_url.get().expect("the proxy runs");
    let r = send(
        client()
            .post(format!("{proxy}{}", uri.path()))
            .header("content-type", "application/json")
            .body(body),
    )
    .await;
    let mut seen = vec![format!("ack {}", r.status), r.text.clone()];
    record_headers(&mut seen, &r.headers);
    rec.acks.lock().unwrap().extend(seen);
    (StatusCode::from_u16(r.status).unwrap(), r.text)
}

/// Where each secret was found: `places` are (name, text) pairs; a ticket is allowed in
/// the answers (it is handed to its register once, by design); a signature is looked for
/// in upper and lower case.
fn leaks(places: &[(&str, &str)], secrets: &[(&str, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (what, secret) in secrets {
        let mut forms = vec![secret.clone()];
        if *what == "signature" {
            forms.push(secret.to_lowercase());
        }
        for (place, text) in places {
            if *what == "ticket" && *place == "answers" {
                continue;
            }
            if forms.iter().any(|f| text.contains(f.as_str())) {
                found.push(format!("a {what} is in the {place}"));
            }
        }
    }
    found
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
    let (acks, public_url) = AckRecorder::start().await;
    let mut h = pingpong_harness(&upstream.sandbox, &upstream.url, &account, |c| {
        c.registers = vec![
            RegisterToken::new(TOKEN, "POS-S1", "STORE-S").unwrap(),
            RegisterToken::new(TOKEN_OTHER, "POS-S2", "STORE-T").unwrap(),
        ];
        c.allow_origins = vec!["http://pos.example".into()];
        c.public_url = Some(public_url.clone());
    })
    .await;
    acks.proxy_url.set(h.url.clone()).unwrap();

    let mut answers = Vec::new();
    let mut tickets = Vec::new();
    let t = h.post("/v1/events/tickets", TOKEN, json!({})).await;
    record(&mut answers, &t);
    tickets.push(t.json["ticket"].as_str().unwrap().to_owned());
    let mut events = EventStream::open(&h.http, &h.url, &tickets[0], None).await;
    record_headers(&mut answers, events.response.headers());
    let created = h
        .post(
            "/v1/payments",
            TOKEN,
            json!({ "amount": "20.00", "currency": "USD", "method": "ALIPAY" }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    record(&mut answers, &created);
    let p = created.json;
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
    let created = h
        .post(
            "/v1/payments",
            TOKEN,
            json!({ "amount": "1.00", "currency": "USD", "method": "WECHAT" }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    record(&mut answers, &created);
    let open = created.json;
    events
        .next_where(|e| e.data["merchantTransactionId"] == open["merchantTransactionId"])
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
    record(&mut answers, &t);
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
    // Let the duplicated pushes land before stopping.
    eventually("all notifications delivered", || async {
        let s = upstream.sandbox.stats();
        (s.delivered >= s.notifications && s.notifications >= 4).then_some(())
    })
    .await;
    // Every event of the run, replayed from the start on a second stream.
    let last: u64 = rusqlite::Connection::open(h.dir.path().join("journal.sqlite"))
        .unwrap()
        .query_row(
            "SELECT MAX(seq) FROM events WHERE store_id = 'STORE-S'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut replay = EventStream::open(&h.http, &h.url, &tickets[0], Some(0)).await;
    record_headers(&mut answers, replay.response.headers());
    replay.next_where(|e| e.id == last).await;
    let stream = format!("{}{}", events.raw, replay.raw);
    drop((events, replay));
    h.shutdown().await;
    assert!(
        stream.contains(r#""status":"SUCCESS""#) && stream.contains("event: refund"),
        "the event stream was captured: {stream}"
    );
    let acks = acks.acks.lock().unwrap().join("\n");
    let deliveries = upstream.sandbox.stats().deliveries as usize;
    assert_eq!(
        (
            acks.matches("ack ").count(),
            acks.matches("ack 200").count()
        ),
        (deliveries, deliveries),
        "every push passed the recorder and was acknowledged: {acks}"
    );
    assert!(acks.contains(r#""received":true"#), "{acks}");

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
    let mut distinct = signatures.clone();
    distinct.sort();
    distinct.dedup();
    secrets.extend(distinct.into_iter().map(|s| ("signature", s)));
    let places = [
        ("answers", answers.as_str()),
        ("event stream", stream.as_str()),
        ("acknowledgments", acks.as_str()),
        ("journal", journal.as_str()),
        ("logs", logs.as_str()),
    ];
    assert_eq!(leaks(&places, &secrets), Vec::<String>::new());

    // The scan finds what it looks for: each secret planted in each place is reported
    // (a ticket in an answer excepted), and a signature in lower case too.
    for (what, secret) in &secrets {
        for (i, (place, _)) in places.iter().enumerate() {
            if *what == "ticket" && *place == "answers" {
                continue;
            }
            let planted = format!("{} …{secret}… ", places[i].1);
            let mut tampered = places;
            tampered[i].1 = &planted;
            assert_eq!(
                leaks(&tampered, &secrets),
                [format!("a {what} is in the {place}")],
                "a {what} planted in the {place} was missed"
            );
        }
    }
    let lower = format!("{stream}{}", signatures[0].to_lowercase());
    let mut tampered = places;
    tampered[1].1 = &lower;
    assert_eq!(
        leaks(&tampered, &secrets),
        ["a signature is in the event stream"]
    );
}
