//! The stable error codes of the register↔proxy contract and of the browser library.
//! Every error a register sees is `{ "code": "...", "message": "..." }` with one of these.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:literal, $doc:literal;)*) => {
        /// A stable error code. The doc of each says what the caller can do about it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(#[doc = $doc] $variant,)*
            /// A code this version does not know (a newer proxy). Treat as `INTERNAL`.
            Unrecognized,
        }

        impl ErrorCode {
            /// Every known code.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wire name, e.g. `"INVALID_AMOUNT"`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* ErrorCode::Unrecognized => "UNRECOGNIZED" }
            }

            /// The HTTP status the proxy answers with; 0 for codes only the library raises.
            pub fn http_status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* ErrorCode::Unrecognized => 500 }
            }

            /// What the code means and what to do about it.
            pub fn description(self) -> &'static str {
                match self { $(ErrorCode::$variant => $doc,)* ErrorCode::Unrecognized => "Unknown error code; treat as INTERNAL." }
            }

            /// Parses a wire name; unknown names give [`ErrorCode::Unrecognized`].
            pub fn parse(text: &str) -> ErrorCode {
                match text { $($code => ErrorCode::$variant,)* _ => ErrorCode::Unrecognized }
            }

            /// The TypeScript declaration of the codes (a union of their names).
            #[cfg(feature = "typescript")]
            pub const TYPESCRIPT: &'static str = concat!(
                "/**\n * A stable error code: branch on it, not on the message (the runtime constant\n",
                " * `ErrorCode` lists them, each with what to do about it).\n */\n",
                "export type ErrorCode =",
                $(" \"", $code, "\" |",)*
                " \"UNRECOGNIZED\";"
            );
        }

        /// The browser library's `.d.ts` gets the declaration through this section.
        #[cfg(feature = "typescript")]
        #[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
        const ERROR_CODE_TYPESCRIPT: &'static str = ErrorCode::TYPESCRIPT;
    };
}

