//! `pingpong-qr-proxy`: see `--help` and docs/proxy.md.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use pingpong_qr_proxy::cli::Cli;
use pingpong_qr_proxy::{Upstream, config, start};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    // Every connection is a file: take the whole allowance the system gives (soft → hard).
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => tracing::debug!(open_files = n, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
    }
    let config = match Cli::parse().into_config(std::env::var("PINGPONG_SALT").ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pingpong-qr-proxy: {e}");
            return ExitCode::from(2);
        }
    };
    let upstream = config.upstream.clone();
    let configured_registers = config.registers.len();
    let proxy = match start(config).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("pingpong-qr-proxy: {e}");
            return ExitCode::from(1);
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "pingpong-qr-proxy listening on {}", proxy.url());
    match &upstream {
        Upstream::Demo(_) => {
            let bar = "=".repeat(78);
            let registers = match proxy.demo_token() {
                Some(token) => format!(
                    "Register token: {token} (cashierDeviceId {}, store {}).",
                    config::DEMO_CASHIER_DEVICE_ID,
                    config::DEMO_STORE_ID
                ),
                None => format!(
                    "Registers: the {configured_registers} configured (--token / --tokens-file); no demo token."
                ),
            };
            let _ = writeln!(
                out,
                "{bar}\n DEMO MODE: no PingPong credentials (PINGPONG_ACC_ID, PINGPONG_CLIENT_ID, PINGPONG_SALT).\n \
                 The PingPong sandbox runs INSIDE this proxy at {sandbox} and is called over\n \
                 HTTP with the public sandbox account {acc}. No real money moves.\n \
                 {registers}\n \
                 Demo register page: {public}/\n{bar}",
                sandbox = proxy.sandbox_url().unwrap_or_default(),
                acc = pingpong_sandbox::Account::sandbox_a().acc_id,
                public = proxy.public_url(),
            );
        }
        Upstream::PingPong(account) => {
            let _ = writeln!(
                out,
                "calling PingPong at {} as accId {} (signType {}); notifications expected at {}/notify/pingpong",
                account.base_url,
                account.acc_id,
                account.sign_type,
                proxy.public_url()
            );
        }
    }
    let _ = out.flush();
    drop(out);
    proxy.serve_until(shutdown_signal()).await;
    ExitCode::SUCCESS
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
