//! The platform↔proxy administration contract: merchants, their stores and registers, as
//! the proxy's admin API (`/admin/v1/…`) and its command line take and show them (JSON,
//! camelCase). A register never sees these; the platform's backend does.
//!
//! Salts go in ([`NewMerchant::salt`], [`MerchantPatch::salt`]) and never come out: a view
//! shows a short fingerprint. A register's token comes out once, in [`IssuedRegister`].
//!
//! With the `openapi` feature the types derive their OpenAPI schemas (utoipa) for the proxy's
//! `/openapi.json`. They have no TypeScript declarations: the browser library never sees them.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::contract::{ApiError, Method};
use crate::error_code::ErrorCode;
use crate::ids::{CashierDeviceId, IdError, MerchantId, StoreId};
use crate::money::Currency;
use crate::sign::SignType;
use crate::status::FailureMode;
use crate::time::TimeExpireFormat;

/// Routes of the admin API (off unless the proxy has an admin key).
pub mod paths {
    /// `GET` lists the merchants; `POST` adds one ([`super::NewMerchant`]).
    pub const MERCHANTS: &str = "/admin/v1/merchants";
    /// `GET` one merchant; `PATCH` changes it ([`super::MerchantPatch`]).
    pub const MERCHANT: &str = "/admin/v1/merchants/{merchantId}";
    /// `GET` lists a merchant's stores; `POST` adds one ([`super::NewStore`]).
    pub const STORES: &str = "/admin/v1/merchants/{merchantId}/stores";
    /// `GET ?storeId=` lists a merchant's registers; `POST` adds one ([`super::NewRegister`]).
    pub const REGISTERS: &str = "/admin/v1/merchants/{merchantId}/registers";
    /// `POST` revokes a register.
    pub const REVOKE: &str = "/admin/v1/merchants/{merchantId}/registers/{registerId}/revoke";
}

/// Longest display name or label, in characters.
pub const MAX_NAME: usize = 100;
/// Longest salt, in characters.
pub const MAX_SALT: usize = 256;
/// Most QR methods per merchant.
pub const MAX_METHODS: usize = 8;

/// One QR method a merchant offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MethodConfig {
    /// The method a register asks for (`ALIPAY`, `WECHAT`).
    pub method: Method,
    /// PingPong's `paymentMethod.type` sent for it, e.g. `AlipayCN-Offline`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_.-]{1,64}$"))]
    pub kind: String,
    /// The ISO 4217 codes it takes; empty: whatever the account takes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::openapi::CurrencyCode>))]
    pub currencies: Vec<String>,
}

impl MethodConfig {
    /// Whether this method takes `currency`.
    pub fn takes(&self, currency: Currency) -> bool {
        self.currencies.is_empty() || self.currencies.iter().any(|c| c == currency.code())
    }
}

/// The methods of a merchant that does not say: `ALIPAY` as `AlipayCN-Offline` and `WECHAT`
/// as `Wechat-Offline`, any currency (docs/protocol-choices.md #1).
pub fn default_methods() -> Vec<MethodConfig> {
    vec![
        MethodConfig {
            method: Method::Alipay,
            kind: "AlipayCN-Offline".into(),
            currencies: Vec::new(),
        },
        MethodConfig {
            method: Method::Wechat,
            kind: "Wechat-Offline".into(),
            currencies: Vec::new(),
        },
    ]
}

/// What a merchant is, salt aside: validated, as the proxy keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantSettings {
    /// Display name.
    pub name: String,
    /// PingPong `accId` (the store number).
    pub acc_id: String,
    /// PingPong `clientId` (the merchant number).
    pub client_id: String,
    /// Signature algorithm of requests; answers and pushes must use the same.
    pub sign_type: SignType,
    /// The QR methods it offers.
    pub methods: Vec<MethodConfig>,
    /// Whether PingPong runs it in "failure final state" mode (docs/protocol-choices.md #11).
    pub failure_mode: FailureMode,
    /// How its `timeExpire` is written (docs/protocol-choices.md #2).
    pub time_expire_format: TimeExpireFormat,
}

