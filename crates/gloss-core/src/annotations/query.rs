//! Finding highlights: the filtered list (`list_highlights`) and the
//! annotation half of search, over the per-highlight full-text index
//! (quote, note, tags). Filters: episode, show, tag (nested: `ai` finds
//! `ai/open-source`; a highlight matches by its own tags or its episode's),
//! color, anchor status and creation date.

use rusqlite::types::Value;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::error::Result;
use super::highlights::{from_row, COLUMNS, COLUMN_COUNT};
use super::model::{status_str, Color, HighlightItem};
use super::tags::{within_sql, TagName};
use super::view::episodes_tagged;
use crate::search::{Ranked, SearchHit, MAX_QUERY_WORDS, MAX_READ, MAX_RESULTS};
use crate::store;
use crate::store::episodes::EpisodeId;
use gloss_anchor::AnchorStatus;

/// Upper bound on search results per query.
pub const MAX_HITS: usize = 200;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HighlightFilter {
    pub episode_id: Option<EpisodeId>,
    pub show: Option<String>,
    pub tag: Option<String>,
    pub color: Option<Color>,
    /// Words that must all occur (as word prefixes) in the quote, note or tags.
    pub text: Option<String>,
    pub status: Option<AnchorStatus>,
    /// Created at or after, Unix milliseconds.
    pub since: Option<i64>,
    /// Created before, Unix milliseconds.
    pub until: Option<i64>,
    /// List the trash instead of the live highlights.
    #[serde(default)]
    pub trashed: bool,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HighlightPage {
    /// Matches in all, before `offset` and `limit`.
    pub total: usize,
    pub items: Vec<HighlightItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HighlightHit {
    #[serde(flatten)]
    pub item: HighlightItem,
    /// bm25: lower is a better match.
    pub score: f64,
}

/// Highlights matching `filter`: in reading order within one episode,
/// newest first across episodes.
pub fn list(conn: &Connection, filter: &HighlightFilter) -> Result<HighlightPage> {
    let query = Query::new(filter)?;
    let order = match filter.episode_id {
        Some(_) => "h.anchor_start IS NULL, h.anchor_start, h.seq",
        None => "h.created_at DESC, h.seq DESC",
    };
    let total = query.count(conn)?;
    let limit = filter.limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
    let offset = i64::try_from(filter.offset.unwrap_or(0)).unwrap_or(i64::MAX);
    let items = query.run(conn, order, limit, offset)?;
    Ok(HighlightPage { total, items })
}

/// Highlights whose quote, note or tags contain every word of `words`
/// (word prefixes, any case and accents), best match first, of the newest
/// [`MAX_READ`] matches.
pub fn search(conn: &Connection, words: &str, filter: &HighlightFilter, limit: usize) -> Result<Vec<HighlightHit>> {
    match match_words(words) {
        Some(fts_query) => {
            let filtered = Query::new(&HighlightFilter { text: None, ..filter.clone() })?;
            Ok(matching(conn, &filtered, &fts_query, limit)?.best)
        }
        None => Ok(Vec::new()),
    }
}

/// Highlights matching the FTS5 query `fts_query` and `filtered` (a
/// filter's conditions, its text aside), the best `limit` (at most
/// [`MAX_HITS`]) of the newest [`MAX_READ`]. With a `limit` of 0 the
/// matches are only counted: ranking reads each one's length from the
/// index, a third of a search of 1,000,000 highlights.
fn matching(conn: &Connection, filtered: &Query, fts_query: &str, limit: usize) -> store::Result<Ranked<HighlightHit>> {
    let mut query = filtered.clone();
    query.matching(fts_query.to_owned());
    let score = if limit == 0 { "0.0" } else { "m.rank" };
    let newest = {
        let episode = if query.on_episode { "JOIN episodes e ON e.id = h.episode_id" } else { "" };
        let sql = match filtered.every_live {
            // Whether a match is in the trash, told by the index of live
            // highlights: reading each match's row took half the time and
            // most of the memory of a search.
            true => format!(
                "SELECT m.seq, {score} FROM {MATCHES} m
                 WHERE EXISTS (SELECT 1 FROM highlights h INDEXED BY highlights_live
                               WHERE h.seq = m.seq AND {LIVE})
                 ORDER BY m.seq DESC LIMIT {}",
                MAX_READ + 1
            ),
            false => format!(
                "SELECT h.seq, {score} FROM {} {episode} WHERE {} ORDER BY m.seq DESC LIMIT {}",
                query.from,
                query.conditions.join(" AND "),
                MAX_READ + 1
            ),
        };
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(&query.params), |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<Vec<(i64, f64)>>>()?
    };
    Ranked::of(newest, limit.min(MAX_HITS)).try_map(|(seq, score)| {
        let sql = format!("SELECT {COLUMNS}, e.title, e.show FROM highlights h JOIN episodes e ON e.id = h.episode_id WHERE h.seq = ?1");
        let item = conn.prepare_cached(&sql)?.query_row([seq], item_from_row)?;
        Ok(HighlightHit { item, score })
    })
}

/// What `search` finds: episodes (their text and annotations, ranked
/// together by the episode index) and highlights (by quote, note, tags),
/// and how many of each there are, up to [`MAX_READ`] each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    pub episodes: Vec<SearchHit>,
    pub highlights: Vec<HighlightHit>,
    /// Episodes matching: up to [`MAX_READ`] without an episode, show or
    /// tag filter; with one, those among the best [`MAX_RESULTS`].
    pub episode_total: usize,
    pub highlight_total: usize,
    /// More than [`MAX_READ`] episodes or highlights match: the totals stop there.
    pub more: bool,
    /// The query searched for, when a word of the one typed was not in the
    /// library and was corrected (see [`crate::search::spelling`]).
    pub corrected: Option<String>,
}

/// Episodes and highlights matching `query`, each best first, at most
/// `limit` hits in all: the episodes first (the broader answer, as a page
/// of search shows them), then highlights to make up `limit`; both totals
/// count every match read. A word nothing in the library starts with is
/// corrected first. The episode hits take the filters an episode has: its
/// id, show and tags (its own or its highlights'); with a color, status or
/// date filter there are only highlight hits. Run [`super::index::flush`]
/// first so the episode index has the latest annotations.
pub fn search_all(conn: &Connection, query: &str, filter: &HighlightFilter, limit: usize) -> Result<Found> {
    let searched = crate::search::spelling::correct(conn, query)?;
    let corrected = matches!(searched, std::borrow::Cow::Owned(_)).then(|| searched.to_string());
    let only_highlights = filter.color.is_some()
        || filter.status.is_some()
        || filter.since.is_some()
        || filter.until.is_some()
        || filter.trashed;
    let narrowed = filter.episode_id.is_some() || filter.show.is_some() || filter.tag.is_some();
    let tagged = filter.tag.as_deref().map(|tag| episodes_tagged(conn, tag)).transpose()?;
    let filtered = Query::new(&HighlightFilter { text: None, ..filter.clone() })?;
    let (episodes, highlights) = crate::search::answer(conn, &searched, |fts_query, words| {
        let mut episodes = match only_highlights {
            true => Ranked::default(),
            false => crate::search::episodes(conn, fts_query, words, if narrowed { MAX_RESULTS } else { limit })?,
        };
        if narrowed {
            episodes.best.retain(|hit| {
                let episode = &hit.episode;
                filter.episode_id.is_none_or(|id| episode.id == id)
                    && filter.show.as_deref().is_none_or(|show| {
                        episode.show.as_deref().is_some_and(|s| s.to_lowercase() == show.trim().to_lowercase())
                    })
                    && tagged.as_ref().is_none_or(|ids| ids.contains(&episode.id))
            });
            episodes.total = episodes.best.len();
            episodes.more = false;
        }
        episodes.best.truncate(limit);
        // A query naming an episode column (`title:grid`) is not one the
        // highlight index can run: it finds no highlights.
        let highlights = match matching(conn, &filtered, fts_query, limit - episodes.best.len()) {
            Err(e) if crate::search::is_query_error(&e) => Ranked::default(),
            other => other?,
        };
        Ok((episodes, highlights))
    })?;
    Ok(Found {
        episode_total: episodes.total,
        highlight_total: highlights.total,
        more: episodes.more || highlights.more,
        episodes: episodes.best,
        highlights: highlights.best,
        corrected,
    })
}

/// The FTS5 query for plain words: each word quoted (so `-`, `:` or `"`
/// mean nothing special) and matched as a prefix. `None` when there are no
/// words. Only the first [`MAX_QUERY_WORDS`] count, as in episode search.
fn match_words(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .take(MAX_QUERY_WORDS)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// A filter as SQL: the `FROM ... WHERE ...` part and its parameters.
#[derive(Clone)]
struct Query {
    /// The highlights read (`h`), joined to the full-text matches (`m`)
    /// when searching.
    from: String,
    /// Whether `from` joins the full-text matches (`m`, with their rank).
    ranked: bool,
    /// Whether a condition reads the episode (`e`): a count joins it only then.
    on_episode: bool,
    /// No condition but the highlight being live: a count is the list's.
    every_live: bool,
    tag_sets: Option<TagSets>,
    conditions: Vec<String>,
    params: Vec<Value>,
    /// Text was given but held no words: nothing can match.
    matches_nothing: bool,
}

/// The highlights the full-text index matches with `?1`, each with its
/// `rank` (see [`crate::search`]).
const MATCHES: &str = "(SELECT rowid AS seq, gloss_rank(highlight_index) AS rank
    FROM highlight_index WHERE highlight_index MATCH ?1)";

/// The condition that a highlight is not in the trash.
const LIVE: &str = "h.deleted_at IS NULL";

/// The tag filter as sets, for counting: the highlights tagged themselves
/// (those in the trash apart too) and the episodes tagged, and which
/// condition of the query it replaces.
#[derive(Clone)]
struct TagSets {
    at: usize,
    own: String,
    own_in_trash: String,
    episodes: String,
}

impl Query {
    fn new(filter: &HighlightFilter) -> Result<Query> {
        let mut query = Query {
            from: "highlights h".to_owned(),
            ranked: false,
            on_episode: false,
            every_live: false,
            tag_sets: None,
            conditions: Vec::new(),
            params: Vec::new(),
            matches_nothing: false,
        };
        query.conditions.push(if filter.trashed { "h.deleted_at IS NOT NULL" } else { LIVE }.to_owned());
        if let Some(text) = &filter.text {
            match match_words(text) {
                Some(words) => query.matching(words),
                None => {
                    query.matches_nothing = true;
                    query.conditions.push("0".to_owned());
                }
            }
        }
        if let Some(id) = filter.episode_id {
            let p = query.bind(id);
            query.conditions.push(format!("h.episode_id = {p}"));
        }
        if let Some(show) = &filter.show {
            let p = query.bind(show.trim().to_owned());
            query.conditions.push(format!("e.show = {p} COLLATE NOCASE"));
            query.on_episode = true;
        }
        if let Some(color) = filter.color {
            let p = query.bind(color.as_str().to_owned());
            query.conditions.push(format!("h.color = {p}"));
        }
        if let Some(status) = filter.status {
            let p = query.bind(status_str(status).to_owned());
            query.conditions.push(format!("h.anchor_status = {p}"));
        }
        if let Some(since) = filter.since {
            let p = query.bind(since);
            query.conditions.push(format!("h.created_at >= {p}"));
        }
        if let Some(until) = filter.until {
            let p = query.bind(until);
            query.conditions.push(format!("h.created_at < {p}"));
        }
        if let Some(tag) = &filter.tag {
            let p = query.bind(TagName::parse(tag, "tag")?.key);
            let within = within_sql("t", &p);
            // A page walks the newest highlights and checks each: a few
            // rows per match.
            query.conditions.push(format!(
                "(EXISTS (SELECT 1 FROM highlight_tags ht JOIN tags t ON t.id = ht.tag_id
                          WHERE ht.highlight_seq = h.seq AND t.deleted_at IS NULL AND {within})
                  OR EXISTS (SELECT 1 FROM episode_tags et JOIN tags t ON t.id = et.tag_id
                             WHERE et.episode_id = h.episode_id AND t.deleted_at IS NULL AND {within}))"
            ));
            let tag_ids = format!("SELECT t.id FROM tags t WHERE t.deleted_at IS NULL AND {within}");
            query.tag_sets = Some(TagSets {
                at: query.conditions.len() - 1,
                own: format!("SELECT highlight_seq FROM highlight_tags WHERE tag_id IN ({tag_ids})"),
                // From the trash (few), not from the tag's taggings (many).
                own_in_trash: format!(
                    "SELECT ht.highlight_seq FROM highlights h INDEXED BY highlights_trashed
                     CROSS JOIN highlight_tags ht ON ht.highlight_seq = h.seq
                     WHERE h.deleted_at IS NOT NULL AND ht.tag_id IN ({tag_ids})"
                ),
                episodes: format!("SELECT episode_id FROM episode_tags WHERE tag_id IN ({tag_ids})"),
            });
        }
        query.every_live = query.conditions.len() == 1 && query.params.is_empty() && !filter.trashed;
        Ok(query)
    }

    /// How many highlights match. Every live one: the sum of the episode
    /// list's counts, not a read of every highlight.
    fn count(&self, conn: &Connection) -> Result<usize> {
        // A count reads the tag's highlights and episodes as sets through
        // the tag indexes, not a check of every highlight.
        let mut conditions = self.conditions.clone();
        if let Some(sets) = &self.tag_sets {
            conditions[sets.at] = format!("(h.seq IN ({}) OR h.episode_id IN ({}))", sets.own, sets.episodes);
        }
        let sql = match (self.every_live, self.on_episode, &self.tag_sets) {
            (true, _, _) => "SELECT coalesce(sum(highlight_count), 0) FROM episode_marks".to_owned(),
            // The tag alone: the highlights it tags, from the tag's index
            // alone, less those in the trash (looking each one up among the
            // live highlights took 48 ms for 47,000 at 1,000,000
            // highlights); then its episodes' highlights not tagged
            // themselves.
            (false, false, Some(sets))
                if conditions.len() == 2 && conditions[0] == LIVE && self.params.len() == 1 && !self.ranked =>
            {
                format!(
                    "SELECT (SELECT count(*) FROM (SELECT DISTINCT highlight_seq FROM ({own})))
                          - (SELECT count(*) FROM (SELECT DISTINCT highlight_seq FROM ({own_in_trash})))
                          + (SELECT count(*) FROM highlights h WHERE h.deleted_at IS NULL
                             AND h.episode_id IN ({episodes}) AND h.seq NOT IN ({own}))",
                    own = sets.own,
                    own_in_trash = sets.own_in_trash,
                    episodes = sets.episodes
                )
            }
            (false, true, _) => format!(
                "SELECT count(*) FROM {} JOIN episodes e ON e.id = h.episode_id WHERE {}",
                self.from,
                conditions.join(" AND ")
            ),
            (false, false, _) => format!("SELECT count(*) FROM {} WHERE {}", self.from, conditions.join(" AND ")),
        };
        let total: i64 =
            conn.prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(&self.params), |row| row.get(0))?;
        Ok(usize::try_from(total).unwrap_or(0))
    }

    /// Reads only the highlights the full-text index matches `fts_query`
    /// with (as `m`, with their `rank`, see [`crate::search`]).
    fn matching(&mut self, fts_query: String) {
        let p = self.bind(fts_query);
        self.from = format!("{} m JOIN highlights h ON h.seq = m.seq", MATCHES.replace("?1", &p));
        self.ranked = true;
    }

    /// Adds a parameter; returns its placeholder.
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.params.push(value.into());
        format!("?{}", self.params.len())
    }

    fn sql_from_where(&self) -> String {
        format!("FROM {} JOIN episodes e ON e.id = h.episode_id WHERE {}", self.from, self.conditions.join(" AND "))
    }

    /// One page.
    fn run(&self, conn: &Connection, order: &str, limit: i64, offset: i64) -> Result<Vec<HighlightItem>> {
        let sql = format!(
            "SELECT {COLUMNS}, e.title, e.show {} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            self.sql_from_where()
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(&self.params), item_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A row of [`COLUMNS`] followed by the episode's title and show.
fn item_from_row(row: &rusqlite::Row) -> rusqlite::Result<HighlightItem> {
    Ok(HighlightItem {
        highlight: from_row(row)?,
        episode_title: row.get(COLUMN_COUNT)?,
        show: row.get(COLUMN_COUNT + 1)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_quoted_prefix_terms() {
        assert_eq!(match_words("open-source AI").as_deref(), Some("\"open-source\"* \"AI\"*"));
        assert_eq!(match_words(" \"what's\" ").as_deref(), Some("\"what's\"*"));
        assert_eq!(match_words("- : *"), None);
        let long = match_words(&"word ".repeat(10_000)).unwrap_or_default();
        assert_eq!(long.matches("\"word\"*").count(), MAX_QUERY_WORDS);
    }
}
