//! The register's configuration, checked once when a `Register` is built.

use crate::core::error::Error;

/// Default time a request to the proxy may take before it is aborted, in milliseconds.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u32 = 15_000;
/// Shortest and longest request timeout accepted, in milliseconds.
pub const REQUEST_TIMEOUT_RANGE_MS: core::ops::RangeInclusive<u32> = 1_000..=120_000;
/// Default storage namespace: registers with the same one share a journal (tabs included).
pub const DEFAULT_STORAGE_KEY: &str = "pingpong-qr";

/// The proxy's base URL, as the browser's URL parser normalised it (`web::url`): `http` or
/// `https`, a host, an optional path; no query, fragment or credentials; no trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyUrl(String);

impl ProxyUrl {
    /// A base URL that passed the browser's parser and the checks above; a trailing slash is
    /// dropped.
    pub fn new(href: &str) -> ProxyUrl {
        ProxyUrl(href.trim_end_matches('/').to_owned())
    }

    /// The URL of `path` (which starts with `/`).
    pub fn join(&self, path: &str) -> String {
        let mut url = String::with_capacity(self.0.len() + path.len());
        url.push_str(&self.0);
        url.push_str(path);
        url
    }
}

/// Checks a register token: non-empty, at most 4096 characters, printable ASCII without
/// spaces (it travels in an `Authorization` header). Fails with `INVALID_CONFIG`.
pub fn check_token(token: &str) -> Result<(), Error> {
    if token.is_empty() {
        return Err(Error::config("token is empty"));
    }
    if token.len() > 4096 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::config(
            "token must be at most 4096 printable ASCII characters without spaces",
        ));
    }
    Ok(())
}

/// Checks a storage namespace: 1..=64 of `A-Z a-z 0-9 _ - .`. Fails with `INVALID_CONFIG`.
pub fn check_storage_key(key: &str) -> Result<(), Error> {
    let ok = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::config(
            "storageKey must be 1 to 64 characters of A-Z a-z 0-9 _ - .",
        ))
    }
}

/// A validated register configuration. Its `Debug` output redacts the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Where the proxy is.
    pub proxy: ProxyUrl,
    /// The register's bearer token. Never stored, logged or put in an error.
    pub token: String,
    /// Whether to listen to the proxy's event stream (push) besides polling.
    pub push: bool,
    /// Storage namespace of the journal.
    pub storage_key: String,
    /// Per-request timeout, in milliseconds.
    pub request_timeout_ms: u32,
}

impl core::fmt::Debug for Config {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Config")
            .field("proxy", &self.proxy)
            .field("token", &"<redacted>")
            .field("push", &self.push)
            .field("storage_key", &self.storage_key)
            .field("request_timeout_ms", &self.request_timeout_ms)
            .finish()
    }
}

impl Config {
    /// Checks every field; the first problem is the error (`INVALID_CONFIG`).
    pub fn new(
        proxy: ProxyUrl,
        token: &str,
        push: Option<bool>,
        storage_key: Option<&str>,
        request_timeout_ms: Option<f64>,
    ) -> Result<Config, Error> {
        check_token(token)?;
        let storage_key = storage_key.unwrap_or(DEFAULT_STORAGE_KEY);
        check_storage_key(storage_key)?;
        let request_timeout_ms = match request_timeout_ms {
            None => DEFAULT_REQUEST_TIMEOUT_MS,
            Some(ms)
                if ms.fract() == 0.0
                    && ms >= *REQUEST_TIMEOUT_RANGE_MS.start() as f64
                    && ms <= *REQUEST_TIMEOUT_RANGE_MS.end() as f64 =>
            {
                ms as u32
            }
            Some(_) => {
                return Err(Error::config(
                    "requestTimeoutMs must be a whole number from 1000 to 120000",
                ));
            }
        };
        Ok(Config {
            proxy,
            token: token.to_owned(),
            push: push.unwrap_or(true),
            storage_key: storage_key.to_owned(),
            request_timeout_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pingpong_protocol::ErrorCode;

    #[test]
    fn a_proxy_url_joins_paths_without_a_double_slash() {
        let url = ProxyUrl::new("http://h:1/");
        assert_eq!(url.join("/v1/payments"), "http://h:1/v1/payments");
        let url = ProxyUrl::new("https://pay.example.com/pos/");
        assert_eq!(
            url.join("/v1/events"),
            "https://pay.example.com/pos/v1/events"
        );
    }

    #[test]
    fn refuses_bad_tokens_without_echoing_them() {
        for token in ["", "has space", "tab\t", "é"] {
            let e = check_token(token).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidConfig);
            assert!(token.is_empty() || !e.message.contains(token));
        }
        assert!(check_token("demo-token").is_ok());
    }

    #[test]
    fn config_defaults_and_ranges() {
        let h = || ProxyUrl::new("http://h");
        let c = Config::new(h(), "t", None, None, None).unwrap();
        assert!(c.push);
        assert_eq!(c.storage_key, DEFAULT_STORAGE_KEY);
        assert_eq!(c.request_timeout_ms, DEFAULT_REQUEST_TIMEOUT_MS);
        let c = Config::new(h(), "t", Some(false), Some("a.b"), Some(2000.0)).unwrap();
        assert!(!c.push);
        assert_eq!(c.request_timeout_ms, 2000);
        for ms in [999.0, 120_001.0, 1500.5, f64::NAN] {
            assert!(Config::new(h(), "t", None, None, Some(ms)).is_err());
        }
        assert!(Config::new(h(), "t", None, Some("a/b"), None).is_err());
        assert!(Config::new(h(), "", None, None, None).is_err());
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let c = Config::new(
            ProxyUrl::new("http://h"),
            "secret-token-1",
            None,
            None,
            None,
        )
        .unwrap();
        let text = format!("{c:?}");
        assert!(!text.contains("secret-token-1"));
        assert!(text.contains("<redacted>"));
    }
}
