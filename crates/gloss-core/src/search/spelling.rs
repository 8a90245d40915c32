//! Search that forgives a typo: a word of the query that nothing in the
//! library starts with is replaced by the closest word the index holds,
//! one edit away (a letter added, dropped, changed, or two swapped).
//!
//! The words come from the episode index's own vocabulary (an `fts5vocab`
//! table over it, which stores nothing), so they cover the episodes' text
//! and everything written on them: quotes, notes and tags. The index
//! holds words stemmed (`caffeine` is `caffein`), so a typed word is
//! compared with the start of each indexed word, and the indexed word with
//! the typed word less an ending: `caffiene` is one swap from `caffein`.
//!
//! Only indexed words sharing the typed word's first [`SHARED_START`]
//! letters are compared: reading them is one range of the vocabulary, so a
//! correction costs well under a millisecond in a library of 10,000
//! episodes, where comparing every word would read the whole index. A typo
//! in the first two letters is therefore not corrected.

use std::borrow::Cow;

use rusqlite::{params, Connection};

use crate::store::Result;

/// Letters a correction shares with the typed word.
const SHARED_START: usize = 2;

/// Shorter words are left as typed: one edit turns them into too many others.
const MIN_LETTERS: usize = 4;

/// The most letters the stemmer takes off a word (`-ation`, `-ness`).
const MAX_ENDING: usize = 4;

/// `query` with each plain word the index holds nothing starting with
/// replaced by its closest indexed word; borrowed when nothing changed.
/// A query with FTS5 syntax (quotes, `column:`, `*`, parentheses) is the
/// user's own and is left alone.
pub fn correct<'q>(conn: &Connection, query: &'q str) -> Result<Cow<'q, str>> {
    if query.contains(['"', ':', '*', '(', ')', '^']) {
        return Ok(Cow::Borrowed(query));
    }
    let mut changed = false;
    let mut words = Vec::new();
    for word in query.split_whitespace() {
        let replacement = match is_plain(word) && !is_known(conn, word)? {
            true => closest(conn, &word.to_lowercase())?,
            false => None,
        };
        changed |= replacement.is_some();
        words.push(replacement.map_or(Cow::Borrowed(word), Cow::Owned));
    }
    Ok(if changed { Cow::Owned(words.join(" ")) } else { Cow::Borrowed(query) })
}

/// A word of letters and digits long enough to correct, not an FTS5 operator.
fn is_plain(word: &str) -> bool {
    word.chars().count() >= MIN_LETTERS
        && word.chars().all(char::is_alphanumeric)
        && !matches!(word, "AND" | "OR" | "NOT" | "NEAR")
}

/// Whether the index finds `word` as typed: it holds the word's stem
/// (`sleeping` is `sleep`), or some indexed word starts with it (the first
/// occurrence in a range of the vocabulary: cheap however common the
/// word, where `search_terms` would count its episodes first).
fn is_known(conn: &Connection, word: &str) -> Result<bool> {
    if super::holds_word(conn, word)? {
        return Ok(true);
    }
    super::prefix::starts_a_word(conn, &word.to_lowercase())
}

/// The indexed word closest to `word` (lowercase), one edit away at most;
/// among equally close ones, the one in the most episodes.
fn closest(conn: &Connection, word: &str) -> Result<Option<String>> {
    let start: String = word.chars().take(SHARED_START).collect();
    let mut stmt =
        conn.prepare_cached("SELECT term, doc FROM search_terms WHERE term >= ?1 AND term < ?1 || char(1114111)")?;
    let mut best: Option<(usize, i64, String)> = None;
    for row in stmt.query_map(params![start], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))? {
        let (term, episodes) = row?;
        let Some(distance) = distance(word, &term) else { continue };
        let better = best.as_ref().is_none_or(|(d, n, _)| (distance, -episodes) < (*d, -*n));
        if better {
            best = Some((distance, episodes, term));
        }
    }
    Ok(best.map(|(_, _, term)| term))
}

/// Edits (optimal string alignment) between the typed `word` and indexed
/// `term`, when at most one: between the word and the start of the term
/// (a word being typed), or between the word less an ending of up to
/// [`MAX_ENDING`] letters and the whole term (a stem).
fn distance(word: &str, term: &str) -> Option<usize> {
    let word: Vec<char> = word.chars().collect();
    let term: Vec<char> = term.chars().collect();
    let text = |chars: &[char]| chars.iter().collect::<String>();
    let typed = (word.len().saturating_sub(1)..=word.len() + 1)
        .filter(|&n| n <= term.len())
        .map(|n| strsim::osa_distance(&text(&word), &text(&term[..n])));
    let stemmed = (word.len().saturating_sub(MAX_ENDING)..=word.len())
        .filter(|&n| n >= MIN_LETTERS - 1)
        .map(|n| strsim::osa_distance(&text(&word[..n]), &text(&term)));
    typed.chain(stemmed).min().filter(|&d| d <= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_is_one_edit_from_the_start_of_a_term_or_from_a_stem() {
        assert_eq!(distance("caffiene", "caffein"), Some(1), "a swap, against the stem");
        assert_eq!(distance("cafe", "caffein"), Some(1), "a letter dropped, while typing");
        assert_eq!(distance("sleap", "sleep"), Some(1));
        assert_eq!(distance("quantum", "quantiti"), None);
        assert_eq!(distance("tariffs", "tariff"), Some(0));
    }
}
