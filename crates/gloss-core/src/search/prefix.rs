//! Prefix terms (`batt*`, and the word being typed) searched as the
//! indexed words they stand for: `(batt OR batter OR batteri)`.
//!
//! FTS5 answers a prefix by reading the entries of every word starting with
//! it, in the whole index, and merging them before it returns a first
//! match: 16 ms for `battery*` in 100,000 episodes, however few matches are
//! then read (see [`super::MAX_READ`]). Whole words it reads newest first
//! and stops: 0.5 ms for the same matches. The words come from the
//! vocabulary of both indexes (`search_instances`, `highlight_instances`;
//! a highlight in the trash is only in the second), one seek each. A prefix
//! shorter than [`MIN_LETTERS`] or starting more than [`MAX_WORDS`] words
//! is left to FTS5: finding its words would cost more than the merge.

use std::borrow::Cow;
use std::collections::BTreeSet;

use rusqlite::{params, Connection, OptionalExtension};

use super::fts5::query_terms;
use crate::store::Result;

/// The most words a prefix is searched as.
const MAX_WORDS: usize = 8;

/// Shorter prefixes start too many words.
const MIN_LETTERS: usize = 3;

/// Each vocabulary's first word at or after `?1` that starts with `?2`.
const NEXT_WORD_SQL: [&str; 2] = [
    "SELECT term FROM search_instances WHERE term >= ?1 AND term < ?2 || char(1114111) LIMIT 1",
    "SELECT term FROM highlight_instances WHERE term >= ?1 AND term < ?2 || char(1114111) LIMIT 1",
];

/// `query` (FTS5 syntax) with each plain prefix term outside quotes
/// replaced by the indexed words it starts; borrowed when none is. Left
/// alone inside `NEAR(...)` and next to `+`, which take phrases only.
pub(crate) fn expand<'q>(conn: &Connection, query: &'q str) -> Result<Cow<'q, str>> {
    if !query.contains('*') || query.contains("NEAR") || query.contains('+') {
        return Ok(Cow::Borrowed(query));
    }
    let mut changed = false;
    let mut quoted = false;
    let mut terms = Vec::new();
    for term in query.split_whitespace() {
        let prefix = term.strip_suffix('*').filter(|word| !quoted && is_plain(word));
        let words = match prefix {
            Some(prefix) => words_starting(conn, prefix)?,
            None => None,
        };
        quoted ^= term.matches('"').count() % 2 == 1;
        changed |= words.is_some();
        terms.push(words.map_or(Cow::Borrowed(term), |words| {
            let words: Vec<String> = words.iter().map(|word| format!("\"{word}\"")).collect();
            Cow::Owned(format!("({})", words.join(" OR ")))
        }));
    }
    Ok(if changed { Cow::Owned(terms.join(" ")) } else { Cow::Borrowed(query) })
}

/// Whether some word of the episode index starts with `start` (one seek,
/// however common the word).
pub(super) fn starts_a_word(conn: &Connection, start: &str) -> Result<bool> {
    Ok(conn.prepare_cached(NEXT_WORD_SQL[0])?.exists(params![start, start])?)
}

fn is_plain(word: &str) -> bool {
    !word.is_empty() && word.chars().all(char::is_alphanumeric)
}

/// The indexed words starting with `prefix` as FTS5 reads it (folded and
/// stemmed), when there are one to [`MAX_WORDS`] of them and each is
/// looked up as itself (the stemmer leaves it as it is).
fn words_starting(conn: &Connection, prefix: &str) -> Result<Option<BTreeSet<String>>> {
    let [start] = <[String; 1]>::try_from(query_terms(conn, prefix)?).unwrap_or_default();
    if start.chars().count() < MIN_LETTERS {
        return Ok(None);
    }
    let mut words = BTreeSet::new();
    for sql in NEXT_WORD_SQL {
        let mut next_word = conn.prepare_cached(sql)?;
        let mut from = start.clone();
        while let Some(word) = next_word.query_row(params![from, start], |row| row.get::<_, String>(0)).optional()? {
            from = format!("{word}\u{1}");
            words.insert(word);
            if words.len() > MAX_WORDS {
                return Ok(None);
            }
        }
    }
    for word in &words {
        if query_terms(conn, word)? != [word.as_str()] {
            return Ok(None);
        }
    }
    Ok((!words.is_empty()).then_some(words))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both indexes, as the schema declares them, holding `episodes` and `highlights`.
    fn indexes(episodes: &str, highlights: &str) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        let tokenizer = "tokenize = 'porter unicode61 remove_diacritics 2'";
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE search_index USING fts5(text, {tokenizer});
             CREATE VIRTUAL TABLE highlight_index USING fts5(text, {tokenizer});
             CREATE VIRTUAL TABLE search_instances USING fts5vocab(search_index, instance);
             CREATE VIRTUAL TABLE highlight_instances USING fts5vocab(highlight_index, instance);"
        ))
        .unwrap();
        conn.execute("INSERT INTO search_index (text) VALUES (?1)", [episodes]).unwrap();
        conn.execute("INSERT INTO highlight_index (text) VALUES (?1)", [highlights]).unwrap();
        conn
    }

    #[test]
    fn a_prefix_becomes_the_words_it_starts_in_either_index() {
        let conn = indexes("Batteries batter the grid; a battle", "a battalion");
        let expanded = |query: &str| expand(&conn, query).unwrap().into_owned();
        assert_eq!(expanded("grid batt*"), r#"grid ("battalion" OR "batter" OR "batteri" OR "battl")"#);
        assert_eq!(expanded("Batteries*"), r#"("batteri")"#, "stemmed first, as FTS5 does");
    }

    #[test]
    fn what_fts5_must_answer_itself_is_left_alone() {
        let conn = indexes("Batteries batter the grid; a battle", "");
        for query in
            [r#""batt"*"#, r#""grid batt*""#, "NEAR(grid batt*)", "grid + batt*", "ba*", "zebra*", "title:batt*"]
        {
            assert_eq!(expand(&conn, query).unwrap(), query);
        }
        let many = (1..=MAX_WORDS + 1).map(|n| format!("batt{}", "x".repeat(n))).collect::<Vec<_>>().join(" ");
        let conn = indexes(&many, "");
        assert_eq!(expand(&conn, "batt*").unwrap(), "batt*", "more words than MAX_WORDS");
    }
}
