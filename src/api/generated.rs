//! The generated files of `src/js/`, checked against what the Rust definitions give: the
//! runtime constants (`constants.js` and its `.d.ts`) and the TypeScript declarations of every
//! type the package exports (`types.d.ts`; wasm-bindgen puts the same text in the shipped
//! `pingpong_qr.d.ts`, which `tests/pkg.test.mjs` checks). A test fails while a file differs;
//! `PINGPONG_QR_REGENERATE=1 cargo test -p pingpong-qr --lib generated` rewrites them.

use std::path::Path;

use pingpong_protocol::contract::{
    CreatePaymentRequest, CreateRefundRequest, Method, PaymentView, RefundView,
};
use pingpong_protocol::{ErrorCode, PaymentStatus, RefundStatus};
use serde::Serialize;
use tsify::Tsify;

use super::OPTIONS_TS;
use super::options::{QrOptions, RefundWaitOptions, RegisterOptions, RequestOptions, WaitOptions};
use super::views::{HistoryEntry, HistoryRefund, PendingPayment};
use crate::core::journal::{EntryState, JournalState};
use crate::core::qr::Ecc;
use crate::engine::{Source, StorageKind};

const HEADER: &str = "Generated from the Rust definitions by src/api/generated.rs \
    (PINGPONG_QR_REGENERATE=1 cargo test -p pingpong-qr --lib generated); do not edit.";

/// The wire name of a unit variant.
fn name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

/// Every update source (a new variant must be added here: the match stops compiling).
fn sources() -> Vec<Source> {
    use Source::*;
    let all = [Journal, Start, Poll, Push, Tab];
    for s in all {
        match s {
            Journal | Start | Poll | Push | Tab => {}
        }
    }
    all.to_vec()
}

/// Every journal state (likewise).
fn journal_states() -> Vec<JournalState> {
    use JournalState::*;
    let all = [Sending, Unknown];
    for s in all {
        match s {
            Sending | Unknown => {}
        }
    }
    all.to_vec()
}

/// A runtime constant: its name, its doc, and its members (wire name, doc).
struct Constant {
    name: &'static str,
    doc: &'static str,
    members: Vec<(String, Option<&'static str>)>,
}

fn constants() -> Vec<Constant> {
    let plain = |names: Vec<String>| names.into_iter().map(|n| (n, None)).collect();
    let mut codes: Vec<(String, Option<&'static str>)> = ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), Some(c.description())))
        .collect();
    let unrecognized = ErrorCode::Unrecognized;
    codes.push((
        unrecognized.as_str().to_owned(),
        Some(unrecognized.description()),
    ));
    vec![
        Constant {
            name: "PaymentStatus",
            doc: "Payment statuses, as `payment.status` holds them.",
            members: plain(PaymentStatus::ALL.iter().map(name).collect()),
        },
        Constant {
            name: "RefundStatus",
            doc: "Refund statuses, as `refund.status` holds them.",
            members: plain(RefundStatus::ALL.iter().map(name).collect()),
        },
        Constant {
            name: "Method",
            doc: "The wallets a payment can use, as `payment.method` holds them.",
            members: plain(Method::ALL.iter().map(name).collect()),
        },
        Constant {
            name: "JournalState",
            doc: "The `state` of a journaled payment or refund the proxy has not answered yet \
                  (`pendingPayments()`, `history()`).",
            members: plain(journal_states().iter().map(name).collect()),
        },
        Constant {
            name: "UpdateSource",
            doc: "Where a status came from, as `onUpdate` is told.",
            members: plain(sources().iter().map(name).collect()),
        },
        Constant {
            name: "ErrorCode",
            doc: "Error codes, as `error.code` holds them, each with what to do about it.",
            members: codes,
        },
    ]
}

fn key(member: &str) -> String {
    member.to_ascii_uppercase()
}

/// `src/js/constants.js`.
fn constants_js() -> String {
    let mut out = format!("// {HEADER}\n");
    for c in constants() {
        out += &format!(
            "\n/** {} */\nexport const {} = Object.freeze({{\n",
            c.doc, c.name
        );
        for (member, _) in &c.members {
            out += &format!("  {}: \"{member}\",\n", key(member));
        }
        out += "});\n";
    }
    out
}

/// `src/js/constants.d.ts`: each constant, and its type (the union the Rust type gives).
fn constants_d_ts() -> String {
    let all = constants();
    let imports: Vec<String> = all
        .iter()
        .map(|c| format!("{0} as {0}Type", c.name))
        .collect();
    let mut out = format!(
        "// {HEADER}\nimport type {{ {} }} from \"./pingpong_qr.js\";\n",
        imports.join(", ")
    );
    for c in all {
        out += &format!(
            "\n/** {} */\nexport declare const {}: Readonly<{{\n",
            c.doc, c.name
        );
        for (member, doc) in &c.members {
            if let Some(doc) = doc {
                out += &format!("  /** {doc} */\n");
            }
            out += &format!("  {}: \"{member}\";\n", key(member));
        }
        out += &format!("}}>;\nexport type {0} = {0}Type;\n", c.name);
    }
    out
}

/// `src/js/types.d.ts`: every declaration the Rust types give the package's `.d.ts`.
fn types_d_ts() -> String {
    let decls = [
        // The contract (pingpong-protocol).
        PaymentView::DECL,
        RefundView::DECL,
        CreatePaymentRequest::DECL,
        CreateRefundRequest::DECL,
        PaymentStatus::DECL,
        RefundStatus::DECL,
        Method::DECL,
        ErrorCode::TYPESCRIPT,
        // The library's options and results.
        RegisterOptions::DECL,
        StorageKind::DECL,
        RequestOptions::DECL,
        OPTIONS_TS,
        WaitOptions::DECL,
        RefundWaitOptions::DECL,
        Source::DECL,
        QrOptions::DECL,
        Ecc::DECL,
        PendingPayment::DECL,
        HistoryEntry::DECL,
        HistoryRefund::DECL,
        EntryState::<PaymentStatus>::DECL,
        JournalState::DECL,
    ];
    let mut out = format!("// {HEADER}\n");
    for decl in decls {
        out += "\n";
        out += decl.trim();
        out += "\n";
    }
    out
}

/// Compares `path` (from the crate's root) with `want`; rewrites it when regenerating.
fn check(path: &str, want: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("PINGPONG_QR_REGENERATE").is_some() {
        std::fs::write(&path, want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} differs from what the Rust definitions give: run \
         PINGPONG_QR_REGENERATE=1 cargo test -p pingpong-qr --lib generated",
        path.display()
    );
}

#[test]
fn runtime_constants_are_the_rust_definitions() {
    check("src/js/constants.js", &constants_js());
    check("src/js/constants.d.ts", &constants_d_ts());
}

#[test]
fn the_typescript_declarations_are_the_rust_definitions() {
    check("src/js/types.d.ts", &types_d_ts());
}

#[test]
fn every_constant_has_its_members() {
    let all = constants();
    let members = |n: &str| all.iter().find(|c| c.name == n).unwrap().members.len();
    assert_eq!(members("PaymentStatus"), 7);
    assert_eq!(members("RefundStatus"), 4);
    assert_eq!(members("ErrorCode"), ErrorCode::ALL.len() + 1);
    assert!(constants_js().contains("  SENDING: \"SENDING\",\n"));
    assert!(constants_js().contains("  PUSH: \"push\",\n"));
    assert!(types_d_ts().contains("export interface Payment {"));
}
