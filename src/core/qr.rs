//! QR geometry: the module matrix of a text (encoded by the `qrcode` crate), laid out on an
//! integer pixel grid, as one SVG path. The core computes; the canvas and SVG edges draw.

use pingpong_protocol::ErrorCode;
use qrcode::canvas::Canvas;
use qrcode::{Color, EcLevel};
use serde::Deserialize;
use tsify::Tsify;

use crate::core::error::Error;
use crate::core::qr_mask::best_mask;

/// QR error-correction level: the share of the symbol that may be damaged and still scan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Tsify)]
pub enum Ecc {
    /// About 7 %.
    L,
    /// About 15 % (the default: a screen is clean, scanning is quick).
    #[default]
    M,
    /// About 25 %.
    Q,
    /// About 30 %.
    H,
}

impl Ecc {
    fn level(self) -> EcLevel {
        match self {
            Ecc::L => EcLevel::L,
            Ecc::M => EcLevel::M,
            Ecc::Q => EcLevel::Q,
            Ecc::H => EcLevel::H,
        }
    }
}

/// The light border around the symbol, in modules: at least 4 (the standard's minimum).
pub const MIN_QUIET_ZONE: u32 = 4;
/// The widest quiet zone accepted, in modules.
pub const MAX_QUIET_ZONE: u32 = 16;

/// Checks a quiet zone option. `INVALID_CONFIG` outside 4..=16.
pub fn quiet_zone(modules: Option<f64>) -> Result<u32, Error> {
    match modules {
        None => Ok(MIN_QUIET_ZONE),
        Some(m) if m.fract() == 0.0 && m >= MIN_QUIET_ZONE as f64 && m <= MAX_QUIET_ZONE as f64 => {
            Ok(m as u32)
        }
        Some(_) => Err(Error::config(
            "quietZone must be a whole number from 4 to 16",
        )),
    }
}

/// The modules of a QR symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrMatrix {
    width: u32,
    modules: Vec<Color>,
}

impl QrMatrix {
    /// Encodes `text` at `ecc` with the `qrcode` crate (its optimal segmentation into
    /// numeric, alphanumeric and byte modes, the smallest version that holds the text,
    /// Reed–Solomon, placement, masking and format information); only the choice of the mask
    /// is ours ([`best_mask`]). `INVALID_CONFIG` when `text` is empty or too long for a QR code.
    pub fn encode(text: &str, ecc: Ecc) -> Result<QrMatrix, Error> {
        if text.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidConfig,
                "the payment has no qrCode to draw",
            ));
        }
        let too_long = |_| Error::config("the text is too long for a QR code");
        let level = ecc.level();
        let bits = qrcode::bits::encode_auto(text.as_bytes(), level).map_err(too_long)?;
        let version = bits.version();
        let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, level)
            .map_err(too_long)?;
        let mut canvas = Canvas::new(version, level);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data, &ec);
        canvas.apply_mask(best_mask(&canvas, version, level));
        Ok(QrMatrix {
            width: version.width() as u32,
            modules: canvas.into_colors(),
        })
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Whether the module at column `x`, row `y` is dark.
    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        self.modules[(y * self.width + x) as usize] == Color::Dark
    }

    /// One SVG path (`d`) of every dark module, in module units, the symbol's top-left at
    /// (`quiet`, `quiet`): each row's runs of dark modules as closed rectangles. Integer
    /// coordinates only.
    pub fn path(&self, quiet: u32) -> String {
        let mut d = String::with_capacity(self.modules.len() * 2);
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                d.push('M');
                push_u32(&mut d, start + quiet);
                d.push(' ');
                push_u32(&mut d, y + quiet);
                d.push('h');
                push_u32(&mut d, x - start);
                d.push_str("v1h-");
                push_u32(&mut d, x - start);
                d.push('z');
            }
        }
        d
    }

    /// A complete SVG document: a light square, then the dark path, `viewBox` in modules
    /// (quiet zone included), `size` CSS pixels wide when given. Colours must have passed
    /// [`check_color`].
    pub fn svg(&self, quiet: u32, size: Option<u32>, dark: &str, light: &str) -> String {
        let n = self.width + 2 * quiet;
        let mut s = String::with_capacity(self.modules.len() * 2 + 256);
        s.push_str("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
        push_u32(&mut s, n);
        s.push(' ');
        push_u32(&mut s, n);
        s.push('"');
        if let Some(size) = size {
            s.push_str(" width=\"");
            push_u32(&mut s, size);
            s.push_str("\" height=\"");
            push_u32(&mut s, size);
            s.push('"');
        }
        s.push_str(" shape-rendering=\"crispEdges\"><rect width=\"");
        push_u32(&mut s, n);
        s.push_str("\" height=\"");
        push_u32(&mut s, n);
        s.push_str("\" fill=\"");
        s.push_str(light);
        s.push_str("\"/><path fill=\"");
        s.push_str(dark);
        s.push_str("\" d=\"");
        s.push_str(&self.path(quiet));
        s.push_str("\"/></svg>");
        s
    }
}

