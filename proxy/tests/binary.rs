//! The binary as scripts run it: port 0, one parseable "listening on" line, demo mode said
//! loudly, real credentials from the environment with nothing secret in its output.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::process::*;
use common::*;
use pingpong_protocol::{Api, Envelope};
use pingpong_sandbox::{Account, NotificationOutcome};
use serde_json::json;

#[tokio::test]
async fn demo_mode_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("www")).unwrap();
    std::fs::write(
        dir.path().join("www/index.html"),
        "<!doctype html><title>demo</title>",
    )
    .unwrap();
    let db = dir.path().join("demo.sqlite");
    let running = spawn(
        &[
            "--listen",
            "127.0.0.1:0",
            "--database",
            db.to_str().unwrap(),
            "--www",
            dir.path().join("www").to_str().unwrap(),
            "--sandbox-time-scale",
            "0.001",
            "--sandbox-refund-delay-ms",
            "100",
        ],
        &[],
    );
    let url = running.url.clone();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );
    let http = client();
    let health: serde_json::Value = serde_json::from_str(
        &http
            .get(format!("{url}/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(health["mode"], "demo");
    let page = http
        .get(format!("{url}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<title>demo</title>"));
    let r = send(
        http.post(format!("{url}/v1/payments"))
            .bearer_auth("demo-token")
            .header("content-type", "application/json")
            .body(json!({ "amount": "1.00", "currency": "CNY", "method": "WECHAT" }).to_string()),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(
        r.json["qrCode"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{url}/sandbox/wallet/"))
    );
    running.wait_for_stdout("Demo register page");
    let (out, err) = stop(running);
    assert!(db.exists());
    assert!(out.contains("DEMO MODE"));
    assert!(
        !err.contains(&Account::sandbox_a().salt),
        "the salt is never printed"
    );
}

#[tokio::test]
async fn demo_mode_is_said_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let mut child = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--database",
            db.to_str().unwrap(),
        ])
        .env_remove("PINGPONG_ACC_ID")
        .env_remove("PINGPONG_CLIENT_ID")
        .env_remove("PINGPONG_SALT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    for line in out.lines() {
        let line = line.unwrap();
        banner.push_str(&line);
        banner.push('\n');
        if line.contains("Demo register page") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(banner.contains("DEMO MODE"), "{banner}");
    assert!(
        banner.contains("demo-token")
            && banner.contains("DEMO-POS-1")
            && banner.contains("DEMO-STORE")
    );
    assert!(banner.contains("/sandbox"));
    assert!(!banner.contains(&Account::sandbox_a().salt));
}

/// `demo-token` is a register only while none is configured: with `--token` in demo mode it
/// gets 401, the configured register works, and the banner names no demo token.
#[tokio::test]
async fn demo_token_exists_only_when_no_register_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let db = db.to_str().unwrap();
    let token = "merchant-token-5b7e2c9d1f";
    let running = spawn(
        &[
            "--listen",
            "127.0.0.1:0",
            "--database",
            db,
            "--token",
            &format!("{token}:POS-7:STORE-7"),
        ],
        &[],
    );
    let url = running.url.clone();
    let http = client();
    let create = |bearer: &'static str| {
        http.post(format!("{url}/v1/payments"))
            .bearer_auth(bearer)
            .header("content-type", "application/json")
            .body(json!({ "amount": "1.00", "currency": "USD", "method": "ALIPAY" }).to_string())
    };
    let demo = send(create("demo-token")).await;
    assert_eq!(
        (demo.status, demo.code()),
        (401, "UNAUTHORIZED"),
        "{}",
        demo.text
    );
    let ticket = send(
        http.post(format!("{url}/v1/events/tickets"))
            .bearer_auth("demo-token"),
    )
    .await;
    assert_eq!(ticket.status, 401);
    let ok = send(create("merchant-token-5b7e2c9d1f")).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
    running.wait_for_stdout("Demo register page");
    let (out, _) = stop(running);
    assert!(out.contains("DEMO MODE"), "{out}");
    assert!(
        !out.contains("demo-token"),
        "the banner announces demo-token: {out}"
    );
    assert!(out.contains("Registers: the 1 configured"), "{out}");

    // The same file without registers: demo-token is back.
    let running = spawn(&["--listen", "127.0.0.1:0", "--database", db], &[]);
    let url = running.url.clone();
    let r = send(
        http.post(format!("{url}/v1/events/tickets"))
            .bearer_auth("demo-token"),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    running.wait_for_stdout("Demo register page");
    let (out, _) = stop(running);
    assert!(out.contains("Register token: demo-token"), "{out}");
}

#[tokio::test]
async fn real_credentials_come_from_the_environment_and_stay_secret() {
    let salt = "ENV-SALT-4c1d9e7a2b6f";
    let token = "env-token-Qw3Er5Ty7Ui9";
    let account = Account {
        acc_id: "2018092714313010077001".into(),
        client_id: "2018092714313010077".into(),
        salt: salt.into(),
    };
    let upstream = StandaloneSandbox::start(vec![account.clone()]).await;
    let dir = tempfile::tempdir().unwrap();
    let salt_file = dir.path().join("salt");
    std::fs::write(&salt_file, format!("{salt}\n")).unwrap();
    let tokens_file = dir.path().join("tokens");
    std::fs::write(
        &tokens_file,
        format!("# registers\n{token} POS-ENV-1 STORE-ENV\n"),
    )
    .unwrap();
    let db = dir.path().join("real.sqlite");
    let running = spawn(
        &[
            "--listen",
            "127.0.0.1:0",
            "--database",
            db.to_str().unwrap(),
        ],
        &[
            ("PINGPONG_BASE_URL", &upstream.url),
            ("PINGPONG_ACC_ID", &account.acc_id),
            ("PINGPONG_CLIENT_ID", &account.client_id),
            ("PINGPONG_SALT_FILE", salt_file.to_str().unwrap()),
            ("PINGPONG_QR_TOKENS_FILE", tokens_file.to_str().unwrap()),
            ("RUST_LOG", "debug"),
        ],
    );
    let url = running.url.clone();
    let http = client();
    let health = send(http.get(format!("{url}/healthz"))).await;
    assert_eq!(health.json["mode"], "pingpong");
    // No demo token with real credentials.
    let demo = send(
        http.post(format!("{url}/v1/events/tickets"))
            .bearer_auth("demo-token"),
    )
    .await;
    assert_eq!(demo.status, 401);
    let r = send(
        http.post(format!("{url}/v1/payments"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(json!({ "amount": "2.00", "currency": "USD", "method": "ALIPAY" }).to_string()),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mtid = r.json["merchantTransactionId"].as_str().unwrap().to_owned();
    assert_eq!(
        upstream.sandbox.order(&mtid).unwrap().cashier_device_id,
        "POS-ENV-1"
    );
    upstream
        .sandbox
        .pay(r.json["transactionId"].as_str().unwrap())
        .unwrap();
    eventually("the push lands", || async {
        let r = send(
            http.get(format!("{url}/v1/payments/{mtid}"))
                .bearer_auth(token),
        )
        .await;
        // A poll may see SUCCESS before the push arrives: wait for the push's acknowledgment
        // too (the proxy logs "notification journaled" before acknowledging).
        let pushed = upstream.sandbox.stats().delivered >= 1;
        (r.json["status"] == "SUCCESS" && pushed).then_some(())
    })
    .await;
    running.wait_for_stdout("notifications expected at");
    let (out, err) = stop(running);
    let output = format!("{out}\n{err}");
    assert!(
        output.contains(&account.acc_id),
        "the account is named: {output}"
    );
    assert!(
        err.contains("notification journaled"),
        "logs captured: {err}"
    );
    assert!(!output.contains(salt), "the salt leaked");
    assert!(!output.contains(token), "a token leaked");
}

#[tokio::test]
async fn salt_and_md5_from_the_environment_and_the_public_url_as_notification_url() {
    let salt = "ENV-SALT-ONLY-9b2e5d7f1a3c";
    let token = "env-token-Md5Zx8Cv6Bn4";
    let account = Account {
        acc_id: "2018092714313010077002".into(),
        client_id: "2018092714313010077".into(),
        salt: salt.into(),
    };
    let upstream = StandaloneSandbox::start(vec![account.clone()]).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("md5.sqlite");
    let tokens = format!("{token}:POS-MD5-1:STORE-MD5");
    let envs = [
        ("PINGPONG_BASE_URL", upstream.url.as_str()),
        ("PINGPONG_ACC_ID", &account.acc_id),
        ("PINGPONG_CLIENT_ID", &account.client_id),
        ("PINGPONG_SALT", salt),
        ("PINGPONG_SIGN_TYPE", "MD5"),
        ("PINGPONG_QR_TOKENS", &tokens),
        ("RUST_LOG", "debug"),
    ];
    // A known port, so the public URL can name this proxy by another host name. The port is
    // free when picked, but something may take it before the proxy binds: then pick again.
    let (running, public, listen) = (0..5)
        .find_map(|_| {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let public = format!("http://localhost:{port}");
            let listen = format!("127.0.0.1:{port}");
            let args = [
                "--listen",
                &listen,
                "--database",
                db.to_str().unwrap(),
                "--public-url",
                &format!("{public}/"),
            ];
            try_spawn(&args, &envs)
                .ok()
                .map(|running| (running, public.clone(), listen.clone()))
        })
        .expect("the proxy listens on a picked port within 5 tries");
    let url = running.url.clone();
    assert_eq!(url, format!("http://{listen}"));
    let http = client();
    let r = send(
        http.post(format!("{url}/v1/payments"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(json!({ "amount": "3.00", "currency": "USD", "method": "ALIPAY" }).to_string()),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mtid = r.json["merchantTransactionId"].as_str().unwrap().to_owned();

    // What the sandbox received: MD5 with the salt from the environment, and the public URL.
    let sent = sent_to(&upstream.sandbox, Api::UnifiedPay.path());
    assert_eq!(sent.len(), 1);
    let env = Envelope::parse(sent[0].body.as_bytes()).unwrap();
    assert_eq!(
        (env.get("signType"), env.get("sign").map(str::len)),
        (Some("MD5"), Some(32))
    );
    env.verify(salt).expect("signed with PINGPONG_SALT");
    // The merchant `default` of the start flags has its own notification path.
    let notify = format!("{public}/notify/pingpong/default");
    let order = upstream.sandbox.order(&mtid).unwrap();
    assert_eq!(order.notification_url.as_deref(), Some(notify.as_str()));
    assert_eq!(
        order.close_notification_url.as_deref(),
        Some(notify.as_str())
    );

    // The push goes to the public URL, MD5-signed like the order, and the proxy takes it.
    upstream
        .sandbox
        .pay(r.json["transactionId"].as_str().unwrap())
        .unwrap();
    let delivered = eventually("the push is acknowledged", || async {
        let n = upstream.sandbox.order(&mtid).unwrap().notifications;
        (n.first()?.outcome == NotificationOutcome::Delivered).then_some(n)
    })
    .await;
    assert_eq!(delivered[0].url, notify);
    assert_eq!(delivered[0].deliveries[0].http_status, Some(200));
    let got = send(
        http.get(format!("{url}/v1/payments/{mtid}"))
            .bearer_auth(token),
    )
    .await;
    assert_eq!(got.json["status"], "SUCCESS", "{}", got.text);

    // A refund names the same URL.
    let rf = send(
        http.post(format!("{url}/v1/payments/{mtid}/refunds"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(json!({ "amount": "1.00" }).to_string()),
    )
    .await;
    assert_eq!(rf.status, 201, "{}", rf.text);
    let refunds = upstream.sandbox.order(&mtid).unwrap().refunds;
    assert_eq!(
        refunds[0].notification_url.as_deref(),
        Some(notify.as_str())
    );
    let sent = sent_to(&upstream.sandbox, Api::Refund.path());
    let env = Envelope::parse(sent[0].body.as_bytes()).unwrap();
    assert_eq!(env.get("signType"), Some("MD5"));
    env.verify(salt).unwrap();

    running.wait_for_stdout("notifications expected at");
    let (out, err) = stop(running);
    let output = format!("{out}\n{err}");
    assert!(
        err.contains("notification journaled"),
        "logs captured: {err}"
    );
    assert!(
        out.contains(&format!(
            "(signType MD5) for the merchant `default`; notifications expected at \
             {public}/notify/pingpong/{{merchantId}}"
        )),
        "the start-up line names MD5 and the public URL: {out}"
    );
    assert!(!output.contains(salt), "the salt leaked");
    assert!(!output.contains(token), "a token leaked");
}

#[test]
fn bad_configuration_exits_with_a_message() {
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--allow-origin", "*"])
        .env_remove("PINGPONG_ACC_ID")
        .env_remove("PINGPONG_SALT")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wildcard"));
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .env("PINGPONG_ACC_ID", "1")
        .env_remove("PINGPONG_CLIENT_ID")
        .env("PINGPONG_SALT", "s3cret-partial")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("together") && !err.contains("s3cret-partial"),
        "{err}"
    );
}
