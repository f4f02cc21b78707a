//! Clock-skew correction: the proxy's `serverTime` against the register's clock, so that
//! QR expiry is counted on the proxy's clock.

/// The offset between the proxy's clock and the register's, estimated from answers.
/// Keeps the sample with the shortest round trip (the tightest bound).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClockSkew {
    best: Option<Sample>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sample {
    rtt: u64,
    /// server − local, ms.
    offset: i64,
}

impl ClockSkew {
    /// Records an answer: sent at `sent_at` and received at `received_at` (register clock, ms),
    /// stamped `server_time` by the proxy (ms).
    pub fn observe(&mut self, sent_at: u64, received_at: u64, server_time: u64) {
        let rtt = received_at.saturating_sub(sent_at);
        let midpoint = sent_at + rtt / 2;
        let offset = server_time as i64 - midpoint as i64;
        if self.best.is_none_or(|b| rtt <= b.rtt) {
            self.best = Some(Sample { rtt, offset });
        }
    }

    /// The proxy's clock minus the register's, in ms (0 before any answer).
    pub fn offset(self) -> i64 {
        self.best.map_or(0, |b| b.offset)
    }

    /// A proxy time converted to the register's clock.
    pub fn to_local(self, server_ms: u64) -> u64 {
        (server_ms as i64 - self.offset()).max(0) as u64
    }

    /// The proxy's clock now, given the register's.
    pub fn server_now(self, local_ms: u64) -> u64 {
        (local_ms as i64 + self.offset()).max(0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_answer_means_no_correction() {
        let s = ClockSkew::default();
        assert_eq!(s.offset(), 0);
        assert_eq!(s.to_local(5_000), 5_000);
    }

    #[test]
    fn a_fast_register_clock_is_corrected() {
        let mut s = ClockSkew::default();
        // Register clock 30 s ahead of the proxy; 200 ms round trip.
        s.observe(100_000, 100_200, 70_100);
        assert_eq!(s.offset(), -30_000);
        // The QR expires at proxy time 370_100: 300 s later on the register's clock.
        assert_eq!(s.to_local(370_100), 400_100);
        assert_eq!(s.server_now(400_100), 370_100);
    }

    #[test]
    fn the_shortest_round_trip_wins() {
        let mut s = ClockSkew::default();
        s.observe(0, 2_000, 11_000); // slow: offset 10_000 ± 1 s
        s.observe(5_000, 5_020, 15_050); // fast: offset 10_040 ± 10 ms
        assert_eq!(s.offset(), 10_040);
        s.observe(6_000, 9_000, 0); // slow and wild: ignored
        assert_eq!(s.offset(), 10_040);
    }

    #[test]
    fn a_slow_register_clock_is_corrected_without_underflow() {
        let mut s = ClockSkew::default();
        s.observe(1_000, 1_000, 61_000);
        assert_eq!(s.offset(), 60_000);
        assert_eq!(s.to_local(10), 0);
    }
}
