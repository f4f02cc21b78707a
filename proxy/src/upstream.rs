//! The PingPong client: signs each request with the salt, POSTs it with timeouts, retries
//! what is safe with the same ids, verifies every answer's signature, and journals every
//! exchange without its `sign` field.
//!
//! Retry policy: a send that could not connect, that PingPong answered with HTTP 5xx, or
//! that it answered with a system error (a signed `5xxxxx`/`6xxxxx` result code without a
//! status: reference §6, the outcome is unknown) is repeated (same body, so same
//! `requestId` / `merchantRefundId`) after a short backoff, up to
//! [`UpstreamTimeouts::attempts`] sends. A send that timed out or broke after it left is not
//! repeated here: its outcome is unknown, and the caller completes it later. Neither kind
//! is ever recorded as a refusal.

use std::time::{Duration, Instant};

pub(crate) use pingpong_protocol::Api;
use pingpong_protocol::result_code::is_outcome_unknown_code;
use pingpong_protocol::{ApiError, Envelope, ErrorCode};
use serde_json::Value;

use crate::config::UpstreamTimeouts;
use crate::journal::{Exchange, SharedJournal};
use crate::merchants::Merchant;
use crate::util::now_ms;
use crate::verify::verify;

/// A verified answer.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The envelope `code`.
    pub code: String,
    /// The envelope `description`.
    pub description: String,
    /// The verified envelope (bizContent as received).
    pub envelope: Envelope,
}

impl Reply {
    /// Whether PingPong answered with a `status` in bizContent (an answer), rather than a
    /// refusal (docs/protocol-choices.md #7).
    pub(crate) fn has_status(&self) -> bool {
        has_status(&self.envelope)
    }

    /// The refusal as the register sees it: `UPSTREAM_REJECTED` with PingPong's code.
    pub(crate) fn rejection(&self) -> ApiError {
        rejection(&self.code, &self.description)
    }
}

/// Whether the envelope's bizContent carries a `status`.
fn has_status(envelope: &Envelope) -> bool {
    envelope
        .biz_content()
        .ok()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .is_some_and(|v| v.get("status").is_some_and(|s| !s.is_null()))
}

/// `UPSTREAM_REJECTED` with PingPong's result `code`.
pub(crate) fn rejection(code: &str, description: &str) -> ApiError {
    let mut e = ApiError::new(
        ErrorCode::UpstreamRejected,
        format!("PingPong refused the request: {code} {description}"),
    );
    e.upstream_code = Some(code.to_owned());
    e
}

/// What a verified answer says: a reply, or a system error (no status, a `5xxxxx`/`6xxxxx`
/// code) whose outcome is unknown. With the outcome name the exchange is journaled under.
fn read_verified(env: Envelope) -> (&'static str, Result<Reply, CallError>) {
    match (env.code(), env.biz_content()) {
        (Some(code), Ok(_)) if is_outcome_unknown_code(code) && !has_status(&env) => {
            let e = CallError::SystemError {
                code: code.to_owned(),
                description: env.description().unwrap_or("").to_owned(),
            };
            ("system-error", Err(e))
        }
        (Some(code), Ok(_)) => {
            let reply = Reply {
                code: code.to_owned(),
                description: env.description().unwrap_or("").to_owned(),
                envelope: env,
            };
            let outcome = if reply.has_status() {
                "answered"
            } else {
                "refused"
            };
            (outcome, Ok(reply))
        }
        _ => (
            "invalid",
            Err(CallError::Invalid("no code or bizContent".into())),
        ),
    }
}

/// What PingPong no longer knows, for [`refusal_of_held`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Held {
    /// A payment the journal holds as accepted.
    Payment,
    /// A refund of a payment the journal holds.
    Refund,
}

/// PingPong's refusal of a call about a payment (or refund) the journal holds: when PingPong
/// says it does not know it (107001, 107002), `UPSTREAM_ORDER_UNKNOWN` telling the register
/// what it can do; any other code, `UPSTREAM_REJECTED`.
pub(crate) fn refusal_of_held(held: Held, code: &str, description: &str) -> ApiError {
    const UNKNOWN: [&str; 2] = ["107001", "107002"];
    if !UNKNOWN.contains(&code) {
        return rejection(code, description);
    }
    let message = match held {
        Held::Payment => format!(
            "PingPong no longer knows this payment ({code} {description}); nothing was changed. \
             Its QR cannot be paid: start a new payment with a new id. If the customer says \
             they paid, check the PingPong merchant back office."
        ),
        Held::Refund => format!(
            "PingPong does not know this refund's payment ({code} {description}); nothing was \
             refunded. Refund the customer from the PingPong merchant back office or by other \
             means."
        ),
    };
    let mut e = ApiError::new(ErrorCode::UpstreamOrderUnknown, message);
    e.upstream_code = Some(code.to_owned());
    e
}

