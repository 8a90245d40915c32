//! Full-text search over the library (FTS5, bm25 ranking).
//!
//! One index row per episode, rowid = episode id, over the episode's title,
//! show, TL;DR, canonical text (all its sections and insights), bottom line
//! and annotations. The index stores no text of its own: it reads the
//! `episodes` columns, and the code writing them re-indexes a row when they
//! change (see `store::search_index`). For annotations to be found, the
//! annotations code keeps `episodes.search_highlights`, `search_notes` and
//! `search_tags` up to date; they then rank together with the episode text in
//! one bm25 score.
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

mod snippet;
pub mod spelling;

use std::borrow::Cow;
use std::sync::LazyLock;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use serde::{Deserialize, Serialize};

pub use snippet::QueryWords;

use crate::store::episodes::{summary_from_row, EpisodeSummary, SUMMARY_COLUMNS};
use crate::store::Result;

/// Upper bound on results per query.
pub const MAX_RESULTS: usize = 200;

/// Ranking scores every match, so a word found in most of a large library is
/// slow to rank, and says little about relevance anyway (bm25 gives common
/// words almost no weight). A query matching more episodes than this ranks
/// the newest this many of them.
const MAX_RANKED: i64 = 500;

/// The index's columns (all of them) a snippet may come from, in the order
/// they are tried, each as its position in the index and its `episodes`
/// column: the
/// episode's text first (it holds the title, TL;DR and bottom line too),
/// then what the user wrote, then the rest, which only a query naming a
/// column (`title:compute`) finds alone.
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

/// The ranked query. For each hit it reads the text of every column in
/// [`SNIPPET_COLUMNS`] the index found a match in, and `NULL` for the
/// others: a column matched when `bm25()` weighing it alone scores below
/// zero, which costs one pass over the row's matches (FTS5's `snippet()`
/// compared every match with every other).
static RANKED_SQL: LazyLock<String> = LazyLock::new(|| {
    let matched = SNIPPET_COLUMNS.iter().enumerate().map(|(n, (position, _))| {
        let weights: Vec<&str> = (0..SNIPPET_COLUMNS.len()).map(|c| if c == *position { "1" } else { "0" }).collect();
        format!("bm25(search_index, {}) < 0 AS in{n}", weights.join(", "))
    });
    let texts =
        SNIPPET_COLUMNS.iter().enumerate().map(|(n, (_, column))| format!("iif(hits.in{n}, episodes.{column}, NULL)"));
    format!(
        "SELECT {SUMMARY_COLUMNS}, hits.score, {}
         FROM (SELECT rowid AS hit_id, rank AS score, {}
               FROM search_index WHERE search_index MATCH ?1 AND rowid >= ?3
               ORDER BY rank LIMIT ?2) AS hits
         JOIN episodes ON episodes.id = hits.hit_id
         ORDER BY hits.score",
        texts.collect::<Vec<_>>().join(", "),
        matched.collect::<Vec<_>>().join(", "),
    )
});

/// Where the snippet's column texts start in a row of [`RANKED_SQL`].
const FIRST_TEXT: usize = crate::store::episodes::SUMMARY_COLUMN_COUNT + 1;

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
    /// bm25 score: lower is a better match.
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
    let limit = limit.min(MAX_RESULTS);
    if limit == 0 {
        return Ok(Vec::new());
    }
    answer(conn, query, |fts_query| run(conn, fts_query, limit))
}

/// How many episodes [`search`] finds for `query`, all of them (not only
/// the [`MAX_RESULTS`] it returns).
pub fn count(conn: &Connection, query: &str) -> Result<usize> {
    answer(conn, query, |fts_query| {
        let n: i64 = conn
            .prepare_cached("SELECT count(*) FROM search_index WHERE search_index MATCH ?1")?
            .query_row([fts_query], |row| row.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    })
}

/// Runs `ask` with the FTS5 query for what the user typed, or with its
/// plain words if that is not valid FTS5; nothing (the default) when
/// neither can be run.
fn answer<T: Default>(conn: &Connection, query: &str, ask: impl Fn(&str) -> Result<T>) -> Result<T> {
    if query.trim().is_empty() {
        return Ok(T::default());
    }
    let query = first_words(query, MAX_QUERY_WORDS);
    let query = match word_being_typed(&query) {
        Some(word) if !holds_word(conn, word)? => Cow::Owned(format!("{query}*")),
        _ => query,
    };
    match ask(&query) {
        Err(e) if is_query_error(&e) => {}
        other => return other,
    }
    let plain = plain_words(&query);
    if plain.is_empty() {
        return Ok(T::default());
    }
    match ask(&plain) {
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

fn run(conn: &Connection, fts_query: &str, limit: usize) -> Result<Vec<SearchHit>> {
    let oldest_ranked: i64 = conn
        .prepare_cached(
            "SELECT rowid FROM search_index WHERE search_index MATCH ?1
             ORDER BY rowid DESC LIMIT 1 OFFSET ?2",
        )?
        .query_row(params![fts_query, MAX_RANKED - 1], |row| row.get(0))
        .optional()?
        .unwrap_or(i64::MIN);
    let words = QueryWords::of(fts_query);
    let mut stmt = conn.prepare_cached(&RANKED_SQL)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![fts_query, limit, oldest_ranked], |row| {
        let texts = (0..SNIPPET_COLUMNS.len())
            .map(|n| row.get::<_, Option<String>>(FIRST_TEXT + n))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(SearchHit {
            episode: summary_from_row(row)?,
            snippet: snippet(&texts, &words),
            score: row.get(FIRST_TEXT - 1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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
fn is_query_error(error: &crate::store::Error) -> bool {
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
    fn long_queries_keep_their_first_words() {
        assert!(matches!(first_words("open  source\tai", 3), Cow::Borrowed("open  source\tai")));
        assert_eq!(first_words("a b\nc d e", 3), "a b c");
    }
}
