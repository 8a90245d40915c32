//! The episode list, one page at a time, filtered and ordered in SQL.
//!
//! Pages are read by keyset: a page ends with a cursor holding the sort key
//! of its last row, and the next page is the rows after that key, a seek
//! into the order's index (see the V10 migration in `store::schema::list`)
//! followed by a walk of one page. No page reads the rows before it, so the
//! thousandth page costs what the first does, and a row that changes or
//! appears between two pages neither repeats nor hides the rows that did not.
//!
//! The `total` and the shows with their counts are a count over the
//! filtered rows: they come with the first page only (no `after`), which
//! the list reads whenever its filters or order change.

use rusqlite::types::Value;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::annotations::{self, view, EpisodeMarks};
use crate::store::episodes::{self, EpisodeSummary, Status, SUMMARY_COLUMN_COUNT};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpisodeFilter {
    pub show: Option<String>,
    pub status: Option<Status>,
    /// Carrying this tag (or one nested under it), on the episode or one of
    /// its highlights.
    pub tag: Option<String>,
    pub read: Option<bool>,
    pub sort: Option<EpisodeSort>,
    /// The `next` of the previous page: this page starts after it.
    pub after: Option<String>,
    /// Rows in the page; `None`: every row after `after`.
    pub limit: Option<usize>,
}

/// Orders of the episode list. Each ends in the newest added first, so
/// episodes that compare equal keep one order from page to page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EpisodeSort {
    /// Newest added first.
    #[default]
    Added,
    /// A to Z, without case (ASCII letters); a file without a title by its file name.
    Title,
    /// A to Z by show, then by title; episodes without a show last.
    Show,
    /// Most recently opened first; never opened last.
    LastRead,
    /// Most highlights first.
    MostHighlighted,
    /// By file path, as the folder is laid out (`gloss list`).
    Path,
}

/// Whether a key column holds text or a number: what a cursor's value must be.
#[derive(Clone, Copy, PartialEq)]
enum KeyType {
    Text,
    Integer,
}

impl EpisodeSort {
    /// The order's columns, all ascending (descending orders are stored
    /// negated), the last one unique.
    fn key(self) -> &'static [(&'static str, KeyType)] {
        use KeyType::{Integer, Text};
        match self {
            EpisodeSort::Added => &[("e.newest", Integer)],
            EpisodeSort::Title => &[("e.title_key", Text), ("e.newest", Integer)],
            EpisodeSort::Show => {
                &[("e.show_missing", Integer), ("e.show_key", Text), ("e.title_key", Text), ("e.newest", Integer)]
            }
            EpisodeSort::LastRead => &[("m.recently_read", Integer), ("m.newest", Integer)],
            EpisodeSort::MostHighlighted => &[("m.most_highlighted", Integer), ("m.newest", Integer)],
            // Unique on its own.
            EpisodeSort::Path => &[("e.path", Text)],
        }
    }

    /// The join, the table whose index holds the order first: SQLite walks
    /// that index and looks the other table up by id, one page's worth.
    /// Under a show filter, the show's episodes (a small share) are read by
    /// the show index and sorted instead: walking the order's index would
    /// pass over every other show's.
    fn join_sql(self, conditions: &Conditions) -> &'static str {
        match (self, conditions.show) {
            (EpisodeSort::Added | EpisodeSort::Title | EpisodeSort::Show | EpisodeSort::Path, _) | (_, true) => {
                EPISODES_FIRST
            }
            (EpisodeSort::LastRead | EpisodeSort::MostHighlighted, false) => MARKS_FIRST,
        }
    }
}

const EPISODES_FIRST: &str = "episodes e CROSS JOIN episode_marks m ON m.episode_id = e.id";
const MARKS_FIRST: &str = "episode_marks m CROSS JOIN episodes e ON e.id = m.episode_id";

/// Where a page ends: the order it was read in and the last row's key.
#[derive(Serialize, Deserialize)]
struct Cursor {
    sort: EpisodeSort,
    key: Vec<serde_json::Value>,
}

impl Cursor {
    fn encode(&self) -> String {
        serde_json::to_string(self).expect("a cursor is plain JSON")
    }

