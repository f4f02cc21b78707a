//! The HTTP face: routes of the contract, static files of the demo (`statics`), the admin
//! API when it is configured, and the layers every answer passes through (CORS for
//! configured origins only and never on the admin API, the body limit, errors as `ApiError`
//! JSON whoever produced them, request logs without query strings).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::handler::HandlerWithoutStateExt;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use pingpong_protocol::ErrorCode;
use pingpong_protocol::contract::{
    ApiError, CreatePaymentRequest, CreateRefundRequest, PaymentView, RefundView, paths,
};
use pingpong_protocol::openapi::Id;
use serde::Serialize;
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa::ToSchema;

use crate::app::App;
use crate::auth::Caller;
use crate::body::{JsonBody, MAX_BODY};
use crate::config::Config;
use crate::error::{ApiResult, code_for_status, fail};
use crate::openapi::{
    AnyError, BadRequest, BadUpstream, Busy, Forbidden, Internal, MediaType, NotFound,
    OrderUnknown, Rejected, TooLarge, Unauthorized, Unavailable, UnknownOutcome, document,
};
use crate::{admin, events, notify, payments, refunds, statics};

/// Notifications may be larger than register requests.
const MAX_NOTIFICATION_BODY: usize = 64 * 1024;

/// What every per-merchant notification path starts with.
const NOTIFY_PREFIX: &str = "/notify/pingpong/";

/// The proxy's router (the embedded sandbox is nested by the caller).
pub(crate) fn router(app: Arc<App>, config: &Config) -> Router {
    let admin_api = app.admin_key.is_some().then(|| {
        admin::http::router()
            .layer(DefaultBodyLimit::max(MAX_BODY))
            .layer(middleware::from_fn(refuse_declared_oversize))
            .layer(middleware::from_fn(normalise_errors))
    });
    let not_found = (|| async { fail(ErrorCode::NotFound, "no such route") }).into_service();
    let pkg = statics::files(&config.pkg_dir, not_found.clone());
    let www = statics::files(&config.www_dir, not_found);
    let api = Router::new()
        .route(paths::PAYMENTS, post(create_payment))
        .route(paths::PAYMENT, get(get_payment))
        .route(paths::REFUNDS, post(create_refund))
        .route(paths::REFUND, get(get_refund))
        .route(paths::EVENT_TICKETS, post(events::issue_ticket))
        .route(paths::EVENTS, get(events::stream))
        .route(
            paths::NOTIFY,
            post(notify::receive_default).layer(DefaultBodyLimit::max(MAX_NOTIFICATION_BODY)),
        )
        .route(
            paths::NOTIFY_MERCHANT,
            post(notify::receive_for).layer(DefaultBodyLimit::max(MAX_NOTIFICATION_BODY)),
        )
        .route(paths::HEALTH, get(health))
        .route(paths::OPENAPI, get(openapi))
        .nest_service("/pkg", pkg)
        .fallback_service(www)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(refuse_declared_oversize))
        .layer(middleware::from_fn(normalise_errors))
        .layer(middleware::from_fn(page_headers))
        .layer(cors(&config.allow_origins));
    match admin_api {
        Some(admin_api) => api.merge(admin_api),
        None => api,
    }
    .with_state(app)
}

/// CORS for the configured origins only; preflights of other origins get no grant.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("last-event-id"),
        ])
        .max_age(Duration::from_secs(600))
}

