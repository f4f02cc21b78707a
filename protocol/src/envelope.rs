//! The v4 envelope (reference §2): a flat JSON object of string fields, with `bizContent`
//! carried as the exact JSON text that was signed and parsed only on demand.
//!
//! One type serves requests (`accId, clientId, signType, version, bizContent, sign`),
//! responses and notifications (`accId, clientId, signType, code, description, bizContent,
//! sign`): signing and verification cover whatever top-level fields are present.

use core::fmt;
use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::sign::{SIGN_FIELD, SignType};

/// The envelope `version` PingPong requires.
pub const VERSION: &str = "1.0";

/// Why an envelope could not be read or trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvelopeError {
    /// The body is not a JSON object. Answer 102000; nothing else can be read.
    NotAnObject,
    /// A top-level field holds something other than a string or null (signing needs strings).
    NotAString(String),
    /// A required field is absent or blank.
    Missing(&'static str),
    /// `signType` is neither `SHA256` nor `MD5`.
    BadSignType,
    /// The signature does not match: the message was altered or signed with another salt.
    BadSignature,
    /// `bizContent` is not the JSON its API expects; the text says which part.
    BadBizContent(String),
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvelopeError::NotAnObject => f.write_str("body is not a JSON object"),
            EnvelopeError::NotAString(k) => write!(f, "field {k} is not a string"),
            EnvelopeError::Missing(k) => write!(f, "field {k} is missing"),
            EnvelopeError::BadSignType => f.write_str("signType must be SHA256 or MD5"),
            EnvelopeError::BadSignature => f.write_str("signature does not verify"),
            EnvelopeError::BadBizContent(why) => write!(f, "bizContent: {why}"),
        }
    }
}

impl std::error::Error for EnvelopeError {}

impl EnvelopeError {
    /// The bizContent field a serde error names (`missing field `requestId``), if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            EnvelopeError::Missing(k) => Some(k),
            EnvelopeError::NotAString(k) => Some(k),
            EnvelopeError::BadBizContent(why) => {
                let start = why.find('`')? + 1;
                let len = why[start..].find('`')?;
                Some(&why[start..start + len])
            }
            _ => None,
        }
    }
}

/// A v4 envelope: its top-level fields, all strings, in key order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Envelope {
    fields: BTreeMap<String, String>,
}

impl Envelope {
    /// Reads an envelope from a JSON body. Null fields are dropped (PingPong may omit them);
    /// any other non-string value is refused.
    pub fn parse(body: &[u8]) -> Result<Envelope, EnvelopeError> {
        let map: BTreeMap<String, serde_json::Value> =
            serde_json::from_slice(body).map_err(|_| EnvelopeError::NotAnObject)?;
        let mut fields = BTreeMap::new();
        for (k, v) in map {
            match v {
                serde_json::Value::String(s) => {
                    fields.insert(k, s);
                }
                serde_json::Value::Null => {}
                _ => return Err(EnvelopeError::NotAString(k)),
            }
        }
        Ok(Envelope { fields })
    }

    /// A request envelope around `biz_content` (unsigned until [`Envelope::sign`]).
    pub fn request(
        acc_id: &str,
        client_id: &str,
        sign_type: SignType,
        biz_content: String,
    ) -> Self {
        let mut e = Envelope::default();
        e.set("accId", acc_id);
        e.set("clientId", client_id);
        e.set("signType", sign_type.as_str());
        e.set("version", VERSION);
        e.set("bizContent", biz_content);
        e
    }

    /// A response or notification envelope (unsigned until [`Envelope::sign`]).
    pub fn response(
        acc_id: &str,
        client_id: &str,
        sign_type: SignType,
        code: &str,
        description: &str,
        biz_content: String,
    ) -> Self {
        let mut e = Envelope::default();
        e.set("accId", acc_id);
        e.set("clientId", client_id);
        e.set("signType", sign_type.as_str());
        e.set("code", code);
        e.set("description", description);
        e.set("bizContent", biz_content);
        e
    }

    /// Serialises `biz` as the bizContent text.
    pub fn biz_text<T: Serialize>(biz: &T) -> String {
        serde_json::to_string(biz).expect("bizContent types serialise")
    }

