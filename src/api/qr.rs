//! QR options from JS and the canvas/SVG entry points.

use pingpong_protocol::ErrorCode;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::api::convert::{Options, whole};
use crate::core::error::Error;
use crate::core::qr::{Ecc, QrMatrix, canvas_layout, check_color, quiet_zone};

/// Default canvas size in CSS pixels.
const DEFAULT_SIZE: f64 = 256.0;

struct QrStyle {
    size: Option<f64>,
    dpr: Option<f64>,
    ecc: Ecc,
    quiet: u32,
    dark: String,
    light: String,
}

fn style(options: JsValue) -> Result<QrStyle, Error> {
    let o = Options::new(options, "options", true)?;
    let c = ErrorCode::InvalidConfig;
    let ecc = match o.string("ecc", c)? {
        Some(e) => Ecc::parse(&e)?,
        None => Ecc::default(),
    };
    let dark = o.string("dark", c)?.unwrap_or_else(|| "#000".into());
    let light = o.string("light", c)?.unwrap_or_else(|| "#fff".into());
    check_color(&dark)?;
    check_color(&light)?;
    Ok(QrStyle {
        size: o.number("size", c)?,
        dpr: o.number("devicePixelRatio", c)?,
        ecc,
        quiet: quiet_zone(o.number("quietZone", c)?)?,
        dark,
        light,
    })
}

/// The text to encode: a string, or a payment's `qrCode`.
fn qr_text(payment: &JsValue) -> Result<String, Error> {
    if let Some(text) = payment.as_string() {
        return Ok(text);
    }
    Options::new(payment.clone(), "payment", false)?
        .string("qrCode", ErrorCode::InvalidConfig)?
        .ok_or_else(|| Error::config("the payment has no qrCode (it is no longer open)"))
}

/// Draws the QR of `payment` on `canvas`.
pub fn render(canvas: &JsValue, payment: &JsValue, options: JsValue) -> Result<(), Error> {
    let canvas: &HtmlCanvasElement = canvas
        .dyn_ref()
        .ok_or_else(|| Error::config("canvas must be an HTMLCanvasElement"))?;
    let text = qr_text(payment)?;
    let s = style(options)?;
    let matrix = QrMatrix::encode(&text, s.ecc)?;
    let size = s.size.unwrap_or(DEFAULT_SIZE);
    let dpr = match s.dpr {
        Some(d) => d,
        None => web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()),
    };
    let layout = canvas_layout(size, dpr, matrix.width() + 2 * s.quiet)?;
    crate::web::canvas::draw(
        canvas,
        &matrix,
        s.quiet,
        layout,
        size as u32,
        &s.dark,
        &s.light,
    )
}

/// The QR of `payment` as an SVG document.
pub fn svg(payment: &JsValue, options: JsValue) -> Result<String, Error> {
    let text = qr_text(payment)?;
    let s = style(options)?;
    let size = match s.size {
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
    let matrix = QrMatrix::encode(&text, s.ecc)?;
    Ok(matrix.svg(s.quiet, size, &s.dark, &s.light))
}