impl MerchantSettings {
    /// The method entry a register's `method` maps to, if the merchant offers it.
    pub fn method(&self, method: Method) -> Option<&MethodConfig> {
        self.methods.iter().find(|m| m.method == method)
    }
}

/// `POST /admin/v1/merchants` (and `merchant add`): a new merchant, one PingPong account.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewMerchant {
    /// The merchant's id on this proxy (1..=64 of `A-Z a-z 0-9 _ - .`), chosen by the
    /// platform; it names the notification path `/notify/pingpong/{id}`.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub id: String,
    /// Display name, 1..=100 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Name))]
    pub name: String,
    /// PingPong `accId`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9]{1,64}$"))]
    pub acc_id: String,
    /// PingPong `clientId`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9]{1,64}$"))]
    pub client_id: String,
    /// The signing salt from PingPong's back office. Sealed at rest (XChaCha20-Poly1305 under
    /// the master key), never shown again.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Salt))]
    pub salt: String,
    /// `SHA256` (default) or `MD5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_type: Option<SignType>,
    /// The QR methods; by default ALIPAY as `AlipayCN-Offline` and WECHAT as
    /// `Wechat-Offline`, any currency (`default_methods`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 8))]
    pub methods: Option<Vec<MethodConfig>>,
    /// "Failure final state" mode; default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_final: Option<bool>,
    /// `epoch-seconds` (default) or `duration-minutes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::time::TimeExpireFormat>))]
    pub time_expire_format: Option<String>,
}

impl fmt::Debug for NewMerchant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewMerchant")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("acc_id", &self.acc_id)
            .field("client_id", &self.client_id)
            .field("salt", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// A validated [`NewMerchant`].
#[derive(Clone, PartialEq, Eq)]
pub struct ValidMerchant {
    /// Its id.
    pub id: MerchantId,
    /// Everything but the salt.
    pub settings: MerchantSettings,
    /// The salt (the proxy seals it at once).
    pub salt: String,
}

impl fmt::Debug for ValidMerchant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidMerchant")
            .field("id", &self.id)
            .field("settings", &self.settings)
            .field("salt", &"<redacted>")
            .finish()
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidRequest, message)
}

fn id_error(field: &str, e: IdError) -> ApiError {
    ApiError::new(ErrorCode::InvalidId, format!("{field}: {e}"))
}

/// A display name or label: 1..=100 characters, no control characters.
pub fn check_name(field: &str, text: &str, allow_empty: bool) -> Result<String, ApiError> {
    let n = text.chars().count();
    if (n == 0 && !allow_empty) || n > MAX_NAME || text.chars().any(char::is_control) {
        return Err(invalid(format!(
            "{field} must be 1..={MAX_NAME} characters without control characters"
        )));
    }
    Ok(text.to_owned())
}

fn check_account_field(field: &str, text: &str) -> Result<String, ApiError> {
    if text.is_empty() || text.len() > 64 || !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(format!("{field} must be 1..=64 letters or digits")));
    }
    Ok(text.to_owned())
}

/// A salt: 1..=256 printable ASCII characters, no spaces. The message never holds it.
pub fn check_salt(salt: &str) -> Result<(), ApiError> {
    if salt.is_empty() || salt.len() > MAX_SALT || !salt.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(format!(
            "salt must be 1..={MAX_SALT} printable characters without spaces"
        )));
    }
    Ok(())
}

fn check_methods(methods: &[MethodConfig]) -> Result<Vec<MethodConfig>, ApiError> {
    if methods.is_empty() || methods.len() > MAX_METHODS {
        return Err(invalid(format!(
            "methods must hold 1..={MAX_METHODS} entries"
        )));
    }
    let mut out: Vec<MethodConfig> = Vec::with_capacity(methods.len());
    for m in methods {
        if out.iter().any(|o| o.method == m.method) {
            return Err(invalid(format!(
                "methods: {} is listed twice",
                m.method.as_str()
            )));
        }
        let kind_ok = !m.kind.is_empty()
            && m.kind.len() <= 64
            && m.kind
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !kind_ok {
            return Err(invalid(format!(
                "methods: the type of {} must be 1..=64 of A-Z a-z 0-9 - _ .",
                m.method.as_str()
            )));
        }
        let mut currencies = Vec::with_capacity(m.currencies.len());
        for c in &m.currencies {
            let code = Currency::from_code(c)
                .map_err(|_| {
                    ApiError::new(
                        ErrorCode::InvalidCurrency,
                        format!("methods: {c:?} is not a supported ISO 4217 code"),
                    )
                })?
                .code();
            if !currencies.contains(&code.to_owned()) {
                currencies.push(code.to_owned());
            }
        }
        out.push(MethodConfig {
            method: m.method,
            kind: m.kind.clone(),
            currencies,
        });
    }
    Ok(out)
}

