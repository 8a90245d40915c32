//! Full-text search over the library (FTS5, ranked as bm25 ranks).
//!
//! One index row per episode, rowid = episode id, over the episode's title,
//! show, TL;DR, canonical text (all its sections and insights), bottom line
//! and annotations. The index stores no text of its own: it reads the
//! `episodes` columns, and the code writing them re-indexes a row when they
//! change (see `store::search_index`). For annotations to be found, the
//! annotations code keeps `episodes.search_highlights`, `search_notes` and
//! `search_tags` up to date; they then rank together with the episode text in
//! one score (see [`rank`] for how, and [`MAX_READ`] for how many).
//!
//! Queries accept FTS5 syntax (`word*` prefixes, `"exact phrases"`, `OR`,
//! `NOT`, `title:word`). Input that is not valid FTS5 (`open-source`, `what's`,
//! a stray `"`) is answered as plain words instead of failing. The last word
//! is matched as a prefix (search runs as the user types: `deep slee` finds
//! "Deep Sleep") unless it is a whole word the index holds, and a word
//! nothing starts with is corrected to the closest indexed word first (see
//! [`spelling`]).
//!
//! Each hit's snippet is the passage around the first match in a column
//! the index found a match in, made here (the `snippet` module): FTS5's own
//! `snippet()` took minutes on one long note.

mod fts5;
mod prefix;
mod rank;
mod snippet;
pub mod spelling;

pub(crate) use rank::register as register_ranking;

use std::borrow::Cow;
use std::sync::LazyLock;

use rusqlite::{params, Connection, ErrorCode};
use serde::{Deserialize, Serialize};

pub use snippet::QueryWords;

use crate::store::episodes::{summary_from_row, EpisodeId, EpisodeSummary, SUMMARY_COLUMNS};
use crate::store::Result;

/// Upper bound on results per query.
pub const MAX_RESULTS: usize = 200;

/// A search reads at most this many matches of each kind (episodes,
/// highlights), the newest: it ranks those and counts them, and says there
/// are more past it. Ranking and counting every match grows with the
/// library: a word in most of 100,000 episodes took 8 ms to count alone.
/// The newest are read first because FTS5 reads its index in row order,
/// and a thousand matches of a word that common say little more than the
/// newest do.
pub const MAX_READ: usize = 1000;

/// Each index column's weight in the ranking, in the index's column order
/// (title, show, TL;DR, text, bottom line, highlights, notes, tags).
const WEIGHTS: &str = "10.0, 4.0, 3.0, 1.0, 2.0, 3.0, 3.0, 5.0";

/// The index's columns (all of them) a snippet may come from, in the order
/// they are tried, each as its position in the index and its `episodes`
/// column: the episode's text first (it holds the title, TL;DR and bottom
/// line too), then what the user wrote, then the rest, which only a query
/// naming a column (`title:compute`) finds alone.
const SNIPPET_COLUMNS: [(usize, &str); 8] = [
    (3, "canonical_text"),
    (6, "search_notes"),
    (5, "search_highlights"),
    (7, "search_tags"),
    (0, "title"),
    (1, "show"),
    (2, "tldr"),
    (4, "bottom_line"),
];

/// The newest matches of a query (`?1`), at most `?2`: each episode's id,
/// score (see [`rank`]) and matched columns as bits.
static NEWEST_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT rowid, gloss_rank(search_index, {WEIGHTS}), gloss_columns(search_index)
         FROM search_index WHERE search_index MATCH ?1 ORDER BY rowid DESC LIMIT ?2"
    )
});

/// One hit's episode (`?1`) and the text of each column in
/// [`SNIPPET_COLUMNS`] its match bits (`?2`) name, `NULL` for the others.
static HIT_SQL: LazyLock<String> = LazyLock::new(|| {
    let texts = SNIPPET_COLUMNS
        .iter()
        .map(|(position, column)| format!("iif((?2 >> {position}) & 1, {column}, NULL)"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("SELECT {SUMMARY_COLUMNS}, {texts} FROM episodes WHERE id = ?1")
});

/// Where the snippet's column texts start in a row of [`HIT_SQL`].
const FIRST_TEXT: usize = crate::store::episodes::SUMMARY_COLUMN_COUNT;

/// Words of a query that are searched for; the rest are dropped. Far more
/// than anyone types, but FTS5's time grows with the square of the number
/// of terms: 5,000 repeated words took 14 seconds, and a 1 MiB request
/// would hold the database for hours.
pub const MAX_QUERY_WORDS: usize = 64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub episode: EpisodeSummary,
    /// The best-matching passage. Render it as text (never as HTML).
    pub snippet: Snippet,
    /// The ranking score (see [`rank`]): lower is a better match.
    pub score: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    pub text: String,
    /// `[start, end)` of each match in `text`, in code points, in order.
    pub matches: Vec<[usize; 2]>,
}

/// Episodes matching `query` (its first [`MAX_QUERY_WORDS`] words, the
/// last as a prefix), best first, at most `limit` (capped at
/// [`MAX_RESULTS`]). Never fails on what the user typed: a query FTS5 can
/// not parse is retried as plain words, and one that still can not be run
/// matches nothing.
pub fn search(conn: &Connection, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
    Ok(answer(conn, query, |fts_query, words| episodes(conn, fts_query, words, limit))?.best)
}

/// The best of at most [`MAX_READ`] matches, and how many were read.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked<T> {
    pub best: Vec<T>,
    /// Matches read: all of them unless `more`.
    pub total: usize,
    /// More than [`MAX_READ`] match.
    pub more: bool,
}

