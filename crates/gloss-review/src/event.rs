//! The review log: one event per rating, never edited. Undoing a rating
//! marks its event undone; replaying leaves undone events out.

use serde::{Deserialize, Serialize};

use crate::card::CardId;

/// How well the answer came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Again,
    Hard,
    Good,
    Easy,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::Again, Rating::Hard, Rating::Good, Rating::Easy];

    /// The key that gives the rating in the review view (1 to 4).
    pub fn number(self) -> u8 {
        match self {
            Rating::Again => 1,
            Rating::Hard => 2,
            Rating::Good => 3,
            Rating::Easy => 4,
        }
    }

    pub fn from_number(number: u8) -> Option<Rating> {
        Rating::ALL.get(usize::from(number).checked_sub(1)?).copied()
    }

    pub(crate) fn fsrs(self) -> rs_fsrs::Rating {
        match self {
            Rating::Again => rs_fsrs::Rating::Again,
            Rating::Hard => rs_fsrs::Rating::Hard,
            Rating::Good => rs_fsrs::Rating::Good,
            Rating::Easy => rs_fsrs::Rating::Easy,
        }
    }
}

/// One rating of one card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewEvent {
    /// Unique everywhere: made by the device that rated (a uuid).
    pub id: String,
    pub card: CardId,
    pub rating: Rating,
    /// When it was rated (Unix milliseconds).
    pub at_ms: i64,
    /// Set when the rating was undone: kept in the log, left out of replays.
    pub undone: bool,
}

/// The order events are replayed in: by time, then by id, so every device
/// replays the same events the same way whatever order they arrived in.
pub fn clock_order(events: &mut [&ReviewEvent]) {
    events.sort_by(|a, b| (a.at_ms, &a.id).cmp(&(b.at_ms, &b.id)));
}
