//! Load: 1,000 concurrent open payments against one proxy process (demo mode, embedded
//! sandbox), driven by a Rust client that behaves like registers: 10 registers of one store,
//! each with its event stream open; every payment is created, then paid through the sandbox's
//! wallet JSON route at a random time within a window, and awaited by push with a polling
//! backstop (15–20 s, like the library while push is live); a tenth of the notifications are
//! dropped on the way, so those payments are learned by polling. Asserts every payment reaches
//! SUCCESS at the client exactly once (no duplicate SUCCESS event on any stream, no other
//! final status), and nothing is lost: the sandbox's orders and the proxy's journal (orders,
//! one SUCCESS event per order, one RECHARGE notification per delivered one) both hold
//! exactly the 1,000.
//! Prints the time taken, latencies and the proxy's peak memory (VmHWM).
//!
//! Not part of `make test` (about a minute plus a release build): `make soak`, or
//! `cargo test --profile server -p pingpong-qr-proxy --test load -- --ignored --nocapture`.
//! `PINGPONG_LOAD_PAYMENTS` (default 1000), `PINGPONG_LOAD_WINDOW_S` (default 30) and
//! `PINGPONG_LOAD_DROPPED` (default a tenth) change the run; everything stays on loopback and the run ends by itself (deadline 10 minutes).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pingpong_protocol::Api;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

