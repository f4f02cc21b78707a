//! pingpong-protocol: the PingPongCheckout v4 wire format and the register↔proxy contract,
//! defined once for the sandbox, the proxy and the browser library.
//!
//! - [`api`]: the four v4 APIs, their names and paths;
//! - [`money`]: currencies and amounts in integer minor units (never `f64`);
//! - [`methods`]: PingPong's QR payment methods and the currencies each takes;
//! - [`ids`]: validated order, refund, request, register and store ids;
//! - [`status`], [`result_code`]: PingPong's statuses and result codes;
//! - [`time`]: timestamps and the QR validity (`timeExpire`);
//! - [`sign`]: the v4 signature (digests behind the `sign` feature);
//! - [`envelope`], [`biz`]: the envelope and typed bizContent (behind the `wire` feature);
//! - [`contract`], [`error_code`]: what the register and the proxy say to each other
//!   (their OpenAPI schemas, with `openapi::Amount` and `openapi::Id`, behind `openapi`);
//! - [`admin`]: what the platform's backend and the proxy say to each other.
//!
//! No I/O, no async; builds for native and wasm32. The browser library leaves `wire` and
//! `sign` off, so neither serde_json nor a digest lands in the wasm.
#![deny(missing_docs)]

pub mod admin;
pub mod api;
#[cfg(feature = "wire")]
pub mod biz;
pub mod contract;
#[cfg(feature = "wire")]
pub mod envelope;
pub mod error_code;
pub mod ids;
pub mod methods;
pub mod money;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod result_code;
pub mod sign;
pub mod status;
pub mod time;

pub use api::Api;
pub use contract::{ApiError, Method};
#[cfg(feature = "wire")]
pub use envelope::{Envelope, EnvelopeError};
pub use error_code::ErrorCode;
pub use ids::{
    CashierDeviceId, IdError, MerchantId, MerchantRefundId, MerchantTransactionId, RegisterId,
    RequestId, StoreId,
};
pub use methods::QrMethod;
pub use money::{AmountError, Currency, Money};
pub use result_code::ResultCode;
pub use sign::SignType;
pub use status::{FailureMode, PaymentStatus, RefundStatus};
pub use time::TimeExpireFormat;

#[cfg(test)]
mod tests {
    /// The crate's own test run builds every feature (its dev-dependency on itself), so the
    /// signing and envelope tests cannot be skipped silently by `cargo test -p`.
    #[test]
    fn the_crates_own_tests_run_with_every_feature() {
        let on = [
            ("wire", cfg!(feature = "wire")),
            ("sign", cfg!(feature = "sign")),
        ];
        assert_eq!(on, [("wire", true), ("sign", true)]);
    }
}
