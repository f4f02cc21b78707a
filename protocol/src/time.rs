//! Time on the wire: PingPong's timestamps and the QR validity (`timeExpire`).
//!
//! The docs use several formats (reference §4.1.2, §11): epoch milliseconds as a string,
//! epoch seconds, and `yyyyMMddHHmmss`. Readers here accept all three; writers use the
//! choices recorded in `docs/protocol-choices.md`.

/// Shortest QR validity PingPong accepts, in seconds (1 minute).
pub const MIN_EXPIRES_IN_SECONDS: u32 = 60;
/// Longest QR validity PingPong accepts, in seconds (3 days). Also PingPong's default.
pub const MAX_EXPIRES_IN_SECONDS: u32 = 259_200;
/// The validity this project uses when the register gives none: 5 minutes, the retail advice.
pub const DEFAULT_EXPIRES_IN_SECONDS: u32 = 300;

/// Reads a PingPong timestamp into milliseconds since the Unix epoch: 13 digits are epoch
/// milliseconds, 10 digits epoch seconds, 14 digits `yyyyMMddHHmmss` in UTC.
/// `None` for anything else.
pub fn parse_timestamp_ms(text: &str) -> Option<u64> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match text.len() {
        13 => text.parse().ok(),
        10 => text.parse::<u64>().ok().map(|s| s * 1000),
        14 => {
            let n = |r: core::ops::Range<usize>| text[r].parse::<u32>().ok();
            let (y, mo, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
            let (h, mi, s) = (n(8..10)?, n(10..12)?, n(12..14)?);
            if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
                return None;
            }
            let days = days_from_civil(y as i64, mo, d);
            let secs = days * 86_400 + (h * 3600 + mi * 60 + s) as i64;
            u64::try_from(secs).ok().map(|s| s * 1000)
        }
        _ => None,
    }
}

/// Formats milliseconds since the epoch as `yyyyMMddHHmmss` (UTC).
pub fn format_compact_utc(epoch_ms: u64) -> String {
    let secs = epoch_ms / 1000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    let mut out = String::with_capacity(14);
    let mut push = |v: u64, width: usize| {
        let s = v.to_string();
        for _ in s.len()..width {
            out.push('0');
        }
        out.push_str(&s);
    };
    push(y as u64, 4);
    push(m as u64, 2);
    push(d as u64, 2);
    push(rem / 3600, 2);
    push(rem % 3600 / 60, 2);
    push(rem % 60, 2);
    out
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// How `timeExpire` is written in unifiedPay. The public docs disagree (reference §11.1);
/// the proxy makes it configurable and the sandbox reads the same setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeExpireFormat {
    /// Absolute deadline as Unix seconds, e.g. `"1764086700"` (2023 field table). Default.
    #[default]
    EpochSeconds,
    /// A validity period in whole minutes, e.g. `"5"` (one reading of the 2025 text).
    DurationMinutes,
}

impl TimeExpireFormat {
    /// Every format.
    pub const ALL: [TimeExpireFormat; 2] = [
        TimeExpireFormat::EpochSeconds,
        TimeExpireFormat::DurationMinutes,
    ];

    /// The configuration name: `epoch-seconds` or `duration-minutes`.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeExpireFormat::EpochSeconds => "epoch-seconds",
            TimeExpireFormat::DurationMinutes => "duration-minutes",
        }
    }

    /// Parses a configuration name.
    pub fn parse(text: &str) -> Option<TimeExpireFormat> {
        TimeExpireFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == text)
    }

    /// The `timeExpire` value for a validity of `expires_in_seconds` starting at `now_ms`.
    /// Minutes round up, so the QR never expires earlier than asked.
    pub fn encode(self, now_ms: u64, expires_in_seconds: u32) -> String {
        match self {
            TimeExpireFormat::EpochSeconds => {
                (now_ms / 1000 + expires_in_seconds as u64).to_string()
            }
            TimeExpireFormat::DurationMinutes => expires_in_seconds.div_ceil(60).to_string(),
        }
    }

    /// The deadline (ms since the epoch) a received `timeExpire` means, at `now_ms`.
    /// `None` when it is not a number of this format.
    pub fn decode(self, text: &str, now_ms: u64) -> Option<u64> {
        if text.is_empty() || text.len() > 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u64 = text.parse().ok()?;
        Some(match self {
            TimeExpireFormat::EpochSeconds => n * 1000,
            TimeExpireFormat::DurationMinutes => now_ms + n * 60_000,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_documented_timestamp_form() {
        assert_eq!(parse_timestamp_ms("1693290395000"), Some(1_693_290_395_000));
        assert_eq!(parse_timestamp_ms("1683530496"), Some(1_683_530_496_000));
        assert_eq!(
            parse_timestamp_ms("20230829063635"),
            Some(1_693_290_995_000)
        );
        assert_eq!(parse_timestamp_ms("19700101000000"), Some(0));
        for bad in [
            "",
            "abc",
            "169329039500",
            "20231329063635",
            "2023-08-29",
            "-1693290395",
        ] {
            assert_eq!(parse_timestamp_ms(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn compact_format_round_trips() {
        for ms in [0u64, 951_782_400_000, 1_693_290_995_000, 4_102_444_799_000] {
            assert_eq!(parse_timestamp_ms(&format_compact_utc(ms)), Some(ms));
        }
        assert_eq!(format_compact_utc(951_782_400_000), "20000229000000");
    }

    #[test]
    fn time_expire_encodes_and_decodes() {
        let now = 1_764_000_000_500;
        let f = TimeExpireFormat::EpochSeconds;
        assert_eq!(f.encode(now, 300), "1764000300");
        assert_eq!(f.decode("1764000300", now), Some(1_764_000_300_000));
        let m = TimeExpireFormat::DurationMinutes;
        assert_eq!(m.encode(now, 61), "2");
        assert_eq!(m.decode("5", now), Some(now + 300_000));
        assert_eq!(f.decode("12a", now), None);
        assert_eq!(f.decode("", now), None);
        assert_eq!(TimeExpireFormat::parse("duration-minutes"), Some(m));
    }
}
