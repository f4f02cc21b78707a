//! The OpenAPI 3.1 document of the proxy's API (the register API, PingPong's notifications
//! and the admin API), generated (utoipa) from the contract types of `pingpong-protocol` and
//! the handlers' `#[utoipa::path]` annotations; served at `/openapi.json` and checked in as
//! `proxy/openapi.json` (a test fails while they differ).

use std::sync::LazyLock;

use pingpong_protocol::admin::{
    IssuedRegister, MerchantPatch, MerchantView, MethodConfig, NewMerchant, NewRegister, NewStore,
    RegisterView, SaltSource, StoreView,
};
use pingpong_protocol::contract::{
    ApiError, CreatePaymentRequest, CreateRefundRequest, EventTicket, PaymentView, RefundView,
};
use pingpong_protocol::openapi::{Amount, CurrencyCode, Id, Name, Salt, V4Envelope};
use pingpong_protocol::sign::SignType;
use pingpong_protocol::time::TimeExpireFormat;
use pingpong_protocol::{ErrorCode, Method, PaymentStatus, RefundStatus};
use utoipa::openapi::schema::{AdditionalProperties, Schema};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, RefOr};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::http::Health;
use crate::notify::Ack;

/// The document, as served and checked in (pretty JSON, trailing newline).
pub(crate) static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
});

/// The document, generated.
pub fn document() -> &'static str {
    &DOCUMENT
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "pingpong-qr-proxy",
        description = "The API of the reference signing proxy for PingPongCheckout QR \
            payments: the register API (/v1), PingPong's notifications, and the admin API \
            (/admin/v1) a SaaS platform's backend provisions merchants, stores and registers \
            with. JSON in camelCase; amounts are decimal strings; times are ms since the epoch; \
            every error is an ApiError with a stable code. Registers authenticate with the \
            bearer token the platform issued; the token fixes their merchant, store and \
            cashierDeviceId, and a register sees and refunds only its merchant's store's \
            orders.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    servers((url = "http://127.0.0.1:8080", description = "demo mode")),
    security(("bearer" = [])),
    tags(
        (name = "payments"),
        (name = "refunds"),
        (name = "events"),
        (name = "pingpong"),
        (name = "operations"),
        (name = "admin", description = "For the platform's backend only: off unless the proxy \
            has an admin key (--admin-key-file); authenticated with it; never with a register \
            token; no CORS headers."),
    ),
    paths(
        crate::http::create_payment,
        crate::http::get_payment,
        crate::http::create_refund,
        crate::http::get_refund,
        crate::events::issue_ticket,
        crate::events::stream,
        crate::notify::receive_default,
        crate::http::health,
        crate::http::openapi,
        crate::notify::receive_for,
        crate::admin::http::list_merchants,
        crate::admin::http::add_merchant,
        crate::admin::http::get_merchant,
        crate::admin::http::update_merchant,
        crate::admin::http::list_stores,
        crate::admin::http::add_store,
        crate::admin::http::list_registers,
        crate::admin::http::add_register,
        crate::admin::http::revoke_register,
    ),
    components(
        schemas(
            ErrorCode, ApiError, Amount, Id, CurrencyCode, Method, PaymentStatus, RefundStatus,
            CreatePaymentRequest, PaymentView, CreateRefundRequest, RefundView, EventTicket, Ack,
            Health, V4Envelope, SignType, TimeExpireFormat, MethodConfig, Name, Salt, SaltSource,
            NewMerchant, MerchantPatch, MerchantView, NewStore, StoreView, NewRegister,
            RegisterView, IssuedRegister,
        ),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, TooLarge, MediaType, Rejected,
            OrderUnknown, Internal, BadUpstream, Unavailable, Busy, UnknownOutcome, AnyError,
            AdminUnauthorized, AdminForbidden,
        ),
    ),
    modifiers(&Credentials, &Answers),
)]
struct ApiDoc;

/// The two credentials: a register's bearer token and the platform's admin key.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, doc: &mut Document) {
        let scheme = |description: &str| {
            let mut scheme = Http::new(HttpAuthScheme::Bearer);
            scheme.description = Some(description.into());
            SecurityScheme::Http(scheme)
        };
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            scheme(
                "A register token issued by the platform (`ppq_<registerId>_<secret>` from \
                 `register add` or the admin API, or a configured token; demo mode with no \
                 register configured: demo-token).",
            ),
        );
        components.add_security_scheme(
            "adminKey",
            scheme(
                "The admin key of the proxy (--admin-key-file). A register token is refused \
                 with 403 FORBIDDEN.",
            ),
        );
    }
}

