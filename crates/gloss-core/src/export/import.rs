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
use crate::annotations::{Origin, Writer};
use crate::library::Library;
use crate::store::episodes::EpisodeId;
use crate::store::Store;
use gloss_anchor::{quote_spans, QuoteError, Span};

/// What a file turned out to be.
enum Content {
    Backup(Backup),
    W3c(w3c::Collection),
    Readwise(Vec<u8>),
}

pub fn import(library: &Library, origin: Origin, path: &Path) -> Result<ImportReport> {
    let content = read(path)?;
    // Placed before the write transaction starts (see `place_readwise_rows`).
    let placed = match &content {
        Content::Readwise(bytes) => place_readwise_rows(library.store(), bytes)?,
        _ => Vec::new(),
    };
    let mut report = ImportReport { file: path.to_owned(), ..Default::default() };
    let format = match &content {
        Content::Backup(_) => Format::Json,
        Content::W3c(_) => Format::W3c,
        Content::Readwise(_) => Format::Csv,
    };
    report.format = Some(format);
    let report = library.change(origin, |w| {
        match content {
            Content::Backup(backup) => restore::apply(w, &backup, &mut report)?,
            Content::W3c(collection) => {
                let (backup, problems) = w3c::to_backup(collection);
                report.problems.extend(problems.into_iter().map(|(row, reason)| Problem {
                    row: Some(row),
                    id: None,
                    reason,
                }));
                restore::apply(w, &backup, &mut report)?;
            }
            Content::Readwise(_) => readwise_rows(w, placed, &mut report)?,
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

/// A Readwise row placed in the library, or why it could not be.
struct PlacedRow {
    /// As a spreadsheet numbers rows: the header is row 1.
    row: usize,
    placed: std::result::Result<(NewHighlight, Option<i64>), String>,
}

/// Places every row of a Readwise file on a reader, before the write
/// transaction: finding quotes in episode texts is the slow part, and the
/// writer stays free for the user meanwhile.
fn place_readwise_rows(store: &Store, bytes: &[u8]) -> Result<Vec<PlacedRow>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader.headers().cloned().unwrap_or_default();
    let column = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let Some(highlight) = column("Highlight") else { return Ok(Vec::new()) };
    let columns = Columns {
        highlight,
        title: column("Title"),
        author: column("Author"),
        note: column("Note"),
        location: column("Location"),
        date: column("Date"),
    };
    let episodes = store.read(|conn| Ok(candidates(conn)?))?;
    let rows = reader.records().enumerate().map(|(index, record)| {
        let placed = record.map_err(|e| format!("unreadable CSV: {e}")).and_then(|record| {
            let created = time::parse_readwise(cell(&record, columns.date));
            Ok((place(&columns, &record, &episodes)?, created))
        });
        PlacedRow { row: index + 2, placed }
    });
    Ok(rows.collect())
}

/// Writes the placed rows; one already in the library is left alone.
fn readwise_rows(w: &mut Writer, rows: Vec<PlacedRow>, report: &mut ImportReport) -> crate::annotations::Result<()> {
    for PlacedRow { row, placed } in rows {
        let (new, created) = match placed {
            Ok(placed) => placed,
            Err(reason) => {
                report.problems.push(Problem { row: Some(row), id: None, reason });
                continue;
            }
        };
        let created = created.unwrap_or(w.now());
        item(w, report, Some(row), None, |w, report| {
            if already_there(w.conn(), &new)? {
                report.highlights_unchanged += 1;
                return Ok(());
            }
            highlights::create(w, &highlights::new_id(), created, &new)?;
            report.highlights_added += 1;
            Ok(())
        })?;
    }
    Ok(())
}

/// A cell, trimmed and without the quote that kept a spreadsheet from
/// running it; empty when the row is short or has no such column.
fn cell(record: &StringRecord, index: Option<usize>) -> &str {
    readwise::unescape_cell(index.and_then(|i| record.get(i)).unwrap_or("").trim())
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
fn locate(text: &str, quote: &str, location: Option<usize>) -> std::result::Result<Span, QuoteError> {
    let spans = quote_spans(text, quote)?;
    match (spans.as_slice(), location) {
        ([only], _) => Ok(*only),
        (several, Some(target)) => {
            Ok(*several.iter().min_by_key(|span| span.start.abs_diff(target)).unwrap_or(&several[0]))
        }
        (several, None) => Err(QuoteError::Ambiguous { count: several.len() }),
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