impl<T> Default for Ranked<T> {
    fn default() -> Self {
        Ranked { best: Vec::new(), total: 0, more: false }
    }
}

impl<K> Ranked<(K, f64)> {
    /// The best `limit` of `newest` (matches newest first, each with its
    /// score, lower better, read up to one past [`MAX_READ`]), with their
    /// scores; ties keep the newer first.
    pub(crate) fn of(mut newest: Vec<(K, f64)>, limit: usize) -> Ranked<(K, f64)> {
        let more = newest.len() > MAX_READ;
        newest.truncate(MAX_READ);
        let total = newest.len();
        newest.sort_by(|a, b| a.1.total_cmp(&b.1));
        newest.truncate(limit);
        Ranked { best: newest, total, more }
    }
}

impl<K> Ranked<K> {
    pub(crate) fn try_map<T>(self, f: impl FnMut(K) -> Result<T>) -> Result<Ranked<T>> {
        let best = self.best.into_iter().map(f).collect::<Result<_>>()?;
        Ok(Ranked { best, total: self.total, more: self.more })
    }
}

/// Episodes matching the FTS5 query `fts_query`, best `limit` first, their
/// snippets marking `words`.
pub(crate) fn episodes(
    conn: &Connection,
    fts_query: &str,
    words: &QueryWords,
    limit: usize,
) -> Result<Ranked<SearchHit>> {
    let read = i64::try_from(MAX_READ + 1).unwrap_or(i64::MAX);
    let newest = {
        let mut stmt = conn.prepare_cached(&NEWEST_SQL)?;
        let rows = stmt.query_map(params![fts_query, read], |row| Ok(((row.get(0)?, row.get(2)?), row.get(1)?)))?;
        rows.collect::<rusqlite::Result<Vec<((EpisodeId, i64), f64)>>>()?
    };
    Ranked::of(newest, limit.min(MAX_RESULTS)).try_map(|((id, columns), score)| {
        let hit = conn.prepare_cached(&HIT_SQL)?.query_row(params![id, columns], |row| {
            let texts = (0..SNIPPET_COLUMNS.len())
                .map(|n| row.get::<_, Option<String>>(FIRST_TEXT + n))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(SearchHit { episode: summary_from_row(row)?, snippet: snippet(&texts, words), score })
        })?;
        Ok(hit)
    })
}

/// Runs `ask` with the FTS5 query for what the user typed (its prefixes
/// as the words they start, see [`prefix`]) and the words to mark in
/// snippets, or with its plain words if that is not valid FTS5; nothing
/// (the default) when neither can be run.
pub(crate) fn answer<T: Default>(
    conn: &Connection,
    query: &str,
    ask: impl Fn(&str, &QueryWords) -> Result<T>,
) -> Result<T> {
    if query.trim().is_empty() {
        return Ok(T::default());
    }
    let query = first_words(query, MAX_QUERY_WORDS);
    let query = match word_being_typed(&query) {
        Some(word) if !holds_word(conn, word)? => Cow::Owned(format!("{query}*")),
        _ => query,
    };
    match ask(&prefix::expand(conn, &query)?, &QueryWords::of(&query)) {
        Err(e) if is_query_error(&e) => {}
        other => return other,
    }
    let plain = plain_words(&query);
    if plain.is_empty() {
        return Ok(T::default());
    }
    match ask(&plain, &QueryWords::of(&plain)) {
        Err(e) if is_query_error(&e) => Ok(T::default()),
        other => other,
    }
}

/// The last word of `query` when it is a plain word still being typed: no
/// space after it, only letters and digits, not an FTS5 operator, not
/// inside quotes. It is searched as a prefix (`slee` → `slee*`) unless the
/// index holds it as a whole word ([`holds_word`]).
fn word_being_typed(query: &str) -> Option<&str> {
    let last = query.rsplit(char::is_whitespace).next().unwrap_or_default();
    let plain = !last.is_empty()
        && last.chars().all(char::is_alphanumeric)
        && !matches!(last, "AND" | "OR" | "NOT" | "NEAR")
        && query.matches('"').count().is_multiple_of(2);
    plain.then_some(last)
}

