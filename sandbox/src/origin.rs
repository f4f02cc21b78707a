//! Which web pages may use the wallet and control routes. Those routes act on orders (pay,
//! decline, expire, fault knobs), and a `POST` without a body is a "simple" request that a
//! browser sends cross-site without asking: CORS alone only hides the answer. So when the
//! sandbox is bound to origins ([`SandboxConfig::allowed_origins`]), a request whose
//! `Origin` is another one is refused before it reaches a handler, and CORS grants go to
//! the bound origins alone.

use std::time::Duration;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::Sandbox;
use crate::config::SandboxConfig;

/// CORS of the wallet and control routes: the bound origins, or any when unbound.
pub(crate) fn cors(config: &SandboxConfig) -> CorsLayer {
    match &config.allowed_origins {
        None => CorsLayer::permissive(),
        Some(origins) => CorsLayer::new()
            .allow_origin(AllowOrigin::list(
                origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()),
            ))
            .allow_methods([Method::GET, Method::POST, Method::PUT])
            .allow_headers([header::CONTENT_TYPE])
            .max_age(Duration::from_secs(600)),
    }
}

/// Refuses (403) a request whose `Origin` is not a bound one.
pub(crate) async fn guard(State(sb): State<Sandbox>, request: Request, next: Next) -> Response {
    let Some(allowed) = &sb.config().allowed_origins else {
        return next.run(request).await;
    };
    let origin = request.headers().get(header::ORIGIN);
    let foreign = origin.is_some_and(|o| !allowed.iter().any(|a| o.as_bytes() == a.as_bytes()));
    // A preflight carries the Origin too; CORS answers it (without a grant) below.
    if foreign && request.method() != Method::OPTIONS {
        tracing::warn!(
            origin = ?origin,
            path = request.uri().path(),
            "refused a sandbox call from another web page"
        );
        let body = serde_json::json!({
            "reason": "origin",
            "message": "this page may not use the sandbox's wallet or control routes",
        });
        return (StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    next.run(request).await
}
