//! When to ask the proxy again: the polling policy as a pure function of time and
//! conditions. Times are milliseconds on the register's clock.
//!
//! | situation | next poll after the last answer |
//! |---|---|
//! | first poll of a wait | 2–3 s |
//! | first minute | 3–5 s (the usual advice) |
//! | after a minute | 8–12 s |
//! | after ten minutes | 20–30 s |
//! | push stream live | at least 15–20 s (a backstop) |
//! | tab hidden | three times the above |
//! | QR just expired | at expiry + 0.5 s, then 2–3 s until the proxy says final |
//! | offline, or a request in flight | paused (an `online` event or the answer resumes) |
//!
//! Every interval has jitter so that registers do not poll in step.

/// Where a wait stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollState {
    /// When the wait began.
    pub started_at: u64,
    /// When the last answer about this payment arrived (poll, start, or none yet).
    pub last_answer_at: Option<u64>,
    /// Polls made by this wait so far.
    pub polls: u32,
    /// Whether a request is in flight (never two at once).
    pub in_flight: bool,
}

/// What the register knows about its surroundings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conditions {
    /// The page is visible.
    pub visible: bool,
    /// The browser says it is online.
    pub online: bool,
    /// The push stream is open.
    pub push_live: bool,
    /// When the QR expires, on the register's clock (skew corrected); `None` if unknown.
    pub expires_at: Option<u64>,
}

impl Default for Conditions {
    fn default() -> Self {
        Conditions {
            visible: true,
            online: true,
            push_live: false,
            expires_at: None,
        }
    }
}

/// The policy's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PollDecision {
    /// Poll now.
    Now,
    /// Poll at this time (register clock, ms).
    At(u64),
    /// Do not poll until something changes (back online, the answer in flight arrives).
    Paused,
}

/// Grace after the QR's expiry before confirming the final state with the proxy.
pub const EXPIRY_GRACE_MS: u64 = 500;

/// A value in `base..base+spread` picked by `jitter` (0..=1000, per mille).
fn band(base: u64, spread: u64, jitter: u16) -> u64 {
    base + spread * u64::from(jitter.min(1000)) / 1000
}

/// The interval after the last answer, before visibility and push adjustments.
fn base_interval(age: u64, polls: u32, jitter: u16) -> u64 {
    if polls == 0 {
        band(2_000, 1_000, jitter)
    } else if age < 60_000 {
        band(3_000, 2_000, jitter)
    } else if age < 600_000 {
        band(8_000, 4_000, jitter)
    } else {
        band(20_000, 10_000, jitter)
    }
}

