//! Who is calling: register bearer tokens and event-stream tickets.
//!
//! Tokens are kept only as SHA-256 digests and compared in constant time against every
//! configured register (no early exit), so neither the comparison nor the lookup tells an
//! attacker how close a guess was. Tickets are short-lived, MAC'd with a key derived from
//! one register's token (so they outlive a proxy restart); they exist because an
//! `EventSource` cannot send `Authorization`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use hmac::{Hmac, Mac};
use pingpong_protocol::contract::EventTicket;
use pingpong_protocol::sign::constant_time_eq;
use pingpong_protocol::{CashierDeviceId, ErrorCode, StoreId};
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::config::RegisterToken;
use crate::error::{ApiFailure, fail};
use crate::util::{hex, now_ms, random_bytes};

/// An authenticated register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Register {
    pub cashier_device_id: CashierDeviceId,
    pub store_id: StoreId,
}

impl Register {
    fn of(token: &RegisterToken) -> Register {
        Register {
            cashier_device_id: token.cashier_device_id.clone(),
            store_id: token.store_id.clone(),
        }
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// The configured registers.
pub(crate) struct Registers {
    entries: Vec<([u8; 32], Register)>,
}

impl Registers {
    pub(crate) fn new(tokens: &[RegisterToken]) -> Registers {
        Registers {
            entries: tokens
                .iter()
                .map(|t| (digest(t.token.expose()), Register::of(t)))
                .collect(),
        }
    }

    /// The register whose token is `presented`, checking every entry.
    pub(crate) fn authenticate(&self, presented: &str) -> Option<Register> {
        let presented = digest(presented);
        let mut found = None;
        for (hash, register) in &self.entries {
            if constant_time_eq(hash, &presented) {
                found = Some(register);
            }
        }
        found.cloned()
    }
}

/// The token of an `Authorization: Bearer …` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<Arc<App>> for Register {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(|| {
            fail(
                ErrorCode::Unauthorized,
                "send the register's token as Authorization: Bearer <token>",
            )
        })?;
        app.registers
            .authenticate(token)
            .ok_or_else(|| fail(ErrorCode::Unauthorized, "unknown register token"))
    }
}

/// Event-stream tickets, stateless: `<expiresAt>.<nonce>.<mac>`, where `mac` is HMAC-SHA256
/// over `<expiresAt>.<nonce>` keyed by a key derived from the register's token. Any proxy
/// process with the same registers accepts them, so an `EventSource` reconnecting with its
/// old URL after a restart (or to a sibling behind a load balancer) is let in, not refused;
/// changing a register's token invalidates its tickets. Not single-use: an `EventSource`
/// reconnects with the same URL.
pub(crate) struct Tickets {
    ttl: Duration,
    keys: Vec<([u8; 32], Register)>,
}

type HmacSha256 = Hmac<Sha256>;

/// Domain separation: a ticket key is never equal to the digest `Registers` compares.
const TICKET_KEY_CONTEXT: &[u8] = b"pingpong-qr event ticket key v1\0";

impl Tickets {
    pub(crate) fn new(tokens: &[RegisterToken], ttl: Duration) -> Tickets {
        let keys = tokens
            .iter()
            .map(|t| {
                let mut h = Sha256::new();
                h.update(TICKET_KEY_CONTEXT);
                h.update(t.token.expose().as_bytes());
                (h.finalize().into(), Register::of(t))
            })
            .collect();
        Tickets { ttl, keys }
    }

    /// A new ticket for `register` (an authenticated one, so its key exists).
    pub(crate) fn issue(&self, register: Register) -> EventTicket {
        let expires_at = now_ms() + self.ttl.as_millis() as u64;
        let body = format!("{expires_at}.{}", hex(&random_bytes::<16>()));
        let key = self
            .keys
            .iter()
            .find(|(_, r)| *r == register)
            .map_or([0u8; 32], |(k, _)| *k);
        let ticket = format!("{body}.{}", hex(&mac(&key, &body)));
        EventTicket { ticket, expires_at }
    }

