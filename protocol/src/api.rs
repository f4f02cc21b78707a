//! The four PingPong v4 APIs of the QR flow: their names and paths, defined once for the
//! proxy (which calls them), the sandbox (which serves them) and their tests.

use serde::{Deserialize, Serialize};

/// One of the four v4 APIs. Its JSON form is its name, e.g. `"unifiedPay"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Api {
    /// `POST /v4/payment/unifiedPay`: create (or re-open) an order.
    UnifiedPay,
    /// `POST /v4/payment/query`: an order's status.
    Query,
    /// `POST /v4/payment/refund`: refund part or all of a SUCCESS order.
    Refund,
    /// `POST /v4/refund/query`: a refund's status.
    RefundQuery,
}

impl Api {
    /// Every API.
    pub const ALL: [Api; 4] = [Api::UnifiedPay, Api::Query, Api::Refund, Api::RefundQuery];

    /// The path, e.g. `/v4/payment/unifiedPay`.
    pub const fn path(self) -> &'static str {
        match self {
            Api::UnifiedPay => "/v4/payment/unifiedPay",
            Api::Query => "/v4/payment/query",
            Api::Refund => "/v4/payment/refund",
            Api::RefundQuery => "/v4/refund/query",
        }
    }

    /// The name, e.g. `unifiedPay` (also its JSON form).
    pub const fn name(self) -> &'static str {
        match self {
            Api::UnifiedPay => "unifiedPay",
            Api::Query => "query",
            Api::Refund => "refund",
            Api::RefundQuery => "refundQuery",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_json_form_and_paths_end_with_them() {
        for api in Api::ALL {
            let json = serde_json::to_string(&api).unwrap();
            assert_eq!(json, format!("\"{}\"", api.name()));
            assert_eq!(serde_json::from_str::<Api>(&json).unwrap(), api);
            let last = api.path().rsplit('/').next().unwrap();
            assert!(api.path().starts_with("/v4/"));
            assert_eq!(
                last,
                if api == Api::RefundQuery {
                    "query"
                } else {
                    api.name()
                }
            );
        }
    }
}
