//! What one episode's file is made from, as the templates see it: plain
//! values (the episode, its highlights, notes and stars), no markup yet.
//! docs/format.md lists every field a template may use.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use crate::export::backup::{EpisodeEntry, HighlightEntry};
use gloss_anchor::AnchorStatus;
use gloss_parse::model::Episode;

/// Everything one file is made from.
pub struct Page<'a> {
    pub entry: &'a EpisodeEntry,
    pub episode: Option<&'a Episode>,
    /// The episode's live highlights, in reading order.
    pub highlights: Vec<&'a HighlightEntry>,
    /// The user's names for colors (`yellow` → `Key idea`).
    pub color_names: &'a BTreeMap<String, String>,
    /// Review states of rated highlights, by highlight id.
    pub review: &'a HashMap<String, ReviewLine>,
}

/// A highlight's review state, as its file shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewLine {
    /// When it is next due (a UTC date).
    pub due: String,
    pub reviews: u32,
}

/// The episode, for the file and front matter templates.
#[derive(Serialize)]
pub struct EpisodeContext<'a> {
    pub id: i64,
    pub fingerprint: Option<&'a str>,
    pub title: String,
    pub show: Option<&'a str>,
    pub hosts: &'a [String],
    /// `Show w/ Host, Host`, or what of it is known.
    pub byline: Option<String>,
    /// The episode's tags as named in Gloss (`tag` filter: as Obsidian takes them).
    pub tags: &'a [String],
    /// When the first of its highlights is next due for review.
    pub review_due: Option<&'a str>,
    /// The episode note's Markdown, when there is one.
    pub note: Option<&'a str>,
    /// `gloss://episode/<id>`: opens Gloss at the episode.
    pub link: String,
}

/// One highlight, for the highlight template.
#[derive(Serialize)]
pub struct HighlightContext<'a> {
    pub id: &'a str,
    /// Obsidian's block id (`gloss-1a2b3c4d`), the same on every export.
    pub block_id: String,
    pub quote: &'a str,
    pub color: &'a str,
    pub color_name: Option<&'a str>,
    pub tags: &'a [String],
    /// Set when the highlight is not where its quote is (`orphaned`, ...).
    pub place: Option<String>,
    pub reason: Option<&'a str>,
    pub review: Option<&'a ReviewLine>,
    pub note: &'a str,
    /// `gloss://highlight/<id>`: opens Gloss at the highlight.
    pub link: String,
}

/// An insight note or a starred insight, for the file template.
#[derive(Serialize)]
pub struct InsightContext<'a> {
    pub key: &'a str,
    /// The insight's title (or the block's text, shortened) and its key.
    pub label: String,
    pub note: Option<&'a str>,
}

impl<'a> Page<'a> {
    /// The episode's title, as file names and headings use it.
    pub fn title(&self) -> String {
        let reference = &self.entry.episode;
        reference.title.clone().unwrap_or_else(|| {
            let path = self.entry.source_path.as_deref().unwrap_or("");
            let name = path.rsplit('/').next().unwrap_or(path);
            let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
            if stem.is_empty() {
                format!("Episode {}", reference.id)
            } else {
                stem.to_owned()
            }
        })
    }

