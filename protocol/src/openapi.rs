//! Named OpenAPI schemas of the contract's string rules (the `openapi` feature): their
//! patterns are built from the rules of [`crate::money`], [`crate::ids`], [`crate::admin`]
//! and [`crate::time`], so the document states the protocol's rules rather than a copy of
//! them. Also the v4 notification envelope PingPong pushes to the proxy.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::admin::{MAX_NAME, MAX_SALT};
use crate::ids::MAX_ID_LEN;
use crate::money::{Currency, MAX_AMOUNT_DIGITS};
use crate::time::TimeExpireFormat;

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

/// A display name or label of the admin API ([`crate::admin::check_name`]).
pub struct Name;

impl PartialSchema for Name {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_NAME))
            .description(Some(format!(
                "1..={MAX_NAME} characters, no control characters."
            )))
            .into()
    }
}

impl ToSchema for Name {}

/// A merchant's signing salt ([`crate::admin::check_salt`]): it goes in, never comes out.
pub struct Salt;

impl PartialSchema for Salt {
    fn schema() -> RefOr<Schema> {
        string(
            format!("^[!-~]{{1,{MAX_SALT}}}$"),
            format!(
                "The signing salt from PingPong's back office: 1..={MAX_SALT} printable ASCII \
                 characters, no spaces. Sealed at once (XChaCha20-Poly1305 under the master \
                 key); no answer ever holds it."
            ),
        )
        .write_only(true)
        .into()
    }
}

impl ToSchema for Salt {}

impl PartialSchema for TimeExpireFormat {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(TimeExpireFormat::ALL.map(TimeExpireFormat::as_str)))
            .description(Some(
                "How unifiedPay's timeExpire is written: an absolute deadline in Unix seconds \
                 (`epoch-seconds`, the default) or a validity in minutes (`duration-minutes`).",
            ))
            .into()
    }
}

impl ToSchema for TimeExpireFormat {}

/// The v4 notification envelope PingPong pushes (`crate::envelope::Envelope`).
pub struct V4Envelope;

impl PartialSchema for V4Envelope {
    fn schema() -> RefOr<Schema> {
        let mut object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "PingPong's notification: accId, clientId, signType, code, description, \
                 bizContent (JSON text of a RECHARGE or REFUND notification), sign over every \
                 other field. Every field is a string (or null).",
            ))
            .additional_properties(Some(AdditionalProperties::RefOr(
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .into(),
            )));
        for field in [
            "accId",
            "clientId",
            "signType",
            "code",
            "description",
            "bizContent",
            crate::sign::SIGN_FIELD,
        ] {
            object = object.property(field, ObjectBuilder::new().schema_type(Type::String));
        }
        for field in [
            "accId",
            "clientId",
            "signType",
            "bizContent",
            crate::sign::SIGN_FIELD,
        ] {
            object = object.required(field);
        }
        object.into()
    }
}

impl ToSchema for V4Envelope {}
