//! The proxy's base URL, read by the browser's own URL parser (`URL`).

use web_sys::Url;

use crate::core::config::ProxyUrl;
use crate::core::error::Error;

/// Checks `text` with the browser's URL parser: `http` or `https`, no credentials, query or
/// fragment, no whitespace or control characters (which the parser would silently drop).
/// `INVALID_CONFIG` saying what is wrong.
pub fn proxy_url(text: &str) -> Result<ProxyUrl, Error> {
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::config(
            "proxyUrl must not contain spaces or control characters",
        ));
    }
    let url = Url::new(text).map_err(|_| Error::config("proxyUrl is not a URL"))?;
    let protocol = url.protocol();
    if protocol != "http:" && protocol != "https:" {
        return Err(Error::config(
            "proxyUrl must start with http:// or https://",
        ));
    }
    if !url.username().is_empty() || !url.password().is_empty() {
        return Err(Error::config("proxyUrl must not hold credentials"));
    }
    if !url.search().is_empty() || !url.hash().is_empty() || text.contains(['?', '#']) {
        return Err(Error::config(
            "proxyUrl must not have a query or a fragment",
        ));
    }
    Ok(ProxyUrl::new(&url.href()))
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use pingpong_protocol::ErrorCode;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn accepts_proxy_urls_normalised_by_the_browser() {
        for (text, want) in [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1"),
            ("https://pay.example.com/", "https://pay.example.com/v1"),
            (
                "HTTPS://Pay.Example.com/pos/",
                "https://pay.example.com/pos/v1",
            ),
            ("http://[::1]:9000", "http://[::1]:9000/v1"),
        ] {
            assert_eq!(proxy_url(text).unwrap().join("/v1"), want, "{text}");
        }
    }

    #[wasm_bindgen_test]
    fn refuses_what_is_not_a_plain_http_base_url() {
        for text in [
            "",
            "localhost:8080",
            "ftp://h",
            "http://",
            "http://h x",
            "http://h\tx",
            "http://h?x=1",
            "http://h?",
            "http://h#f",
            "http://user:pw@h",
            "http://h:80a",
            "javascript:alert(1)",
        ] {
            let e = proxy_url(text).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidConfig, "{text:?}");
        }
    }
}
