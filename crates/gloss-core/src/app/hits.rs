//! Search results as the UI lists them: one flat list where an episode, a
//! highlight and a note each read as a title, a show and a snippet with its
//! matches marked.

use serde::Serialize;

use crate::annotations::{Found, HighlightHit};
use crate::search::{SearchHit, Snippet};
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

/// Episodes first (best first), then highlights (best first): an episode
/// hit is the broader answer, and the UI groups by kind anyway.
pub fn flatten(found: Found, query: &str) -> Vec<Hit> {
    let words = query_words(query);
    let episodes = found.episodes.into_iter().map(episode_hit);
    let highlights = found.highlights.into_iter().map(|hit| highlight_hit(hit, &words));
    episodes.chain(highlights).collect()
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
fn highlight_hit(hit: HighlightHit, words: &[Vec<char>]) -> Hit {
    let item = hit.item;
    let highlight = item.highlight;
    let in_quote = mark_words(&highlight.selector.exact, words);
    let in_note = mark_words(&highlight.note, words);
    let (kind, text, matches) = if in_quote.is_empty() && !in_note.is_empty() {
        (HitKind::Note, highlight.note, in_note)
    } else {
        (HitKind::Highlight, highlight.selector.exact, in_quote)
    };
    Hit {
        kind,
        episode_id: highlight.episode_id,
        highlight_id: Some(highlight.id),
        title: item.episode_title,
        show: item.show,
        snippet: Snippet { text, matches },
    }
}

/// The words of a query, lowercased, without FTS operators or punctuation.
fn query_words(query: &str) -> Vec<Vec<char>> {
    query
        .split_whitespace()
        .filter(|w| !matches!(*w, "AND" | "OR" | "NOT" | "NEAR"))
        .map(|w| w.rsplit(':').next().unwrap_or(w))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().flat_map(char::to_lowercase).collect())
        .collect()
}

/// Code point ranges of `text` where a word starts with one of `words`
/// (any case), in order: the same prefix matching the index does.
fn mark_words(text: &str, words: &[Vec<char>]) -> Vec<[usize; 2]> {
    let chars: Vec<char> = text.chars().collect();
    let mut matches = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let starts_word = chars[at].is_alphanumeric() && (at == 0 || !chars[at - 1].is_alphanumeric());
        let found = starts_word.then(|| words.iter().filter_map(|word| prefix_len(&chars[at..], word)).max()).flatten();
        match found {
            Some(len) => {
                matches.push([at, at + len]);
                at += len;
            }
            None => at += 1,
        }
    }
    matches
}

/// How many code points of `text` match `word` as a prefix, ignoring case.
fn prefix_len(text: &[char], word: &[char]) -> Option<usize> {
    let mut lowered = text.iter().enumerate().flat_map(|(i, c)| c.to_lowercase().map(move |l| (i, l)));
    let mut end = 0;
    for expected in word {
        let (i, got) = lowered.next()?;
        if got != *expected {
            return None;
        }
        end = i + 1;
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_word_prefixes_in_any_case_in_code_points() {
        let words = query_words("open* \"Source\" NOT title:ai");
        assert_eq!(mark_words("🎧 Open-source AI, opens", &words), vec![[2, 6], [7, 13], [14, 16], [18, 22]]);
        assert!(mark_words("reopen", &words).is_empty());
    }

    #[test]
    fn nothing_to_mark_without_words() {
        assert!(mark_words("anything", &query_words("\" - :")).is_empty());
    }
}