/// Why a call has no verified answer.
#[derive(Debug)]
pub(crate) enum CallError {
    /// No send reached PingPong (connection refused or timed out). Nothing happened.
    Unreachable,
    /// PingPong answered HTTP 5xx to the last send; an earlier send may have been processed.
    Unavailable(u16),
    /// PingPong answered the last send with a verified system error (`5xxxxx`/`6xxxxx`, no
    /// status): it may or may not have processed it.
    SystemError {
        /// The result code.
        code: String,
        /// PingPong's description.
        description: String,
    },
    /// A send left and no answer came (timeout, broken connection): it may have happened.
    Unknown,
    /// The answer's signature did not verify (or it was unsigned); it was discarded.
    BadSignature,
    /// The answer was not a v4 envelope, or not the JSON its API has.
    Invalid(String),
}

impl CallError {
    /// The error the register sees.
    pub(crate) fn api_error(&self) -> ApiError {
        match self {
            CallError::Unreachable => ApiError::new(
                ErrorCode::UpstreamUnavailable,
                "PingPong could not be reached; retry with the same ids",
            ),
            CallError::Unavailable(status) => ApiError::new(
                ErrorCode::UpstreamUnavailable,
                format!("PingPong answered HTTP {status}; retry with the same ids"),
            ),
            CallError::SystemError { code, description } => {
                let mut e = ApiError::new(
                    ErrorCode::UpstreamUnavailable,
                    format!(
                        "PingPong answered a system error ({code} {description}): the outcome is unknown; retry with the same ids"
                    ),
                );
                e.upstream_code = Some(code.clone());
                e
            }
            CallError::Unknown => ApiError::new(
                ErrorCode::UnknownOutcome,
                "the request was sent but no answer came; query or retry with the same ids",
            ),
            CallError::BadSignature => ApiError::new(
                ErrorCode::UpstreamBadSignature,
                "PingPong's answer did not verify and was discarded; query again",
            ),
            CallError::Invalid(why) => ApiError::new(
                ErrorCode::UpstreamInvalidResponse,
                format!("PingPong's answer was unreadable ({why}); query again"),
            ),
        }
    }
}

/// The signing client of every merchant: one HTTP client (one connection pool) to one
/// PingPong host; each call signs and verifies with the account of the merchant it is for.
pub(crate) struct PingPong {
    http: reqwest::Client,
    base_url: String,
    timeouts: UpstreamTimeouts,
    journal: SharedJournal,
}

/// One call: for whom, to which API, about which order, and its envelope without `sign`.
struct Call<'a> {
    merchant: &'a Merchant,
    api: Api,
    mtid: &'a str,
    unsigned: &'a str,
}

/// What one send came back with.
enum Sent {
    Answer(u16, Vec<u8>),
    NotConnected,
    Lost,
}

