//! The Gloss JSON backup: everything the user added, versioned, in the
//! store's own units (Unix milliseconds, code point offsets), so that
//! importing it into another data folder loses nothing. docs/format.md
//! ("Export formats") describes the file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::annotations::{Anchor, Color, HighlightId};
use crate::store::episodes::EpisodeId;
use gloss_anchor::Selector;

/// The `format` field of a backup: what tells it apart from other JSON.
pub const FORMAT: &str = "gloss-backup";

/// The backup layout this Gloss writes and the newest it reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backup {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written; a newer one is refused on import.
    pub version: u32,
    /// RFC 3339, for the person looking at the file.
    pub exported_at: String,
    /// The canonical-text definition the selectors' offsets count in.
    pub canonical_text_version: u32,
    /// Episodes with anything the user added, by path.
    pub episodes: Vec<EpisodeEntry>,
    /// Every highlight, trashed ones too, by episode and place.
    pub highlights: Vec<HighlightEntry>,
    /// Every tag, live and trashed, by name.
    pub tags: Vec<TagEntry>,
    /// The user's preferences (`ui_*` settings: color names, theme, text
    /// size, review settings). Device settings such as the library folder
    /// are not backed up.
    pub settings: BTreeMap<String, String>,
    /// Retrieval practice: the review log and the cards' choices. Absent
    /// from backups written before review existed.
    #[serde(default)]
    pub review: ReviewEntry,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewEntry {
    /// Every rating, undone ones too (the log is never cut).
    pub events: Vec<ReviewEventEntry>,
    /// Cards the user added, left out, suspended or buried.
    pub cards: Vec<CardEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewEventEntry {
    pub id: String,
    /// A card id (docs/api.md: `highlight/ID`, `insight/EPISODE/BLOCK`, ...).
    pub card: String,
    /// 1 Again, 2 Hard, 3 Good, 4 Easy.
    pub rating: u8,
    /// Unix milliseconds.
    pub at: i64,
    pub undone: bool,
    /// The sync id of the device that rated; absent for the exporting one.
    #[serde(default)]
    pub device: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardEntry {
    pub card: String,
    /// In review against the default rule (`null`: the rule decides).
    pub included: Option<bool>,
    pub suspended: bool,
    /// Buried until then (Unix milliseconds); absent when not buried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buried_until: Option<u64>,
}

/// How an entry names its episode: by fingerprint (the same on every
/// device) and by id (this library's), with what a person recognises it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeRef {
    pub id: EpisodeId,
    pub fingerprint: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub show: Option<String>,
}

impl EpisodeRef {
    /// How messages name the episode.
    pub fn describe(&self) -> String {
        let name = self.title.as_deref().map_or_else(|| format!("episode {}", self.id), |t| format!("{t:?}"));
        match &self.fingerprint {
            Some(fingerprint) => format!("{name} (fingerprint {fingerprint})"),
            None => name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpisodeEntry {
    #[serde(flatten)]
    pub episode: EpisodeRef,
    /// The source file, relative to the library folder, for people.
    #[serde(default)]
    pub source_path: Option<String>,
    /// BLAKE3 of the canonical text the anchors were computed on (as
    /// `content_hash` in docs/format.md): when the importing library has the
    /// same text, anchors are kept as they are; otherwise re-anchored.
    #[serde(default)]
    pub text_hash: Option<String>,
    /// The episode note, and notes on insights or blocks by block key.
    #[serde(default)]
    pub notes: Vec<NoteEntry>,
    #[serde(default)]
    pub stars: Vec<StarEntry>,
    /// The episode's own (live) tags.
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub reading: Option<ReadingEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteEntry {
    /// `""` for the episode note, else an insight or block key (`s2.i1`).
    pub block_key: String,
    /// Markdown; empty for a note the user cleared.
    pub text: String,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarEntry {
    pub block_key: String,
    /// `false` for a star the user took back (kept for merging).
    pub starred: bool,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingEntry {
    pub read: bool,
    pub position: Option<usize>,
    pub visited_at: i64,
    pub updated_at: i64,
}

/// A highlight as stored, with its episode named by fingerprint too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HighlightEntry {
    pub id: HighlightId,
    pub episode: EpisodeRef,
    pub selector: Selector,
    pub color: Color,
    #[serde(default)]
    pub note: String,
    /// Live tag names.
    #[serde(default)]
    pub tags: Vec<String>,
    pub anchor: Anchor,
    pub created_at: i64,
    pub updated_at: i64,
    /// When it went to the trash; absent while live.
    #[serde(default)]
    pub deleted_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagEntry {
    pub name: String,
    pub created_at: i64,
    /// When the tag went to the trash; absent while live.
    #[serde(default)]
    pub deleted_at: Option<i64>,
    /// For a trashed tag only: the highlights and episodes it was on, which
    /// get it back if it is restored. A live tag's are in `highlights` and
    /// `episodes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trashed_on_highlights: Vec<HighlightId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trashed_on_episodes: Vec<EpisodeRef>,
}

impl Backup {
    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string_pretty(self)
    }
}