fn check_time_expire(text: &str) -> Result<TimeExpireFormat, ApiError> {
    TimeExpireFormat::parse(text)
        .ok_or_else(|| invalid("timeExpireFormat must be epoch-seconds or duration-minutes"))
}

fn failure_mode(final_: bool) -> FailureMode {
    if final_ {
        FailureMode::Final
    } else {
        FailureMode::Retryable
    }
}

impl NewMerchant {
    /// Checks every field; the first problem is the error (its message never holds the salt).
    pub fn validate(&self) -> Result<ValidMerchant, ApiError> {
        let id = MerchantId::new(self.id.as_str()).map_err(|e| id_error("id", e))?;
        check_salt(&self.salt)?;
        let settings = MerchantSettings {
            name: check_name("name", &self.name, false)?,
            acc_id: check_account_field("accId", &self.acc_id)?,
            client_id: check_account_field("clientId", &self.client_id)?,
            sign_type: self.sign_type.unwrap_or_default(),
            methods: check_methods(self.methods.as_deref().unwrap_or(&default_methods()))?,
            failure_mode: failure_mode(self.failure_final.unwrap_or(false)),
            time_expire_format: match &self.time_expire_format {
                Some(t) => check_time_expire(t)?,
                None => TimeExpireFormat::default(),
            },
        };
        Ok(ValidMerchant {
            id,
            settings,
            salt: self.salt.clone(),
        })
    }
}

/// `PATCH /admin/v1/merchants/{id}` (and `merchant update|disable`): what changes; absent
/// fields stay as they are. The merchant `default` of the start flags takes only `enabled`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MerchantPatch {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::Name>))]
    pub name: Option<String>,
    /// PingPong `accId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9]{1,64}$"))]
    pub acc_id: Option<String>,
    /// PingPong `clientId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9]{1,64}$"))]
    pub client_id: Option<String>,
    /// A new salt (sealed at once, never shown again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::openapi::Salt>))]
    pub salt: Option<String>,
    /// `SHA256` or `MD5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_type: Option<SignType>,
    /// The QR methods (the whole list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 8))]
    pub methods: Option<Vec<MethodConfig>>,
    /// "Failure final state" mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_final: Option<bool>,
    /// `epoch-seconds` or `duration-minutes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::time::TimeExpireFormat>))]
    pub time_expire_format: Option<String>,
    /// False: its registers are refused at once and their event streams close (PingPong's
    /// pushes are still journaled: the money moved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

impl fmt::Debug for MerchantPatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantPatch")
            .field("name", &self.name)
            .field("acc_id", &self.acc_id)
            .field("client_id", &self.client_id)
            .field("salt", &self.salt.as_ref().map(|_| "<redacted>"))
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

impl MerchantPatch {
    /// `settings` with this patch applied, every given field checked; the new salt, if any,
    /// is checked and left to the caller to seal.
    pub fn apply(&self, settings: &MerchantSettings) -> Result<MerchantSettings, ApiError> {
        if let Some(salt) = &self.salt {
            check_salt(salt)?;
        }
        let mut s = settings.clone();
        if let Some(name) = &self.name {
            s.name = check_name("name", name, false)?;
        }
        if let Some(acc) = &self.acc_id {
            s.acc_id = check_account_field("accId", acc)?;
        }
        if let Some(client) = &self.client_id {
            s.client_id = check_account_field("clientId", client)?;
        }
        if let Some(sign_type) = self.sign_type {
            s.sign_type = sign_type;
        }
        if let Some(methods) = &self.methods {
            s.methods = check_methods(methods)?;
        }
        if let Some(f) = self.failure_final {
            s.failure_mode = failure_mode(f);
        }
        if let Some(t) = &self.time_expire_format {
            s.time_expire_format = check_time_expire(t)?;
        }
        Ok(s)
    }

