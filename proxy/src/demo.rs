//! Demo mode: the sandbox runs inside the proxy, nested at `/sandbox` on the proxy's own
//! listener, and the proxy calls it over real HTTP exactly as it would call PingPong, with
//! the public sandbox account A (docs/architecture.md, "Defaults"). Its state lives in its
//! own SQLite file beside the journal ([`sandbox_database`]), so a restarted demo finds every
//! order where PingPong would: open ones can still be paid, paid ones refunded. Its wallet and
//! control routes serve the proxy's own pages (its public origin and the `--allow-origin`
//! ones) only.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use pingpong_protocol::{SignType, methods};
use pingpong_sandbox::{AcceptedMethod, Account, PersistError, Sandbox, SandboxConfig};

use crate::config::{Config, PingPongAccount, SandboxOptions, Secret};

/// Where the embedded sandbox is mounted.
pub const SANDBOX_PATH: &str = "/sandbox";

/// The embedded sandbox's state file: the journal's name with `.sandbox.sqlite` as its
/// extension (`journal.sqlite` → `journal.sandbox.sqlite`), in the same directory.
pub fn sandbox_database(journal: &Path) -> PathBuf {
    journal.with_extension("sandbox.sqlite")
}

/// `scheme://host[:port]` of a base URL.
fn origin(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    match url[scheme_end..].find('/') {
        Some(i) => url[..scheme_end + i].to_owned(),
        None => url.to_owned(),
    }
}

/// The sandbox of a proxy publicly reachable at `public_url`, on its state file.
pub(crate) fn sandbox(
    config: &Config,
    options: &SandboxOptions,
    public_url: &str,
) -> Result<Sandbox, PersistError> {
    let mut origins = vec![origin(public_url)];
    origins.extend(config.allow_origins.iter().cloned());
    let mut sandbox = SandboxConfig {
        public_url: format!("{public_url}{SANDBOX_PATH}"),
        time_expire_format: config.time_expire_format,
        failure_mode: config.failure_mode,
        refund_delay: options.refund_delay,
        time_scale: options.time_scale,
        allowed_origins: Some(origins),
        // The register still sends any currency with ALIPAY or WECHAT (the demo page
        // offers USD, EUR, …): until merchants have a method catalogue, the embedded
        // sandbox does not hold the currency to PingPong's method table (docs/sandbox.md).
        check_method_currency: false,
        ..SandboxConfig::default()
    };
    // Method names changed by flags must be accepted by the embedded acquirer too, with
    // the currencies of the method they stand for.
    for (name, known) in [
        (&config.methods.alipay, &methods::ALIPAY_CN),
        (&config.methods.wechat, &methods::WECHAT),
    ] {
        if sandbox.method(name).is_none() {
            sandbox.methods.push(AcceptedMethod {
                pingpong_type: name.clone(),
                ..AcceptedMethod::known(known)
            });
        }
    }
    Sandbox::open(sandbox, &sandbox_database(&config.database))
}

/// The account the proxy signs with in demo mode, calling the sandbox at the loopback
/// address of `bound`.
pub(crate) fn account(bound: SocketAddr) -> PingPongAccount {
    let mut local = bound;
    if local.ip().is_unspecified() {
        local.set_ip(if local.is_ipv4() {
            [127, 0, 0, 1].into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let a = Account::sandbox_a();
    PingPongAccount {
        base_url: format!("http://{local}{SANDBOX_PATH}"),
        acc_id: a.acc_id,
        client_id: a.client_id,
        salt: Secret::new(a.salt),
        sign_type: SignType::Sha256,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_its_files_and_origins() {
        assert_eq!(
            sandbox_database(Path::new("/var/lib/pq/journal.sqlite")),
            PathBuf::from("/var/lib/pq/journal.sandbox.sqlite")
        );
        assert_eq!(
            sandbox_database(Path::new("demo")),
            PathBuf::from("demo.sandbox.sqlite")
        );
        assert_eq!(origin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(
            origin("https://pos.example.com/proxy"),
            "https://pos.example.com"
        );
    }
}
