//! Search results as the UI lists them: one flat list where an episode, a
//! highlight and a note each read as a title, a show and a snippet with its
//! matches marked.

use serde::Serialize;

use crate::annotations::{Found, HighlightHit};
use crate::search::{QueryWords, SearchHit, Snippet};
use crate::store::episodes::EpisodeId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    /// The episode's text or its annotations as a whole matched.
    Episode,
    /// A highlight's quote (or its tags) matched.
    Highlight,
    /// A highlight matched by its note.
    Note,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub kind: HitKind,
    pub episode_id: EpisodeId,
    pub highlight_id: Option<String>,
    pub title: Option<String>,
    pub show: Option<String>,
    /// Render as text, never as HTML.
    pub snippet: Snippet,
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchPage {
    /// Episodes and highlights matching, in all (see [`Found`]).
    pub total: usize,
    /// More match than `total`: a search counts up to
    /// [`crate::search::MAX_READ`] of each kind.
    pub more: bool,
    pub hits: Vec<Hit>,
    /// The words searched for when one the user typed was not in the
    /// library and was corrected; the hits are close matches.
    pub corrected: Option<String>,
}

/// `limit` hits from `offset` of episodes first (best first), then
/// highlights (best first): an episode hit is the broader answer, and the
/// UI groups by kind anyway.
pub fn page(found: Found, query: &str, offset: usize, limit: usize) -> SearchPage {
    let words = QueryWords::of(found.corrected.as_deref().unwrap_or(query));
    let episodes = found.episodes.into_iter().map(episode_hit);
    let highlights = found.highlights.into_iter().map(|hit| highlight_hit(hit, &words));
    SearchPage {
        total: found.episode_total + found.highlight_total,
        more: found.more,
        hits: episodes.chain(highlights).skip(offset).take(limit).collect(),
        corrected: found.corrected,
    }
}

fn episode_hit(hit: SearchHit) -> Hit {
    Hit {
        kind: HitKind::Episode,
        episode_id: hit.episode.id,
        highlight_id: None,
        title: hit.episode.title,
        show: hit.episode.show,
        snippet: hit.snippet,
    }
}

/// A highlight found by its note shows the note; otherwise its quote.
/// Either shows only the passage around its first match: a note may be
/// a megabyte long.
fn highlight_hit(hit: HighlightHit, words: &QueryWords) -> Hit {
    let item = hit.item;
    let highlight = item.highlight;
    let quote = &highlight.selector.exact;
    let (kind, snippet) = match Snippet::first_match_in(&[quote, &highlight.note], words) {
        Some((0, in_quote)) => (HitKind::Highlight, in_quote),
        Some((_, in_note)) => (HitKind::Note, in_note),
        None => (HitKind::Highlight, Snippet::opening(quote)),
    };
    Hit {
        kind,
        episode_id: highlight.episode_id,
        highlight_id: Some(highlight.id),
        title: item.episode_title,
        show: item.show,
        snippet,
    }
}
