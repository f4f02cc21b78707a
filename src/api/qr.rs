//! The canvas and SVG entry points: the text to encode and the QR options, checked.

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::api::options::{QrOptions, read_optional, whole};
use crate::core::error::Error;
use crate::core::qr::{QrMatrix, canvas_layout, check_color, quiet_zone};

/// Default canvas size in CSS pixels.
const DEFAULT_SIZE: f64 = 256.0;

/// The options with their colours checked (defaults filled in).
fn style(options: JsValue) -> Result<(QrOptions, String, String, u32), Error> {
    let o: QrOptions = read_optional(options, "options")?;
    let dark = o.dark.clone().unwrap_or_else(|| "#000".into());
    let light = o.light.clone().unwrap_or_else(|| "#fff".into());
    check_color(&dark)?;
    check_color(&light)?;
    let quiet = quiet_zone(o.quiet_zone)?;
    Ok((o, dark, light, quiet))
}

/// The text to encode: a string, or a payment's `qrCode`.
fn qr_text(payment: &JsValue) -> Result<String, Error> {
    if let Some(text) = payment.as_string() {
        return Ok(text);
    }
    if !payment.is_object() {
        return Err(Error::config("payment must be a Payment or a string"));
    }
    js_sys::Reflect::get(payment, &"qrCode".into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| Error::config("the payment has no qrCode (it is no longer open)"))
}

/// Draws the QR of `payment` on `canvas`.
pub fn render(canvas: &JsValue, payment: &JsValue, options: JsValue) -> Result<(), Error> {
    let canvas: &HtmlCanvasElement = canvas
        .dyn_ref()
        .ok_or_else(|| Error::config("canvas must be an HTMLCanvasElement"))?;
    let text = qr_text(payment)?;
    let (o, dark, light, quiet) = style(options)?;
    let matrix = QrMatrix::encode(&text, o.ecc)?;
    let size = o.size.unwrap_or(DEFAULT_SIZE);
    let dpr = match o.device_pixel_ratio {
        Some(d) => d,
        None => web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()),
    };
    let layout = canvas_layout(size, dpr, matrix.width() + 2 * quiet)?;
    crate::web::canvas::draw(canvas, &matrix, quiet, layout, size as u32, &dark, &light)
}

/// The QR of `payment` as an SVG document.
pub fn svg(payment: &JsValue, options: JsValue) -> Result<String, Error> {
    let text = qr_text(payment)?;
    let (o, dark, light, quiet) = style(options)?;
    let size = match o.size {
        None => None,
        Some(n) => match whole(n) {
            Some(n @ 16..=4096) => Some(n as u32),
            _ => {
                return Err(Error::config(
                    "size must be a whole number of CSS pixels from 16 to 4096",
                ));
            }
        },
    };
    let matrix = QrMatrix::encode(&text, o.ecc)?;
    Ok(matrix.svg(quiet, size, &dark, &light))
}