    /// The register a ticket was issued to, while it is valid. Every register's key is
    /// tried (no early exit), as tokens are in `Registers::authenticate`.
    pub(crate) fn redeem(&self, ticket: &str) -> Option<Register> {
        let (body, tag) = ticket.rsplit_once('.')?;
        let (expires_at, nonce) = body.split_once('.')?;
        let expires_at: u64 = expires_at.parse().ok()?;
        if expires_at <= now_ms() || nonce.len() != 32 || tag.len() != 64 {
            return None;
        }
        let mut found = None;
        for (key, register) in &self.keys {
            if constant_time_eq(hex(&mac(key, body)).as_bytes(), tag.as_bytes()) {
                found = Some(register);
            }
        }
        found.cloned()
    }
}

fn mac(key: &[u8; 32], body: &str) -> [u8; 32] {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    m.update(body.as_bytes());
    m.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regs() -> Registers {
        Registers::new(&[
            RegisterToken::new("token-one", "POS-1", "S1").unwrap(),
            RegisterToken::new("token-two", "POS-2", "S2").unwrap(),
        ])
    }

    #[test]
    fn finds_the_register_of_a_token_and_nothing_else() {
        let r = regs();
        assert_eq!(r.authenticate("token-two").unwrap().store_id.as_str(), "S2");
        assert!(r.authenticate("token-tw").is_none());
        assert!(r.authenticate("").is_none());
        assert!(r.authenticate("TOKEN-ONE").is_none());
    }

    fn tokens() -> Vec<RegisterToken> {
        vec![
            RegisterToken::new("token-one", "POS-1", "S1").unwrap(),
            RegisterToken::new("token-two", "POS-2", "S2").unwrap(),
        ]
    }

    #[test]
    fn tickets_expire_and_are_bound_to_their_register() {
        let reg = regs().authenticate("token-one").unwrap();
        let live = Tickets::new(&tokens(), Duration::from_secs(60));
        let t = live.issue(reg.clone());
        assert_eq!(live.redeem(&t.ticket), Some(reg.clone()));
        assert_eq!(
            live.redeem(&t.ticket),
            Some(reg.clone()),
            "reusable until expiry"
        );
        assert_eq!(live.redeem("nope"), None);
        let dead = Tickets::new(&tokens(), Duration::ZERO);
        let t = dead.issue(reg);
        assert_eq!(dead.redeem(&t.ticket), None);
    }

    #[test]
    fn a_ticket_outlives_its_proxy_but_not_a_token_change() {
        let two = regs().authenticate("token-two").unwrap();
        let t = Tickets::new(&tokens(), Duration::from_secs(60)).issue(two.clone());
        let restarted = Tickets::new(&tokens(), Duration::from_secs(60));
        assert_eq!(restarted.redeem(&t.ticket), Some(two));
        let rotated = Tickets::new(
            &[RegisterToken::new("token-2b", "POS-2", "S2").unwrap()],
            Duration::from_secs(60),
        );
        assert_eq!(rotated.redeem(&t.ticket), None);
    }

    #[test]
    fn a_forged_or_altered_ticket_is_refused() {
        let one = regs().authenticate("token-one").unwrap();
        let tickets = Tickets::new(&tokens(), Duration::from_secs(60));
        let t = tickets.issue(one).ticket;
        let (expiry, rest) = t.split_once('.').unwrap();
        let later: u64 = expiry.parse::<u64>().unwrap() + 3_600_000;
        let flipped = {
            let mut b = t.clone().into_bytes();
            let last = b.len() - 1;
            b[last] = if b[last] == b'0' { b'1' } else { b'0' };
            String::from_utf8(b).unwrap()
        };
        for forged in [
            format!("{later}.{rest}"),
            flipped,
            t[..t.len() - 1].to_owned(),
            format!("{t}0"),
            t.replace('.', ""),
            String::new(),
        ] {
            assert_eq!(tickets.redeem(&forged), None, "{forged}");
        }
    }
}
