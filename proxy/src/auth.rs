//! Who is calling: register bearer tokens and event-stream tickets.
//!
//! Tokens are kept only as SHA-256 digests and compared in constant time against every
//! configured register (no early exit), so neither the comparison nor the lookup tells an
//! attacker how close a guess was. Tickets are random, short-lived and bound to one
//! register's store; they exist because an `EventSource` cannot send `Authorization`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
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
                .map(|t| {
                    (
                        digest(t.token.expose()),
                        Register {
                            cashier_device_id: t.cashier_device_id.clone(),
                            store_id: t.store_id.clone(),
                        },
                    )
                })
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

/// Event-stream tickets: random 256-bit values, stored by digest, usable until they expire
/// (an `EventSource` reconnects with the same URL, so a ticket is not single-use).
pub(crate) struct Tickets {
    ttl: Duration,
    map: Mutex<HashMap<[u8; 32], (Register, u64)>>,
}

impl Tickets {
    pub(crate) fn new(ttl: Duration) -> Tickets {
        Tickets {
            ttl,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// A new ticket for `register`.
    pub(crate) fn issue(&self, register: Register) -> EventTicket {
        let ticket = hex(&random_bytes::<32>());
        let now = now_ms();
        let expires_at = now + self.ttl.as_millis() as u64;
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (_, exp)| *exp > now);
        map.insert(digest(&ticket), (register, expires_at));
        EventTicket { ticket, expires_at }
    }

    /// The register a ticket was issued to, while it is valid.
    pub(crate) fn redeem(&self, ticket: &str) -> Option<Register> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let (register, expires_at) = map.get(&digest(ticket))?;
        (*expires_at > now_ms()).then(|| register.clone())
    }
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

    #[test]
    fn tickets_expire_and_are_bound_to_their_register() {
        let reg = regs().authenticate("token-one").unwrap();
        let live = Tickets::new(Duration::from_secs(60));
        let t = live.issue(reg.clone());
        assert_eq!(t.ticket.len(), 64);
        assert_eq!(live.redeem(&t.ticket), Some(reg.clone()));
        assert_eq!(
            live.redeem(&t.ticket),
            Some(reg.clone()),
            "reusable until expiry"
        );
        assert_eq!(live.redeem("nope"), None);
        let dead = Tickets::new(Duration::ZERO);
        let t = dead.issue(reg);
        assert_eq!(dead.redeem(&t.ticket), None);
    }
}
