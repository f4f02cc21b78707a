//! QR rendering in a real browser: the canvas is read back and decoded with a real decoder
//! (rqrr) at several sizes and device pixel ratios; SVG likewise through an <img>.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect};
use pingpong_qr::Register;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement};

wasm_bindgen_test_configure!(run_in_browser);

const TEXT: &str = "http://127.0.0.1:38517/sandbox/wallet/TX2026112517420000000000000001";

#[wasm_bindgen(inline_js = r#"
export function countCanvasCalls(f) {
  const proto = CanvasRenderingContext2D.prototype;
  const saved = { fill: proto.fill, fillRect: proto.fillRect, rect: proto.rect };
  const counts = { fill: 0, fillRect: 0, rect: 0 };
  for (const name of Object.keys(saved)) {
    proto[name] = function (...args) { counts[name]++; return saved[name].apply(this, args); };
  }
  try { f(); } finally { Object.assign(proto, saved); }
  return counts;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = countCanvasCalls)]
    fn count_canvas_calls(f: &Closure<dyn FnMut()>) -> JsValue;
}

#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = PingPongError)]
    type PingPongError;
}

#[wasm_bindgen(module = "/src/js/constants.js")]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_name = ErrorCode)]
    static ERROR_CODE: JsValue;
    #[wasm_bindgen(thread_local_v2, js_name = PaymentStatus)]
    static PAYMENT_STATUS: JsValue;
    #[wasm_bindgen(thread_local_v2, js_name = RefundStatus)]
    static REFUND_STATUS: JsValue;
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn register() -> Register {
    Register::new(obj(&[
        ("proxyUrl", "http://127.0.0.1:9".into()),
        ("token", "qr-test".into()),
        ("storage", "memory".into()),
        ("push", false.into()),
    ]))
    .unwrap()
}

fn new_canvas() -> HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&c).unwrap();
    c
}

/// Reads the canvas back and decodes every QR in it: (rqrr's raw ECC bits, text).
fn decode(canvas: &HtmlCanvasElement) -> Vec<(u16, String)> {
    let (w, h) = (canvas.width() as usize, canvas.height() as usize);
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let rgba = ctx
        .get_image_data(0.0, 0.0, w as f64, h as f64)
        .unwrap()
        .data();
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let i = (y * w + x) * 4;
        ((rgba[i] as u32 * 3 + rgba[i + 1] as u32 * 6 + rgba[i + 2] as u32) / 10) as u8
    });
    img.detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok())
        .map(|(meta, text)| (meta.ecc_level, text))
        .collect()
}