    /// Sets a top-level field.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.fields.insert(key.to_owned(), value.into());
    }

    /// Removes a top-level field, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.fields.remove(key)
    }

    /// A top-level field.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    /// All top-level fields, in key order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn required(&self, key: &'static str) -> Result<&str, EnvelopeError> {
        self.get(key)
            .filter(|v| !v.trim().is_empty())
            .ok_or(EnvelopeError::Missing(key))
    }

    /// `accId`: the PingPong store number.
    pub fn acc_id(&self) -> Result<&str, EnvelopeError> {
        self.required("accId")
    }

    /// `clientId`: the PingPong merchant number.
    pub fn client_id(&self) -> Result<&str, EnvelopeError> {
        self.required("clientId")
    }

    /// `signType`, parsed.
    pub fn sign_type(&self) -> Result<SignType, EnvelopeError> {
        SignType::parse(self.required("signType")?).ok_or(EnvelopeError::BadSignType)
    }

    /// `code`: the result code of a response or notification.
    pub fn code(&self) -> Option<&str> {
        self.get("code")
    }

    /// `description`: the text of `code`.
    pub fn description(&self) -> Option<&str> {
        self.get("description")
    }

    /// The exact bizContent text.
    pub fn biz_content(&self) -> Result<&str, EnvelopeError> {
        self.required("bizContent")
    }

    /// Parses bizContent as `T`; unknown fields are ignored.
    pub fn biz<T: DeserializeOwned>(&self) -> Result<T, EnvelopeError> {
        serde_json::from_str(self.biz_content()?)
            .map_err(|e| EnvelopeError::BadBizContent(e.to_string()))
    }

    /// The JSON body to send.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.fields).expect("string map serialises")
    }

    /// Signs every field present with `salt`, using the envelope's `signType`.
    #[cfg(feature = "sign")]
    pub fn sign(&mut self, salt: &str) -> Result<(), EnvelopeError> {
        let sign_type = self.sign_type()?;
        let sig = crate::sign::sign(sign_type, salt, self.fields());
        self.set(SIGN_FIELD, sig);
        Ok(())
    }

    /// Checks `sign` against every other field with `salt` and the envelope's `signType`.
    #[cfg(feature = "sign")]
    pub fn verify(&self, salt: &str) -> Result<(), EnvelopeError> {
        let sign_type = self.sign_type()?;
        let sig = self
            .required(SIGN_FIELD)
            .map_err(|_| EnvelopeError::BadSignature)?;
        if crate::sign::verify(sign_type, salt, self.fields(), sig) {
            Ok(())
        } else {
            Err(EnvelopeError::BadSignature)
        }
    }
}

#[cfg(all(test, feature = "sign"))]
mod tests {
    use super::*;

    const SALT_A: &str = "F78BC96A55548B2319EE68E0";

    #[test]
    fn verifies_the_documented_response_from_its_raw_json() {
        let body = r#"{"accId":"2018092714313010016291","clientId":"2018092714313010016","code":"301002","description":"Transaction declined (Do not honor,Please contact the issuing bank to confirm the bank card payment limit)","signType":"SHA256","sign":"85E02B2A474DA7D135DE844A202015594C874E4A2A06394BA7DF00071FC4A6D1","bizContent":"{\"requestId\":\"PMT-9ICSCWF9H51695189441815\",\"merchantTransactionId\":\"PMT-9ICSCWF9H51695189441815\",\"amount\":\"100.000000\",\"threeDUnionParams\":{\"threeDContinue\":\"false\"},\"transactionId\":\"2023092050004595\",\"threeDContinue\":\"false\",\"paymentMethod\":{\"type\":\"scheme\"},\"captureDelayHours\":0,\"status\":\"FAILED\"}"}"#;
        let env = Envelope::parse(body.as_bytes()).unwrap();
        env.verify(SALT_A).unwrap();
        assert_eq!(env.code(), Some("301002"));
        let biz: crate::biz::UnifiedPayResponse = env.biz().unwrap();
        assert_eq!(biz.status, crate::PaymentStatus::Failed);
        assert_eq!(biz.transaction_id.as_deref(), Some("2023092050004595"));
    }

    #[test]
    fn sign_then_parse_then_verify() {
        let mut env = Envelope::request("acc", "cli", SignType::Md5, r#"{"a":"b"}"#.into());
        env.sign("salt").unwrap();
        let back = Envelope::parse(env.to_json().as_bytes()).unwrap();
        assert_eq!(back, env);
        back.verify("salt").unwrap();
        assert_eq!(back.verify("other"), Err(EnvelopeError::BadSignature));
    }

    #[test]
    fn refuses_malformed_envelopes() {
        assert_eq!(Envelope::parse(b"[1]"), Err(EnvelopeError::NotAnObject));
        assert_eq!(Envelope::parse(b"nope"), Err(EnvelopeError::NotAnObject));
        assert_eq!(
            Envelope::parse(br#"{"accId":1}"#),
            Err(EnvelopeError::NotAString("accId".into()))
        );
        let env = Envelope::parse(br#"{"accId":null,"signType":"SHA1"}"#).unwrap();
        assert_eq!(env.acc_id(), Err(EnvelopeError::Missing("accId")));
        assert_eq!(env.sign_type(), Err(EnvelopeError::BadSignType));
        let unsigned = Envelope::request("a", "c", SignType::Sha256, "{}".into());
        assert_eq!(unsigned.verify("s"), Err(EnvelopeError::BadSignature));
    }

    #[test]
    fn names_the_missing_biz_field() {
        let env = Envelope::request(
            "a",
            "c",
            SignType::Sha256,
            r#"{"merchantTransactionId":"x"}"#.into(),
        );
        let err = env.biz::<crate::biz::RefundRequest>().unwrap_err();
        assert_eq!(err.field(), Some("merchantRefundId"));
    }
}