error_codes! {
    InvalidRequest = "INVALID_REQUEST", 400, "The body is not JSON of the documented shape (bad JSON, a wrong type, a missing field). Fix the request; nothing was sent upstream.";
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE", 415, "Send `Content-Type: application/json`. Nothing was sent upstream.";
    BodyTooLarge = "BODY_TOO_LARGE", 413, "The body exceeds the proxy's limit (16 KiB). Nothing was sent upstream.";
    InvalidAmount = "INVALID_AMOUNT", 400, "The amount is not a positive decimal with at most the currency's decimals. Ask the cashier again; nothing was sent upstream.";
    InvalidCurrency = "INVALID_CURRENCY", 400, "The currency is not a supported upper-case ISO 4217 code. Nothing was sent upstream.";
    InvalidMethod = "INVALID_METHOD", 400, "The payment method is not ALIPAY or WECHAT, or this merchant does not offer it in that currency. Nothing was sent upstream.";
    InvalidExpiry = "INVALID_EXPIRY", 400, "expiresInSeconds must be 60..=259200 (1 minute to 3 days). Nothing was sent upstream.";
    InvalidId = "INVALID_ID", 400, "An id must be 1..=64 of A-Z a-z 0-9 _ - . Nothing was sent upstream.";
    InvalidRemark = "INVALID_REMARK", 400, "The remark is too long or holds control characters or < >. Nothing was sent upstream.";
    Unauthorized = "UNAUTHORIZED", 401, "No valid credential: a register token (its register revoked, or its merchant disabled, counts as none) or, on /admin/v1, the admin key. Check the token the platform issued.";
    Forbidden = "FORBIDDEN", 403, "The credential may not do this: the order belongs to another store (this register cannot see or refund it), or a register token was sent to the admin API.";
    NotFound = "NOT_FOUND", 404, "No such order, refund or route.";
    MethodNotAllowed = "METHOD_NOT_ALLOWED", 405, "This route does not take that HTTP method.";
    IdConflict = "ID_CONFLICT", 409, "The id was already used with a different body. Use a new id for a new order or refund.";
    PaymentNotRefundable = "PAYMENT_NOT_REFUNDABLE", 409, "Only a SUCCESS payment can be refunded.";
    RefundInProgress = "REFUND_IN_PROGRESS", 409, "Another refund of this payment is still PROCESSING. Wait for it, then retry.";
    RefundExceedsBalance = "REFUND_EXCEEDS_BALANCE", 422, "The refund exceeds what remains refundable. Nothing was sent upstream.";
    UpstreamRejected = "UPSTREAM_REJECTED", 422, "PingPong refused the request; upstreamCode holds its result code. Nothing happened.";
    UpstreamUnavailable = "UPSTREAM_UNAVAILABLE", 503, "PingPong could not be reached, or answered HTTP 5xx or a system error (upstreamCode 5xxxxx/6xxxxx): the outcome is unknown. Retry with the same ids.";
    UnknownOutcome = "UNKNOWN_OUTCOME", 504, "The request was sent but no answer came: it may have happened. Query, or retry with the same ids; never treat it as failed.";
    UpstreamBadSignature = "UPSTREAM_BAD_SIGNATURE", 502, "PingPong's answer did not verify and was discarded. The outcome is unknown: query again.";
    UpstreamInvalidResponse = "UPSTREAM_INVALID_RESPONSE", 502, "PingPong's answer was unreadable. The outcome is unknown: query again.";
    UpstreamOrderUnknown = "UPSTREAM_ORDER_UNKNOWN", 409, "PingPong no longer knows a payment this proxy holds (upstreamCode 107001, or 107002 for a refund); the proxy changed nothing and refunded nothing. Its QR cannot be paid: start a new payment with a new id. If the customer says they paid, or for a refund, check the PingPong merchant back office.";
    Busy = "BUSY", 503, "The proxy is at its limit of connections or of event streams; nothing was done. Retry in a moment with the same ids; without an event stream, poll.";
    NotificationMismatch = "NOTIFICATION_MISMATCH", 409, "A signed notification disagrees with the journaled payment or refund (amount, currency, ids or result code). It was not applied and is logged as an anomaly; the proxy asked PingPong for the status instead. PingPong retries it.";
    Internal = "INTERNAL", 500, "The proxy failed. Retry with the same ids.";
    InvalidConfig = "INVALID_CONFIG", 0, "The library was set up wrong (empty token, bad proxyUrl, bad option). Fix the configuration.";
    Network = "NETWORK", 0, "The proxy could not be reached. The library retries with the same ids; an order may exist.";
    Timeout = "TIMEOUT", 0, "The proxy did not answer in time. The outcome is unknown; the library keeps the ids.";
    Aborted = "ABORTED", 0, "The caller's AbortSignal fired. Nothing more is awaited; the order may still be paid.";
    InvalidResponse = "INVALID_RESPONSE", 0, "The proxy's answer was not the documented JSON.";
    Storage = "STORAGE", 0, "Browser storage is unavailable or full, so the payment could not be journaled before sending. Nothing was sent.";
}

/// The schema of the codes the proxy answers with (those with an HTTP status), each with its
/// status and meaning.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let codes = ErrorCode::ALL.iter().filter(|c| c.http_status() != 0);
        let mut description = String::from("A stable error code. HTTP status and meaning:\n");
        for c in codes.clone() {
            description.push_str(&format!(
                "\n- `{}` ({}): {}",
                c.as_str(),
                c.http_status(),
                c.description()
            ));
        }
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(codes.map(|c| c.as_str())))
            .description(Some(description))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ErrorCode {}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(ErrorCode::parse(
            &<std::borrow::Cow<'de, str>>::deserialize(d)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        for (i, c) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(ErrorCode::parse(c.as_str()), *c);
            assert!(
                ErrorCode::ALL[i + 1..]
                    .iter()
                    .all(|o| o.as_str() != c.as_str())
            );
            assert!(
                c.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b == b'_')
            );
        }
        assert_eq!(ErrorCode::parse("SOMETHING_NEW"), ErrorCode::Unrecognized);
        assert_eq!(ErrorCode::RefundExceedsBalance.http_status(), 422);
    }
}
