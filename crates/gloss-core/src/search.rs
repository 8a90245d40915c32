//! Full-text search over the library (FTS5, bm25 ranking).
//!
//! One index row per episode, rowid = episode id, over the episode's title,
//! show, TL;DR, canonical text (all its sections and insights), bottom line
//! and annotations. The index stores no text of its own: it reads the
//! `episodes` columns, and triggers re-index a row when they change (see
//! [`schema`](crate::store::schema)). For annotations to be found, the
//! annotations code keeps `episodes.search_highlights`, `search_notes` and
//! `search_tags` up to date; they then rank together with the episode text in
//! one bm25 score.
//!
//! Queries accept FTS5 syntax (`word*` prefixes, `"exact phrases"`, `OR`,
//! `NOT`, `title:word`). Input that is not valid FTS5 (`open-source`, `what's`,
//! a stray `"`) is answered as plain words instead of failing.

use std::borrow::Cow;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::store::episodes::{summary_from_row, EpisodeSummary, SUMMARY_COLUMNS};
use crate::store::Result;

/// Marks the start and end of a match inside snippets. Private-use code
/// points do not occur in summaries; one that did would only misplace a
/// snippet's highlight.
const MATCH_START: char = '\u{E000}';
const MATCH_END: char = '\u{E001}';

/// Upper bound on results per query.
pub const MAX_RESULTS: usize = 200;

/// Ranking scores every match, so a word found in most of a large library is
/// slow to rank, and says little about relevance anyway (bm25 gives common
/// words almost no weight). A query matching more episodes than this ranks
/// the newest this many of them.
const MAX_RANKED: i64 = 500;

/// Tokens of context a snippet shows around its matches.
const SNIPPET_TOKENS: u32 = 24;

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    pub text: String,
    /// `[start, end)` of each match in `text`, in code points, in order.
    pub matches: Vec<[usize; 2]>,
}

/// Episodes matching `query` (its first [`MAX_QUERY_WORDS`] words), best
/// first, at most `limit` (capped at [`MAX_RESULTS`]). Never fails on what
/// the user typed: a query FTS5 can not parse is retried as plain words,
/// and one that still can not be run matches nothing.
pub fn search(conn: &Connection, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
    let limit = limit.min(MAX_RESULTS);
    if query.trim().is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let query = first_words(query, MAX_QUERY_WORDS);
    let query = query.as_ref();
    match run(conn, query, limit) {
        Err(e) if is_query_error(&e) => {}
        other => return other,
    }
    let plain = plain_words(query);
    if plain.is_empty() {
        return Ok(Vec::new());
    }
    match run(conn, &plain, limit) {
        Err(e) if is_query_error(&e) => Ok(Vec::new()),
        other => other,
    }
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
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUMMARY_COLUMNS}, hits.snip, hits.score
         FROM (SELECT rowid AS hit_id, rank AS score,
                      snippet(search_index, -1, ?3, ?4, '…', ?5) AS snip
               FROM search_index WHERE search_index MATCH ?1 AND rowid >= ?6
               ORDER BY rank LIMIT ?2) AS hits
         JOIN episodes ON episodes.id = hits.hit_id
         ORDER BY hits.score"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(
        params![fts_query, limit, MATCH_START.to_string(), MATCH_END.to_string(), SNIPPET_TOKENS, oldest_ranked],
        |row| {
            let snippet: String = row.get(9)?;
            Ok(SearchHit {
                episode: summary_from_row(row)?,
                snippet: snippet_from_marked(&snippet),
                score: row.get(10)?,
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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

/// Takes the match markers out of an FTS5 snippet, keeping their positions.
fn snippet_from_marked(marked: &str) -> Snippet {
    let mut text = String::with_capacity(marked.len());
    let mut matches = Vec::new();
    let mut chars = 0;
    let mut start = None;
    for c in marked.chars() {
        match c {
            MATCH_START => start = Some(chars),
            MATCH_END => matches.extend(start.take().map(|start| [start, chars])),
            c => {
                text.push(c);
                chars += 1;
            }
        }
    }
    Snippet { text, matches }
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
    fn long_queries_keep_their_first_words() {
        assert!(matches!(first_words("open  source\tai", 3), Cow::Borrowed("open  source\tai")));
        assert_eq!(first_words("a b\nc d e", 3), "a b c");
    }

    #[test]
    fn snippet_matches_are_code_point_ranges() {
        let snippet = snippet_from_marked("é \u{E000}bé\u{E001} c \u{E000}d\u{E001}");
        assert_eq!(snippet.text, "é bé c d");
        assert_eq!(snippet.matches, [[2, 4], [7, 8]]);
    }
}
