//! The v4 signature (reference §3): upper-case hex of SHA256 or MD5 over
//! `salt + "k1=v1&k2=v2…"`, every top-level field but `sign`, sorted by key, blanks skipped.
//!
//! A plain digest, not an HMAC. The string to sign uses the exact `bizContent` text that is
//! transmitted, never a re-serialisation.

use core::fmt;

use serde::{Deserialize, Serialize};

/// The signature algorithm named in the envelope's `signType`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SignType {
    /// SHA-256, 64 hex characters. PingPong recommends it; the default here.
    #[default]
    #[serde(rename = "SHA256")]
    Sha256,
    /// MD5, 32 hex characters.
    #[serde(rename = "MD5")]
    Md5,
}

impl SignType {
    /// The wire name: `"SHA256"` or `"MD5"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::Sha256 => "SHA256",
            SignType::Md5 => "MD5",
        }
    }

    /// Parses a wire name (exact, upper case).
    pub fn parse(text: &str) -> Option<SignType> {
        match text {
            "SHA256" => Some(SignType::Sha256),
            "MD5" => Some(SignType::Md5),
            _ => None,
        }
    }
}

impl fmt::Display for SignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name of the signature field, which never signs itself.
pub const SIGN_FIELD: &str = "sign";

/// The text that is hashed: `salt` followed by the sorted `key=value` pairs of `fields`
/// joined with `&`, leaving out `sign` and blank values. No URL encoding.
pub fn string_to_sign<'a>(
    salt: &str,
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut pairs: Vec<(&str, &str)> = fields
        .into_iter()
        .filter(|(k, v)| *k != SIGN_FIELD && !v.trim().is_empty())
        .collect();
    pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = String::from(salt);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Signs `fields` with `salt`: the upper-case hex digest of [`string_to_sign`].
#[cfg(feature = "sign")]
pub fn sign<'a>(
    sign_type: SignType,
    salt: &str,
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    use md5::Md5;
    use sha2::{Digest, Sha256};
    let content = string_to_sign(salt, fields);
    match sign_type {
        SignType::Sha256 => upper_hex(&Sha256::digest(content.as_bytes())),
        SignType::Md5 => upper_hex(&Md5::digest(content.as_bytes())),
    }
}

/// Whether `signature` is the signature of `fields` under `salt`.
///
/// Strict: the signature must be the exact upper-case hex the algorithm produces (a
/// lower-case or truncated value is refused). Compared in constant time.
#[cfg(feature = "sign")]
pub fn verify<'a>(
    sign_type: SignType,
    salt: &str,
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    signature: &str,
) -> bool {
    constant_time_eq(
        sign(sign_type, salt, fields).as_bytes(),
        signature.as_bytes(),
    )
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(feature = "sign")]
fn upper_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}

#[cfg(all(test, feature = "sign"))]
mod tests {
    use super::*;

    const SALT_A: &str = "F78BC96A55548B2319EE68E0";
    const SALT_B: &str = "BCE27A281029F5EAF3CC0E82";
    const V1_BIZ: &str = r#"{"merchantTransactionId":"10019","trackingNumber":"423431241","logisticsCompany":"sf","logisticsCompanyUrl":"https://www.baidu.com"}"#;

    fn vector1(sign_type: &'static str) -> Vec<(&'static str, &'static str)> {
        vec![
            ("version", "1.0"),
            ("signType", sign_type),
            ("clientId", "2018092714313010016"),
            ("bizContent", V1_BIZ),
            ("accId", "2018092714313010016289"),
        ]
    }

    #[test]
    fn vector_1_string_to_sign() {
        let expected = format!(
            "{SALT_B}accId=2018092714313010016289&bizContent={V1_BIZ}&clientId=2018092714313010016&signType=MD5&version=1.0"
        );
        assert_eq!(string_to_sign(SALT_B, vector1("MD5")), expected);
    }

    #[test]
    fn vector_1_md5_request() {
        let sig = sign(SignType::Md5, SALT_B, vector1("MD5"));
        assert_eq!(sig, "055AD0B08E3A92A91475E24E1F0C005F");
        assert!(verify(SignType::Md5, SALT_B, vector1("MD5"), &sig));
    }

    #[test]
    fn vector_1_derived_sha256() {
        let sig = sign(SignType::Sha256, SALT_B, vector1("SHA256"));
        assert_eq!(
            sig,
            "CF54E3E89BE3255D8B05E3E5671CF0378011BD55ED8E020426BFB6A02947DD6A"
        );
    }

    #[test]
    fn vector_2_sha256_response() {
        let biz = r#"{"requestId":"PMT-9ICSCWF9H51695189441815","merchantTransactionId":"PMT-9ICSCWF9H51695189441815","amount":"100.000000","threeDUnionParams":{"threeDContinue":"false"},"transactionId":"2023092050004595","threeDContinue":"false","paymentMethod":{"type":"scheme"},"captureDelayHours":0,"status":"FAILED"}"#;
        let fields = [
            ("accId", "2018092714313010016291"),
            ("clientId", "2018092714313010016"),
            ("code", "301002"),
            (
                "description",
                "Transaction declined (Do not honor,Please contact the issuing bank to confirm the bank card payment limit)",
            ),
            ("signType", "SHA256"),
            ("bizContent", biz),
        ];
        let want = "85E02B2A474DA7D135DE844A202015594C874E4A2A06394BA7DF00071FC4A6D1";
        assert_eq!(sign(SignType::Sha256, SALT_A, fields), want);
        assert!(verify(SignType::Sha256, SALT_A, fields, want));
    }

    #[test]
    fn sign_field_and_blanks_do_not_participate() {
        let mut with_extras = vector1("MD5");
        with_extras.push(("sign", "ANYTHING"));
        with_extras.push(("remark", "  "));
        with_extras.push(("empty", ""));
        assert_eq!(
            sign(SignType::Md5, SALT_B, with_extras),
            "055AD0B08E3A92A91475E24E1F0C005F"
        );
    }

    #[test]
    fn verification_is_strict() {
        let good = "055AD0B08E3A92A91475E24E1F0C005F";
        assert!(!verify(
            SignType::Md5,
            SALT_B,
            vector1("MD5"),
            &good.to_lowercase()
        ));
        assert!(!verify(SignType::Md5, SALT_B, vector1("MD5"), ""));
        assert!(!verify(SignType::Md5, SALT_B, vector1("MD5"), &good[..31]));
        assert!(!verify(SignType::Md5, SALT_A, vector1("MD5"), good));
        assert!(!verify(SignType::Sha256, SALT_B, vector1("MD5"), good));
        let mut tampered = vector1("MD5");
        tampered[3].1 = r#"{"merchantTransactionId":"10018"}"#;
        assert!(!verify(SignType::Md5, SALT_B, tampered, good));
    }
}
