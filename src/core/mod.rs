//! The pure core: no web APIs, no I/O, no async; tested natively (`cargo test -p pingpong-qr`).

pub mod config;
pub mod error;
pub mod journal;
pub mod ledger;
pub mod payment;
pub mod poll;
pub mod qr;
pub mod qr_mask;
pub mod retry;
pub mod skew;
