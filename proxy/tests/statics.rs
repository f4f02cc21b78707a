//! The demo's files over real HTTP: compressed as the browser accepts, cached by name, and
//! revalidated with a 304.

mod common;

use std::io::Read;

use common::*;
use reqwest::header::{self, HeaderMap};

/// A wasm-like file: the magic, then 64 kB of varied but compressible bytes.
fn wasm_bytes() -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    let mut x: u32 = 12345;
    while out.len() < 64 * 1024 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        // Few distinct bytes, as code has: compressible, never trivially.
        out.push(b"\x20\x41\x10\x0b\x01\x02\x03"[(x >> 16) as usize % 7]);
    }
    out
}

struct Files {
    wasm: Vec<u8>,
    js: String,
    html: String,
}

fn write_files(h: &Harness) -> Files {
    let dir = h.dir.path();
    std::fs::create_dir_all(dir.join("www")).unwrap();
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    let files = Files {
        wasm: wasm_bytes(),
        js: "export function hello(name) { return `hello ${name}`; }\n".repeat(200),
        html: format!(
            "<!doctype html><title>register</title>{}",
            "<p>keypad</p>".repeat(100)
        ),
    };
    std::fs::write(dir.join("pkg/pingpong_qr_bg.wasm"), &files.wasm).unwrap();
    std::fs::write(dir.join("pkg/pingpong_qr.js"), &files.js).unwrap();
    std::fs::write(dir.join("www/index.html"), &files.html).unwrap();
    std::fs::write(dir.join("www/app.3f2a9c1b.js"), &files.js).unwrap();
    files
}

async fn get(
    h: &Harness,
    path: &str,
    headers: &[(header::HeaderName, &str)],
) -> (u16, HeaderMap, Vec<u8>) {
    let mut req = h.http.get(format!("{}{path}", h.url));
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

fn decode(encoding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "br" => brotli_decompressor::Decompressor::new(body, 4096)
            .read_to_end(&mut out)
            .unwrap(),
        "gzip" => flate2::read::GzDecoder::new(body)
            .read_to_end(&mut out)
            .unwrap(),
        other => panic!("unexpected encoding {other}"),
    };
    out
}

fn text(headers: &HeaderMap, name: header::HeaderName) -> &str {
    headers
        .get(&name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn files_are_compressed_as_the_browser_accepts() {
    let h = Harness::demo().await;
    let files = write_files(&h);
    let cases: [(&str, &str, &[u8], &str); 3] = [
        (
            "/pkg/pingpong_qr_bg.wasm",
            "application/wasm",
            &files.wasm,
            "wasm",
        ),
        (
            "/pkg/pingpong_qr.js",
            "javascript",
            files.js.as_bytes(),
            "js",
        ),
        ("/", "text/html", files.html.as_bytes(), "html"),
    ];
    for (path, kind, original, what) in cases {
        for (accept, encoding) in [
            ("br", "br"),
            ("gzip", "gzip"),
            // What Chromium sends: brotli is preferred.
            ("gzip, deflate, br, zstd", "br"),
        ] {
            let (status, headers, body) = get(&h, path, &[(header::ACCEPT_ENCODING, accept)]).await;
            assert_eq!(status, 200, "{what} {accept}");
            assert_eq!(
                text(&headers, header::CONTENT_ENCODING),
                encoding,
                "{what} {accept}"
            );
            assert!(
                text(&headers, header::CONTENT_TYPE).contains(kind),
                "{what}"
            );
            assert!(
                text(&headers, header::VARY)
                    .to_ascii_lowercase()
                    .contains("accept-encoding"),
                "{what}"
            );
            assert!(
                body.len() * 2 < original.len(),
                "{what} {accept}: {} of {} bytes",
                body.len(),
                original.len()
            );
            assert_eq!(decode(encoding, &body), original, "{what} {accept}");
            // The same file has other bytes in each encoding: its ETag is weak.
            assert!(text(&headers, header::ETAG).starts_with("W/\""), "{what}");
        }
        // A client that accepts no encoding gets the file as it is.
        let (status, headers, body) = get(&h, path, &[]).await;
        assert_eq!(status, 200);
        assert!(headers.get(header::CONTENT_ENCODING).is_none(), "{what}");
        assert_eq!(body, original, "{what}");
        assert!(text(&headers, header::ETAG).starts_with('"'), "{what}");
    }
    // The API and the event stream are not the files': never compressed.
    let api = h
        .http
        .get(format!("{}/v1/payments/NOPE", h.url))
        .bearer_auth(DEMO)
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404);
    assert!(api.headers().get(header::CONTENT_ENCODING).is_none());
}

#[tokio::test]
async fn fixed_names_revalidate_and_hashed_names_are_immutable() {
    let h = Harness::demo().await;
    let files = write_files(&h);
    for path in [
        "/",
        "/index.html",
        "/pkg/pingpong_qr_bg.wasm",
        "/pkg/pingpong_qr.js",
    ] {
        let (status, headers, _) = get(&h, path, &[(header::ACCEPT_ENCODING, "br")]).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(text(&headers, header::CACHE_CONTROL), "no-cache", "{path}");
        assert!(headers.contains_key(header::LAST_MODIFIED), "{path}");
    }
    let (status, headers, body) = get(&h, "/app.3f2a9c1b.js", &[]).await;
    assert_eq!((status, body), (200, files.js.into_bytes()));
    assert_eq!(
        text(&headers, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    // Errors are not cached as files.
    let (status, headers, _) = get(&h, "/pkg/missing.js", &[]).await;
    assert_eq!(status, 404);
    assert_ne!(
        headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap()),
        Some("no-cache")
    );
}

#[tokio::test]
async fn a_conditional_get_of_an_unchanged_file_is_304() {
    let h = Harness::demo().await;
    let files = write_files(&h);
    let path = "/pkg/pingpong_qr_bg.wasm";
    let br = [(header::ACCEPT_ENCODING, "br")];
    let (_, first, _) = get(&h, path, &br).await;
    let etag = text(&first, header::ETAG).to_owned();
    let modified = text(&first, header::LAST_MODIFIED).to_owned();

    // By ETag, as a browser revalidates a no-cache file.
    let (status, headers, body) =
        get(&h, path, &[br[0].clone(), (header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    assert_eq!(text(&headers, header::CACHE_CONTROL), "no-cache");
    assert!(text(&headers, header::VARY).contains("accept-encoding"));
    // By date alone.
    let (status, _, _) = get(&h, path, &[(header::IF_MODIFIED_SINCE, &modified)]).await;
    assert_eq!(status, 304);

    // A rebuilt file is sent again, whole, with a new tag.
    let mut rebuilt = files.wasm.clone();
    rebuilt.extend_from_slice(b"\x0b\x0b");
    std::fs::write(h.dir.path().join("pkg/pingpong_qr_bg.wasm"), &rebuilt).unwrap();
    let (status, headers, body) =
        get(&h, path, &[br[0].clone(), (header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(status, 200);
    assert_ne!(text(&headers, header::ETAG), etag);
    assert_eq!(decode("br", &body), rebuilt);
}
