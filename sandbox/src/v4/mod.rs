//! The four v4 APIs: envelope and signature checks, faults, replay, dispatch, signed answers.

mod fields;
mod payment;
mod refund;

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use pingpong_protocol::envelope::{Envelope, EnvelopeError, VERSION};
use pingpong_protocol::{ResultCode, SignType};
use serde_json::Value;

use crate::Sandbox;
use crate::clock::now_ms;
use crate::config::{Account, SandboxConfig};
use crate::faults::{Api, Faults};
use crate::records::RequestRecord;
use crate::store::{Effects, Store};

use fields::Obj;
pub(crate) use fields::Refusal;

/// Who is calling and how to sign the answer.
pub(crate) struct Ctx<'a> {
    pub account: &'a Account,
    pub sign_type: SignType,
    pub now_ms: u64,
}

/// What an API returns when it accepts a request: the envelope code, the bizContent text,
/// and what to do after unlocking.
pub(crate) type Accepted = (ResultCode, String, Effects);

pub(crate) async fn unified_pay(State(sb): State<Sandbox>, body: Bytes) -> Response {
    handle(sb, Api::UnifiedPay, body).await
}

pub(crate) async fn query(State(sb): State<Sandbox>, body: Bytes) -> Response {
    handle(sb, Api::Query, body).await
}

pub(crate) async fn refund(State(sb): State<Sandbox>, body: Bytes) -> Response {
    handle(sb, Api::Refund, body).await
}

pub(crate) async fn refund_query(State(sb): State<Sandbox>, body: Bytes) -> Response {
    handle(sb, Api::RefundQuery, body).await
}

/// The faults that apply to one call, decided (and counted down) when it arrives.
struct CallFaults {
    latency: Duration,
    http_5xx: bool,
    no_answer: bool,
    system_error: bool,
}

async fn handle(sb: Sandbox, api: Api, body: Bytes) -> Response {
    let faults = sb.with_store(|s| {
        *s.stats.requests.entry(api.path().to_owned()).or_default() += 1;
        let faults = take_faults(&mut s.faults, api);
        if s.requests.len() == crate::REQUEST_LOG_CAPACITY {
            s.requests.pop_front();
        }
        s.requests.push_back(RequestRecord {
            path: api.path().to_owned(),
            body: String::from_utf8_lossy(&body).into_owned(),
            at_ms: now_ms(),
            http_status: if faults.http_5xx {
                503
            } else if faults.no_answer {
                504
            } else {
                200
            },
        });
        faults
    });
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if faults.http_5xx {
        tracing::info!(api = api.path(), "fault: answering 503 without processing");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "503 Service Unavailable (sandbox fault http5xx)\n",
        )
            .into_response();
    }
    let config = sb.config().clone();
    let (answer, effects) = sb.with_store(|s| {
        let now = now_ms();
        let mut effects = s.sweep(&config, now);
        let (answer, more) = process(s, &config, api, &body, now, faults.system_error);
        effects.extend(more);
        (answer, effects)
    });
    sb.spawn_effects(effects);
    if faults.no_answer {
        tracing::info!(
            api = api.path(),
            "fault: processed, holding the answer back"
        );
        tokio::time::sleep(config.no_answer_hold).await;
        return StatusCode::GATEWAY_TIMEOUT.into_response();
    }
    ([(header::CONTENT_TYPE, "application/json")], answer).into_response()
}

/// Decides (and counts down) the per-call faults for one call to `api`.
fn take_faults(f: &mut Faults, api: Api) -> CallFaults {
    if !f.targets(api) {
        return CallFaults {
            latency: Duration::ZERO,
            http_5xx: false,
            no_answer: false,
            system_error: false,
        };
    }
    let http_5xx = take_one(&mut f.http_5xx);
    let no_answer = !http_5xx && take_one(&mut f.no_answer);
    let system_error = !http_5xx && !no_answer && take_one(&mut f.system_error);
    CallFaults {
        latency: Duration::from_millis(f.latency_ms),
        http_5xx,
        no_answer,
        system_error,
    }
}

fn take_one(counter: &mut u32) -> bool {
    let fire = *counter > 0;
    if fire {
        *counter -= 1;
    }
    fire
}