/// When to poll next. `jitter` is a random number in 0..=1000.
pub fn next_poll(now: u64, state: &PollState, cond: &Conditions, jitter: u16) -> PollDecision {
    if state.in_flight || !cond.online {
        return PollDecision::Paused;
    }
    let Some(last) = state.last_answer_at else {
        return PollDecision::Now;
    };
    let age = now.saturating_sub(state.started_at);
    let mut interval = base_interval(age, state.polls, jitter);
    if cond.push_live {
        interval = interval.max(band(15_000, 5_000, jitter));
    }
    if !cond.visible {
        interval *= 3;
    }
    let mut at = last + interval;
    if let Some(expires_at) = cond.expires_at {
        let confirm_at = expires_at + EXPIRY_GRACE_MS;
        if last < confirm_at {
            // The first answer after expiry must come from the proxy, soon after it.
            at = at.min(confirm_at);
        } else {
            // Expired and still open: confirm quickly instead of guessing.
            at = at.min(last + band(2_000, 1_000, jitter));
        }
    }
    if at <= now {
        PollDecision::Now
    } else {
        PollDecision::At(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(started_at: u64, last: u64, polls: u32) -> PollState {
        PollState {
            started_at,
            last_answer_at: Some(last),
            polls,
            in_flight: false,
        }
    }

    fn delay(now: u64, s: &PollState, c: &Conditions, jitter: u16) -> u64 {
        match next_poll(now, s, c, jitter) {
            PollDecision::At(at) => at - now,
            other => panic!("expected a delay, got {other:?}"),
        }
    }

    const C: Conditions = Conditions {
        visible: true,
        online: true,
        push_live: false,
        expires_at: None,
    };

    #[test]
    fn first_poll_comes_after_two_to_three_seconds() {
        let s = state(1_000, 1_000, 0);
        assert_eq!(delay(1_000, &s, &C, 0), 2_000);
        assert_eq!(delay(1_000, &s, &C, 1000), 3_000);
        for j in [0, 250, 500, 999, 1000, 60_000] {
            let d = delay(1_000, &s, &C, j);
            assert!((2_000..=3_000).contains(&d), "{j}: {d}");
        }
    }

    #[test]
    fn first_minute_polls_every_three_to_five_seconds_with_jitter() {
        let s = state(0, 10_000, 2);
        let ds: Vec<u64> = [0, 333, 666, 1000]
            .map(|j| delay(10_000, &s, &C, j))
            .to_vec();
        assert_eq!(ds, [3_000, 3_666, 4_332, 5_000]);
    }

    #[test]
    fn slower_after_a_minute_and_after_ten() {
        let d = delay(61_000, &state(0, 61_000, 12), &C, 500);
        assert_eq!(d, 10_000);
        let d = delay(700_000, &state(0, 700_000, 60), &C, 500);
        assert_eq!(d, 25_000);
    }

    #[test]
    fn a_past_due_poll_is_now_and_a_wait_with_no_answer_polls_at_once() {
        assert_eq!(
            next_poll(20_000, &state(0, 10_000, 3), &C, 0),
            PollDecision::Now
        );
        let fresh = PollState {
            started_at: 5,
            last_answer_at: None,
            polls: 0,
            in_flight: false,
        };
        assert_eq!(next_poll(5, &fresh, &C, 0), PollDecision::Now);
    }

    #[test]
    fn never_two_requests_in_flight_and_paused_offline() {
        let mut s = state(0, 0, 5);
        s.in_flight = true;
        assert_eq!(next_poll(1_000_000, &s, &C, 0), PollDecision::Paused);
        let offline = Conditions { online: false, ..C };
        assert_eq!(
            next_poll(1_000_000, &state(0, 0, 5), &offline, 0),
            PollDecision::Paused
        );
        // Back online with an old answer: poll at once.
        assert_eq!(
            next_poll(1_000_000, &state(0, 0, 5), &C, 0),
            PollDecision::Now
        );
    }

    #[test]
    fn slower_while_hidden() {
        let hidden = Conditions {
            visible: false,
            ..C
        };
        let s = state(0, 10_000, 2);
        assert_eq!(delay(10_000, &s, &hidden, 0), 9_000);
        assert_eq!(delay(10_000, &s, &hidden, 1000), 15_000);
    }

    #[test]
    fn push_makes_polling_a_slow_backstop() {
        let push = Conditions {
            push_live: true,
            ..C
        };
        let s = state(0, 10_000, 2);
        assert_eq!(delay(10_000, &s, &push, 0), 15_000);
        assert_eq!(delay(10_000, &s, &push, 1000), 20_000);
        let late = state(0, 700_000, 60);
        assert_eq!(delay(700_000, &late, &push, 1000), 30_000);
    }

    #[test]
    fn expiry_is_confirmed_with_the_proxy_right_after_it() {
        let c = Conditions {
            push_live: true,
            expires_at: Some(12_000),
            ..C
        };
        // Last answer before expiry: poll at expiry + grace, not 15 s later.
        let s = state(0, 10_000, 2);
        assert_eq!(
            next_poll(10_000, &s, &c, 0),
            PollDecision::At(12_000 + EXPIRY_GRACE_MS)
        );
        // Already answered after expiry but still open: confirm every 2-3 s.
        let s = state(0, 13_000, 3);
        assert_eq!(next_poll(13_000, &s, &c, 0), PollDecision::At(15_000));
        // Hidden does not delay the confirmation beyond the band.
        let hidden = Conditions {
            visible: false,
            ..c
        };
        assert_eq!(
            next_poll(13_000, &s, &hidden, 1000),
            PollDecision::At(16_000)
        );
    }

    #[test]
    fn intervals_stay_in_their_band_for_every_jitter() {
        for polls in 1..5 {
            for j in 0..=1000u16 {
                let d = delay(30_000, &state(0, 30_000, polls), &C, j);
                assert!((3_000..=5_000).contains(&d));
            }
        }
    }
}