fn error_code(e: &JsValue) -> String {
    assert!(
        e.is_instance_of::<PingPongError>(),
        "not a PingPongError: {e:?}"
    );
    assert!(e.is_instance_of::<js_sys::Error>(), "not an Error: {e:?}");
    Reflect::get(e, &"code".into())
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
fn canvas_qr_decodes_to_the_exact_text_at_several_sizes_and_pixel_ratios() {
    let r = register();
    let payment = obj(&[("qrCode", TEXT.into())]);
    for (size, dpr) in [
        (120, 1.0),
        (200, 1.5),
        (256, 2.0),
        (333, 3.0),
        (150, 2.625),
        (180, 1.25),
    ] {
        let canvas = new_canvas();
        r.render_qr(
            canvas.clone().into(),
            payment.clone(),
            obj(&[("size", size.into()), ("devicePixelRatio", dpr.into())]),
        )
        .unwrap();
        let backing = (size as f64 * dpr).round() as u32;
        assert_eq!(
            (canvas.width(), canvas.height()),
            (backing, backing),
            "{size}@{dpr}"
        );
        let style = canvas.style();
        assert_eq!(
            style.get_property_value("width").unwrap(),
            format!("{size}px")
        );
        assert_eq!(
            style.get_property_value("height").unwrap(),
            format!("{size}px")
        );
        let found = decode(&canvas);
        assert_eq!(found.len(), 1, "{size}@{dpr}: {found:?}");
        assert_eq!(found[0].1, TEXT, "{size}@{dpr}");
        canvas.remove();
    }
}

#[wasm_bindgen_test]
fn canvas_modules_are_whole_device_pixels_with_a_four_module_quiet_zone() {
    let r = register();
    let canvas = new_canvas();
    r.render_qr(
        canvas.clone().into(),
        TEXT.into(),
        obj(&[("size", 200.into()), ("devicePixelRatio", 2.into())]),
    )
    .unwrap();
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let data = ctx.get_image_data(0.0, 0.0, 400.0, 400.0).unwrap().data();
    let px = |x: usize, y: usize| data[(y * 400 + x) * 4];
    // Every pixel is pure black or pure white: no anti-aliased edges.
    assert!(data.iter().step_by(4).all(|&v| v == 0 || v == 255));
    // Find the first dark pixel on the diagonal: the finder pattern's corner.
    let corner = (0..400).find(|&i| px(i, i) == 0).unwrap();
    // The finder pattern's top row is 7 dark modules; its second row starts with one.
    let ring = (corner..400).take_while(|&x| px(x, corner) == 0).count();
    assert_eq!(
        ring % 7,
        0,
        "the finder pattern is 7 whole modules wide ({ring}px)"
    );
    let module = ring / 7;
    let second = (corner..400)
        .take_while(|&x| px(x, corner + module) == 0)
        .count();
    assert_eq!(second, module);
    assert!(
        corner >= 4 * module,
        "quiet zone {corner}px < 4 modules of {module}px"
    );
    canvas.remove();
}

#[wasm_bindgen_test]
fn the_canvas_is_painted_with_one_path_fill() {
    let r = register();
    let canvas = new_canvas();
    let c = canvas.clone();
    let draw = move || {
        r.render_qr(c.clone().into(), TEXT.into(), obj(&[("size", 240.into())]))
            .unwrap()
    };
    let f = Closure::<dyn FnMut()>::new(draw);
    let counts = count_canvas_calls(&f);
    let n = |k: &str| Reflect::get(&counts, &k.into()).unwrap().as_f64().unwrap();
    assert_eq!(n("fill"), 1.0, "one path fill for every dark module");
    assert!(
        n("fillRect") <= 1.0,
        "at most the background as a rectangle"
    );
    assert_eq!(n("rect"), 0.0);
    assert_eq!(decode(&canvas)[0].1, TEXT);
    canvas.remove();
}

#[wasm_bindgen_test]
fn canvas_qr_of_every_size_decodes_at_every_level() {
    // Texts of 1 to 900 characters: versions 1 to about 30 across the four levels, each
    // painted with 3 device pixels per module, read back and decoded.
    let r = register();
    let mut widths = Vec::new();
    for (i, len) in [1, 20, 60, 110, 180, 270, 390, 530, 700, 900]
        .iter()
        .enumerate()
    {
        let text: String = "https://pay.example/qr?tx=2026-12-04&n="
            .chars()
            .cycle()
            .take(*len)
            .collect();
        for (ecc, raw) in [("L", 1), ("M", 0), ("Q", 3), ("H", 2)] {
            let svg = r
                .qr_svg(text.clone().into(), obj(&[("ecc", ecc.into())]))
                .unwrap();
            // The symbol's width in modules, from the viewBox (quiet zone of 4 on each side).
            let view: u32 = svg
                .split("viewBox=\"0 0 ")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let canvas = new_canvas();
            r.render_qr(
                canvas.clone().into(),
                text.clone().into(),
                obj(&[
                    ("ecc", ecc.into()),
                    ("size", (view * 3).into()),
                    ("devicePixelRatio", 1.into()),
                ]),
            )
            .unwrap();
            assert_eq!(
                decode(&canvas),
                vec![(raw, text.clone())],
                "{len} chars at {ecc} (#{i})"
            );
            canvas.remove();
            widths.push(view - 8);
        }
    }
    widths.sort_unstable();
    widths.dedup();
    assert!(widths.len() >= 20, "versions seen: {widths:?}");
}

#[wasm_bindgen_test]
fn error_correction_level_is_configurable() {
    let r = register();
    // rqrr reports the format's raw ECC bits: M = 0, L = 1, H = 2, Q = 3.
    for (ecc, raw) in [("L", 1), ("M", 0), ("Q", 3), ("H", 2)] {
        let canvas = new_canvas();
        r.render_qr(
            canvas.clone().into(),
            TEXT.into(),
            obj(&[
                ("size", 300.into()),
                ("ecc", ecc.into()),
                ("devicePixelRatio", 1.into()),
            ]),
        )
        .unwrap();
        assert_eq!(decode(&canvas), vec![(raw, TEXT.to_owned())], "ecc {ecc}");
        canvas.remove();
    }
}

#[wasm_bindgen_test]
async fn svg_renders_in_an_image_and_decodes() {
    let r = register();
    let svg = r
        .qr_svg(
            TEXT.into(),
            obj(&[("size", 264.into()), ("quietZone", 6.into())]),
        )
        .unwrap();
    assert_eq!(svg.matches("<path").count(), 1);
    assert!(svg.contains("width=\"264\""));
    let img = HtmlImageElement::new().unwrap();
    let mut url = String::from("data:image/svg+xml;charset=utf-8,");
    url.push_str(&String::from(js_sys::encode_uri_component(&svg)));
    img.set_src(&url);
    JsFuture::from(img.decode()).await.unwrap();
    let canvas = new_canvas();
    canvas.set_width(264);
    canvas.set_height(264);
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, 264.0, 264.0)
        .unwrap();
    assert_eq!(decode(&canvas), vec![(0, TEXT.to_owned())]);
    canvas.remove();
}