/// Writes `n` in decimal without the formatting machinery.
pub fn push_u32(out: &mut String, mut n: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

/// Checks a CSS colour given for the QR: 1..=64 of letters, digits, `#(),.% -`; no quotes or
/// markup, so it is safe inside an SVG attribute. `INVALID_CONFIG` otherwise.
pub fn check_color(color: &str) -> Result<(), Error> {
    let ok = !color.is_empty()
        && color.len() <= 64
        && color
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"#(),.% -".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::config(
            "colors must be CSS colors such as \"#000\" or \"rgb(0,0,0)\"",
        ))
    }
}

/// Where the symbol goes on a canvas: integer device pixels per module, so every edge is sharp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CanvasLayout {
    /// Backing store size (device pixels per side): round(CSS size × devicePixelRatio).
    pub backing: u32,
    /// Device pixels per module.
    pub module: u32,
    /// Device pixels from the canvas edge to the quiet zone's edge (centres the symbol).
    pub offset: u32,
}

/// The layout of a symbol of `modules` per side (quiet zone included) on a canvas of
/// `css_size` CSS pixels at `dpr` device pixels per CSS pixel. `INVALID_CONFIG` when the
/// sizes are out of range or the canvas has fewer device pixels than modules.
pub fn canvas_layout(css_size: f64, dpr: f64, modules: u32) -> Result<CanvasLayout, Error> {
    if !(css_size.fract() == 0.0 && (16.0..=4096.0).contains(&css_size)) {
        return Err(Error::config(
            "size must be a whole number of CSS pixels from 16 to 4096",
        ));
    }
    if !(dpr.is_finite() && (0.25..=8.0).contains(&dpr)) {
        return Err(Error::config("devicePixelRatio must be from 0.25 to 8"));
    }
    let backing = (css_size * dpr).round() as u32;
    let module = backing / modules;
    if module == 0 {
        return Err(Error::config(
            "the canvas is too small for this QR code: give a larger size",
        ));
    }
    Ok(CanvasLayout {
        backing,
        module,
        offset: (backing - module * modules) / 2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_is_one_rectangle_per_run() {
        let (d, l) = (Color::Dark, Color::Light);
        let m = QrMatrix {
            width: 3,
            modules: vec![d, d, l, l, l, l, d, l, d],
        };
        assert_eq!(m.path(0), "M0 0h2v1h-2zM0 2h1v1h-1zM2 2h1v1h-1z");
        assert_eq!(m.path(4), "M4 4h2v1h-2zM4 6h1v1h-1zM6 6h1v1h-1z");
    }

    /// What a camera reads from `m`: 3 pixels per module, a 4-module quiet zone (rqrr).
    fn decode(m: &QrMatrix) -> Vec<u8> {
        let (size, scale) = (m.width() as usize, 3);
        let side = (size + 8) * scale;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = ((x / scale) as isize - 4, (y / scale) as isize - 4);
            let inside = (0..size as isize).contains(&mx) && (0..size as isize).contains(&my);
            if inside && m.is_dark(mx as u32, my as u32) {
                0
            } else {
                255
            }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one symbol found");
        let mut out = Vec::new();
        grids[0].decode_to(&mut out).expect("the symbol decodes");
        out
    }

    #[test]
    fn encodes_with_the_requested_ecc_and_more_correction_means_more_modules() {
        let text = "http://127.0.0.1:8080/sandbox/wallet/TX20261125000001";
        let l = QrMatrix::encode(text, Ecc::L).unwrap();
        let h = QrMatrix::encode(text, Ecc::H).unwrap();
        assert!(h.width() > l.width());
        // Finder pattern corners are dark.
        assert!(l.is_dark(0, 0) && l.is_dark(l.width() - 1, 0) && l.is_dark(0, l.width() - 1));
        assert!(QrMatrix::encode("", Ecc::M).is_err());
        assert!(QrMatrix::encode(&"x".repeat(5000), Ecc::H).is_err());
        assert!(QrMatrix::encode(&"x".repeat(2331), Ecc::M).is_ok());
        assert!(QrMatrix::encode(&"x".repeat(2332), Ecc::M).is_err());
    }

    #[test]
    fn symbols_of_every_size_and_level_decode() {
        // Texts of 1 to 2,900 characters (byte mode, one two-byte character in 25) at each
        // level: versions 1 to 40.
        let lengths = [
            1, 14, 30, 50, 80, 120, 170, 230, 300, 400, 520, 660, 820, 1000, 1270,
        ];
        let mut versions = Vec::new();
        for ecc in [Ecc::L, Ecc::M, Ecc::Q, Ecc::H] {
            for n in lengths.iter().chain([1500, 1800, 2200, 2900].iter()) {
                let text: String = "https://pay.example/q?x=\u{e9}"
                    .chars()
                    .cycle()
                    .take(*n)
                    .collect();
                let Ok(m) = QrMatrix::encode(&text, ecc) else {
                    assert!(*n > 1200, "{n} bytes fit at any level");
                    continue;
                };
                assert_eq!(decode(&m), text.as_bytes(), "{n} bytes at {ecc:?}");
                versions.push((m.width() - 17) / 4);
            }
        }
        versions.sort_unstable();
        versions.dedup();
        assert!(
            versions.len() >= 25 && versions.contains(&1) && versions.contains(&40),
            "{versions:?}"
        );
    }

    #[test]
    fn numeric_alphanumeric_mixed_and_utf8_texts_decode() {
        for text in [
            "0",
            // 41 digits of pi, split so that no 24-hex-digit run looks like a salt to the checks.
            concat!("31415926535897932384", "626433832795028841971"),
            "HTTPS://QR.ALIPAY.COM/BAX03431LJHOKIRWL38F00A7",
            "weixin://wxpay/bizpayurl?pr=AbCdEf1",
            "TX2026112500000001 paid 12.50 USD at 1764086700",
            "Paiement café – 12,50 €",
        ] {
            for ecc in [Ecc::L, Ecc::M, Ecc::Q, Ecc::H] {
                let m = QrMatrix::encode(text, ecc).unwrap();
                assert_eq!(decode(&m), text.as_bytes(), "{text} {ecc:?}");
            }
        }
    }

    #[test]
    fn svg_has_a_viewbox_with_the_quiet_zone_and_one_path() {
        let m = QrMatrix::encode("hello", Ecc::M).unwrap();
        let svg = m.svg(4, Some(200), "#000", "#fff");
        let n = (m.width() + 8).to_string();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(&format!("viewBox=\"0 0 {n} {n}\"")));
        assert!(svg.contains("width=\"200\" height=\"200\""));
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(svg.ends_with("\"/></svg>"));
        assert!(!m.svg(4, None, "#000", "#fff").contains("width=\"200\""));
    }

    #[test]
    fn canvas_layout_uses_whole_device_pixels_per_module() {
        // 29 modules + 8 quiet = 37; 200 CSS px at dpr 2 = 400 px → 10 px per module.
        let l = canvas_layout(200.0, 2.0, 37).unwrap();
        assert_eq!(
            l,
            CanvasLayout {
                backing: 400,
                module: 10,
                offset: 15
            }
        );
        let l = canvas_layout(333.0, 1.5, 37).unwrap();
        assert_eq!(l.backing, 500);
        assert_eq!(l.module, 13);
        assert_eq!(l.offset, (500 - 13 * 37) / 2);
        assert!(canvas_layout(20.0, 1.0, 37).is_err());
        assert!(canvas_layout(200.5, 1.0, 37).is_err());
        assert!(canvas_layout(200.0, f64::NAN, 37).is_err());
        assert!(canvas_layout(200.0, 0.0, 37).is_err());
    }

    #[test]
    fn quiet_zone_and_colors_are_checked() {
        assert_eq!(quiet_zone(None).unwrap(), 4);
        assert_eq!(quiet_zone(Some(6.0)).unwrap(), 6);
        for bad in [3.0, 17.0, 4.5] {
            assert!(quiet_zone(Some(bad)).is_err());
        }
        for ok in ["#000", "#1a2B3c", "black", "rgb(0, 0, 0)", "hsl(0 0% 0%)"] {
            assert!(check_color(ok).is_ok(), "{ok}");
        }
        for bad in ["", "\"/><script>", "red;x", "url('x')"] {
            assert!(check_color(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn push_u32_writes_decimal() {
        let mut s = String::new();
        for n in [0, 7, 10, 4096, u32::MAX] {
            s.clear();
            push_u32(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }
}