    /// The key values of cursor `text` for `sort`, refused (as `after`) when
    /// it is not one this list handed out for that order.
    fn decode(text: &str, sort: EpisodeSort) -> annotations::Result<Vec<Value>> {
        let refuse = |why: &str| {
            annotations::Error::invalid(
                "after",
                format!("`after` is not a cursor of this list ({why}): pass the `next` of the previous page, read with the same sort"),
            )
        };
        let cursor: Cursor = serde_json::from_str(text).map_err(|_| refuse("it does not parse"))?;
        if cursor.sort != sort {
            return Err(refuse("it was read in another order"));
        }
        let columns = sort.key();
        if cursor.key.len() != columns.len() {
            return Err(refuse("its key has the wrong length"));
        }
        cursor
            .key
            .into_iter()
            .zip(columns)
            .map(|(value, (_, kind))| match (value, kind) {
                (serde_json::Value::String(text), KeyType::Text) => Ok(Value::Text(text)),
                (serde_json::Value::Number(n), KeyType::Integer) => {
                    n.as_i64().map(Value::Integer).ok_or_else(|| refuse("a number is out of range"))
                }
                _ => Err(refuse("a value has the wrong type")),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ShowCount {
    pub show: String,
    pub count: usize,
}

/// An episode as the list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct EpisodeItem {
    #[serde(flatten)]
    pub summary: EpisodeSummary,
    #[serde(flatten)]
    pub marks: EpisodeMarks,
}

#[derive(Debug, Clone, Serialize)]
pub struct EpisodePage {
    /// How many episodes match the filters; on the first page only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    pub items: Vec<EpisodeItem>,
    /// Every show with its number of episodes (whatever the filters), for
    /// the show filter; on the first page only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shows: Option<Vec<ShowCount>>,
    /// The `after` of the next page; `None`: this is the last.
    pub next: Option<String>,
}

/// The `WHERE` conditions of `filter` (without the cursor) and their values.
struct Conditions {
    sql: Vec<String>,
    values: Vec<Value>,
    /// Whether a condition is on the show, and whether one reads
    /// `episodes` (`e`): which table a count or a page starts from.
    show: bool,
    reads_episodes: bool,
    tagged: Option<Tagged>,
}

/// The tag filtered by.
struct Tagged {
    /// How many episodes carry it.
    count: usize,
    /// Its condition's place in `Conditions::sql`, and its key's placeholder.
    at: usize,
    key: String,
    /// Whether another condition reads `episodes` (the show or status).
    with_episode_conditions: bool,
}

/// Below this many episodes carrying a tag, its filter reads them all
/// (and sorts them); from it on, it checks the rows of the order's index.
const FEW_TAGGED: usize = 2000;

impl Conditions {
    fn of(conn: &Connection, filter: &EpisodeFilter) -> annotations::Result<Conditions> {
        let mut conditions =
            Conditions { sql: Vec::new(), values: Vec::new(), show: false, reads_episodes: false, tagged: None };
        if let Some(show) = &filter.show {
            conditions.push("e.show = ?", Value::Text(show.clone()));
            conditions.show = true;
        }
        if let Some(status) = filter.status {
            conditions.push("e.status = ?", Value::Text(status.as_str().to_owned()));
        }
        if let Some(read) = filter.read {
            // Checked row by row along the order's index (`+` keeps SQLite
            // from reading all of one read state by its index and sorting
            // it); the read index serves the count.
            conditions.push("+m.read = ?", Value::Integer(read.into()));
        }
        conditions.reads_episodes = filter.show.is_some() || filter.status.is_some();
        if let Some(tag) = &filter.tag {
            let key = view::tag_key(tag)?;
            let tagged = view::count_tagged(conn, &key)?;
            let p = format!("?{}", conditions.values.len() + 1);
            // A tag on few episodes: read them and sort them. On many: walk
            // the order's index and check each row, which finds a page
            // after a few rows instead of reading every tagged episode.
            conditions.sql.push(match tagged < FEW_TAGGED {
                true => format!("e.id IN ({})", view::episodes_tagged_sql(&p)),
                false => {
                    format!("EXISTS (SELECT 1 FROM episode_tag_keys k WHERE k.tag_key = {p} AND k.episode_id = e.id)")
                }
            });
            conditions.values.push(Value::Text(key));
            conditions.tagged = Some(Tagged {
                count: tagged,
                at: conditions.sql.len() - 1,
                key: p,
                with_episode_conditions: conditions.reads_episodes,
            });
            conditions.reads_episodes = true;
        }
        Ok(conditions)
    }

    fn push(&mut self, sql: &str, value: Value) {
        self.values.push(value);
        self.sql.push(sql.replace('?', &format!("?{}", self.values.len())));
    }

    fn where_sql(&self) -> String {
        match self.sql.is_empty() {
            true => String::new(),
            false => format!("WHERE {}", self.sql.join(" AND ")),
        }
    }
}

/// One page of the list (see the module's documentation).
pub(crate) fn page(conn: &Connection, filter: &EpisodeFilter) -> annotations::Result<EpisodePage> {
    let sort = filter.sort.unwrap_or_default();
    let mut conditions = Conditions::of(conn, filter)?;
    let first_page = filter.after.is_none();
    let total = first_page.then(|| count(conn, &conditions)).transpose()?;
    let key = sort.key();
    let columns = key.iter().map(|(column, _)| *column).collect::<Vec<_>>().join(", ");
    if let Some(after) = &filter.after {
        let values = Cursor::decode(after, sort)?;
        let from = conditions.values.len() + 1;
        let params: Vec<String> = (from..from + values.len()).map(|n| format!("?{n}")).collect();
        conditions.sql.push(format!("({columns}) > ({})", params.join(", ")));
        conditions.values.extend(values);
    }
    // One row more than asked tells whether a next page exists.
    let limit = filter.limit.map_or(-1, |limit| i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX));
    conditions.values.push(Value::Integer(limit));
    let sql = format!(
        "SELECT {summary}, m.highlight_count, m.attention_count, m.read, m.last_read, {columns}
         FROM {from} {where_sql} ORDER BY {columns} LIMIT ?{limit_at}",
        summary = episodes::SUMMARY_COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", "),
        from = sort.join_sql(&conditions),
        where_sql = conditions.where_sql(),
        limit_at = conditions.values.len(),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(&conditions.values))?;
    let mut items = Vec::new();
    let mut last_key = Vec::new();
    let mut more = false;
    while let Some(row) = rows.next()? {
        if filter.limit.is_some_and(|limit| items.len() == limit) {
            more = true;
            break;
        }
        let at = SUMMARY_COLUMN_COUNT;
        let number = |n: usize| row.get::<_, i64>(n).map(|c| usize::try_from(c).unwrap_or(0));
        let marks = EpisodeMarks {
            highlight_count: number(at)?,
            attention_count: number(at + 1)?,
            read: row.get(at + 2)?,
            last_read: row.get(at + 3)?,
        };
        last_key = (0..key.len()).map(|n| row.get::<_, Value>(at + 4 + n)).collect::<rusqlite::Result<_>>()?;
        items.push(EpisodeItem { summary: episodes::summary_from_row(row)?, marks });
    }
    let next = more.then(|| Cursor { sort, key: last_key.into_iter().map(json_of).collect() }.encode());
    let shows = first_page.then(|| shows(conn)).transpose()?;
    Ok(EpisodePage { total, items, shows, next })
}

fn json_of(value: Value) -> serde_json::Value {
    match value {
        Value::Integer(n) => n.into(),
        Value::Text(text) => text.into(),
        // Key columns are never NULL, real or blob (see the V10 migration).
        Value::Null | Value::Real(_) | Value::Blob(_) => serde_json::Value::Null,
    }
}

/// How many episodes match `conditions`: a walk of the index that fits the
/// filters, from `episode_marks` when only its read state is asked about,
/// from the tag's episodes when there is a tag.
fn count(conn: &Connection, conditions: &Conditions) -> annotations::Result<usize> {
    let (from, where_sql) = match (&conditions.tagged, conditions.reads_episodes) {
        (Some(tagged), _) if conditions.sql.len() == 1 => return Ok(tagged.count),
        // The tag's episodes by the tag keys, each checked for the rest,
        // not a check of every episode for the tag.
        (Some(tagged), _) => {
            let mut sql = conditions.sql.clone();
            sql[tagged.at] = format!("k.tag_key = {}", tagged.key);
            let from = match tagged.with_episode_conditions {
                true => {
                    "episode_tag_keys k CROSS JOIN episode_marks m ON m.episode_id = k.episode_id
                         CROSS JOIN episodes e ON e.id = k.episode_id"
                }
                false => "episode_tag_keys k CROSS JOIN episode_marks m ON m.episode_id = k.episode_id",
            };
            (from, format!("WHERE {}", sql.join(" AND ")))
        }
        (None, true) => (EPISODES_FIRST, conditions.where_sql()),
        // The read index, not the row-by-row check of a page.
        (None, false) => ("episode_marks m", conditions.where_sql().replace("+m.read", "m.read")),
    };
    let sql = format!("SELECT count(*) FROM {from} {where_sql}");
    let total: i64 =
        conn.prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(&conditions.values), |row| row.get(0))?;
    Ok(usize::try_from(total).unwrap_or(0))
}

/// Every show with its number of episodes, A to Z without case.
fn shows(conn: &Connection) -> annotations::Result<Vec<ShowCount>> {
    let mut stmt = conn.prepare_cached("SELECT show, count(*) FROM episodes WHERE show IS NOT NULL GROUP BY show")?;
    let rows = stmt.query_map([], |row| {
        Ok(ShowCount { show: row.get(0)?, count: usize::try_from(row.get::<_, i64>(1)?).unwrap_or(0) })
    })?;
    let mut shows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    shows.sort_by_cached_key(|count| count.show.to_lowercase());
    Ok(shows)
}