/// Create a QR payment (unifiedPay)
///
/// Validates the request, fixes the ids (merchantTransactionId if absent, requestId),
/// journals the order, then signs and sends unifiedPay with this register's cashierDeviceId
/// and the proxy's notification URL. Re-sending a merchantTransactionId with the same body
/// returns the journaled order (200) and never creates a second one; an order whose create
/// outcome was unknown is completed first (query, then the same request again if PingPong
/// never got it).
#[utoipa::path(
    post,
    path = paths::PAYMENTS,
    operation_id = "createPayment",
    tag = "payments",
    request_body = CreatePaymentRequest,
    responses(
        (status = 201, description = "The new order, usually PROCESSING with its QR.", body = PaymentView),
        (status = 200, description = "The journaled order (a retry with the same id and body).", body = PaymentView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, description = "ID_CONFLICT: the id was used with a different body.", body = ApiError),
        (status = 413, response = TooLarge),
        (status = 415, response = MediaType),
        (status = 422, response = Rejected),
        (status = 500, response = Internal),
        (status = 502, response = BadUpstream),
        (status = 503, response = Unavailable),
        (status = 504, response = UnknownOutcome),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn create_payment(
    State(app): State<Arc<App>>,
    caller: Caller,
    JsonBody(request): JsonBody<CreatePaymentRequest>,
) -> ApiResult<(StatusCode, Json<PaymentView>)> {
    let (status, view) = payments::create(&app, &caller, request).await?;
    Ok((status, Json(view)))
}

/// Get a payment (query)
///
/// The journaled order, refreshed by a PingPong query unless it is SUCCESS. A create whose
/// outcome was unknown is completed first.
#[utoipa::path(
    get,
    path = paths::PAYMENT,
    operation_id = "getPayment",
    tag = "payments",
    params(("merchantTransactionId" = Id, Path)),
    responses(
        (status = 200, description = "The order.", body = PaymentView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = OrderUnknown),
        (status = 422, response = Rejected),
        (status = 500, response = Internal),
        (status = 502, response = BadUpstream),
        (status = 503, response = Unavailable),
        (status = 504, response = UnknownOutcome),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn get_payment(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(mtid): Path<String>,
) -> ApiResult<Json<PaymentView>> {
    Ok(Json(payments::get(&app, &caller, &mtid).await?))
}

/// Refund part or all of a SUCCESS payment
///
/// Checked against the journal before anything is sent: the payment must be SUCCESS, no other
/// refund of it PROCESSING, and the amount at most what remains (amount − SUCCESS − PROCESSING
/// refunds). Re-sending a merchantRefundId with the same amount returns the journaled refund
/// (200).
#[utoipa::path(
    post,
    path = paths::REFUNDS,
    operation_id = "createRefund",
    tag = "refunds",
    params(("merchantTransactionId" = Id, Path)),
    request_body = CreateRefundRequest,
    responses(
        (status = 201, description = "The new refund, usually PROCESSING.", body = RefundView),
        (status = 200, description = "The journaled refund (a retry).", body = RefundView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, description = "PAYMENT_NOT_REFUNDABLE (not SUCCESS), REFUND_IN_PROGRESS (another refund is PROCESSING), ID_CONFLICT, or UPSTREAM_ORDER_UNKNOWN (PingPong does not know the payment, upstreamCode 107002: nothing was refunded; refund from the PingPong merchant back office).", body = ApiError),
        (status = 413, response = TooLarge),
        (status = 415, response = MediaType),
        (status = 422, description = "REFUND_EXCEEDS_BALANCE (refused locally, nothing sent) or UPSTREAM_REJECTED (PingPong refused; upstreamCode, e.g. 107002 PingPong does not know the payment, 107003 the payment is not SUCCESS there, 108003 over PingPong's refundable balance).", body = ApiError),
        (status = 500, response = Internal),
        (status = 502, response = BadUpstream),
        (status = 503, response = Unavailable),
        (status = 504, response = UnknownOutcome),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn create_refund(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(mtid): Path<String>,
    JsonBody(request): JsonBody<CreateRefundRequest>,
) -> ApiResult<(StatusCode, Json<RefundView>)> {
    let (status, view) = refunds::create(&app, &caller, &mtid, request).await?;
    Ok((status, Json(view)))
}

/// Get a refund (refund/query)
///
/// The journaled refund, refreshed by a PingPong refund query until it is final.
#[utoipa::path(
    get,
    path = paths::REFUND,
    operation_id = "getRefund",
    tag = "refunds",
    params(
        ("merchantTransactionId" = Id, Path),
        ("merchantRefundId" = Id, Path),
    ),
    responses(
        (status = 200, description = "The refund.", body = RefundView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = OrderUnknown),
        (status = 422, response = Rejected),
        (status = 500, response = Internal),
        (status = 502, response = BadUpstream),
        (status = 503, response = Unavailable),
        (status = 504, response = UnknownOutcome),
        (status = "default", response = AnyError),
    ),
)]
pub(crate) async fn get_refund(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path((mtid, mrid)): Path<(String, String)>,
) -> ApiResult<Json<RefundView>> {
    Ok(Json(refunds::get(&app, &caller, &mtid, &mrid).await?))
}

/// The answer of `/healthz`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Health {
    /// Always `ok` (an error answers otherwise).
    #[schema(pattern = "^ok$")]
    status: &'static str,
    /// `demo` (the embedded sandbox), `pingpong` (one merchant of the start flags) or
    /// `platform` (merchants from the database only).
    #[schema(pattern = "^(demo|pingpong|platform)$")]
    mode: &'static str,
}

