//! Reading bizContent fields one by one, so that each refusal names its field (102000).

use pingpong_protocol::biz::WireAmount;
use pingpong_protocol::{AmountError, Currency, MerchantTransactionId, Money, ResultCode};
use serde_json::Value;

/// A parsed bizContent object.
pub(crate) type Obj = serde_json::Map<String, Value>;

/// Why a request is refused: a result code and, for 102000, the field and the reason.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub code: ResultCode,
    pub detail: String,
}

impl Refusal {
    /// 102000 naming `field`.
    pub fn param(field: &str, why: &str) -> Refusal {
        Refusal {
            code: ResultCode::InvalidParameter,
            detail: format!("{field} ({why})"),
        }
    }

    /// Any other code, with PingPong's text.
    pub fn code(code: ResultCode) -> Refusal {
        Refusal {
            code,
            detail: String::new(),
        }
    }

    /// Any other code, with a reason after PingPong's text.
    pub fn because(code: ResultCode, why: &str) -> Refusal {
        Refusal {
            code,
            detail: why.to_owned(),
        }
    }

    /// The envelope `description`: PingPong's text, then the field or reason.
    pub fn description(&self) -> String {
        if self.detail.is_empty() {
            self.code.description().to_owned()
        } else {
            format!("{}: {}", self.code.description(), self.detail)
        }
    }
}

/// An optional string field; `""` counts as absent.
pub(crate) fn text<'a>(obj: &'a Obj, field: &str) -> Result<Option<&'a str>, Refusal> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Refusal::param(field, "must be a string")),
    }
}

/// A required string field.
pub(crate) fn required<'a>(obj: &'a Obj, field: &str) -> Result<&'a str, Refusal> {
    text(obj, field)?.ok_or_else(|| Refusal::param(field, "is missing"))
}

/// A required id: 1..=64 of `A-Za-z0-9_-.`.
pub(crate) fn id(obj: &Obj, field: &str) -> Result<String, Refusal> {
    let value = required(obj, field)?;
    check_id(field, value)?;
    Ok(value.to_owned())
}

/// An optional id.
pub(crate) fn optional_id(obj: &Obj, field: &str) -> Result<Option<String>, Refusal> {
    match text(obj, field)? {
        Some(value) => check_id(field, value).map(|()| Some(value.to_owned())),
        None => Ok(None),
    }
}

fn check_id(field: &str, value: &str) -> Result<(), Refusal> {
    MerchantTransactionId::new(value)
        .map(drop)
        .map_err(|e| Refusal::param(field, &e.to_string()))
}

/// The `amount` field must be there, as a JSON string or number (its value is read later,
/// in the currency's exponent).
pub(crate) fn amount_present(obj: &Obj) -> Result<(), Refusal> {
    match obj.get("amount") {
        Some(Value::String(s)) if !s.is_empty() => Ok(()),
        Some(Value::Number(_)) => Ok(()),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            Err(Refusal::param("amount", "is missing"))
        }
        Some(_) => Err(Refusal::param(
            "amount",
            "must be a decimal string or number",
        )),
    }
}

/// The amount in `currency`, read as PingPong reads it (a JSON number, or a string padded
/// with zeros, is fine) and held to the project's amount rule: below 10^12 major units
/// (`pingpong_protocol::money::MAX_AMOUNT_DIGITS`).
pub(crate) fn money(amount: &WireAmount, currency: Currency) -> Result<Money, Refusal> {
    let money = amount
        .to_money(currency)
        .map_err(|e| Refusal::param("amount", &e.to_string()))?;
    if !money.within_rule() {
        return Err(Refusal::param("amount", &AmountError::TooLarge.to_string()));
    }
    Ok(money)
}

/// A required ISO 4217 code the sandbox supports.
pub(crate) fn currency(obj: &Obj, field: &str) -> Result<Currency, Refusal> {
    Currency::from_code(required(obj, field)?)
        .map_err(|_| Refusal::param(field, "unknown or unsupported ISO 4217 code"))
}

/// An optional string of at most `max` characters.
pub(crate) fn bounded(obj: &Obj, field: &str, max: usize) -> Result<Option<String>, Refusal> {
    match text(obj, field)? {
        Some(s) if s.chars().count() > max => Err(Refusal::param(
            field,
            &format!("longer than {max} characters"),
        )),
        other => Ok(other.map(str::to_owned)),
    }
}

/// An optional notification URL: `http://` or `https://`, a host, no query string, at most
/// 255 characters (docs/protocol-choices.md #18: loopback is allowed here).
pub(crate) fn url(obj: &Obj, field: &str) -> Result<Option<String>, Refusal> {
    let Some(value) = bounded(obj, field, 255)? else {
        return Ok(None);
    };
    let rest = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
        .ok_or_else(|| Refusal::param(field, "must be an http:// or https:// URL"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(Refusal::param(field, "has no host"));
    }
    if value.contains('?') {
        return Err(Refusal::param(field, "must not carry a query string"));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Refusal::param(field, "must not contain spaces"));
    }
    Ok(Some(value))
}

/// The bizContent field a serde error names, for typed parsing that failed after the
/// field checks above (rare: a nested value of the wrong type).
pub(crate) fn serde_field(err: &serde_json::Error) -> String {
    let text = err.to_string();
    text.split('`')
        .nth(1)
        .filter(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'))
        .unwrap_or("bizContent")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(json: &str) -> Obj {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn refusals_name_their_field() {
        let o = obj(r#"{"a":"x y","n":5,"u":"http://h/p?q=1","e":""}"#);
        assert!(
            id(&o, "a")
                .unwrap_err()
                .description()
                .contains("a (id may only")
        );
        assert!(text(&o, "n").unwrap_err().detail.starts_with("n "));
        assert!(required(&o, "e").unwrap_err().detail.contains("missing"));
        assert!(url(&o, "u").unwrap_err().detail.contains("query string"));
        assert_eq!(
            url(&obj(r#"{"u":"http://127.0.0.1:9/n"}"#), "u")
                .unwrap()
                .as_deref(),
            Some("http://127.0.0.1:9/n")
        );
        assert!(url(&obj(r#"{"u":"ftp://h"}"#), "u").is_err());
        assert!(amount_present(&obj(r#"{"amount":true}"#)).is_err());
        assert!(amount_present(&obj(r#"{"amount":1.5}"#)).is_ok());
        assert!(currency(&obj(r#"{"c":"usd"}"#), "c").is_err());
        assert_eq!(
            Refusal::code(ResultCode::TransactionNotFound).description(),
            "Transaction does not exist"
        );
    }
}