    /// Whether it changes nothing but `enabled` (possible for a merchant whose credentials
    /// come from the proxy's start flags).
    pub fn only_enabled(&self) -> bool {
        MerchantPatch {
            enabled: None,
            ..self.clone()
        } == MerchantPatch::default()
    }
}

/// Where a merchant's salt comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SaltSource {
    /// Sealed in the proxy's database under its master key.
    Sealed,
    /// Given to the proxy at start (`PINGPONG_SALT`, `--salt-file`, or demo mode): the
    /// merchant `default` only; change it where the proxy is started.
    Startup,
}

/// A merchant as the admin API and `merchant list` show it: never its salt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MerchantView {
    /// Its id.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub id: String,
    /// Display name.
    pub name: String,
    /// PingPong `accId`.
    pub acc_id: String,
    /// PingPong `clientId`.
    pub client_id: String,
    /// 8 hex characters identifying the salt (a digest, never the salt).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{8}$"))]
    pub salt_fingerprint: String,
    /// Where the salt comes from.
    pub salt_source: SaltSource,
    /// `SHA256` or `MD5`.
    pub sign_type: SignType,
    /// The QR methods.
    pub methods: Vec<MethodConfig>,
    /// "Failure final state" mode.
    pub failure_final: bool,
    /// `epoch-seconds` or `duration-minutes`.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::time::TimeExpireFormat))]
    pub time_expire_format: String,
    /// Whether its registers and pushes are served.
    pub enabled: bool,
    /// The path PingPong pushes its notifications to (after the proxy's public URL).
    pub notification_path: String,
    /// When it was added (ms since the epoch).
    pub created_at: u64,
    /// When it last changed.
    pub updated_at: u64,
}

/// `POST /admin/v1/merchants/{id}/stores` (and `store add`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewStore {
    /// The store's id within its merchant.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub id: String,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Name))]
    pub name: String,
}

impl NewStore {
    /// Checks the id and name.
    pub fn validate(&self) -> Result<(StoreId, String), ApiError> {
        let id = StoreId::new(self.id.as_str()).map_err(|e| id_error("id", e))?;
        Ok((id, check_name("name", &self.name, false)?))
    }
}

/// A store as the admin API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreView {
    /// Its merchant.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub merchant_id: String,
    /// Its id.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub id: String,
    /// Display name.
    pub name: String,
    /// When it was added.
    pub created_at: u64,
}

/// `POST /admin/v1/merchants/{id}/registers` (and `register add`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRegister {
    /// The store it belongs to.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub store_id: String,
    /// The `cashierDeviceId` sent to PingPong for its payments; unique among the merchant's
    /// registers that are not revoked.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub cashier_device_id: String,
    /// A label for people ("till 2, by the door"), at most 100 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub label: String,
}

impl NewRegister {
    /// Checks the ids and label.
    pub fn validate(&self) -> Result<(StoreId, CashierDeviceId, String), ApiError> {
        let store = StoreId::new(self.store_id.as_str()).map_err(|e| id_error("storeId", e))?;
        let device = CashierDeviceId::new(self.cashier_device_id.as_str())
            .map_err(|e| id_error("cashierDeviceId", e))?;
        Ok((store, device, check_name("label", &self.label, true)?))
    }
}

/// A register as the admin API shows it (never its token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterView {
    /// Its id (the middle part of its token).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub id: String,
    /// Its merchant.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub merchant_id: String,
    /// Its store.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub store_id: String,
    /// The `cashierDeviceId` of its payments.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::openapi::Id))]
    pub cashier_device_id: String,
    /// A label for people.
    pub label: String,
    /// When it was added.
    pub created_at: u64,
    /// When it was revoked; from then on its token is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<u64>,
}

