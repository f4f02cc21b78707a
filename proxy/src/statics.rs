//! The demo's files, `www/` at `/` and `pkg/` at `/pkg/`: compressed, and cached by name.
//!
//! - Compressed as the browser accepts (brotli, else gzip; the wasm included) by tower-http's
//!   compression layer at [`QUALITY`]. Its default, brotli's best quality, spends about
//!   300 ms of CPU on the 175 kB wasm for each answer; quality 5 spends 6 ms for 11 % more
//!   bytes. Images (but SVG), ranges and bodies under 32 bytes go as they are.
//! - A content-hashed name (`NAME.HASH.EXT` or `NAME-HASH.EXT`, HASH 8 to 64 lower-case hex
//!   digits with a letter and a digit) never changes content: cached for a year,
//!   `immutable`. Every other file (`index.html`, the package's fixed names) is `no-cache`:
//!   the browser keeps it and asks again with its ETag, answered 304 when unchanged.
//! - A compressed answer's ETag is made weak (`W/`): the same file has other bytes in each
//!   encoding. `If-None-Match` compares weakly, so revalidation still gets its 304.

use std::convert::Infallible;
use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::middleware::{self, Next};
use tower::Service;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;

/// Brotli quality and gzip level of the answers.
const QUALITY: CompressionLevel = CompressionLevel::Precise(5);

/// `Cache-Control` of a content-hashed file.
pub(crate) const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` of every other file: keep, but revalidate before each use.
pub(crate) const REVALIDATE: &str = "no-cache";

/// The files of `dir`; a missing one is answered by `not_found`.
pub(crate) fn files<S>(dir: &Path, not_found: S) -> Router
where
    S: Service<Request, Response = axum::response::Response, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    let serve = ServeDir::new(dir)
        .call_fallback_on_method_not_allowed(true)
        .not_found_service(not_found);
    Router::new()
        .fallback_service(serve)
        .layer(CompressionLayer::new().quality(QUALITY))
        .layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(request: Request, next: Next) -> axum::response::Response {
    let policy = cache_policy(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        set_cache_headers(&mut response, policy);
    }
    response
}

fn set_cache_headers<B>(response: &mut Response<B>, policy: &'static str) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    // A 304 and an uncompressed answer vary by encoding as much as a compressed one.
    if !headers.contains_key(header::VARY) {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if headers.contains_key(header::CONTENT_ENCODING) {
        let weak = headers
            .get(header::ETAG)
            .filter(|tag| !tag.as_bytes().starts_with(b"W/"))
            .and_then(|tag| HeaderValue::from_bytes(&[b"W/", tag.as_bytes()].concat()).ok());
        if let Some(weak) = weak {
            headers.insert(header::ETAG, weak);
        }
    }
}

/// The `Cache-Control` of the file at `path`.
pub(crate) fn cache_policy(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    if content_hashed(name) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// Whether `name` carries a content hash: `NAME.HASH.EXT` or `NAME-HASH.EXT`.
fn content_hashed(name: &str) -> bool {
    let Some((stem, _ext)) = name.rsplit_once('.') else {
        return false;
    };
    let Some(i) = stem.rfind(['.', '-']) else {
        return false;
    };
    let (base, hash) = (&stem[..i], &stem[i + 1..]);
    !base.is_empty()
        && (8..=64).contains(&hash.len())
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && hash.bytes().any(|b| b.is_ascii_digit())
        && hash.bytes().any(|b| b.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_content_hashed_names_are_immutable() {
        for hashed in [
            "/register.3f2a9c1b.js",
            "/pkg/pingpong_qr_bg-0123456789abcdef.wasm",
            "/assets/index.a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4.css",
        ] {
            assert_eq!(cache_policy(hashed), IMMUTABLE, "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/register.js",
            "/pkg/pingpong_qr_bg.wasm",
            "/pkg/snippets/pingpong-qr-5d1f3c0e8a9b7d6c/src/js/runtime.js",
            "/report-20240101.js",
            "/cafe-deadbeef.js",
            "/3f2a9c1b.js",
            "/register.3F2A9C1B.js",
            "/register.3f2a9c1.js",
            "/index-BRpDQ5Ek.js",
            "/register.3f2a9c1b",
        ] {
            assert_eq!(cache_policy(plain), REVALIDATE, "{plain}");
        }
    }

    #[test]
    fn a_compressed_answer_has_a_weak_etag() {
        let mut r = Response::new(());
        r.headers_mut()
            .insert(header::ETAG, HeaderValue::from_static("\"6650.0-1f\""));
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        set_cache_headers(&mut r, REVALIDATE);
        assert_eq!(r.headers()[header::ETAG], "W/\"6650.0-1f\"");
        set_cache_headers(&mut r, REVALIDATE);
        assert_eq!(r.headers()[header::ETAG], "W/\"6650.0-1f\"");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-cache");
        assert_eq!(r.headers()[header::VARY], "accept-encoding");

        let mut plain = Response::new(());
        plain
            .headers_mut()
            .insert(header::ETAG, HeaderValue::from_static("\"6650.0-1f\""));
        set_cache_headers(&mut plain, IMMUTABLE);
        assert_eq!(plain.headers()[header::ETAG], "\"6650.0-1f\"");
        assert_eq!(plain.headers()[header::CACHE_CONTROL], IMMUTABLE);
    }
}
