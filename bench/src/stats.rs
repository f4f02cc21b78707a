//! Latency summaries: nearest-rank percentiles over every sample.

use std::time::Duration;

/// Percentile `p` (0..=100) of `sorted` by the nearest-rank method: the smallest sample with
/// at least `p` % of the samples at or below it. `None` when there is no sample.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Milliseconds with microsecond precision, for the JSON report.
pub fn ms(d: Duration) -> f64 {
    (d.as_micros() as f64) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(d).collect();
        assert_eq!(percentile(&v, 50.0), Some(d(50)));
        assert_eq!(percentile(&v, 99.0), Some(d(99)));
        assert_eq!(percentile(&v, 100.0), Some(d(100)));
        assert_eq!(percentile(&v, 0.0), Some(d(1)));
        assert_eq!(percentile(&[d(7)], 99.0), Some(d(7)));
        assert_eq!(percentile(&[d(1), d(2), d(3)], 50.0), Some(d(2)));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(ms(Duration::from_micros(1500)), 1.5);
    }
}