#[wasm_bindgen_test]
fn bad_qr_input_is_refused_with_invalid_config() {
    let r = register();
    let canvas = new_canvas();
    let bad = [
        obj(&[("size", 10.into())]),
        obj(&[("size", 100.5.into())]),
        obj(&[("ecc", "X".into())]),
        obj(&[("quietZone", 2.into())]),
        obj(&[("dark", "\"/><script>".into())]),
        obj(&[("devicePixelRatio", 0.into())]),
        obj(&[("size", "big".into())]),
    ];
    for options in bad {
        let e = r
            .render_qr(canvas.clone().into(), TEXT.into(), options.clone())
            .unwrap_err();
        assert_eq!(error_code(&e), "INVALID_CONFIG", "{options:?}");
    }
    // A closed payment has no qrCode; a non-canvas is refused.
    let closed = obj(&[("qrCode", JsValue::NULL)]);
    let e = r
        .render_qr(canvas.clone().into(), closed.clone(), JsValue::UNDEFINED)
        .unwrap_err();
    assert_eq!(error_code(&e), "INVALID_CONFIG");
    let e = r
        .render_qr(JsValue::from(1), TEXT.into(), JsValue::UNDEFINED)
        .unwrap_err();
    assert_eq!(error_code(&e), "INVALID_CONFIG");
    let e = r.qr_svg(closed, JsValue::UNDEFINED).unwrap_err();
    assert_eq!(error_code(&e), "INVALID_CONFIG");
    canvas.remove();
}

#[wasm_bindgen_test]
fn constants_exist_at_runtime_and_match_the_rust_definitions() {
    let names = |v: &JsValue| -> Vec<String> {
        Object::keys(v.unchecked_ref::<Object>())
            .iter()
            .map(|k| {
                let k = k.as_string().unwrap();
                assert_eq!(
                    Reflect::get(v, &k.clone().into())
                        .unwrap()
                        .as_string()
                        .unwrap(),
                    k
                );
                k
            })
            .collect()
    };
    let mut codes: Vec<String> = pingpong_protocol::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    codes.push("UNRECOGNIZED".into());
    assert_eq!(ERROR_CODE.with(names), codes);
    let statuses: Vec<_> = pingpong_protocol::PaymentStatus::ALL
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    assert_eq!(PAYMENT_STATUS.with(names), statuses);
    let refunds: Vec<_> = pingpong_protocol::RefundStatus::ALL
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    assert_eq!(REFUND_STATUS.with(names), refunds);
    assert!(ERROR_CODE.with(|v| Object::is_frozen(v.unchecked_ref::<Object>())));
}

#[wasm_bindgen_test]
fn bad_configuration_throws_invalid_config() {
    let cases = [
        obj(&[
            ("proxyUrl", "http://127.0.0.1:9".into()),
            ("token", "".into()),
        ]),
        obj(&[("proxyUrl", "http://127.0.0.1:9".into())]),
        obj(&[("proxyUrl", "not a url".into()), ("token", "t".into())]),
        obj(&[("proxyUrl", "ftp://h".into()), ("token", "t".into())]),
        obj(&[("proxyUrl", "http://h?x=1".into()), ("token", "t".into())]),
        obj(&[("proxyUrl", 42.into()), ("token", "t".into())]),
        obj(&[
            ("proxyUrl", "http://h".into()),
            ("token", "t".into()),
            ("push", "yes".into()),
        ]),
        obj(&[
            ("proxyUrl", "http://h".into()),
            ("token", "t".into()),
            ("requestTimeoutMs", 5.into()),
        ]),
        obj(&[
            ("proxyUrl", "http://h".into()),
            ("token", "t".into()),
            ("storage", "disk".into()),
        ]),
        obj(&[
            ("proxyUrl", "http://h".into()),
            ("token", "t".into()),
            ("onLateSuccess", 1.into()),
        ]),
        JsValue::UNDEFINED,
    ];
    for options in cases {
        let e = Register::new(options.clone()).err().expect("refused");
        assert_eq!(error_code(&e), "INVALID_CONFIG", "{options:?}");
        // The token never appears in the error.
        let message = Reflect::get(&e, &"message".into())
            .unwrap()
            .as_string()
            .unwrap();
        assert!(!message.contains("secret-token"));
    }
    // An option of the wrong shape is named in the message (the token's value never is).
    for (field, value) in [
        ("proxyUrl", JsValue::from(42)),
        ("push", "yes".into()),
        ("storage", "disk".into()),
        ("onLateSuccess", 1.into()),
        ("token", JsValue::UNDEFINED),
    ] {
        let mut pairs = vec![
            ("proxyUrl", JsValue::from("http://h")),
            ("token", "secret-token-9".into()),
        ];
        pairs.retain(|(k, _)| *k != field);
        if !value.is_undefined() {
            pairs.push((field, value));
        }
        let e = Register::new(obj(&pairs)).err().expect("refused");
        let message = Reflect::get(&e, &"message".into())
            .unwrap()
            .as_string()
            .unwrap();
        assert_eq!(error_code(&e), "INVALID_CONFIG", "{field}: {message}");
        let mut named = String::from("options.");
        named.push_str(field);
        assert!(message.starts_with(&named), "{field}: {message}");
        assert!(!message.contains("secret-token"), "{message}");
    }
}