const REGISTERS: usize = 10;
const STORE: &str = "LOAD-STORE";
const DEADLINE: Duration = Duration::from_secs(600);

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator (the pay times and poll jitter need no more).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The proxy as a process, killed on drop.
struct Proxy {
    child: Child,
    url: String,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_proxy(dir: &std::path::Path) -> Proxy {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pingpong-qr-proxy"));
    cmd.args(["--listen", "127.0.0.1:0", "--database"])
        .arg(dir.join("journal.sqlite"))
        .args(["--www", "/nonexistent", "--pkg", "/nonexistent"])
        .args(["--sandbox-time-scale", "0.001"])
        .args(["--sandbox-refund-delay-ms", "300"]);
    for i in 0..REGISTERS {
        cmd.args(["--token", &format!("load-token-{i}:LOAD-POS-{i}:{STORE}")]);
    }
    let mut child = cmd
        .env("RUST_LOG", "warn")
        .env_remove("PINGPONG_ACC_ID")
        .env_remove("PINGPONG_CLIENT_ID")
        .env_remove("PINGPONG_SALT")
        .env_remove("PINGPONG_SALT_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the proxy binary starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim()
        .strip_prefix("pingpong-qr-proxy listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
        .to_owned();
    Proxy { child, url }
}

/// `VmHWM` (peak resident memory) and `VmRSS` of a process, in kB.
fn memory_kb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// What the client knows about each payment.
#[derive(Default)]
struct Seen {
    /// First SUCCESS seen by the client (its report), with the source.
    reported: HashMap<String, (Instant, &'static str)>,
    /// SUCCESS events per (stream, payment): a duplicate on a stream is a bug.
    pushed: HashMap<(usize, String), u32>,
    /// Any other final status seen (must stay empty).
    wrong: Vec<String>,
    /// When each payment was paid.
    paid_at: HashMap<String, Instant>,
}

impl Seen {
    fn success(&mut self, id: &str, source: &'static str) {
        self.reported
            .entry(id.to_owned())
            .or_insert_with(|| (Instant::now(), source));
    }
}

/// Reads one register's event stream until `stop`, recording SUCCESS and wrong statuses.
async fn follow_stream(
    http: reqwest::Client,
    url: String,
    token: String,
    stream_no: usize,
    seen: Arc<Mutex<Seen>>,
    open: Arc<Semaphore>,
) {
    let r = http
        .get(format!("{url}/v1/events"))
        .bearer_auth(&token)
        .timeout(DEADLINE)
        .send()
        .await
        .expect("event stream");
    assert_eq!(r.status(), 200);
    open.add_permits(1);
    let mut r = r;
    let mut buf = String::new();
    while let Ok(Some(chunk)) = r.chunk().await {
        buf.push_str(std::str::from_utf8(&chunk).expect("UTF-8 events"));
        while let Some(end) = buf.find("\n\n") {
            let frame: String = buf.drain(..end + 2).collect();
            let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data:")) else {
                continue;
            };
            let v: Value = serde_json::from_str(data.trim()).expect("event data is JSON");
            let (Some(id), Some(status)) =
                (v["merchantTransactionId"].as_str(), v["status"].as_str())
            else {
                continue;
            };
            let mut s = seen.lock().unwrap();
            match status {
                "SUCCESS" => {
                    *s.pushed.entry((stream_no, id.to_owned())).or_default() += 1;
                    s.success(id, "push");
                }
                "PROCESSING" | "INIT" => {}
                other => s.wrong.push(format!("{id} {other} (push)")),
            }
        }
    }
}

async fn body(r: reqwest::Response) -> Value {
    serde_json::from_slice(&r.bytes().await.expect("a body")).expect("a JSON body")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test: make soak (about a minute plus a release build)"]
async fn a_thousand_open_payments_all_succeed_exactly_once() {
    let n = env_or("PINGPONG_LOAD_PAYMENTS", 1000) as usize;
    let window = Duration::from_secs(env_or("PINGPONG_LOAD_WINDOW_S", 30));
    let dir = tempfile::tempdir().unwrap();
    let proxy = start_proxy(dir.path());
    let pid = proxy.child.id();
    let url = proxy.url.clone();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let began = Instant::now();

    // The registers' event streams.
    let open = Arc::new(Semaphore::new(0));
    for i in 0..REGISTERS {
        tokio::spawn(follow_stream(
            http.clone(),
            url.clone(),
            format!("load-token-{i}"),
            i,
            seen.clone(),
            open.clone(),
        ));
    }
    let _all_open = open.acquire_many(REGISTERS as u32).await.unwrap();

    // Create every payment (64 in flight); all stay open until paid.
    let limit = Arc::new(Semaphore::new(64));
    let mut creates = Vec::new();
    for i in 0..n {
        let (http, url, limit) = (http.clone(), url.clone(), limit.clone());
        creates.push(tokio::spawn(async move {
            let _slot = limit.acquire().await.unwrap();
            let id = format!("LOAD-{i:05}");
            let amount = format!("{}.{:02}", 1 + i % 500, i % 100);
            let r = http
                .post(format!("{url}/v1/payments"))
                .bearer_auth(format!("load-token-{}", i % REGISTERS))
                .header("content-type", "application/json")
                .body(json!({ "amount": amount, "currency": "USD", "method": if i % 2 == 0 { "ALIPAY" } else { "WECHAT" },
                               "merchantTransactionId": id, "expiresInSeconds": 3600 }).to_string())
                .send()
                .await
                .expect("create answered");
            assert_eq!(r.status(), 201, "create {id}");
            let v = body(r).await;
            assert_eq!(v["status"], "PROCESSING");
            (id, v["qrCode"].as_str().unwrap().to_owned())
        }));
    }
    let mut payments = Vec::with_capacity(n);
    for c in creates {
        payments.push(c.await.unwrap());
    }
    let created_in = began.elapsed();
    // Some notifications are lost on the way: those payments are learned by polling.
    let dropped = env_or("PINGPONG_LOAD_DROPPED", n as u64 / 10) as usize;
    let r = http
        .put(format!("{url}/sandbox/control/faults"))
        .header("content-type", "application/json")
        .body(json!({ "dropNotifications": dropped }).to_string())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let (hwm_open, rss_open) = memory_kb(pid);

    // Pay each at a random time within the window, and poll each as a register would while
    // its push is live (every 15–20 s) until the client has seen SUCCESS.
    let pay_start = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut tasks = Vec::new();
    let mut pollers = Vec::new();
    for (i, (id, qr)) in payments.iter().cloned().enumerate() {
        let at = Duration::from_millis(rng.below(window.as_millis() as u64));
        let (wallet, seen2) = (http.clone(), seen.clone());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(at).await;
            let paid_at = Instant::now();
            let r = wallet
                .post(format!("{qr}/pay"))
                .send()
                .await
                .expect("wallet");
            assert!(r.status().is_success(), "wallet pay {qr}: {}", r.status());
            seen2.lock().unwrap().paid_at.insert(id, paid_at);
        }));
        let (http, url, seen, id) = (
            http.clone(),
            url.clone(),
            seen.clone(),
            payments[i].0.clone(),
        );
        let first = 15_000 + rng.below(5_000);
        pollers.push(tokio::spawn(async move {
            let mut wait = Duration::from_millis(first);
            let mut jitter = Rng(i as u64 * 7919 + 1);
            loop {
                tokio::time::sleep(wait).await;
                if seen.lock().unwrap().reported.contains_key(&id) {
                    return;
                }
                let r = http
                    .get(format!("{url}/v1/payments/{id}"))
                    .bearer_auth(format!("load-token-{}", i % REGISTERS))
                    .send()
                    .await
                    .expect("poll answered");
                let v = body(r).await;
                let mut s = seen.lock().unwrap();
                match v["status"].as_str().unwrap_or("?") {
                    "SUCCESS" => {
                        s.success(&id, "poll");
                        return;
                    }
                    "PROCESSING" => {}
                    other => s.wrong.push(format!("{id} {other} (poll)")),
                }
                wait = Duration::from_millis(15_000 + jitter.below(5_000));
            }
        }));
    }
    // Await every payment at the client.
    let mut peak_rss = rss_open;
    loop {
        let done = seen.lock().unwrap().reported.len();
        peak_rss = peak_rss.max(memory_kb(pid).1);
        if done == n {
            break;
        }
        assert!(
            began.elapsed() < DEADLINE,
            "only {done} of {n} payments reached SUCCESS"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let all_done = began.elapsed();
    for t in tasks {
        t.await.unwrap();
    }
    for p in pollers {
        p.abort();
    }
    // Let the streams deliver the last events (a duplicate would come now).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (hwm, rss_end) = memory_kb(pid);

    // Exactly once at the client: every stream hears each SUCCESS once (no duplicate, none
    // missing); never another final status.
    let (by_push, latencies) = {
        let s = seen.lock().unwrap();
        assert!(
            s.wrong.is_empty(),
            "{:?}",
            &s.wrong[..s.wrong.len().min(10)]
        );
        let dupes: Vec<_> = s.pushed.iter().filter(|(_, c)| **c > 1).collect();
        assert!(dupes.is_empty(), "duplicate SUCCESS events: {dupes:?}");
        let by_push = s.reported.values().filter(|r| r.1 == "push").count();
        let mut latencies: Vec<Duration> = s
            .reported
            .iter()
            .map(|(id, (at, _))| at.duration_since(s.paid_at[id]))
            .collect();
        latencies.sort();
        for stream in 0..REGISTERS {
            let got = s.pushed.keys().filter(|(k, _)| *k == stream).count();
            assert_eq!(got, n, "stream {stream} heard {got} of {n} successes");
        }
        (by_push, latencies)
    };

    // Nothing lost: the sandbox and the journal each hold exactly these payments, paid once.
    let stats: Value = body(
        http.get(format!("{url}/sandbox/control/stats"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(stats["orders"], n as u64, "{stats}");
    assert_eq!(stats["attempts"], n as u64, "{stats}");
    assert_eq!(
        stats["requests"][Api::UnifiedPay.path()],
        n as u64,
        "{stats}"
    );
    assert_eq!(stats["delivered"], (n - dropped) as u64, "{stats}");
    let db = Connection::open_with_flags(
        dir.path().join("journal.sqlite"),
        OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let one = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(one("SELECT count(*) FROM orders"), n as i64);
    assert_eq!(
        one(
            "SELECT count(*) FROM orders WHERE status = 'SUCCESS' AND create_state = 'accepted' AND late_success = 0"
        ),
        n as i64
    );
    assert_eq!(
        one(
            "SELECT count(*) FROM (SELECT merchant_transaction_id FROM events WHERE kind = 'payment' AND data LIKE '%\"status\":\"SUCCESS\"%' GROUP BY merchant_transaction_id HAVING count(*) = 1)"
        ),
        n as i64,
        "one SUCCESS event per order"
    );
    assert_eq!(
        one(
            "SELECT count(*) FROM events WHERE kind = 'payment' AND data LIKE '%\"status\":\"SUCCESS\"%'"
        ),
        n as i64
    );
    assert_eq!(
        one(
            "SELECT count(DISTINCT merchant_transaction_id) FROM notifications WHERE notify_type = 'RECHARGE' AND status = 'SUCCESS'"
        ),
        (n - dropped) as i64,
        "every delivered notification journaled"
    );
    let mut sandbox_paid = 0;
    for (id, _) in &payments {
        let o: Value = body(
            http.get(format!("{url}/sandbox/control/orders/{id}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        if o["status"] == "SUCCESS" {
            sandbox_paid += 1;
        }
    }
    assert_eq!(sandbox_paid, n, "orders paid in the sandbox");

    println!(
        "\nload: {n} payments, {REGISTERS} registers of one store, pay window {window:?}, {dropped} notifications dropped"
    );
    println!("| measure | value |\n|---|---|");
    println!("| created (all open) | {:.1} s |", created_in.as_secs_f64());
    println!(
        "| last SUCCESS at the client, from the first create | {:.1} s (pay window starts at {:.1} s) |",
        all_done.as_secs_f64(),
        pay_start.duration_since(began).as_secs_f64()
    );
    println!(
        "| pay → SUCCESS at the client: p50 / p95 / max | {} / {} / {} ms |",
        percentile(&latencies, 0.5).as_millis(),
        percentile(&latencies, 0.95).as_millis(),
        latencies.last().copied().unwrap_or_default().as_millis()
    );
    println!(
        "| learned by push / by poll | {by_push} / {} |",
        n - by_push
    );
    println!(
        "| SSE events received (SUCCESS, all streams) | {} |",
        n * REGISTERS
    );
    println!(
        "| sandbox: notifications / deliveries / delivered | {} / {} / {} |",
        stats["notifications"], stats["deliveries"], stats["delivered"]
    );
    println!(
        "| proxy memory: VmRSS with all open / peak VmRSS sampled / VmRSS at end | {} / {} / {} MiB |",
        rss_open / 1024,
        peak_rss / 1024,
        rss_end / 1024
    );
    println!(
        "| proxy peak memory (VmHWM): after creates / at end | {} / {} MiB |",
        hwm_open / 1024,
        hwm / 1024
    );
}
