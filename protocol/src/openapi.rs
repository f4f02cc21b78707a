//! Named OpenAPI schemas of the contract's string rules (the `openapi` feature): their
//! patterns are built from the rules of [`crate::money`] and [`crate::ids`], so the document
//! states the protocol's rules rather than a copy of them.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::ids::MAX_ID_LEN;
use crate::money::{Currency, MAX_AMOUNT_DIGITS};

fn string(pattern: String, description: String) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
}

/// A decimal amount a register sends (`Money::parse`).
pub struct Amount;

impl PartialSchema for Amount {
    fn schema() -> RefOr<Schema> {
        let decimals = Currency::all().map(Currency::exponent).max().unwrap_or(0);
        let currencies: Vec<String> = Currency::all()
            .map(|c| format!("{} {}", c.exponent(), c.code()))
            .collect();
        string(
            format!("^[0-9]{{1,{MAX_AMOUNT_DIGITS}}}(\\.[0-9]{{1,{decimals}}})?$"),
            format!(
                "Decimal amount in major units: at most {MAX_AMOUNT_DIGITS} digits before the \
                 decimal point and at most the currency's decimals after it ({}), greater than \
                 zero; e.g. `\"12.50\"`. Never a JSON number.",
                currencies.join(", ")
            ),
        )
        .into()
    }
}

impl ToSchema for Amount {}

/// An order or refund id (`MerchantTransactionId`, `MerchantRefundId`).
pub struct Id;

impl PartialSchema for Id {
    fn schema() -> RefOr<Schema> {
        string(
            "^[A-Za-z0-9_.-]*[A-Za-z0-9_-][A-Za-z0-9_.-]*$".into(),
            format!(
                "1..={MAX_ID_LEN} characters of A-Z a-z 0-9 _ - ., not only dots (`.` and `..` \
                 are path segments a URL parser rewrites)."
            ),
        )
        .min_length(Some(1))
        .max_length(Some(MAX_ID_LEN))
        .into()
    }
}

impl ToSchema for Id {}

/// An upper-case ISO 4217 code this project supports.
pub struct CurrencyCode;

impl PartialSchema for CurrencyCode {
    fn schema() -> RefOr<Schema> {
        let codes: Vec<&str> = Currency::all().map(Currency::code).collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(codes))
            .description(Some("Upper-case ISO 4217 code."))
            .into()
    }
}

impl ToSchema for CurrencyCode {
    fn name() -> std::borrow::Cow<'static, str> {
        "Currency".into()
    }
}
