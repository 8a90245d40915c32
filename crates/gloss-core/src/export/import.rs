//! Reading a file back into the library: telling its format from its
//! content, and placing Readwise rows (which carry only a quote and a
//! title) into the episodes they came from.

use std::path::Path;

use csv::StringRecord;
use rusqlite::Connection;

use super::backup::{self, Backup};
use super::restore::{self, item, shorten};
use super::{readwise, time, w3c, Error, Format, ImportReport, Problem, Result, MAX_IMPORT_BYTES};
use crate::annotations::highlights::{self, NewHighlight};
use crate::store::episodes::EpisodeId;
use crate::store::Store;
use gloss_anchor::{find_quote, QuoteError, Span};

/// What a file turned out to be.
enum Content {
    Backup(Backup),
    W3c(w3c::Collection),
    Readwise(Vec<u8>),
}

pub fn import(store: &Store, path: &Path) -> Result<ImportReport> {
    let content = read(path)?;
    let mut report = ImportReport { file: path.to_owned(), ..Default::default() };
    let format = match &content {
        Content::Backup(_) => Format::Json,
        Content::W3c(_) => Format::W3c,
        Content::Readwise(_) => Format::Csv,
    };
    report.format = Some(format);
    let report = crate::annotations::write(store, |conn, now| {
        match content {
            Content::Backup(backup) => restore::apply(conn, &backup, now, &mut report)?,
            Content::W3c(collection) => {
                let (backup, problems) = w3c::to_backup(collection);
                report.problems.extend(problems.into_iter().map(|(row, reason)| Problem {
                    row: Some(row),
                    id: None,
                    reason,
                }));
                restore::apply(conn, &backup, now, &mut report)?;
            }
            Content::Readwise(bytes) => readwise_rows(conn, &bytes, now, &mut report)?,
        }
        Ok(report)
    })?;
    Ok(report)
}

fn read(path: &Path) -> Result<Content> {
    let read_error = |source| Error::Read { path: path.to_owned(), source };
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    if size > MAX_IMPORT_BYTES {
        return Err(Error::TooLarge { path: path.to_owned(), size });
    }
    let bytes = std::fs::read(path).map_err(read_error)?;
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let malformed = |reason: String| Error::Malformed { path: path.to_owned(), reason };
    if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        let value: serde_json::Value =
            serde_json::from_slice(text).map_err(|e| malformed(format!("invalid JSON: {e}")))?;
        if value.get("format").and_then(|f| f.as_str()) == Some(backup::FORMAT) {
            let found = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
            if found > u64::from(backup::VERSION) {
                let found = u32::try_from(found).unwrap_or(u32::MAX);
                return Err(Error::TooNew { path: path.to_owned(), found, known: backup::VERSION });
            }
            let backup = serde_path_to_error::deserialize(value)
                .map_err(|e| malformed(format!("field `{}`: {}", e.path(), e.inner())))?;
            return Ok(Content::Backup(backup));
        }
        if value.get("type").and_then(|t| t.as_str()) == Some("AnnotationCollection") {
            let collection = serde_path_to_error::deserialize(value)
                .map_err(|e| malformed(format!("field `{}`: {}", e.path(), e.inner())))?;
            return Ok(Content::W3c(collection));
        }
        return Err(Error::Unrecognized {
            path: path.to_owned(),
            reason: "it is JSON but neither a Gloss backup (\"format\": \"gloss-backup\") nor a W3C \
                     AnnotationCollection"
                .into(),
        });
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let has_highlight_column =
        reader.headers().is_ok_and(|headers| headers.iter().any(|h| h.trim().eq_ignore_ascii_case("highlight")));
    if has_highlight_column {
        return Ok(Content::Readwise(text.to_vec()));
    }
    Err(Error::Unrecognized {
        path: path.to_owned(),
        reason: "expected a Gloss JSON backup, a W3C annotation collection, or a CSV whose header has a \
                 Highlight column (Readwise's format)"
            .into(),
    })
}

/// An episode a Readwise row may belong to.
struct Candidate {
    id: EpisodeId,
    title: String,
    show: String,
    text: String,
}

/// Lowercase with single spaces: how titles and shows are compared.
fn normal(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn candidates(conn: &Connection) -> rusqlite::Result<Vec<Candidate>> {
    let mut stmt = conn.prepare(
        "SELECT id, title, show, canonical_text FROM episodes WHERE canonical_text IS NOT NULL AND title IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok(Candidate {
            id: row.get(0)?,
            title: normal(&row.get::<_, String>(1)?),
            show: normal(&row.get::<_, Option<String>>(2)?.unwrap_or_default()),
            text: row.get(3)?,
        })
    })?;
    rows.collect()
}

