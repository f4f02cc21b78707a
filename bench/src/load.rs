//! The closed-loop load generator: `concurrency` workers, each sending its next create as
//! soon as the previous one answered, over kept-alive HTTP/1.1 connections on loopback.
//! Completions inside the measured window count; their latencies are the samples.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::requests::{Ids, proxy_body, sandbox_body};
use crate::stats::{ms, percentile};

/// Where the creates go.
#[derive(Clone, Debug)]
pub enum Target {
    /// `POST {url}/v1/payments` with the register token `token`.
    Proxy {
        /// The proxy's base URL, e.g. `http://127.0.0.1:8080`.
        url: String,
        /// A register token (`demo-token` in demo mode).
        token: String,
    },
    /// `POST {url}/v4/payment/unifiedPay`, signed with account A, as the proxy would send it.
    Sandbox {
        /// The sandbox's root URL, e.g. `http://127.0.0.1:8080/sandbox`.
        url: String,
        /// The `notificationUrl` to put in each order.
        notify_url: String,
    },
}

impl Target {
    /// `proxy` or `sandbox`, for the report.
    pub fn name(&self) -> &'static str {
        match self {
            Target::Proxy { .. } => "proxy",
            Target::Sandbox { .. } => "sandbox",
        }
    }
}

/// How long and how hard.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Requests in flight at every moment (one per worker), ≥ 1.
    pub concurrency: usize,
    /// Run before measuring (connections open, caches warm); not counted.
    pub warmup: Duration,
    /// The measured window.
    pub duration: Duration,
}

/// What a run measured. Latencies in ms; `None` without any success.
#[derive(Clone, Debug)]
pub struct Report {
    /// The target's name.
    pub target: &'static str,
    /// The plan's concurrency.
    pub concurrency: usize,
    /// Successful creates completed in the window.
    pub ok: usize,
    /// Failed creates (transport error or unexpected answer) completed in the window.
    pub errors: usize,
    /// The window's length, in seconds.
    pub seconds: f64,
    /// Median latency.
    pub p50_ms: Option<f64>,
    /// 90th percentile.
    pub p90_ms: Option<f64>,
    /// 99th percentile.
    pub p99_ms: Option<f64>,
    /// Slowest.
    pub max_ms: Option<f64>,
    /// What the first failure was, to diagnose a broken run.
    pub first_error: Option<String>,
}

impl Report {
    /// Successful creates per second.
    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.seconds
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "target": self.target,
            "concurrency": self.concurrency,
            "ok": self.ok,
            "errors": self.errors,
            "seconds": self.seconds,
            "rps": self.rps(),
            "p50Ms": self.p50_ms,
            "p90Ms": self.p90_ms,
            "p99Ms": self.p99_ms,
            "maxMs": self.max_ms,
            "firstError": self.first_error,
        })
        .to_string()
    }
}

struct Sample {
    done: Instant,
    latency: Duration,
    error: Option<String>,
}

/// Sends one create; `Err` describes an unexpected answer.
async fn send(client: &reqwest::Client, target: &Target, ids: &Ids) -> Result<(), String> {
    let request = match target {
        Target::Proxy { url, token } => client
            .post(format!("{url}/v1/payments"))
            .bearer_auth(token)
            .body(proxy_body(&ids.next("PB"))),
        Target::Sandbox { url, notify_url } => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64);
            client
                .post(format!("{url}/v4/payment/unifiedPay"))
                .body(sandbox_body(
                    &ids.next("PB"),
                    &ids.next("PR"),
                    notify_url,
                    now,
                ))
        }
    };
    let response = request
        .header("content-type", "application/json")
        .send()
        .await
        .map_err(|e| format!("transport: {e}"))?;
    let status = response.status().as_u16();
    let body = response.text().await.map_err(|e| format!("body: {e}"))?;
    let accepted = match target {
        Target::Proxy { .. } => status == 201 && body.contains("\"PROCESSING\""),
        Target::Sandbox { .. } => status == 200 && body.contains("\"code\":\"002000\""),
    };
    if accepted {
        Ok(())
    } else {
        Err(format!(
            "HTTP {status}: {}",
            body.chars().take(300).collect::<String>()
        ))
    }
}

/// Runs `plan` against `target` on the current (single-threaded) runtime.
pub async fn run(target: Target, plan: Plan) -> Report {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(plan.concurrency)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a plain-HTTP client builds");
    let start = Instant::now();
    let measured_from = start + plan.warmup;
    let until = measured_from + plan.duration;
    let epoch_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let ids = Arc::new(Ids::new(epoch_ms));
    let target = Arc::new(target);
    let mut workers = Vec::new();
    for _ in 0..plan.concurrency.max(1) {
        let (client, ids, target) = (client.clone(), ids.clone(), target.clone());
        workers.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            while Instant::now() < until {
                let sent = Instant::now();
                let outcome = send(&client, &target, &ids).await;
                let done = Instant::now();
                samples.push(Sample {
                    done,
                    latency: done - sent,
                    error: outcome.err(),
                });
            }
            samples
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for w in workers {
        let samples = w.await.expect("a worker does not panic");
        for s in samples {
            if s.done < measured_from || s.done > until {
                continue;
            }
            match s.error {
                None => latencies.push(s.latency),
                Some(e) => {
                    errors += 1;
                    first_error.get_or_insert(e);
                }
            }
        }
    }
    latencies.sort_unstable();
    let p = |q| percentile(&latencies, q).map(ms);
    Report {
        target: target.name(),
        concurrency: plan.concurrency,
        ok: latencies.len(),
        errors,
        seconds: plan.duration.as_secs_f64(),
        p50_ms: p(50.0),
        p90_ms: p(90.0),
        p99_ms: p(99.0),
        max_ms: latencies.last().copied().map(ms),
        first_error,
    }
}
