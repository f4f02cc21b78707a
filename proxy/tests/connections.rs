//! Clients that connect and stall, over real sockets: idle connections, trickled headers,
//! stalled bodies, `Expect: 100-continue` with an oversized body, more connections and
//! event streams than the proxy holds, and 300 idle sockets against a proxy whose open-file
//! limit is 256 (the binary, under `ulimit -n 256`), which must still answer `/healthz`
//! and take PingPong's push on `/notify/pingpong`.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use pingpong_qr_proxy::ConnectionLimits;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BIN: &str = env!("CARGO_BIN_EXE_pingpong-qr-proxy");

/// How long a test waits for the proxy to close or answer a connection: far beyond the
/// limits set here (0.5 s), far below "never".
const PATIENCE: Duration = Duration::from_secs(10);

/// `host:port` of a proxy URL.
fn addr(url: &str) -> String {
    url.trim_start_matches("http://").to_owned()
}

/// Reads until the peer closes (or fails); what came. Panics if it stays open.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(PATIENCE, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the proxy kept the connection open: {:?}",
        String::from_utf8_lossy(&seen)
    );
    String::from_utf8_lossy(&seen).into_owned()
}

/// Reads one answer's head (up to the blank line) and what of its body came with it.
async fn head(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(PATIENCE, async {
        while !String::from_utf8_lossy(&seen).contains("\r\n\r\n") {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(
                n > 0,
                "closed before an answer: {:?}",
                String::from_utf8_lossy(&seen)
            );
            seen.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .expect("an answer in time");
    String::from_utf8_lossy(&seen).into_owned()
}

/// The JSON body of a raw answer (`Content-Length` bodies, as the proxy's errors are).
fn json_of(raw: &str) -> Value {
    let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or(Value::Null)
}

async fn fast_limits() -> Harness {
    Harness::demo_with(|c| {
        c.connections = ConnectionLimits {
            header_read: Duration::from_millis(500),
            body_read: Duration::from_millis(500),
            ..ConnectionLimits::default()
        };
    })
    .await
}

#[tokio::test]
async fn idle_and_trickling_connections_are_closed_by_the_header_timeout() {
    let h = fast_limits().await;
    let a = addr(&h.url);
    // Connected, nothing sent.
    let mut idle = TcpStream::connect(&a).await.unwrap();
    until_closed(&mut idle).await;
    // Headers one byte every 100 ms: the deadline is not reset by each byte.
    let mut trickle = TcpStream::connect(&a).await.unwrap();
    let request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    let mut cut_off = false;
    for byte in request {
        if trickle.write_all(&[*byte]).await.is_err() {
            cut_off = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut probe = [0u8; 1];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_millis(1), trickle.read(&mut probe)).await
        {
            cut_off = true;
            break;
        }
    }
    assert!(cut_off, "a 9 s trickle of headers was let through");
    // An answered keep-alive connection left idle is closed too.
    let mut kept = TcpStream::connect(&a).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert!(head(&mut kept).await.starts_with("HTTP/1.1 200"));
    until_closed(&mut kept).await;
    // Meanwhile an ordinary request is answered as ever.
    let r = send(h.http.get(format!("{}/healthz", h.url))).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn a_stalled_body_is_cut_off_and_a_declared_oversize_is_refused_at_once() {
    let h = fast_limits().await;
    let a = addr(&h.url);
    let sent = h.upstream_requests();
    // 10 of 1,000 bytes, then nothing.
    let mut stalled = TcpStream::connect(&a).await.unwrap();
    stalled
        .write_all(
            format!(
                "POST /v1/payments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEMO}\r\n\
                 Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"amount\":"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let answer = until_closed(&mut stalled).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let e = json_of(&answer);
    assert_eq!(e["code"], "INVALID_REQUEST");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("did not arrive in time")
    );
    // Expect: 100-continue with a body over the limit: 413 at once, never 100 Continue.
    for (path, length, token) in [
        ("/v1/payments", 50_000, true),
        ("/notify/pingpong", 70_000, false),
    ] {
        let mut s = TcpStream::connect(&a).await.unwrap();
        let auth = if token {
            format!("Authorization: Bearer {DEMO}\r\n")
        } else {
            String::new()
        };
        s.write_all(
            format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\n\
                 Content-Length: {length}\r\nExpect: 100-continue\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        let answer = head(&mut s).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
        assert!(!answer.contains("100 Continue"), "{path}: {answer}");
        let rest = until_closed(&mut s).await;
        assert_eq!(
            json_of(&format!("{answer}{rest}"))["code"],
            "BODY_TOO_LARGE",
            "{path}"
        );
    }
    // Under the notification route's own limit (64 KiB), 100 Continue as usual.
    let mut s = TcpStream::connect(&a).await.unwrap();
    s.write_all(
        b"POST /notify/pingpong HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 50000\r\nExpect: 100-continue\r\n\r\n",
    )
    .await
    .unwrap();
    assert!(head(&mut s).await.starts_with("HTTP/1.1 100 Continue"));
    assert_eq!(h.upstream_requests(), sent, "nothing went upstream");
}

/// Opens an event stream on its own connection with the register's bearer token.
async fn open_stream(a: &str) -> (TcpStream, String) {
    let mut s = TcpStream::connect(a).await.unwrap();
    s.write_all(
        format!("GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEMO}\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let answer = head(&mut s).await;
    (s, answer)
}

/// A create whose body never comes: a busy connection (its handler waits for the body).
async fn stalled_create(a: &str) -> TcpStream {
    let mut s = TcpStream::connect(a).await.unwrap();
    s.write_all(
        format!(
            "POST /v1/payments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEMO}\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    s
}

#[tokio::test]
async fn beyond_the_caps_the_answer_is_503_busy() {
    let h = Harness::demo_with(|c| {
        c.connections = ConnectionLimits {
            header_read: Duration::from_secs(30),
            body_read: Duration::from_secs(30),
            max_connections: Some(6),
            max_event_streams: Some(2),
        };
    })
    .await;
    let a = addr(&h.url);
    // Two event streams, then the stream cap.
    let (_s1, r1) = open_stream(&a).await;
    let (_s2, r2) = open_stream(&a).await;
    assert!(r1.starts_with("HTTP/1.1 200") && r2.starts_with("HTTP/1.1 200"));
    let (mut third, r3) = open_stream(&a).await;
    assert!(r3.starts_with("HTTP/1.1 503"), "{r3}");
    let rest = tokio::time::timeout(Duration::from_millis(200), async {
        let mut b = [0u8; 1024];
        let n = third.read(&mut b).await.unwrap_or(0);
        String::from_utf8_lossy(&b[..n]).into_owned()
    })
    .await
    .unwrap_or_default();
    assert_eq!(
        json_of(&format!("{r3}{rest}"))["code"],
        "BUSY",
        "{r3}{rest}"
    );
    // Four creates stalled on their bodies fill the six connections: the fourth makes room
    // by closing the one idle connection (the third stream's, answered and kept alive).
    let mut busy = Vec::new();
    for _ in 0..4 {
        busy.push(stalled_create(&a).await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    until_closed(&mut third).await;
    // Every connection is busy: a new one is answered 503 BUSY and closed.
    let mut late = TcpStream::connect(&a).await.unwrap();
    late.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = until_closed(&mut late).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert_eq!(json_of(&answer)["code"], "BUSY");
    assert!(answer.to_lowercase().contains("retry-after: 1"));
    // One stalled client leaves: its connection is free again.
    drop(busy.pop());
    eventually("room again", || async {
        let r = h.http.get(format!("{}/healthz", h.url)).send().await.ok()?;
        (r.status() == 200).then_some(())
    })
    .await;
}

/// The binary under `ulimit -n 256`: its stdout's URL, and its stderr collected.
struct Limited {
    child: Child,
    url: String,
    stderr: std::thread::JoinHandle<String>,
}

fn spawn_limited(dir: &std::path::Path) -> Limited {
    let db = dir.join("journal.sqlite");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 256 && exec \"$0\" \"$@\"")
        .arg(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--database",
            db.to_str().unwrap(),
        ])
        .args([
            "--www",
            dir.to_str().unwrap(),
            "--pkg",
            dir.to_str().unwrap(),
        ])
        .args(["--sandbox-time-scale", "0.001"])
        // Long enough that no idle socket of this test is closed by the timeout: what
        // keeps the proxy answering here is the connection cap.
        .args(["--header-timeout-ms", "120000"])
        .env_remove("PINGPONG_ACC_ID")
        .env_remove("PINGPONG_CLIENT_ID")
        .env_remove("PINGPONG_SALT")
        .env_remove("PINGPONG_QR_TOKENS")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "the proxy exited");
        if let Some(url) = line
            .trim_end()
            .strip_prefix("pingpong-qr-proxy listening on ")
        {
            break url.to_owned();
        }
    };
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Limited { child, url, stderr }
}

#[tokio::test]
async fn three_hundred_idle_sockets_under_a_256_file_limit_leave_health_and_pushes_answering() {
    // This test process holds the 300 sockets: its own limit must allow them.
    rlimit::increase_nofile_limit(4096).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut proxy = spawn_limited(dir.path());
    let url = proxy.url.clone();
    let a = addr(&url);
    let http = reqwest::Client::builder()
        .timeout(PATIENCE)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    // An open payment, created before the flood.
    let p = send(
        http.post(format!("{url}/v1/payments"))
            .bearer_auth(DEMO)
            .header("content-type", "application/json")
            .body(json!({ "amount": "3.00", "currency": "USD", "method": "ALIPAY" }).to_string()),
    )
    .await;
    assert_eq!(p.status, 201, "{}", p.text);
    let mtid = p.json["merchantTransactionId"].as_str().unwrap().to_owned();

    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(TcpStream::connect(&a).await.unwrap());
    }
    // Every socket is accepted or in the backlog; let the proxy take what it will.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // /healthz answers, again and again, while the 300 are open.
    for _ in 0..5 {
        let r = send(http.get(format!("{url}/healthz"))).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // The consumer pays: the embedded sandbox's push reaches /notify/pingpong over the
    // same listener and is taken.
    let r = http
        .post(format!("{}/pay", p.json["qrCode"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "wallet pay: {}", r.status());
    let order: Value = eventually("the push delivered", || async {
        let o = send(http.get(format!("{url}/sandbox/control/orders/{mtid}")))
            .await
            .json;
        let delivered = o["notifications"][0]["outcome"] == "delivered";
        delivered.then_some(o)
    })
    .await;
    assert_eq!(
        order["notifications"][0]["deliveries"][0]["httpStatus"],
        200
    );
    let got = send(
        http.get(format!("{url}/v1/payments/{mtid}"))
            .bearer_auth(DEMO),
    )
    .await;
    assert_eq!(got.json["status"], "SUCCESS", "{}", got.text);
    // A notification posted straight to the route is answered too (401: not the account's).
    let r = send(
        http.post(format!("{url}/notify/pingpong"))
            .header("content-type", "application/json")
            .body("{}"),
    )
    .await;
    assert_eq!((r.status, r.code()), (401, "UNAUTHORIZED"));

    // The proxy made room by closing idle sockets (it holds at most 256 − 64 = 192).
    let mut closed = 0;
    for s in &mut idle {
        let mut b = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(5), s.read(&mut b)).await
        {
            closed += 1;
        }
    }
    assert!(
        closed >= 300 - 192,
        "only {closed} idle sockets were closed"
    );
    drop(idle);
    let _ = proxy.child.kill();
    let _ = proxy.child.wait();
    let stderr = proxy.stderr.join().unwrap();
    assert!(
        !stderr.contains("Too many open files"),
        "the proxy ran out of files: {}",
        stderr
            .lines()
            .filter(|l| l.contains("open files"))
            .take(3)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        stderr.contains("max_connections=192"),
        "{}",
        &stderr[..stderr.len().min(2000)]
    );
}