/// Reads, authenticates and answers one request; with `system_error`, an authentic one is
/// answered `500000` without being processed (nor remembered for a replay).
fn process(
    store: &mut Store,
    cfg: &SandboxConfig,
    api: Api,
    body: &[u8],
    now_ms: u64,
    system_error: bool,
) -> (String, Effects) {
    let env = match Envelope::parse(body) {
        Ok(env) => env,
        Err(e) => {
            let refusal = match e {
                EnvelopeError::NotAString(k) => Refusal::param(&k, "must be a string"),
                _ => Refusal::param("body", "must be a JSON object of strings"),
            };
            return (unsigned(None, None, &refusal), Effects::default());
        }
    };
    let (Ok(acc_id), Ok(client_id)) = (env.acc_id(), env.client_id()) else {
        let field = if env.acc_id().is_err() {
            "accId"
        } else {
            "clientId"
        };
        let refusal = Refusal::param(field, "is missing");
        return (
            unsigned(env.get("accId"), env.get("clientId"), &refusal),
            Effects::default(),
        );
    };
    let Some(account) = cfg.account(acc_id, client_id) else {
        let refusal = Refusal::because(ResultCode::InvalidAuthentication, "unknown accId/clientId");
        log(api, acc_id, None, refusal.code);
        return (
            unsigned(Some(acc_id), Some(client_id), &refusal),
            Effects::default(),
        );
    };
    let Ok(sign_type) = env.sign_type() else {
        let ctx = Ctx {
            account,
            sign_type: SignType::Sha256,
            now_ms,
        };
        let refusal = Refusal::param("signType", "must be SHA256 or MD5");
        return (refuse(&ctx, &Obj::new(), &refusal), Effects::default());
    };
    let ctx = Ctx {
        account,
        sign_type,
        now_ms,
    };
    if env.verify(&account.salt).is_err() {
        let refusal = Refusal::code(ResultCode::InvalidSignature);
        log(api, acc_id, None, refusal.code);
        return (refuse(&ctx, &Obj::new(), &refusal), Effects::default());
    }
    if env.get("version") != Some(VERSION) {
        let refusal = Refusal::param("version", "must be 1.0");
        return (refuse(&ctx, &Obj::new(), &refusal), Effects::default());
    }
    let Ok(text) = env.biz_content() else {
        return (
            refuse(
                &ctx,
                &Obj::new(),
                &Refusal::param("bizContent", "is missing"),
            ),
            Effects::default(),
        );
    };
    let obj: Obj = match serde_json::from_str(text) {
        Ok(Value::Object(obj)) => obj,
        _ => {
            let refusal = Refusal::param("bizContent", "must be a JSON object");
            return (refuse(&ctx, &Obj::new(), &refusal), Effects::default());
        }
    };
    let mtid = obj.get("merchantTransactionId").and_then(Value::as_str);
    if system_error {
        tracing::info!(
            api = api.path(),
            mtid,
            "fault: answering 500000 without processing"
        );
        let refusal = Refusal::code(ResultCode::InternalError);
        return (refuse(&ctx, &obj, &refusal), Effects::default());
    }
    let replay_key = match (api, obj.get("requestId")) {
        (Api::UnifiedPay, Some(Value::String(r))) if !r.is_empty() => {
            Some((account.acc_id.clone(), r.clone()))
        }
        _ => None,
    };
    if let Some(reply) = replay_key.as_ref().and_then(|k| store.replies.get(k)) {
        tracing::info!(
            api = api.path(),
            acc_id,
            mtid,
            "same requestId: first answer replayed"
        );
        return (reply.clone(), Effects::default());
    }
    let result = match api {
        Api::UnifiedPay => payment::unified_pay(store, cfg, &ctx, &obj, text),
        Api::Query => payment::query(store, &ctx, &obj),
        Api::Refund => refund::refund(store, &ctx, &obj, text),
        Api::RefundQuery => refund::refund_query(store, &ctx, &obj),
    };
    match result {
        Ok((code, biz, effects)) => {
            log(api, acc_id, mtid, code);
            let answer = sign(&ctx, code, code.description(), biz);
            if let Some(key) = replay_key {
                store.remember_reply(key, answer.clone());
            }
            (answer, effects)
        }
        Err(refusal) => {
            log(api, acc_id, mtid, refusal.code);
            if refusal.code == ResultCode::InvalidParameter {
                tracing::info!(api = api.path(), detail = %refusal.detail, "refused");
            }
            (refuse(&ctx, &obj, &refusal), Effects::default())
        }
    }
}

fn log(api: Api, acc_id: &str, mtid: Option<&str>, code: ResultCode) {
    tracing::info!(
        api = api.path(),
        acc_id,
        merchant_transaction_id = mtid,
        code = code.code(),
        "v4 call"
    );
}

/// A signed answer.
fn sign(ctx: &Ctx, code: ResultCode, description: &str, biz: String) -> String {
    let mut env = Envelope::response(
        &ctx.account.acc_id,
        &ctx.account.client_id,
        ctx.sign_type,
        code.code(),
        description,
        biz,
    );
    env.sign(&ctx.account.salt).expect("signType is set");
    env.to_json()
}

/// A signed refusal: bizContent echoes the ids it could read and has no `status`
/// (docs/protocol-choices.md #7).
fn refuse(ctx: &Ctx, obj: &Obj, refusal: &Refusal) -> String {
    sign(ctx, refusal.code, &refusal.description(), echo_ids(obj))
}

/// An unsigned refusal, for requests whose account is unknown or unreadable (#8).
fn unsigned(acc_id: Option<&str>, client_id: Option<&str>, refusal: &Refusal) -> String {
    let mut env = Envelope::default();
    if let Some(acc) = acc_id {
        env.set("accId", acc);
    }
    if let Some(client) = client_id {
        env.set("clientId", client);
    }
    env.set("code", refusal.code.code());
    env.set("description", refusal.description());
    env.set("bizContent", "{}");
    env.to_json()
}

fn echo_ids(obj: &Obj) -> String {
    let mut echo = Obj::new();
    for key in ["merchantTransactionId", "requestId", "merchantRefundId"] {
        if let Some(Value::String(v)) = obj.get(key) {
            echo.insert(key.to_owned(), Value::String(v.clone()));
        }
    }
    Value::Object(echo).to_string()
}
