//! The pure core: no web APIs, no I/O, no async; tested natively (`cargo test -p pingpong-qr`).

pub(crate) mod config;
pub(crate) mod error;
pub(crate) mod journal;
pub(crate) mod ledger;
pub(crate) mod payment;
pub(crate) mod poll;
pub(crate) mod qr;
pub(crate) mod qr_mask;
pub(crate) mod retry;
pub(crate) mod skew;
