//! Who is calling: a register of one merchant's store, by its bearer token or by an
//! event-stream ticket. The merchant and store come from the credential, never from a
//! request field.
//!
//! Two kinds of register:
//! - *stored* registers, added with `register add` or the admin API: their token is
//!   `ppq_<registerId>_<secret>`; the register is looked up by id and the secret's keyed
//!   hash verified in constant time ([`Vault::verify_token`]). They are read from the
//!   journal at every call, so a revocation applies at once.
//! - *configured* registers of the merchant `default` (`--tokens-file`, `--token`, demo
//!   mode's `demo-token`): kept in memory as SHA-256 digests, compared in constant time
//!   against every entry (no early exit).
//!
//! Tickets are short-lived and stateless: `<expiresAt>.<nonce>.<ref>.<mac>`, where `ref`
//! is the stored register's id (MAC keyed by the vault's ticket key) or `cfg` (MAC keyed by
//! a key derived from the configured token). They exist because an `EventSource` cannot
//! send `Authorization`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use hmac::{Hmac, Mac};
use pingpong_protocol::contract::EventTicket;
use pingpong_protocol::{CashierDeviceId, ErrorCode, MerchantId, RegisterId, StoreId};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::app::App;
use crate::config::RegisterToken;
use crate::error::{ApiFailure, ApiResult, fail};
use crate::merchants::{DEFAULT_MERCHANT, Merchant};
use crate::util::{now_ms, random_bytes};
use crate::vault::parse_token;

/// Where a register's credential is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// In the journal, by id.
    Stored(RegisterId),
    /// In the start configuration, by position.
    Configured(usize),
}

/// An authenticated register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Register {
    pub merchant_id: MerchantId,
    pub store_id: StoreId,
    pub cashier_device_id: CashierDeviceId,
    pub source: Source,
}

/// A register and the merchant it acts for.
#[derive(Debug)]
pub(crate) struct Caller {
    pub register: Register,
    pub merchant: Merchant,
}

type HmacSha256 = Hmac<Sha256>;

/// Domain separation: a ticket key is never equal to the digest tokens are compared by.
const TICKET_KEY_CONTEXT: &[u8] = b"pingpong-qr event ticket key v1\0";
/// The `ref` of a configured register's ticket.
const CONFIGURED_REF: &str = "cfg";

struct Configured {
    digest: [u8; 32],
    ticket_key: [u8; 32],
    register: Register,
}

/// The configured registers (of the merchant `default`).
pub(crate) struct Registers {
    configured: Vec<Configured>,
}

impl Registers {
    pub(crate) fn new(tokens: &[RegisterToken]) -> Registers {
        let default = MerchantId::new(DEFAULT_MERCHANT).expect("a valid id");
        let configured = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| Configured {
                digest: Sha256::digest(t.token.expose().as_bytes()).into(),
                ticket_key: Sha256::new()
                    .chain_update(TICKET_KEY_CONTEXT)
                    .chain_update(t.token.expose().as_bytes())
                    .finalize()
                    .into(),
                register: Register {
                    merchant_id: default.clone(),
                    store_id: t.store_id.clone(),
                    cashier_device_id: t.cashier_device_id.clone(),
                    source: Source::Configured(i),
                },
            })
            .collect();
        Registers { configured }
    }

    /// The configured register whose token is `presented`, checking every entry.
    fn find(&self, presented: &str) -> Option<Register> {
        let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let mut found = None;
        for c in &self.configured {
            if bool::from(c.digest.ct_eq(&presented)) {
                found = Some(&c.register);
            }
        }
        found.cloned()
    }

    /// The configured register whose ticket key MACs `body` to `tag`, checking every entry.
    fn redeem(&self, body: &str, tag: &[u8]) -> Option<Register> {
        let mut found = None;
        for c in &self.configured {
            if mac(&c.ticket_key, body).verify_slice(tag).is_ok() {
                found = Some(&c.register);
            }
        }
        found.cloned()
    }

    fn ticket_key(&self, index: usize) -> Option<&[u8; 32]> {
        self.configured.get(index).map(|c| &c.ticket_key)
    }

    /// Whether `presented` is one of their tokens.
    pub(crate) fn is_token(&self, presented: &str) -> bool {
        self.find(presented).is_some()
    }
}

fn mac(key: &[u8; 32], body: &str) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    m.update(body.as_bytes());
    m
}

fn unauthorized(message: &'static str) -> ApiFailure {
    fail(ErrorCode::Unauthorized, message)
}

/// The token of an `Authorization: Bearer …` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The stored register `id`, unless unknown or revoked, its merchant, and its token hash.
async fn stored(app: &App, id: &RegisterId) -> ApiResult<Option<(Register, Merchant, Vec<u8>)>> {
    let Some((record, merchant)) = app.journal.register(id).await? else {
        return Ok(None);
    };
    if record.revoked_at.is_some() {
        return Ok(None);
    }
    let register = Register {
        merchant_id: record.merchant_id,
        store_id: record.store_id,
        cashier_device_id: record.cashier_device_id,
        source: Source::Stored(record.id),
    };
    Ok(Some((
        register,
        app.merchants.resolve(merchant)?,
        record.token_hash,
    )))
}

/// The merchant of a configured register (`default`).
async fn default_merchant(app: &App) -> ApiResult<Merchant> {
    let id = MerchantId::new(DEFAULT_MERCHANT).expect("a valid id");
    let record = app.journal.merchant(&id).await?.ok_or_else(|| {
        fail(
            ErrorCode::Internal,
            "the merchant of this register is missing from the journal",
        )
    })?;
    app.merchants.resolve(record)
}

