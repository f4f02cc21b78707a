//! PingPong result codes (reference §6): the envelope's `code` and bizContent's `resultCode`.

macro_rules! result_codes {
    ($($variant:ident = $code:literal, $text:literal;)*) => {
        /// A documented PingPong result code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ResultCode {
            $(#[doc = $text] $variant,)*
        }

        impl ResultCode {
            /// Every documented code.
            pub const ALL: &'static [ResultCode] = &[$(ResultCode::$variant,)*];

            /// The six-digit wire code, e.g. `"104000"`.
            pub fn code(self) -> &'static str {
                match self { $(ResultCode::$variant => $code,)* }
            }

            /// PingPong's description of the code.
            pub fn description(self) -> &'static str {
                match self { $(ResultCode::$variant => $text,)* }
            }

            /// Looks a wire code up; `None` for an undocumented one.
            pub fn from_code(code: &str) -> Option<ResultCode> {
                match code { $($code => Some(ResultCode::$variant),)* _ => None }
            }
        }
    };
}

result_codes! {
    TransactionSucceeded = "000000", "Transaction succeeded";
    RequestSucceeded = "001000", "Successful request";
    TransactionProcessing = "002000", "Transaction processing";
    MerchantDisabled = "101000", "Merchant is disabled";
    MerchantConfigError = "101001", "Error on merchant config";
    ThreeDsConfigError = "101002", "Error on 3DS config";
    InvalidParameter = "102000", "Invalid or missing parameter";
    InvalidAuthentication = "103000", "Invalid authentication";
    InvalidSignature = "104000", "Invalid signature";
    InvalidOrExpiredTransaction = "105000", "Invalid or expired transaction";
    InvalidCurrency = "106000", "Invalid transaction currency";
    InvalidCardScheme = "106001", "Invalid card scheme";
    InvalidCountry = "106002", "Invalid country";
    InvalidLanguage = "106003", "Invalid language";
    DuplicatedTransaction = "107000", "Transaction failed (duplicated transaction)";
    TransactionNotFound = "107001", "Transaction does not exist";
    OriginalTransactionNotFound = "107002", "Original transaction does not exist";
    OriginalTransactionTypeMismatch = "107003", "Original transaction type mismatch";
    RefundExceedsOriginal = "108000", "Refund failed (refund amount exceeded original transaction)";
    RefundOutOfRange = "108001", "Refund failed (out of the range)";
    RefundChargedBack = "108002", "Refund failed (already charged back)";
    RefundExceedsBalance = "108003", "Refund failed (refund amount exceeded refund balance)";
    HighRisk = "200000", "Transaction failed (high risk)";
    SuspectedFraud = "201000", "Transaction failed (suspected fraud)";
    RiskSystemError = "203000", "Risk system error";
    DoNotHonor = "301002", "Transaction declined (Do not honor)";
    DuplicateTransactionDeclined = "301013", "Transaction declined (duplicate transaction)";
    Declined = "301099", "Transaction declined";
    RefundFailed = "303000", "Refund failed (refund volume exceeded, transaction reversed, or invalid workflow)";
    InternalError = "500000", "Internal gateway error";
    ExternalSystemError = "600000", "External system error";
    ExternalGatewayRequestError = "600001", "External gateway request error";
    ExternalGatewayTimeout = "600002", "External gateway response timeout";
}

impl ResultCode {
    /// Whether the code reports a request or transaction that went through
    /// (`000000`, `001000`, `002000`).
    pub fn is_success(self) -> bool {
        matches!(
            self,
            ResultCode::TransactionSucceeded
                | ResultCode::RequestSucceeded
                | ResultCode::TransactionProcessing
        )
    }

    /// Whether PingPong may not have finished the request (system errors, `5xxxxx`/`6xxxxx`):
    /// the outcome is unknown and the same request may be retried with the same ids.
    pub fn is_outcome_unknown(self) -> bool {
        is_outcome_unknown_code(self.code())
    }
}

/// [`ResultCode::is_outcome_unknown`] for a wire code, documented or not: six digits that
/// start with `5` or `6` (PingPong's system and external-system errors).
pub fn is_outcome_unknown_code(code: &str) -> bool {
    code.len() == 6
        && code.bytes().all(|b| b.is_ascii_digit())
        && matches!(code.as_bytes()[0], b'5' | b'6')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_six_digits_and_round_trip() {
        for (i, c) in ResultCode::ALL.iter().enumerate() {
            assert_eq!(c.code().len(), 6);
            assert!(c.code().bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(ResultCode::from_code(c.code()), Some(*c));
            assert!(
                ResultCode::ALL[i + 1..]
                    .iter()
                    .all(|o| o.code() != c.code())
            );
        }
        assert_eq!(ResultCode::from_code("999999"), None);
        assert_eq!(ResultCode::InvalidSignature.code(), "104000");
        assert!(ResultCode::RequestSucceeded.is_success());
        assert!(!ResultCode::InvalidSignature.is_success());
        assert!(ResultCode::ExternalGatewayTimeout.is_outcome_unknown());
        assert!(!ResultCode::Declined.is_outcome_unknown());
        assert!(is_outcome_unknown_code("599999") && is_outcome_unknown_code("600002"));
        for code in ["107001", "5000", "50000x", "5000000", "", "400000"] {
            assert!(!is_outcome_unknown_code(code), "{code}");
        }
    }
}