/// Liveness (the journal answers)
#[utoipa::path(
    get,
    path = paths::HEALTH,
    operation_id = "health",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "Alive.", body = Health),
        (status = 500, response = Internal),
        (status = 503, response = Busy),
    ),
)]
pub(crate) async fn health(State(app): State<Arc<App>>) -> ApiResult<Json<Health>> {
    app.journal.ping().await?;
    Ok(Json(Health {
        status: "ok",
        mode: app.mode,
    }))
}

/// This document
#[utoipa::path(
    get,
    path = paths::OPENAPI,
    operation_id = "openapi",
    tag = "operations",
    security(()),
    responses((status = 200, description = "OpenAPI 3.1.", body = Object)),
)]
pub(crate) async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}

async fn method_not_allowed() -> impl IntoResponse {
    fail(
        ErrorCode::MethodNotAllowed,
        "this route does not take that HTTP method",
    )
}

/// A body whose `Content-Length` already says it is over the route's limit is refused at
/// once, before a byte of it is read: with `Expect: 100-continue` the client hears 413
/// instead of `100 Continue` (hyper sends that only when the body is first read).
async fn refuse_declared_oversize(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let notification = path == paths::NOTIFY || path.starts_with(NOTIFY_PREFIX);
    let limit = if notification {
        MAX_NOTIFICATION_BODY
    } else {
        MAX_BODY
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        let mut r = fail(
            ErrorCode::BodyTooLarge,
            format!("the body exceeds {} KiB", limit / 1024),
        )
        .into_response();
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return r;
    }
    next.run(request).await
}

/// The demo pages' policy: their own scripts, styles and wasm only, data to their own
/// origin only, never inside a frame (the register page keeps its token in localStorage).
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; \
    manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The files of `/` and `/pkg/` (the demo register) get [`PAGE_POLICY`] and
/// `X-Frame-Options: DENY`; API, notification and sandbox answers are left alone.
async fn page_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let page = ![
        "/v1/",
        "/notify/",
        "/sandbox/",
        paths::HEALTH,
        paths::OPENAPI,
    ]
    .iter()
    .any(|p| path.starts_with(p));
    let mut response = next.run(request).await;
    if page {
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_POLICY),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    response
}

/// Whatever produced an error (axum's rejections, the file server), the register gets an
/// `ApiError` JSON body; every answer says `nosniff`, API answers are never cached.
async fn normalise_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let api = path.starts_with("/v1/") || path.starts_with(admin::http::PREFIX);
    let mut response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let code = code_for_status(status);
        let allow = response.headers().get(header::ALLOW).cloned();
        response = fail(code, code.description()).into_response();
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// One log line per request: method, path (never the query string: it may hold a ticket),
/// status and time.
pub(crate) async fn log_requests(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}