/// A new register and its bearer token, shown this once (the proxy keeps only a keyed hash,
/// HMAC-SHA256).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedRegister {
    /// The register.
    pub register: RegisterView,
    /// `ppq_<registerId>_<secret>`: give it to the register; it cannot be shown again.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^ppq_[A-Za-z0-9_.-]{1,64}_[0-9a-f]{64}$")
    )]
    pub token: String,
}

impl fmt::Debug for IssuedRegister {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedRegister")
            .field("register", &self.register)
            .field("token", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merchant() -> NewMerchant {
        NewMerchant {
            id: "m-1".into(),
            name: "Café Lumière".into(),
            acc_id: "2018092714313010016291".into(),
            client_id: "2018092714313010016".into(),
            salt: "SECRET-SALT-1".into(),
            ..NewMerchant::default()
        }
    }

    #[test]
    fn a_new_merchant_gets_the_defaults() {
        let v = merchant().validate().unwrap();
        assert_eq!(v.id.as_str(), "m-1");
        assert_eq!(v.settings.sign_type, SignType::Sha256);
        assert_eq!(v.settings.methods, default_methods());
        assert_eq!(v.settings.failure_mode, FailureMode::Retryable);
        assert_eq!(
            v.settings.time_expire_format,
            TimeExpireFormat::EpochSeconds
        );
    }

    #[test]
    fn bad_fields_are_refused_without_echoing_the_salt() {
        let code = |m: NewMerchant| m.validate().unwrap_err();
        assert_eq!(
            code(NewMerchant {
                id: "a b".into(),
                ..merchant()
            })
            .code,
            ErrorCode::InvalidId
        );
        for m in [
            NewMerchant {
                name: String::new(),
                ..merchant()
            },
            NewMerchant {
                acc_id: "12 3".into(),
                ..merchant()
            },
            NewMerchant {
                time_expire_format: Some("hours".into()),
                ..merchant()
            },
            NewMerchant {
                methods: Some(Vec::new()),
                ..merchant()
            },
        ] {
            assert_eq!(code(m).code, ErrorCode::InvalidRequest);
        }
        let e = code(NewMerchant {
            salt: "has space SECRET".into(),
            ..merchant()
        });
        assert!(!e.message.contains("SECRET"), "{}", e.message);
        assert!(!format!("{:?}", merchant()).contains("SECRET-SALT-1"));
        let twice = vec![default_methods()[0].clone(), default_methods()[0].clone()];
        assert!(
            NewMerchant {
                methods: Some(twice),
                ..merchant()
            }
            .validate()
            .is_err()
        );
        let bad_currency = vec![MethodConfig {
            currencies: vec!["XXX1".into()],
            ..default_methods()[0].clone()
        }];
        assert_eq!(
            code(NewMerchant {
                methods: Some(bad_currency),
                ..merchant()
            })
            .code,
            ErrorCode::InvalidCurrency
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let base = merchant().validate().unwrap().settings;
        let p = MerchantPatch {
            name: Some("New name".into()),
            failure_final: Some(true),
            ..MerchantPatch::default()
        };
        let s = p.apply(&base).unwrap();
        assert_eq!(s.name, "New name");
        assert_eq!(s.failure_mode, FailureMode::Final);
        assert_eq!(s.acc_id, base.acc_id);
        assert!(!p.only_enabled());
        let off = MerchantPatch {
            enabled: Some(false),
            ..MerchantPatch::default()
        };
        assert!(off.only_enabled());
        assert!(
            serde_json::from_str::<MerchantPatch>(r#"{"enable":false}"#).is_err(),
            "unknown fields are refused"
        );
    }

    #[test]
    fn methods_take_their_currencies() {
        let m: MethodConfig = serde_json::from_str(
            r#"{"method":"ALIPAY","type":"AlipayHK-Offline","currencies":["HKD"]}"#,
        )
        .unwrap();
        assert!(m.takes(Currency::from_code("HKD").unwrap()));
        assert!(!m.takes(Currency::from_code("CNY").unwrap()));
        assert!(default_methods()[1].takes(Currency::from_code("USD").unwrap()));
    }
}