    pub fn episode(&self) -> EpisodeContext<'a> {
        let reference = &self.entry.episode;
        let hosts = self.episode.map(|e| e.hosts.as_slice()).unwrap_or_default();
        let byline = match (reference.show.as_deref(), hosts) {
            (Some(show), []) => Some(show.to_owned()),
            (Some(show), hosts) => Some(format!("{show} w/ {}", hosts.join(", "))),
            (None, []) => None,
            (None, hosts) => Some(hosts.join(", ")),
        };
        EpisodeContext {
            id: reference.id,
            fingerprint: reference.fingerprint.as_deref(),
            title: self.title(),
            show: reference.show.as_deref(),
            hosts,
            byline,
            tags: &self.entry.tags,
            review_due: self.highlights.iter().filter_map(|h| self.review.get(&h.id)).map(|r| r.due.as_str()).min(),
            note: self
                .entry
                .notes
                .iter()
                .find(|n| n.block_key.is_empty() && !n.text.trim().is_empty())
                .map(|n| n.text.as_str()),
            link: format!("gloss://episode/{}", reference.id),
        }
    }

    pub fn highlights(&self) -> Vec<HighlightContext<'a>> {
        let review = self.review;
        let color_names = self.color_names;
        self.highlights
            .iter()
            .zip(block_ids(&self.highlights))
            .map(|(highlight, block_id)| {
                let place = match highlight.anchor.status {
                    AnchorStatus::Anchored | AnchorStatus::Moved => None,
                    status => Some(
                        serde_json::to_value(status)
                            .ok()
                            .and_then(|s| s.as_str().map(str::to_owned))
                            .unwrap_or_else(|| "unplaced".into()),
                    ),
                };
                HighlightContext {
                    id: &highlight.id,
                    block_id,
                    quote: &highlight.selector.exact,
                    color: highlight.color.as_str(),
                    color_name: color_names.get(highlight.color.as_str()).map(|n| n.trim()).filter(|n| !n.is_empty()),
                    tags: &highlight.tags,
                    reason: place.as_ref().and(highlight.anchor.reason.as_deref()),
                    place,
                    review: review.get(&highlight.id),
                    note: &highlight.note,
                    link: format!("gloss://highlight/{}", highlight.id),
                }
            })
            .collect()
    }

    pub fn insight_notes(&self) -> Vec<InsightContext<'a>> {
        self.entry
            .notes
            .iter()
            .filter(|n| !n.block_key.is_empty() && !n.text.trim().is_empty())
            .map(|n| InsightContext { key: &n.block_key, label: self.block_label(&n.block_key), note: Some(&n.text) })
            .collect()
    }

    pub fn starred(&self) -> Vec<InsightContext<'a>> {
        self.entry
            .stars
            .iter()
            .filter(|s| s.starred)
            .map(|s| InsightContext { key: &s.block_key, label: self.block_label(&s.block_key), note: None })
            .collect()
    }

    /// What a block key names, for people: the insight's title for
    /// `s2.i1` or `s2.i1.body`, else the block's own text, shortened.
    fn block_label(&self, key: &str) -> String {
        let blocks = self.episode.map(|e| e.blocks()).unwrap_or_default();
        let mut parts = key.split('.');
        let insight = match (parts.next(), parts.next()) {
            (Some(s), Some(i)) if s.starts_with('s') && i.starts_with('i') => Some(format!("{s}.{i}.title")),
            _ => None,
        };
        let block = insight
            .and_then(|title_key| blocks.iter().find(|b| b.key == title_key))
            .or_else(|| blocks.iter().find(|b| b.key == key || b.key.starts_with(&format!("{key}."))));
        match block {
            Some(block) => {
                let text: String = block.text.chars().take(80).collect();
                let more = if block.text.chars().count() > 80 { "…" } else { "" };
                format!("{text}{more} ({key})")
            }
            None => format!("Block {key}"),
        }
    }
}

/// Obsidian block ids for the highlights: `gloss-` and the first 8 hex
/// digits of the id, longer where two would clash. The same highlight gets
/// the same id on every export.
fn block_ids(highlights: &[&HighlightEntry]) -> Vec<String> {
    let hex = |id: &str| id.chars().filter(char::is_ascii_hexdigit).collect::<String>().to_lowercase();
    let mut len = 8;
    loop {
        let ids: Vec<String> = highlights.iter().map(|h| hex(&h.id).chars().take(len).collect()).collect();
        let distinct: HashSet<&String> = ids.iter().collect();
        if distinct.len() == ids.len() || len >= 32 {
            return ids.into_iter().map(|id| format!("gloss-{id}")).collect();
        }
        len += 4;
    }
}