/// Whether the index holds `word` as a whole word (stemmed as it stems
/// text: `sleeping` is `sleep`). Such a word is matched whole: its other
/// forms match through the stem already, and a prefix of a word as common
/// as `the` merges the entries of every word starting with it, which took
/// 20 ms in a library of 10,000 episodes.
pub(crate) fn holds_word(conn: &Connection, word: &str) -> Result<bool> {
    let found = conn
        .prepare_cached("SELECT 1 FROM search_index WHERE search_index MATCH ?1 LIMIT 1")?
        .exists([format!("\"{word}\"")])?;
    Ok(found)
}

/// The passage around the first match in the first of `texts` (the matched
/// columns, in [`SNIPPET_COLUMNS`] order) that shows one; else the opening
/// of the first, which the index matched without accents, say.
fn snippet(texts: &[Option<String>], words: &QueryWords) -> Snippet {
    let matched: Vec<&str> = texts.iter().flatten().map(String::as_str).collect();
    match Snippet::first_match_in(&matched, words) {
        Some((_, snippet)) => snippet,
        None => matched.first().map(|text| Snippet::opening(text)).unwrap_or_default(),
    }
}

/// SQLite reports FTS5 syntax errors, unknown columns and the like as the
/// generic `SQLITE_ERROR`; I/O, corruption and busy have codes of their own
/// and are real failures.
pub(crate) fn is_query_error(error: &crate::store::Error) -> bool {
    matches!(
        error,
        crate::store::Error::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.code == ErrorCode::Unknown
    )
}

/// The first `max` whitespace-separated words of `query`.
fn first_words(query: &str, max: usize) -> Cow<'_, str> {
    if query.split_whitespace().nth(max).is_none() {
        return Cow::Borrowed(query);
    }
    Cow::Owned(query.split_whitespace().take(max).collect::<Vec<_>>().join(" "))
}

/// The query as plain FTS5 terms: each `"quoted phrase"` stays a phrase,
/// every other word is quoted (so `-`, `'`, `:` lose their FTS meaning) and
/// keeps a trailing `*` as a prefix search.
fn plain_words(query: &str) -> String {
    let mut terms = Vec::new();
    for (n, chunk) in query.split('"').enumerate() {
        let inside_quotes = n % 2 == 1;
        if inside_quotes {
            if !chunk.trim().is_empty() {
                terms.push(format!("\"{}\"", chunk.trim()));
            }
            continue;
        }
        for word in chunk.split_whitespace() {
            let (stem, prefix) = match word.strip_suffix('*') {
                Some(stem) => (stem.trim_end_matches('*'), true),
                None => (word, false),
            };
            if stem.chars().any(char::is_alphanumeric) {
                terms.push(format!("\"{stem}\"{}", if prefix { "*" } else { "" }));
            }
        }
    }
    terms.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_quote_everything_but_phrases_and_prefixes() {
        assert_eq!(plain_words("open-source ai"), r#""open-source" "ai""#);
        assert_eq!(plain_words(r#"what's "compute arms" race*"#), r#""what's" "compute arms" "race"*"#);
        assert_eq!(plain_words(r#"unclosed "quote here"#), r#""unclosed" "quote here""#);
        assert_eq!(plain_words("* - :"), "");
    }

    #[test]
    fn the_word_being_typed_is_the_last_plain_word() {
        assert_eq!(word_being_typed("deep slee"), Some("slee"));
        assert_eq!(word_being_typed("deep "), None);
        assert_eq!(word_being_typed("infer*"), None);
        assert_eq!(word_being_typed("\"open weights\""), None);
        assert_eq!(word_being_typed("grid OR"), None);
        assert_eq!(word_being_typed("\"open wei"), None);
    }

    #[test]
    fn the_best_of_the_newest_are_kept_and_the_rest_counted() {
        let newest: Vec<(usize, f64)> = (0..MAX_READ + 1).map(|n| (n, if n % 7 == 0 { -2.0 } else { -1.0 })).collect();
        let ranked = Ranked::of(newest, 3);
        assert_eq!((ranked.total, ranked.more), (MAX_READ, true));
        assert_eq!(ranked.best, [(0, -2.0), (7, -2.0), (14, -2.0)], "the best first, the newer first among equals");
        let few = Ranked::of(vec![("a", -1.0), ("b", -3.0)], 10);
        assert_eq!((few.best, few.total, few.more), (vec![("b", -3.0), ("a", -1.0)], 2, false));
    }

    #[test]
    fn long_queries_keep_their_first_words() {
        assert!(matches!(first_words("open  source\tai", 3), Cow::Borrowed("open  source\tai")));
        assert_eq!(first_words("a b\nc d e", 3), "a b c");
    }
}
