//! Identifiers as validated newtypes: merchant order and refund numbers, request ids,
//! cash-register and store ids.
//!
//! PingPong allows 64 characters and warns that punctuation may upset downstream channels
//! (reference §1.2), so ids here are 1..=64 of `A-Z a-z 0-9 _ - .`, not made only of dots.
//! Ids travel in URL paths (`/v1/payments/{id}`), and a URL parser rewrites the segments
//! `.` and `..` (`/v1/payments/..` becomes `/v1/`): such an order could never be read or
//! refunded. Every other id of this charset is a path segment that no parser changes.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest id, in characters.
pub const MAX_ID_LEN: usize = 64;

/// Why an id was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdError {
    /// The id is empty.
    Empty,
    /// Longer than [`MAX_ID_LEN`] characters.
    TooLong,
    /// A character outside `A-Z a-z 0-9 _ - .` (spaces and control characters included).
    InvalidChar,
    /// Only dots (`.`, `..`, …): a URL path would rewrite it. Add a letter or digit.
    OnlyDots,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdError::Empty => "id is empty",
            IdError::TooLong => "id is longer than 64 characters",
            IdError::InvalidChar => "id may only hold A-Z, a-z, 0-9, '_', '-' and '.'",
            IdError::OnlyDots => "id must not be made only of dots (a URL path rewrites them)",
        })
    }
}

impl std::error::Error for IdError {}

fn check_id(text: &str) -> Result<(), IdError> {
    if text.is_empty() {
        return Err(IdError::Empty);
    }
    if text.len() > MAX_ID_LEN {
        return Err(IdError::TooLong);
    }
    if !text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return Err(IdError::InvalidChar);
    }
    if text.bytes().all(|b| b == b'.') {
        return Err(IdError::OnlyDots);
    }
    Ok(())
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Builds `PREFIX` + 9 characters of time + 16 of randomness, Crockford base32: ids sort by
/// creation time and collide with probability 2^-80 per millisecond.
fn generated(prefix: &str, epoch_ms: u64, entropy: [u8; 10]) -> String {
    let mut out = String::with_capacity(prefix.len() + 25);
    out.push_str(prefix);
    for i in (0..9).rev() {
        out.push(CROCKFORD[((epoch_ms >> (i * 5)) & 31) as usize] as char);
    }
    let bits = entropy.iter().fold(0u128, |acc, b| (acc << 8) | *b as u128);
    for i in (0..16).rev() {
        out.push(CROCKFORD[((bits >> (i * 5)) & 31) as usize] as char);
    }
    out
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, prefix = $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Validates `text` as this id.
            pub fn new(text: impl Into<String>) -> Result<Self, IdError> {
                let text = text.into();
                check_id(&text)?;
                Ok($name(text))
            }

            /// A fresh id from the time (ms since the Unix epoch) and 10 random bytes.
            /// Where no prefix applies it starts with
            #[doc = concat!("`", $prefix, "`.")]
            pub fn generate(epoch_ms: u64, entropy: [u8; 10]) -> Self {
                $name(generated($prefix, epoch_ms, entropy))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $name::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// The merchant's order number (`merchantTransactionId`): fixed before the first send,
    /// reused on every retry, and the key for query and refunds.
    MerchantTransactionId, prefix = "PQ"
);
id_type!(
    /// The merchant's refund number (`merchantRefundId`), fixed before the first send.
    MerchantRefundId, prefix = "RF"
);
id_type!(
    /// One attempt's idempotency key (`requestId`): the same id replays the first answer.
    RequestId, prefix = "RQ"
);
id_type!(
    /// The cash register's id (`cashierDeviceId`), bound to a register's token by the proxy.
    CashierDeviceId, prefix = "POS"
);
id_type!(
    /// A merchant store, which owns registers and their orders (a proxy-side notion).
    StoreId, prefix = "ST"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_length_and_charset() {
        assert!(MerchantTransactionId::new("order-2026.11_25").is_ok());
        assert_eq!(MerchantTransactionId::new(""), Err(IdError::Empty));
        assert_eq!(
            MerchantTransactionId::new("a".repeat(65)),
            Err(IdError::TooLong)
        );
        assert!(MerchantTransactionId::new("a".repeat(64)).is_ok());
        for bad in ["a b", "a\nb", "a\u{0}b", "<script>", "é", "a/b", "a&b"] {
            assert_eq!(
                MerchantTransactionId::new(bad),
                Err(IdError::InvalidChar),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn refuses_ids_a_url_path_would_rewrite() {
        for dots in [".", "..", "...", &".".repeat(64)] {
            assert_eq!(
                MerchantTransactionId::new(dots),
                Err(IdError::OnlyDots),
                "{dots:?}"
            );
            assert_eq!(MerchantRefundId::new(dots), Err(IdError::OnlyDots));
            assert_eq!(CashierDeviceId::new(dots), Err(IdError::OnlyDots));
            assert_eq!(StoreId::new(dots), Err(IdError::OnlyDots));
            assert_eq!(RequestId::new(dots), Err(IdError::OnlyDots));
        }
        for fine in ["a.", ".a", "..a", "a..b", "-", "_", ".-."] {
            assert!(MerchantTransactionId::new(fine).is_ok(), "{fine:?}");
        }
        assert!(serde_json::from_str::<MerchantTransactionId>("\"..\"").is_err());
    }

    #[test]
    fn generated_ids_are_valid_sortable_and_distinct() {
        let a = MerchantTransactionId::generate(1_764_000_000_000, [0; 10]);
        let b = MerchantTransactionId::generate(1_764_000_000_001, [0; 10]);
        let c = MerchantTransactionId::generate(1_764_000_000_001, [1; 10]);
        assert!(a.as_str().starts_with("PQ") && a.as_str().len() == 27);
        assert!(MerchantTransactionId::new(a.as_str()).is_ok());
        assert!(a < b && b != c);
        assert!(
            MerchantRefundId::generate(0, [255; 10])
                .as_str()
                .starts_with("RF")
        );
    }

    #[test]
    fn deserialising_validates() {
        assert!(serde_json::from_str::<RequestId>("\"ok-1\"").is_ok());
        assert!(serde_json::from_str::<RequestId>("\"not ok\"").is_err());
    }
}
