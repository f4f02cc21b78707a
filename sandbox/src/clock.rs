//! Wall-clock time and identifiers.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A random starting point for id sequences, so that ids differ between runs.
pub(crate) fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    // The OS random source failing is not worth stopping a simulator for: start at 0.
    let _ = getrandom::fill(&mut bytes);
    u64::from_le_bytes(bytes)
}

/// A PingPong-style number: `yyyyMMdd` (UTC) followed by 8 digits of `seq`, e.g.
/// `2023092050004595`.
pub(crate) fn pingpong_number(now_ms: u64, seq: u64) -> String {
    let date = &pingpong_protocol::time::format_compact_utc(now_ms)[..8];
    format!("{date}{:08}", seq % 100_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_look_like_pingpong_ones() {
        assert_eq!(
            pingpong_number(1_695_168_000_000, 50_004_595),
            "2023092050004595"
        );
        assert_eq!(
            pingpong_number(1_695_168_000_000, 100_000_007),
            "2023092000000007"
        );
    }
}
