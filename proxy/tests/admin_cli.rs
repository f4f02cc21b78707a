//! The command line administers the database of a running proxy (two processes, one
//! SQLite file): a merchant and a register added with it can pay at once, with no
//! restart; a register revoked with it is refused at once and its open stream closes. No
//! salt or token appears in its output, the database file or the proxy's trace logs.
//! `master-key rotate` re-seals everything: the old key then stops the start with a
//! message that says so, and tokens stay valid under the new key.

mod common;

use common::process::*;
use common::*;
use pingpong_sandbox::Account;
use serde_json::{Value, json};

fn admin(db: &str, args: &[&str], stdin: &str) -> String {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--database", db]);
    let ran = run(&all, &[], stdin);
    assert!(ran.ok, "{args:?}: {}", ran.stderr);
    ran.stdout
}

fn admin_json(db: &str, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&admin(db, &all, "")).unwrap()
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> Reply {
    let mut req = http.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    send(req).await
}

#[tokio::test]
async fn the_command_line_administers_a_running_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("journal.sqlite");
    let db = db_path.to_str().unwrap();
    let serve = [
        "--listen",
        "127.0.0.1:0",
        "--database",
        db,
        "--sandbox-time-scale",
        "0.001",
        "--sandbox-refund-delay-ms",
        "100",
    ];
    let running = spawn(&serve, &[("RUST_LOG", "trace")]);
    let url = running.url.clone();
    let http = client();
    let b = Account::sandbox_b();

    // A merchant on account B, a store, two registers: the salt comes on stdin.
    let added = admin(
        db,
        &[
            "merchant",
            "add",
            "--id",
            "cafe-b",
            "--name",
            "Café B",
            "--acc-id",
            &b.acc_id,
            "--client-id",
            &b.client_id,
            "--salt-file",
            "-",
            "--method",
            "ALIPAY=AlipayCN-Offline:USD,CNY",
        ],
        &format!("{}\n", b.salt),
    );
    assert!(
        added.contains("cafe-b") && added.contains("sealed"),
        "{added}"
    );
    admin(
        db,
        &[
            "store",
            "add",
            "--merchant",
            "cafe-b",
            "--id",
            "S1",
            "--name",
            "Main",
        ],
        "",
    );
    let first = admin_json(
        db,
        &[
            "register",
            "add",
            "--merchant",
            "cafe-b",
            "--store",
            "S1",
            "--cashier-device-id",
            "POS-B1",
        ],
    );
    let second = admin(
        db,
        &[
            "register",
            "add",
            "--merchant",
            "cafe-b",
            "--store",
            "S1",
            "--cashier-device-id",
            "POS-B2",
        ],
        "",
    );
    let token = first["token"].as_str().unwrap().to_owned();
    let token2 = second.lines().last().unwrap().trim().to_owned();
    assert!(
        token.starts_with("ppq_") && token2.starts_with("ppq_"),
        "{second}"
    );

    // It pays at once, signed for account B.
    let created = call(
        &http,
        reqwest::Method::POST,
        format!("{url}/v1/payments"),
        &token,
        Some(json!({ "amount": "6.00", "currency": "USD", "method": "ALIPAY" })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let wechat = call(
        &http,
        reqwest::Method::POST,
        format!("{url}/v1/payments"),
        &token,
        Some(json!({ "amount": "6.00", "currency": "USD", "method": "WECHAT" })),
    )
    .await;
    assert_eq!(
        (wechat.status, wechat.code()),
        (400, "INVALID_METHOD"),
        "not in its catalogue"
    );
    let qr = created.json["qrCode"].as_str().unwrap();
    let paid = http.post(format!("{qr}/pay")).send().await.unwrap();
    assert!(paid.status().is_success());
    let mtid = created.json["merchantTransactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let payment = format!("{url}/v1/payments/{mtid}");
    eventually("the payment SUCCESS", || async {
        let r = call(&http, reqwest::Method::GET, payment.clone(), &token, None).await;
        (r.json["status"] == "SUCCESS").then_some(())
    })
    .await;

    // Revoked from the command line: refused at once, its stream closes.
    let ticket = call(
        &http,
        reqwest::Method::POST,
        format!("{url}/v1/events/tickets"),
        &token,
        Some(json!({})),
    )
    .await;
    let mut stream =
        EventStream::open(&http, &url, ticket.json["ticket"].as_str().unwrap(), None).await;
    let id = first["register"]["id"].as_str().unwrap();
    let revoked = admin_json(db, &["register", "revoke", "--merchant", "cafe-b", id]);
    assert!(revoked["revokedAt"].as_u64().is_some(), "{revoked}");
    let refused = call(&http, reqwest::Method::GET, payment.clone(), &token, None).await;
    assert_eq!((refused.status, refused.code()), (401, "UNAUTHORIZED"));
    stream.closes().await;
    let other = call(&http, reqwest::Method::GET, payment.clone(), &token2, None).await;
    assert_eq!(other.status, 200, "the store's other register goes on");

    let listed = admin(db, &["merchant", "list"], "");
    let registers = admin(db, &["register", "list", "--merchant", "cafe-b"], "");
    assert!(
        listed.contains("default") && listed.contains("cafe-b"),
        "{listed}"
    );
    assert!(!registers.contains("ppq_"), "{registers}");
    let (out, logs) = stop(running);
    assert!(out.contains("Master key: none was given"), "{out}");
    assert!(logs.contains("TRACE"), "trace logs were on");

    // No salt in clear anywhere; no token in the file or the logs.
    let key_hex = std::fs::read_to_string(dir.path().join("journal.sqlite.key")).unwrap();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("journal.sqlite") && !name.ends_with(".key") {
            files.push((name, std::fs::read(&path).unwrap()));
        }
    }
    let secrets = [
        ("salt B", b.salt.clone()),
        ("salt A", Account::sandbox_a().salt),
        ("token", token.clone()),
        ("token secret", token.rsplit('_').next().unwrap().to_owned()),
        ("second token", token2.clone()),
        ("master key", key_hex.trim().to_owned()),
    ];
    for (what, secret) in &secrets {
        for (name, bytes) in &files {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{what} in {name}"
            );
        }
        for (place, text) in [
            ("logs", &logs),
            ("stdout", &out),
            ("merchant list", &listed),
            ("added", &added),
        ] {
            assert!(!text.contains(secret.as_str()), "{what} in the {place}");
        }
    }

    // Rotation: the old key no longer opens the database; the new one does, tokens stay.
    let new_key = dir.path().join("new.key");
    pingpong_qr_proxy::MasterKey::generate()
        .write_file(&new_key)
        .unwrap();
    let rotated = admin(
        db,
        &[
            "master-key",
            "rotate",
            "--new-key-file",
            new_key.to_str().unwrap(),
        ],
        "",
    );
    assert!(rotated.contains("re-sealed 2 values"), "{rotated}");
    let refused = try_spawn(&serve, &[])
        .err()
        .expect("the old key is refused");
    assert!(
        refused.contains("master key: the master key does not open"),
        "{refused}"
    );
    let mut with_new = serve.to_vec();
    with_new.extend_from_slice(&["--master-key-file", new_key.to_str().unwrap()]);
    let running = spawn(&with_new, &[]);
    let url = running.url.clone();
    let again = call(
        &http,
        reqwest::Method::GET,
        format!("{url}/v1/payments/{mtid}"),
        &token2,
        None,
    )
    .await;
    assert_eq!(
        (again.status, again.json["status"].as_str()),
        (200, Some("SUCCESS"))
    );
    let gone = call(
        &http,
        reqwest::Method::GET,
        format!("{url}/v1/payments/{mtid}"),
        &token,
        None,
    )
    .await;
    assert_eq!(gone.status, 401, "still revoked");
    stop(running);
}
