//! Review days: a day starts at an hour the user picks (4 a.m. by default,
//! so a late-night session counts for the day it belongs to), in the user's
//! time zone. Everything takes the time as an argument, so tests play any
//! clock they like.

use serde::{Deserialize, Serialize};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// How time is cut into review days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDay {
    /// The hour (0-23, local time) a new day starts.
    pub starts_at_hour: u8,
    /// The local time zone, as minutes east of UTC.
    pub utc_offset_minutes: i32,
}

impl Default for ReviewDay {
    fn default() -> ReviewDay {
        ReviewDay { starts_at_hour: 4, utc_offset_minutes: 0 }
    }
}

impl ReviewDay {
    fn shift_ms(self) -> i64 {
        i64::from(self.utc_offset_minutes) * 60_000 - i64::from(self.starts_at_hour.min(23)) * 3_600_000
    }

    /// The number of the review day that `at_ms` (Unix milliseconds) falls in.
    pub fn day_of(self, at_ms: i64) -> i64 {
        (at_ms.saturating_add(self.shift_ms())).div_euclid(DAY_MS)
    }

    /// When review day `day` starts (Unix milliseconds).
    pub fn start_of(self, day: i64) -> i64 {
        day.saturating_mul(DAY_MS).saturating_sub(self.shift_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_its_hour_in_its_time_zone() {
        // 2026-01-02 03:30 UTC, in UTC+1: 04:30 local, after a 4 a.m. start.
        let at = 1_767_324_600_000;
        let paris = ReviewDay { starts_at_hour: 4, utc_offset_minutes: 60 };
        let utc = ReviewDay::default();
        assert_eq!(paris.day_of(at), utc.day_of(at) + 1);
        assert_eq!(paris.day_of(paris.start_of(paris.day_of(at))), paris.day_of(at));
        assert_eq!(paris.day_of(paris.start_of(paris.day_of(at)) - 1), paris.day_of(at) - 1);
    }
}
