//! Drawing a QR symbol on a canvas: the backing store sized in device pixels, the CSS size
//! in CSS pixels, a light background, then every dark module as ONE path fill on an integer
//! grid (sharp at any devicePixelRatio).

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, Path2d};

use crate::core::error::Error;
use crate::core::qr::{CanvasLayout, QrMatrix, push_u32};

/// Draws `matrix` with `quiet` modules of border on `canvas` at `layout`, `css_size` CSS
/// pixels wide. `INVALID_CONFIG` when the canvas has no 2D context.
pub fn draw(
    canvas: &HtmlCanvasElement,
    matrix: &QrMatrix,
    quiet: u32,
    layout: CanvasLayout,
    css_size: u32,
    dark: &str,
    light: &str,
) -> Result<(), Error> {
    canvas.set_width(layout.backing);
    canvas.set_height(layout.backing);
    let mut px = String::new();
    push_u32(&mut px, css_size);
    px.push_str("px");
    let style = canvas.style();
    let _ = style.set_property("width", &px);
    let _ = style.set_property("height", &px);
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(|| Error::config("the canvas has no 2D context"))?;
    let path = Path2d::new_with_path_string(&matrix.path(quiet))
        .map_err(|_| Error::config("the browser refused the QR path"))?;
    let side = f64::from(layout.backing);
    let _ = ctx.reset_transform();
    ctx.set_image_smoothing_enabled(false);
    ctx.set_fill_style_str(light);
    ctx.fill_rect(0.0, 0.0, side, side);
    let m = f64::from(layout.module);
    let o = f64::from(layout.offset);
    let _ = ctx.set_transform(m, 0.0, 0.0, m, o, o);
    ctx.set_fill_style_str(dark);
    ctx.fill_with_path_2d(&path);
    let _ = ctx.reset_transform();
    Ok(())
}