/// The proxy's answers carry no field but their type's: their schemas say so, so that a
/// conformance check can hold real answers to them. The register API's answers also carry
/// every field (absent values are `null`); the admin API's leave out what is absent.
struct Answers;

/// The schemas of answer bodies, and whether every field is present.
const ANSWERS: [(&str, bool); 10] = [
    ("ApiError", false),
    ("PaymentView", true),
    ("RefundView", true),
    ("EventTicket", true),
    ("NotificationAck", true),
    ("Health", true),
    ("MerchantView", false),
    ("StoreView", false),
    ("RegisterView", false),
    ("IssuedRegister", false),
];

impl Modify for Answers {
    fn modify(&self, doc: &mut Document) {
        let Some(components) = doc.components.as_mut() else {
            return;
        };
        for (name, complete) in ANSWERS {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) {
                object.additional_properties =
                    Some(Box::new(AdditionalProperties::FreeForm(false)));
                if complete {
                    object.required = object.properties.keys().cloned().collect();
                }
            }
        }
    }
}

/// Reusable error responses, each an `ApiError` answer with its description (the types exist
/// for the document only).
macro_rules! error_responses {
    ($($(#[$attr:meta])* $name:ident;)*) => {
        $(
            #[derive(ToResponse)]
            $(#[$attr])*
            #[allow(dead_code)]
            pub(crate) struct $name(ApiError);
        )*
    };
}

error_responses! {
    /// INVALID_REQUEST (not JSON of the documented shape), INVALID_AMOUNT, INVALID_CURRENCY,
    /// INVALID_METHOD, INVALID_EXPIRY, INVALID_ID or INVALID_REMARK. Nothing was sent upstream.
    BadRequest;

    /// UNAUTHORIZED: no or unknown bearer token (or ticket), its register revoked or its
    /// merchant disabled.
    #[response(headers(("WWW-Authenticate" = String, description = "Bearer")))]
    Unauthorized;

    /// FORBIDDEN: the order belongs to another store.
    Forbidden;

    /// UNAUTHORIZED: no admin key, or a wrong one.
    #[response(headers(("WWW-Authenticate" = String, description = "Bearer")))]
    AdminUnauthorized;

    /// FORBIDDEN: a register token was sent; the admin API takes the admin key only.
    AdminForbidden;

    /// NOT_FOUND: no such order, refund or route.
    NotFound;

    /// BODY_TOO_LARGE: the body exceeds 16 KiB.
    TooLarge;

    /// UNSUPPORTED_MEDIA_TYPE: send Content-Type: application/json.
    MediaType;

    /// UPSTREAM_REJECTED: PingPong refused the request (a verified answer without a status);
    /// upstreamCode holds its result code, e.g. 102000 (invalid parameter), 105000 (the order is
    /// closed) or 107000 (the id was used upstream with other parameters) on a create.
    Rejected;

    /// UPSTREAM_ORDER_UNKNOWN: PingPong no longer knows a payment the proxy holds (upstreamCode
    /// 107001, or 107002 for a refund's payment). Nothing was changed or refunded; the journal
    /// keeps the order as it was. The QR cannot be paid: start a new payment with a new id; if
    /// the customer says they paid, or to refund, use the PingPong merchant back office.
    OrderUnknown;

    /// INTERNAL: the proxy failed; retry with the same ids.
    Internal;

    /// UPSTREAM_BAD_SIGNATURE (the answer did not verify: tampered, unsigned, or a wrong account)
    /// or UPSTREAM_INVALID_RESPONSE (unreadable): the outcome is unknown; query again.
    BadUpstream;

    /// UPSTREAM_UNAVAILABLE: PingPong unreachable, HTTP 5xx or a system error (upstreamCode
    /// 5xxxxx/6xxxxx): the outcome is unknown; retry with the same ids. Or BUSY: the proxy is at
    /// its cap of connections (every one busy); nothing was done: retry in a moment with the
    /// same ids.
    Unavailable;

    /// BUSY: the proxy holds as many connections (all busy) or event streams as it allows;
    /// nothing was done. Retry in a moment (`Retry-After: 1`); without an event stream, poll.
    #[response(headers(("Retry-After" = String, description = "Seconds to wait: 1.")))]
    Busy;

    /// UNKNOWN_OUTCOME: sent, no answer; the order or refund may exist. Query or retry with the
    /// same ids; never treat it as failed.
    UnknownOutcome;

    /// Any other error, e.g. METHOD_NOT_ALLOWED (405).
    AnyError;
}