/// The columns of a Readwise file, by position.
struct Columns {
    highlight: usize,
    title: Option<usize>,
    author: Option<usize>,
    note: Option<usize>,
    location: Option<usize>,
    date: Option<usize>,
}

fn readwise_rows(
    conn: &Connection,
    bytes: &[u8],
    now: i64,
    report: &mut ImportReport,
) -> crate::annotations::Result<()> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader.headers().cloned().unwrap_or_default();
    let column = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let Some(highlight) = column("Highlight") else { return Ok(()) };
    let columns = Columns {
        highlight,
        title: column("Title"),
        author: column("Author"),
        note: column("Note"),
        location: column("Location"),
        date: column("Date"),
    };
    let episodes = candidates(conn)?;
    // As a spreadsheet numbers them: the header is row 1.
    for (index, record) in reader.records().enumerate() {
        let row = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                report.problems.push(Problem { row: Some(row), id: None, reason: format!("unreadable CSV: {e}") });
                continue;
            }
        };
        let new = match place(&columns, &record, &episodes) {
            Ok(new) => new,
            Err(reason) => {
                report.problems.push(Problem { row: Some(row), id: None, reason });
                continue;
            }
        };
        let created = time::parse_readwise(cell(&record, columns.date)).unwrap_or(now);
        item(conn, report, Some(row), None, |report| {
            if already_there(conn, &new)? {
                report.highlights_unchanged += 1;
                return Ok(());
            }
            highlights::create(conn, &highlights::new_id(), created, &new)?;
            report.highlights_added += 1;
            Ok(())
        })?;
    }
    Ok(())
}

/// A cell, trimmed; empty when the row is short or has no such column.
fn cell(record: &StringRecord, index: Option<usize>) -> &str {
    index.and_then(|i| record.get(i)).unwrap_or("").trim()
}

/// The highlight a row asks for: its episode by title (and show, when the
/// Author names one), its place by the quote.
fn place(columns: &Columns, record: &StringRecord, episodes: &[Candidate]) -> Result<NewHighlight, String> {
    let cell = |index| cell(record, index);
    let quote = cell(Some(columns.highlight));
    if quote.is_empty() {
        return Err("the Highlight cell is empty".into());
    }
    let title = cell(columns.title);
    if title.is_empty() {
        return Err("the Title cell is empty, so there is no episode to place the highlight in".into());
    }
    let show = normal(readwise::show_of_author(cell(columns.author)));
    let titled: Vec<&Candidate> = episodes.iter().filter(|e| e.title == normal(title)).collect();
    // An episode without a show has nothing to contradict the Author.
    let matching: Vec<&Candidate> =
        titled.iter().copied().filter(|e| show.is_empty() || e.show.is_empty() || e.show == show).collect();
    let episode = match (titled.as_slice(), matching.as_slice()) {
        ([], _) => return Err(format!("no episode titled {title:?} in the library")),
        (_, []) => return Err(format!("no episode titled {title:?} is from {:?}", cell(columns.author))),
        (_, [only]) => *only,
        (_, several) => {
            return Err(format!("{} episodes are titled {title:?}; give the show in the Author column", several.len()))
        }
    };
    let location = cell(columns.location).parse::<usize>().ok();
    let span = locate(&episode.text, quote, location)
        .map_err(|e| format!("{e} (episode {title:?}, quote {:?})", shorten(quote)))?;
    let (tags, note) = readwise::split_tags(cell(columns.note));
    Ok(NewHighlight {
        episode_id: episode.id,
        start: Some(span.start),
        end: Some(span.end),
        note: Some(note),
        tags,
        ..Default::default()
    })
}

/// The quote's place; of several, the one nearest `location`.
fn locate(text: &str, quote: &str, location: Option<usize>) -> Result<Span, QuoteError> {
    match find_quote(text, quote, None) {
        Err(QuoteError::Ambiguous { count }) if location.is_some() => {
            let target = location.unwrap_or(0);
            (1..=count)
                .filter_map(|k| find_quote(text, quote, Some(k)).ok())
                .min_by_key(|span| span.start.abs_diff(target))
                .ok_or(QuoteError::Ambiguous { count })
        }
        other => other,
    }
}

/// Whether a live highlight already covers exactly this place.
fn already_there(conn: &Connection, new: &NewHighlight) -> rusqlite::Result<bool> {
    let (Some(start), Some(end)) = (new.start, new.end) else { return Ok(false) };
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM highlights WHERE episode_id = ?1 AND deleted_at IS NULL
                        AND anchor_start = ?2 AND anchor_end = ?3)",
    )?
    .query_row(rusqlite::params![new.episode_id, highlights::to_sql(start), highlights::to_sql(end)], |row| row.get(0))
}