impl PingPong {
    pub(crate) fn new(
        base_url: String,
        timeouts: UpstreamTimeouts,
        journal: SharedJournal,
    ) -> Result<PingPong, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("pingpong-qr-proxy/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(PingPong {
            http,
            base_url,
            timeouts,
            journal,
        })
    }

    /// Signs `biz_content` with `merchant`'s account and sends it to `api` for order
    /// `mtid`; see the module doc for retries.
    pub(crate) async fn call(
        &self,
        merchant: &Merchant,
        api: Api,
        mtid: &str,
        biz_content: String,
    ) -> Result<Reply, CallError> {
        let mut envelope = Envelope::request(
            merchant.acc_id(),
            merchant.client_id(),
            merchant.sign_type(),
            biz_content,
        );
        let unsigned = envelope.to_json();
        envelope
            .sign(merchant.salt())
            .map_err(|e| CallError::Invalid(e.to_string()))?;
        let body = envelope.to_json();
        let url = format!("{}{}", self.base_url, api.path());
        let to = Call {
            merchant,
            api,
            mtid,
            unsigned: &unsigned,
        };
        // Why the last send that reached PingPong did not count (HTTP 5xx, system error).
        let mut reached: Option<CallError> = None;
        for attempt in 1..=self.timeouts.attempts {
            if attempt > 1 {
                let pause = self.timeouts.backoff * 3u32.pow(attempt - 2);
                tokio::time::sleep(pause).await;
            }
            let started = Instant::now();
            let sent = self.send(&url, &body).await;
            let elapsed = started.elapsed();
            match sent {
                Sent::NotConnected => {
                    self.record(&to, None, None, "not-sent", elapsed);
                    tracing::warn!(merchant = %merchant.id, api = api.name(), mtid, attempt, "PingPong unreachable");
                }
                Sent::Lost => {
                    self.record(&to, None, None, "unknown", elapsed);
                    tracing::warn!(
                        merchant = %merchant.id,
                        api = api.name(),
                        mtid,
                        attempt,
                        "no answer from PingPong: outcome unknown"
                    );
                    return Err(CallError::Unknown);
                }
                Sent::Answer(status, bytes) if status >= 500 => {
                    reached = Some(CallError::Unavailable(status));
                    let note = format!("HTTP {status}, {} bytes", bytes.len());
                    self.record(&to, Some(status), Some(note), "unavailable", elapsed);
                    tracing::warn!(
                        merchant = %merchant.id,
                        api = api.name(),
                        mtid,
                        attempt,
                        status,
                        "PingPong unavailable"
                    );
                }
                Sent::Answer(status, bytes) => {
                    match self.read_answer(&to, status, &bytes, elapsed) {
                        Err(e @ CallError::SystemError { .. }) => reached = Some(e),
                        other => return other,
                    }
                }
            }
        }
        Err(reached.unwrap_or(CallError::Unreachable))
    }

    async fn send(&self, url: &str, body: &str) -> Sent {
        let response = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body.to_owned())
            .send()
            .await;
        match response {
            Err(e) if e.is_connect() => Sent::NotConnected,
            Err(_) => Sent::Lost,
            Ok(r) => {
                let status = r.status().as_u16();
                match r.bytes().await {
                    Ok(bytes) => Sent::Answer(status, bytes.to_vec()),
                    Err(_) => Sent::Lost,
                }
            }
        }
    }

    fn read_answer(
        &self,
        to: &Call<'_>,
        status: u16,
        bytes: &[u8],
        elapsed: Duration,
    ) -> Result<Reply, CallError> {
        let (api, mtid) = (to.api, to.mtid);
        let parsed = Envelope::parse(bytes);
        let stored = match &parsed {
            Ok(env) => {
                let mut env = env.clone();
                env.remove("sign");
                Some(env.to_json())
            }
            Err(_) => Some(format!("unreadable body of {} bytes", bytes.len())),
        };
        let (outcome, result) = match parsed {
            _ if !(200..300).contains(&status) => {
                ("invalid", Err(CallError::Invalid(format!("HTTP {status}"))))
            }
            Err(e) => ("invalid", Err(CallError::Invalid(e.to_string()))),
            Ok(env) => match verify(to.merchant, &env) {
                Err(why) => {
                    // Name the unverified code for the merchant's diagnosis; never trust it.
                    tracing::warn!(
                        merchant = %to.merchant.id,
                        api = api.name(),
                        mtid,
                        unverified_code = env.code().unwrap_or("-"),
                        why = %why.message(),
                        "PingPong's answer does not verify (wrong salt or algorithm, tampering, or an unsigned refusal)"
                    );
                    ("bad-signature", Err(CallError::BadSignature))
                }
                Ok(()) => read_verified(env),
            },
        };
        self.record(to, Some(status), stored, outcome, elapsed);
        match &result {
            Ok(reply) => tracing::info!(
                merchant = %to.merchant.id,
                api = api.name(),
                mtid,
                code = %reply.code,
                outcome,
                ms = elapsed.as_millis() as u64,
                "PingPong answered"
            ),
            Err(e) => tracing::warn!(
                merchant = %to.merchant.id,
                api = api.name(),
                mtid,
                error = ?e,
                "PingPong answer refused"
            ),
        }
        result
    }

    fn record(
        &self,
        to: &Call<'_>,
        http_status: Option<u16>,
        response: Option<String>,
        outcome: &'static str,
        elapsed: Duration,
    ) {
        let exchange = Exchange {
            merchant_id: to.merchant.id.as_str().to_owned(),
            at: now_ms(),
            api: to.api.name(),
            merchant_transaction_id: to.mtid.to_owned(),
            request: to.unsigned.to_owned(),
            http_status,
            response,
            outcome,
            duration_ms: elapsed.as_millis() as u64,
        };
        // The audit trail must not turn a good answer into a failure, nor wait for its own
        // fsync: it is committed with the caller's next write (or logged if it fails).
        self.journal.record_exchange(exchange);
    }
}
