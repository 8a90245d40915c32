//! Hybrid logical clock: wall-clock milliseconds plus a counter.
//!
//! A stamp is close to the wall time when it was made, yet every device that
//! has seen a stamp makes later ones greater than it, so "edited after
//! seeing" always sorts after "what was seen" even between clocks that
//! disagree. Small enough to own: `uhlc` refuses far-future stamps outright,
//! while Gloss must store them (dropping one would lose an edit).
//!
//! # Skew
//!
//! An op stamped more than [`MAX_AHEAD_MS`] ahead of this device's wall
//! clock is held back by the replica (kept, not merged) until the wall clock
//! comes within that distance, so one device whose clock says 2099, or a
//! forged stamp, can neither drag every other clock there nor win a
//! register forever; every device holds it back the same way, so all still
//! converge. Local edits are stamped after whatever they overwrite
//! ([`Clock::stamp`]'s `after`), so an edit made after seeing a value from
//! a clock somewhat ahead still wins over it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How far ahead of the local wall clock another device's stamp may pull
/// this clock: one day. Time-zone and daylight-saving mistakes put clocks up
/// to 14 hours off, and those should behave like an ordinary clock; a clock
/// off by a year (a dead battery, a bad NTP server) should not.
pub const MAX_AHEAD_MS: u64 = 24 * 60 * 60 * 1000;

/// A hybrid logical clock stamp. Orders by wall time, then counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch.
    pub ms: u64,
    /// Orders stamps made within the same millisecond.
    pub n: u32,
}

impl Hlc {
    pub const fn new(ms: u64, n: u32) -> Hlc {
        Hlc { ms, n }
    }

    /// The smallest stamp greater than this one.
    pub fn successor(self) -> Hlc {
        match self.n.checked_add(1) {
            Some(n) => Hlc { ms: self.ms, n },
            None => Hlc { ms: self.ms.saturating_add(1), n: 0 },
        }
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.ms, self.n)
    }
}

/// One device's clock. Hand it the wall time on every call, so tests and the
/// property test can play any clock they like.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    last: Hlc,
}

impl Clock {
    /// A clock that has given out nothing yet.
    pub fn new() -> Clock {
        Clock::default()
    }

    /// The greatest stamp this clock made or accepted.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A stamp for a local change made at wall time `wall_ms`: greater than
    /// every stamp this clock made or accepted, and greater than `after` (the
    /// stamp of the value being overwritten), however far ahead that is.
    pub fn stamp(&mut self, wall_ms: u64, after: Option<Hlc>) -> Hlc {
        let base = self.last.max(after.unwrap_or_default());
        let stamp = if wall_ms > base.ms { Hlc::new(wall_ms, 0) } else { base.successor() };
        let limit = Hlc::new(wall_ms.saturating_add(MAX_AHEAD_MS), 0);
        self.last = self.last.max(stamp.min(limit));
        stamp
    }

    /// Takes note of a stamp merged from the folder (one within
    /// [`MAX_AHEAD_MS`] of the wall clock: the replica holds back the rest).
    pub fn observe(&mut self, remote: Hlc) {
        self.last = self.last.max(remote);
    }
}

/// The wall clock, in milliseconds since the Unix epoch.
pub fn wall_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 60 * 60 * 1000;

    #[test]
    fn stamps_follow_the_wall_clock_and_never_repeat() {
        let mut clock = Clock::new();
        assert_eq!(clock.stamp(1000, None), Hlc::new(1000, 0));
        assert_eq!(clock.stamp(1000, None), Hlc::new(1000, 1));
        // The wall clock stepped back: keep counting from the last stamp.
        assert_eq!(clock.stamp(900, None), Hlc::new(1000, 2));
        assert_eq!(clock.stamp(2000, None), Hlc::new(2000, 0));
    }

    #[test]
    fn counter_overflow_carries_into_the_milliseconds() {
        assert_eq!(Hlc::new(5, u32::MAX).successor(), Hlc::new(6, 0));
    }

    #[test]
    fn a_clock_that_has_seen_a_stamp_stamps_after_it() {
        let mut behind = Clock::new();
        behind.observe(Hlc::new(10 * HOUR, 3));
        assert_eq!(behind.stamp(7 * HOUR, None), Hlc::new(10 * HOUR, 4));
    }

    #[test]
    fn an_edit_of_a_far_future_value_wins_without_dragging_the_clock() {
        let mut clock = Clock::new();
        let future = Hlc::new(1000 * HOUR, 7);
        let stamp = clock.stamp(HOUR, Some(future));
        assert!(stamp > future);
        assert_eq!(clock.last(), Hlc::new(HOUR + MAX_AHEAD_MS, 0));
        // Edits of other things go back to ordinary stamps.
        assert!(clock.stamp(HOUR, None) < future);
    }
}
