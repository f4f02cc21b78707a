//! The consumer's side: the wallet page each QR points to, the QR image, and the JSON
//! routes that pay or decline (used by the page and by tests).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use pingpong_protocol::PaymentStatus;
use serde::{Deserialize, Serialize};

use crate::Sandbox;
use crate::records::OrderRecord;

/// Why the wallet (or the expire control) refused to act on an order.
/// JSON: `{"reason": "expired", "message": "…"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WalletError {
    /// No order has this id. HTTP 404.
    Unknown,
    /// The QR expired: the order is CLOSED (pay anyway with the `lateSuccess` fault). HTTP 409.
    Expired,
    /// The order is already paid. HTTP 409.
    AlreadyPaid,
    /// The current attempt was declined: the register must start a new attempt (a new
    /// unifiedPay) before the consumer can pay. HTTP 409.
    Declined,
}

impl WalletError {
    /// What the consumer is told.
    pub fn message(self) -> &'static str {
        match self {
            WalletError::Unknown => "unknown payment",
            WalletError::Expired => "this QR code has expired",
            WalletError::AlreadyPaid => "this payment is already paid",
            WalletError::Declined => "this payment was declined; ask the cashier for a new QR code",
        }
    }

    fn http_status(self) -> StatusCode {
        match self {
            WalletError::Unknown => StatusCode::NOT_FOUND,
            _ => StatusCode::CONFLICT,
        }
    }
}

impl std::fmt::Display for WalletError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for WalletError {}

#[derive(Serialize)]
struct ErrorBody {
    reason: WalletError,
    message: &'static str,
}

impl IntoResponse for WalletError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            reason: self,
            message: self.message(),
        };
        (self.http_status(), Json(body)).into_response()
    }
}

/// What the wallet shows about an order (`GET /wallet/{transactionId}/status`, and the
/// answer of `pay` / `decline`). JSON in camelCase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletView {
    /// The sandbox's transaction number.
    pub transaction_id: String,
    /// The merchant's order number.
    pub merchant_transaction_id: String,
    /// The store name.
    pub merchant_name: String,
    /// The order's status.
    pub status: PaymentStatus,
    /// The amount, decimal with the currency's exponent.
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// `paymentMethod.type`.
    pub method: String,
    /// When the QR expires, ms since the epoch.
    pub expires_at_ms: u64,
    /// Whether it was paid after it had closed.
    pub late_success: bool,
    /// Whether Pay would be accepted now: PROCESSING, or CLOSED under the `lateSuccess` fault.
    pub can_pay: bool,
}

impl WalletView {
    pub(crate) fn new(order: &OrderRecord, merchant_name: &str, late_success: bool) -> WalletView {
        WalletView {
            transaction_id: order.transaction_id.clone(),
            merchant_transaction_id: order.merchant_transaction_id.clone(),
            merchant_name: merchant_name.to_owned(),
            status: order.status,
            amount: order.amount.clone(),
            currency: order.currency.clone(),
            method: order.method.clone(),
            expires_at_ms: order.expires_at_ms,
            late_success: order.late_success,
            can_pay: order.status == PaymentStatus::Processing
                || (order.status == PaymentStatus::Closed && late_success),
        }
    }
}

fn view(sb: &Sandbox, order: &OrderRecord) -> WalletView {
    WalletView::new(order, &sb.config().merchant_name, sb.faults().late_success)
}

const PAGE: &str = include_str!("wallet.html");

/// The wallet page's policy: its own inline script and style (by a nonce fresh for each
/// answer), calls to its own origin, never inside a frame (a framed Pay button could be
/// clicked through a decoy).
fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; \
         img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
}

pub(crate) async fn page(State(sb): State<Sandbox>, Path(txid): Path<String>) -> Response {
    match sb.order_by_transaction_id(&txid) {
        Some(order) => {
            let nonce = format!("{:032x}", u128::from(crate::clock::random_seed()) << 64 | u128::from(crate::clock::random_seed()));
            let html = render_page(&order, &sb.config().merchant_name, &nonce);
            let mut response = Html(html).into_response();
            let headers = response.headers_mut();
            if let Ok(policy) = header::HeaderValue::from_str(&page_policy(&nonce)) {
                headers.insert(header::CONTENT_SECURITY_POLICY, policy);
            }
            headers.insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("DENY"));
            headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            response
        }
        None => (
            StatusCode::NOT_FOUND,
            Html("<!doctype html><meta charset=utf-8><title>Unknown payment</title><p>Unknown payment.</p>"),
        )
            .into_response(),
    }
}

fn render_page(order: &OrderRecord, merchant_name: &str, nonce: &str) -> String {
    PAGE.replace("{{nonce}}", nonce)
        .replace("{{merchant}}", &escape(merchant_name))
        .replace("{{amount}}", &escape(&order.amount))
        .replace("{{currency}}", &escape(&order.currency))
        .replace("{{method}}", &escape(&order.method))
        .replace("{{status}}", order.status.as_str())
        .replace("{{expiresAtMs}}", &order.expires_at_ms.to_string())
}

/// HTML-escapes text for element content and quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) async fn qr_svg(State(sb): State<Sandbox>, Path(txid): Path<String>) -> Response {
    let Some(order) = sb.order_by_transaction_id(&txid) else {
        return WalletError::Unknown.into_response();
    };
    match qrcode::QrCode::new(order.qr_code.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(256, 256)
                .build();
            ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub(crate) async fn status(State(sb): State<Sandbox>, Path(txid): Path<String>) -> Response {
    match sb.order_by_transaction_id(&txid) {
        Some(order) => Json(view(&sb, &order)).into_response(),
        None => WalletError::Unknown.into_response(),
    }
}

pub(crate) async fn pay(State(sb): State<Sandbox>, Path(txid): Path<String>) -> Response {
    match sb.pay(&txid) {
        Ok(order) => Json(view(&sb, &order)).into_response(),
        Err(e) => e.into_response(),
    }
}

pub(crate) async fn decline(State(sb): State<Sandbox>, Path(txid): Path<String>) -> Response {
    match sb.decline(&txid) {
        Ok(order) => Json(view(&sb, &order)).into_response(),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<b a="x">&'"#),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
