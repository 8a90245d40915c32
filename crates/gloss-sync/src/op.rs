//! Operations: one user change, stamped, as written to a device's log.
//!
//! Each op names its device and its number in that device's log (together
//! its [`OpId`], unique across all devices), its [`Hlc`] stamp, and the
//! [`Change`]. Episodes are named by their fingerprint (gloss-parse's
//! `Episode::fingerprint`), never by path or row id, so an op means the
//! same thing on every device.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::clock::Hlc;
use gloss_anchor::Selector;

/// A highlight's id: a uuid made by the device that created it.
pub type HighlightId = String;

/// An episode's fingerprint (gloss-parse's `Episode::fingerprint`).
pub type Fingerprint = String;

/// A device: 16 lowercase hex digits, random, made once per data folder.
/// It names the device's folder in the sync folder, so only that shape is
/// accepted when reading.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceId(String);

pub const DEVICE_ID_LEN: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a Gloss device id (expected {DEVICE_ID_LEN} lowercase hex digits)")]
pub struct InvalidDeviceId(String);

impl DeviceId {
    pub fn generate() -> DeviceId {
        let hex = uuid::Uuid::new_v4().simple().to_string();
        DeviceId(hex[..DEVICE_ID_LEN].to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DeviceId {
    type Error = InvalidDeviceId;

    fn try_from(text: String) -> Result<DeviceId, InvalidDeviceId> {
        let valid =
            text.len() == DEVICE_ID_LEN && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if valid {
            Ok(DeviceId(text))
        } else {
            Err(InvalidDeviceId(text))
        }
    }
}

impl std::str::FromStr for DeviceId {
    type Err = InvalidDeviceId;

    fn from_str(text: &str) -> Result<DeviceId, InvalidDeviceId> {
        DeviceId::try_from(text.to_owned())
    }
}

impl From<DeviceId> for String {
    fn from(device: DeviceId) -> String {
        device.0
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The largest number a record may carry (op numbers, clock milliseconds,
/// positions): 2^53, the largest integer JavaScript and SQLite's integers
/// both hold exactly. A device making a change every millisecond would need
/// 285,000 years to reach it, so only a forged or mangled record goes past.
pub const MAX_NUMBER: u64 = 1 << 53;

/// Names one op everywhere: its device and its number in that device's log.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpId {
    pub device: DeviceId,
    pub seq: u64,
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.device, self.seq)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Op {
    pub device: DeviceId,
    /// Numbers the device's ops 1, 2, 3, ... in the order it made them.
    pub seq: u64,
    pub stamp: Hlc,
    pub change: Change,
}

impl Op {
    pub fn id(&self) -> OpId {
        OpId { device: self.device.clone(), seq: self.seq }
    }

    /// Checks the numbers a record carries, so nothing read from the folder
    /// can overflow a counter, collide in a table or freeze a register:
    /// every op number in 1..=[`MAX_NUMBER`], every clock and position at
    /// most [`MAX_NUMBER`].
    pub fn check(&self) -> Result<(), String> {
        let within = |what: &str, n: u64| {
            if n <= MAX_NUMBER {
                Ok(())
            } else {
                Err(format!("{what} {n} is larger than any Gloss writes ({MAX_NUMBER})"))
            }
        };
        if self.seq == 0 {
            return Err("op number 0 (numbers start at 1)".into());
        }
        within("op number", self.seq)?;
        within("clock value", self.stamp.ms)?;
        let selector = match &self.change {
            Change::CreateHighlight { anchor, .. } | Change::Reattach { anchor, .. } => Some(&anchor.selector),
            _ => None,
        };
        if let Some(selector) = selector {
            within("highlight position", selector.end as u64)?;
            if selector.start > selector.end {
                return Err(format!("highlight starts after it ends ({} > {})", selector.start, selector.end));
            }
        }
        match &self.change {
            Change::SetPosition { position, .. } => within("reading position", *position)?,
            Change::Review { rating, at, .. } => {
                within("rating time", *at)?;
                if !(1..=4).contains(rating) {
                    return Err(format!("rating {rating} (ratings are 1 to 4)"));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A digest of what the op says, to tell two different ops that claim
    /// one id (a copied data folder writing under its original's id) from
    /// one op read twice. A note's `replaces` is left out: compaction hands
    /// it on from dropped versions, so it legitimately grows.
    pub fn digest(&self) -> u32 {
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&self.stamp.ms.to_le_bytes());
        hasher.update(&self.stamp.n.to_le_bytes());
        let json = match &self.change {
            Change::SetNote { on, text, .. } => {
                serde_json::to_vec(&Change::SetNote { on: on.clone(), text: text.clone(), replaces: Vec::new() })
            }
            change => serde_json::to_vec(change),
        };
        hasher.update(&json.unwrap_or_default());
        hasher.finalize()
    }
}

/// Where a note is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteOn {
    Highlight(HighlightId),
    Episode(Fingerprint),
    /// A note on a whole insight; `insight` is its block key prefix (`s2.i1`).
    Insight {
        episode: Fingerprint,
        insight: String,
    },
}

/// What a tag is on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tagged {
    Highlight(HighlightId),
    Episode(Fingerprint),
}

/// Where a highlight is: its episode, and its selector (quote, context and
/// position; it may span blocks) on the text it was made or placed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub episode: Fingerprint,
    pub selector: Selector,
}

/// One change a user made. Every variant names its target itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A new highlight with everything it starts with. An empty `note` is no note.
    CreateHighlight {
        highlight: HighlightId,
        anchor: Anchor,
        color: String,
        note: String,
        tags: Vec<String>,
    },
    /// The user re-attached a highlight (an orphan, or a fuzzy match confirmed elsewhere).
    Reattach {
        highlight: HighlightId,
        anchor: Anchor,
    },
    SetColor {
        highlight: HighlightId,
        color: String,
    },
    /// A note's new text; empty removes the note. `replaces` lists the
    /// versions the writer saw and meant to replace (see [`State::edit_note`]);
    /// a version nobody replaced stays visible as an earlier version.
    ///
    /// [`State::edit_note`]: super::State::edit_note
    SetNote {
        on: NoteOn,
        text: String,
        replaces: Vec<OpId>,
    },
    /// Adds (`tagged: true`) or removes a tag on a highlight or an episode.
    SetTag {
        on: Tagged,
        tag: String,
        tagged: bool,
    },
    /// Moves a highlight to the trash (a tombstone; undone by `Restore`).
    Delete {
        highlight: HighlightId,
    },
    Restore {
        highlight: HighlightId,
    },
    /// Empties a trashed highlight for good: nothing about it is kept.
    Purge {
        highlight: HighlightId,
    },
    SetStar {
        episode: Fingerprint,
        insight: String,
        starred: bool,
    },
    SetRead {
        episode: Fingerprint,
        read: bool,
    },
    /// Where the user was in the episode: a code point offset into its canonical text.
    SetPosition {
        episode: Fingerprint,
        position: u64,
    },
    /// A setting that follows the user (colour names, ...); `null` unsets it.
    SetSetting {
        key: String,
        value: serde_json::Value,
    },
    /// One rating in the review log (gloss-review): an event of its own,
    /// never overwritten, so ratings made on two devices both count.
    /// `event` is its uuid, `card` a gloss-review card id, `rating` 1 to 4,
    /// `at` when it was rated (Unix milliseconds).
    Review {
        event: String,
        card: String,
        rating: u8,
        at: u64,
    },
    /// Marks a rating undone: it stays in the log, out of every replay.
    UndoReview {
        event: String,
    },
    /// Whether a card is in review against the default rule (`null`: the
    /// rule decides), whether it is suspended, and until when it is buried
    /// (Unix milliseconds; absent in records written before burying).
    SetCard {
        card: String,
        included: Option<bool>,
        suspended: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        buried_until: Option<u64>,
    },
}

/// A tag's identity: tags are unique regardless of case.
pub fn fold_tag(tag: &str) -> String {
    tag.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_ids_are_checked_when_read() {
        let device = DeviceId::generate();
        let json = serde_json::to_string(&device).unwrap();
        assert_eq!(serde_json::from_str::<DeviceId>(&json).unwrap(), device);
        for bad in ["\"../../etc\"", "\"ABCDEF0123456789\"", "\"0123\""] {
            assert!(serde_json::from_str::<DeviceId>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ops_read_back_as_written() {
        let op = Op {
            device: DeviceId::generate(),
            seq: 3,
            stamp: Hlc::new(17, 2),
            change: Change::SetNote {
                on: NoteOn::Insight { episode: "fp".into(), insight: "s1.i2".into() },
                text: "why".into(),
                replaces: vec![],
            },
        };
        let json = serde_json::to_string(&op).unwrap();
        assert_eq!(serde_json::from_str::<Op>(&json).unwrap(), op);
    }
}
