//! The proxy's binary as a script runs it: serving (its "listening on" line awaited, its
//! output drained), or one administration command.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use super::DEADLINE;

pub const BIN: &str = env!("CARGO_BIN_EXE_pingpong-qr-proxy");

/// A running binary: its URL, and threads draining its stdout (line by line into `seen`)
/// and stderr.
pub struct Running {
    pub child: Child,
    pub url: String,
    pub seen: Arc<Mutex<String>>,
    pub stdout: std::thread::JoinHandle<()>,
    pub stderr: std::thread::JoinHandle<String>,
}

impl Running {
    /// Waits until stdout has printed `needle` (the banner follows the "listening on" line).
    pub fn wait_for_stdout(&self, needle: &str) {
        let deadline = std::time::Instant::now() + DEADLINE;
        while !self.seen.lock().unwrap().contains(needle) {
            assert!(
                std::time::Instant::now() < deadline,
                "no {needle:?} on stdout: {}",
                self.seen.lock().unwrap()
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

/// Runs the proxy and waits for its "listening on" line.
pub fn spawn(args: &[&str], envs: &[(&str, &str)]) -> Running {
    try_spawn(args, envs).unwrap_or_else(|seen| panic!("the proxy exited: {seen}"))
}

/// Starts the binary; what it printed if it exited before listening.
pub fn try_spawn(args: &[&str], envs: &[(&str, &str)]) -> Result<Running, String> {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "PINGPONG_ACC_ID",
        "PINGPONG_CLIENT_ID",
        "PINGPONG_SALT",
        "PINGPONG_SALT_FILE",
        "PINGPONG_SIGN_TYPE",
        "PINGPONG_BASE_URL",
        "PINGPONG_QR_PUBLIC_URL",
        "PINGPONG_QR_TOKENS",
        "PINGPONG_QR_TOKENS_FILE",
        "PINGPONG_QR_DATABASE",
        "PINGPONG_QR_MASTER_KEY",
        "PINGPONG_QR_MASTER_KEY_FILE",
        "PINGPONG_QR_ADMIN_KEY_FILE",
        "PINGPONG_QR_PLATFORM",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut err = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let url = loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            let _ = child.wait();
            seen.push_str(&stderr.join().unwrap());
            return Err(seen);
        }
        seen.push_str(&line);
        if let Some(url) = line
            .trim_end()
            .strip_prefix("pingpong-qr-proxy listening on ")
        {
            break url.to_owned();
        }
    };
    let seen = Arc::new(Mutex::new(seen));
    let lines = seen.clone();
    let stdout = std::thread::spawn(move || {
        let mut line = String::new();
        while out.read_line(&mut line).is_ok_and(|n| n > 0) {
            lines.lock().unwrap().push_str(&line);
            line.clear();
        }
    });
    Ok(Running {
        child,
        url,
        seen,
        stdout,
        stderr,
    })
}

/// Kills the binary; its stdout and stderr.
pub fn stop(mut running: Running) -> (String, String) {
    let _ = running.child.kill();
    let _ = running.child.wait();
    running.stdout.join().unwrap();
    let out = running.seen.lock().unwrap().clone();
    (out, running.stderr.join().unwrap())
}

/// What an administration command did: exit status, stdout, stderr.
pub struct Ran {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `pingpong-qr-proxy ARGS` to its end with `stdin` as its input.
pub fn run(args: &[&str], envs: &[(&str, &str)], stdin: &str) -> Ran {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("RUST_LOG")
        .env_remove("PINGPONG_QR_MASTER_KEY")
        .env_remove("PINGPONG_QR_MASTER_KEY_FILE")
        .env_remove("PINGPONG_QR_DATABASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Ran {
        ok: out.status.success(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}
