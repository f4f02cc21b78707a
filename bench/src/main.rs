//! `pingpong-bench`: the native part of `make bench` (scripts/bench.sh).
//!
//! ```text
//! pingpong-bench load --target proxy   --url http://127.0.0.1:PORT [--token demo-token] [options]
//! pingpong-bench load --target sandbox --url http://127.0.0.1:PORT/sandbox --notify-url URL [options]
//!   options: --concurrency N (8)  --warmup-ms MS (1000)  --duration-ms MS (5000)
//! ```
//!
//! Prints one JSON line: `{target, concurrency, ok, errors, seconds, rps, p50Ms, p90Ms,
//! p99Ms, maxMs, firstError}`. The client runs on one thread, so on a small machine it leaves
//! the other cores to the server under test.

mod load;
mod requests;
mod stats;

use std::process::ExitCode;
use std::time::Duration;

use load::{Plan, Target};

const USAGE: &str = "usage: pingpong-bench load --target proxy|sandbox --url URL \
[--token TOKEN] [--notify-url URL] [--concurrency N] [--warmup-ms MS] [--duration-ms MS]";

/// The command line of `load`, checked.
#[derive(Debug)]
struct LoadArgs {
    target: Target,
    plan: Plan,
}

fn parse(args: &[String]) -> Result<LoadArgs, String> {
    let (cmd, rest) = args.split_first().ok_or("no command")?;
    if cmd != "load" {
        return Err(format!("unknown command {cmd:?}"));
    }
    let mut kind = None;
    let mut url = None;
    let mut token = "demo-token".to_owned();
    let mut notify_url = None;
    let mut plan = Plan {
        concurrency: 8,
        warmup: Duration::from_millis(1000),
        duration: Duration::from_millis(5000),
    };
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || -> Result<u64, String> {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag} must be a whole number"))
        };
        match flag.as_str() {
            "--target" => kind = Some(value.clone()),
            "--url" => url = Some(value.trim_end_matches('/').to_owned()),
            "--token" => token = value.clone(),
            "--notify-url" => notify_url = Some(value.clone()),
            "--concurrency" => plan.concurrency = number()?.clamp(1, 1024) as usize,
            "--warmup-ms" => plan.warmup = Duration::from_millis(number()?),
            "--duration-ms" => plan.duration = Duration::from_millis(number()?.max(1)),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    let url = url.ok_or("--url is required")?;
    let target = match kind.as_deref() {
        Some("proxy") => Target::Proxy { url, token },
        Some("sandbox") => Target::Sandbox {
            url,
            notify_url: notify_url.ok_or("--notify-url is required with --target sandbox")?,
        },
        _ => return Err("--target must be proxy or sandbox".into()),
    };
    Ok(LoadArgs { target, plan })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let load = match parse(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("pingpong-bench: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let report = runtime.block_on(load::run(load.target, load.plan));
    println!("{}", report.to_json());
    if report.ok == 0 {
        eprintln!(
            "pingpong-bench: no create succeeded; first error: {}",
            report.first_error.as_deref().unwrap_or("none")
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_both_targets_with_defaults() {
        let a = parse(&args("load --target proxy --url http://h:1/")).unwrap();
        assert!(
            matches!(&a.target, Target::Proxy { url, token } if url == "http://h:1" && token == "demo-token")
        );
        assert_eq!(a.plan.concurrency, 8);
        let a = parse(&args(
            "load --target sandbox --url http://h:1/sandbox --notify-url http://h:1/n --concurrency 2 --duration-ms 10",
        ))
        .unwrap();
        assert!(
            matches!(&a.target, Target::Sandbox { notify_url, .. } if notify_url == "http://h:1/n")
        );
        assert_eq!(a.plan.concurrency, 2);
        assert_eq!(a.plan.duration, Duration::from_millis(10));
    }

    #[test]
    fn refuses_bad_command_lines() {
        for bad in [
            "",
            "run --url x",
            "load --target proxy",
            "load --target other --url x",
            "load --target sandbox --url x",
            "load --target proxy --url x --concurrency many",
            "load --target proxy --url x --bogus 1",
            "load --target proxy --url",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
    }
}
