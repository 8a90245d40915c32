//! The highlight as Gloss stores and shows it, and the colors it can have.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::ToSql;
use serde::{Deserialize, Serialize};

use crate::store::episodes::EpisodeId;
use gloss_anchor::{AnchorStatus, Selector};

/// A highlight's id: a lowercase hyphenated UUID, the same on every device.
pub type HighlightId = String;

/// The highlight palette. What each color means is a user setting
/// (`color_names`); the stored value is always one of these five.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Color {
    #[default]
    Yellow,
    Green,
    Blue,
    Pink,
    Purple,
}

impl Color {
    pub const ALL: [Color; 5] = [Color::Yellow, Color::Green, Color::Blue, Color::Pink, Color::Purple];

    pub fn as_str(self) -> &'static str {
        match self {
            Color::Yellow => "yellow",
            Color::Green => "green",
            Color::Blue => "blue",
            Color::Pink => "pink",
            Color::Purple => "purple",
        }
    }

    /// Reads a color name as the CLI takes it (any case).
    pub fn parse(name: &str) -> Option<Color> {
        Color::ALL.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

impl ToSql for Color {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for Color {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        Color::parse(value.as_str()?).ok_or(FromSqlError::InvalidType)
    }
}

pub(crate) fn status_str(status: AnchorStatus) -> &'static str {
    match status {
        AnchorStatus::Anchored => "anchored",
        AnchorStatus::Moved => "moved",
        AnchorStatus::Fuzzy => "fuzzy",
        AnchorStatus::Orphaned => "orphaned",
        AnchorStatus::Ambiguous => "ambiguous",
    }
}

pub(crate) fn status_from_str(status: &str) -> Option<AnchorStatus> {
    [AnchorStatus::Anchored, AnchorStatus::Moved, AnchorStatus::Fuzzy, AnchorStatus::Orphaned, AnchorStatus::Ambiguous]
        .into_iter()
        .find(|s| status_str(*s) == status)
}

/// Where a highlight sits in its episode's current text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anchor {
    pub status: AnchorStatus,
    /// Code points `[start, end)` in the current canonical text; `None` when
    /// orphaned or ambiguous (the highlight keeps its quote and stays listed).
    pub start: Option<usize>,
    pub end: Option<usize>,
    /// Why the highlight is not simply where it was made, for the user.
    pub reason: Option<String>,
    /// How well the place matched, 0 to 1, for moved, fuzzy and ambiguous.
    pub score: Option<f32>,
}

impl Anchor {
    /// Placed exactly where `selector` says.
    pub fn exact(selector: &Selector) -> Anchor {
        Anchor {
            status: AnchorStatus::Anchored,
            start: Some(selector.start),
            end: Some(selector.end),
            reason: None,
            score: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Highlight {
    pub id: HighlightId,
    pub episode_id: EpisodeId,
    /// What was highlighted, on the text it was last placed on.
    pub selector: Selector,
    pub color: Color,
    /// Markdown, stored as typed; empty when there is none.
    pub note: String,
    /// Tag names as the user wrote them, sorted case-insensitively.
    pub tags: Vec<String>,
    pub anchor: Anchor,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    /// When it went to the trash; `None` while live.
    pub deleted_at: Option<i64>,
}

/// A highlight with the episode it belongs to, as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HighlightItem {
    #[serde(flatten)]
    pub highlight: Highlight,
    pub episode_title: Option<String>,
    pub show: Option<String>,
}