fn enabled(register: Register, merchant: Merchant) -> ApiResult<Caller> {
    if !merchant.enabled {
        return Err(unauthorized("this register's merchant is disabled"));
    }
    Ok(Caller { register, merchant })
}

/// The caller a bearer token identifies.
pub(crate) async fn authenticate(app: &App, token: &str) -> ApiResult<Caller> {
    if let Some(register) = app.registers.find(token) {
        return enabled(register, default_merchant(app).await?);
    }
    let unknown = || unauthorized("unknown or revoked register token");
    let ((id, secret), vault) = parse_token(token)
        .zip(app.merchants.vault().cloned())
        .ok_or_else(unknown)?;
    let Some((register, merchant, hash)) = stored(app, &id).await? else {
        // As long as a wrong secret: an unknown id is not told apart by timing.
        vault.verify_token(&id, secret, &[0; 32]);
        return Err(unknown());
    };
    if !vault.verify_token(&id, secret, &hash) {
        return Err(unknown());
    }
    enabled(register, merchant)
}

/// Whether `register` may still call (not revoked, its merchant enabled): open event
/// streams ask when the directory changes.
pub(crate) async fn still_valid(app: &App, register: &Register) -> ApiResult<bool> {
    let merchant = match &register.source {
        Source::Configured(_) => default_merchant(app).await?,
        Source::Stored(id) => match stored(app, id).await? {
            Some((_, merchant, _)) => merchant,
            None => return Ok(false),
        },
    };
    Ok(merchant.enabled)
}

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(|| {
            unauthorized("send the register's token as Authorization: Bearer <token>")
        })?;
        authenticate(app, token).await
    }
}

/// A new ticket for `register` (an authenticated one), valid for `ttl`. Not single-use:
/// an `EventSource` reconnects with the same URL, also to a restarted proxy.
pub(crate) fn issue_ticket(
    app: &App,
    register: &Register,
    ttl: Duration,
) -> ApiResult<EventTicket> {
    let expires_at = now_ms() + ttl.as_millis() as u64;
    let nonce = hex::encode(random_bytes::<16>());
    let (body, tag): (String, [u8; 32]) = match &register.source {
        Source::Stored(id) => {
            let body = format!("{expires_at}.{nonce}.{id}");
            let vault = app
                .merchants
                .vault()
                .ok_or_else(|| fail(ErrorCode::Internal, "no vault for a stored register"))?;
            let tag = vault.ticket_mac(&body);
            (body, tag)
        }
        Source::Configured(i) => {
            let body = format!("{expires_at}.{nonce}.{CONFIGURED_REF}");
            let key = app
                .registers
                .ticket_key(*i)
                .ok_or_else(|| fail(ErrorCode::Internal, "no such configured register"))?;
            let tag = mac(key, &body).finalize().into_bytes().into();
            (body, tag)
        }
    };
    Ok(EventTicket {
        ticket: format!("{body}.{}", hex::encode(tag)),
        expires_at,
    })
}

/// The caller a ticket was issued to, while it is valid and its register may still call.
pub(crate) async fn redeem_ticket(app: &App, ticket: &str) -> ApiResult<Caller> {
    let refused =
        || unauthorized("missing, unknown or expired ticket; get one from POST /v1/events/tickets");
    let (body, tag) = ticket.rsplit_once('.').ok_or_else(refused)?;
    let mut parts = body.splitn(3, '.');
    let (Some(expires_at), Some(nonce), Some(reference)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(refused());
    };
    let expires_at: u64 = expires_at.parse().map_err(|_| refused())?;
    let tag = hex::decode(tag).map_err(|_| refused())?;
    if expires_at <= now_ms() || nonce.len() != 32 || tag.len() != 32 {
        return Err(refused());
    }
    if reference == CONFIGURED_REF {
        let register = app.registers.redeem(body, &tag).ok_or_else(refused)?;
        return enabled(register, default_merchant(app).await?);
    }
    let id = RegisterId::new(reference).map_err(|_| refused())?;
    let vault = app.merchants.vault().ok_or_else(refused)?;
    if !vault.verify_ticket(body, &tag) {
        return Err(refused());
    }
    let (register, merchant, _) = stored(app, &id).await?.ok_or_else(refused)?;
    enabled(register, merchant)
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
    fn finds_the_configured_register_of_a_token_and_nothing_else() {
        let r = regs();
        let two = r.find("token-two").unwrap();
        assert_eq!(two.store_id.as_str(), "S2");
        assert_eq!(two.merchant_id.as_str(), DEFAULT_MERCHANT);
        assert_eq!(two.source, Source::Configured(1));
        assert!(r.find("token-tw").is_none());
        assert!(r.find("").is_none());
        assert!(r.find("TOKEN-ONE").is_none());
    }

    #[test]
    fn a_configured_ticket_is_bound_to_its_token() {
        let r = regs();
        let body = "99999999999999.00000000000000000000000000000000.cfg";
        let tag: [u8; 32] = mac(r.ticket_key(0).unwrap(), body)
            .finalize()
            .into_bytes()
            .into();
        assert_eq!(
            r.redeem(body, &tag).unwrap().cashier_device_id.as_str(),
            "POS-1"
        );
        assert!(r.redeem(&body.replace('9', "8"), &tag).is_none());
        let rotated = Registers::new(&[RegisterToken::new("token-1b", "POS-1", "S1").unwrap()]);
        assert!(
            rotated.redeem(body, &tag).is_none(),
            "a new token invalidates its tickets"
        );
        let restarted = regs();
        assert!(restarted.redeem(body, &tag).is_some(), "a restart does not");
    }
}
