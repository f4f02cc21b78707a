//! Demo mode: the sandbox runs inside the proxy, nested at `/sandbox` on the proxy's own
//! listener, and the proxy calls it over real HTTP exactly as it would call PingPong, with
//! the public sandbox account A (docs/architecture.md, "Defaults").

use std::net::SocketAddr;

use pingpong_protocol::SignType;
use pingpong_sandbox::{Account, Sandbox, SandboxConfig};

use crate::config::{Config, PingPongAccount, SandboxOptions, Secret};

/// Where the embedded sandbox is mounted.
pub const SANDBOX_PATH: &str = "/sandbox";

/// The sandbox of a proxy publicly reachable at `public_url`.
pub(crate) fn sandbox(config: &Config, options: &SandboxOptions, public_url: &str) -> Sandbox {
    let mut sandbox = SandboxConfig {
        public_url: format!("{public_url}{SANDBOX_PATH}"),
        time_expire_format: config.time_expire_format,
        failure_mode: config.failure_mode,
        refund_delay: options.refund_delay,
        time_scale: options.time_scale,
        ..SandboxConfig::default()
    };
    // Method names changed by flags must be accepted by the embedded acquirer too.
    for name in [&config.methods.alipay, &config.methods.wechat] {
        if !sandbox.methods.contains(name) {
            sandbox.methods.push(name.clone());
        }
    }
    Sandbox::new(sandbox)
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
