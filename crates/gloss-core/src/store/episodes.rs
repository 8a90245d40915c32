//! Episode rows: what the library knows about each source file, and the
//! writes ingest makes to them. Rows are never deleted here: a file that goes
//! away leaves its episode `missing`, readable from the stored text.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Row, ToSql};
use serde::{Deserialize, Serialize};

use super::{now_ms, search_index, Error, Result};
use gloss_parse::model::{DocKind, Episode, CANONICAL_TEXT_VERSION};

pub type EpisodeId = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The file is there and its current version parsed.
    Active,
    /// The file is gone; the episode keeps its last text and annotations.
    Missing,
    /// The file is there but its current version could not be read or parsed.
    Error,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Missing => "missing",
            Status::Error => "error",
        }
    }

    /// The status of a file that is present, given whether its current version failed.
    fn present(has_error: bool) -> Status {
        if has_error {
            Status::Error
        } else {
            Status::Active
        }
    }
}

impl ToSql for Status {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for Status {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "active" => Ok(Status::Active),
            "missing" => Ok(Status::Missing),
            "error" => Ok(Status::Error),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

/// An episode as lists and events show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeSummary {
    pub id: EpisodeId,
    /// The source file, relative to the library folder, `/`-separated.
    pub source_path: String,
    pub title: Option<String>,
    pub show: Option<String>,
    pub kind: Option<DocKind>,
    pub status: Status,
    /// Why the current version of the file could not be read; `None` when it parsed.
    pub error: Option<String>,
    /// Unix milliseconds.
    pub first_seen: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

/// Everything stored about one episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EpisodeRecord {
    #[serde(flatten)]
    pub summary: EpisodeSummary,
    pub size: u64,
    pub mtime_ns: i64,
    pub content_hash: String,
    pub fingerprint: Option<String>,
    /// The parsed structure; `None` if the file never parsed.
    pub episode: Option<Episode>,
    /// The text highlights anchor into, in the `canonical_version` definition.
    pub canonical_text: Option<String>,
    pub canonical_version: Option<u32>,
    /// How many times the canonical text changed; 0 before the first parse.
    pub text_revision: i64,
    /// The canonical text of revision `text_revision - 1`, for re-anchoring.
    pub previous_canonical_text: Option<String>,
}

/// What ingest compares a file on disk against.
#[derive(Debug, Clone)]
pub(crate) struct FileRow {
    pub id: EpisodeId,
    pub path: String,
    pub stat: FileStat,
    pub content_hash: String,
    pub fingerprint: Option<String>,
    pub status: Status,
    /// Why the file's current version failed, if it did.
    pub error: Option<String>,
    pub updated_at: i64,
}

impl FileRow {
    pub fn has_error(&self) -> bool {
        self.error.is_some()
    }

    /// Whether the current version could not even be read (no bytes were
    /// hashed): permissions, locks and I/O errors pass, so it is worth
    /// trying again although its size and mtime did not move.
    pub fn read_failed(&self) -> bool {
        self.has_error() && self.content_hash.is_empty()
    }
}

/// Size and modification time: what decides whether a file is re-read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileStat {
    pub size: u64,
    pub mtime_ns: i64,
}

/// A file's parsed content, ready to store.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub episode: Episode,
    pub structure_json: String,
    pub canonical_text: String,
    pub fingerprint: String,
}

impl Parsed {
    pub fn new(episode: Episode) -> std::result::Result<Parsed, serde_json::Error> {
        Ok(Parsed {
            structure_json: serde_json::to_string(&episode)?,
            canonical_text: episode.canonical_text(),
            fingerprint: episode.fingerprint(),
            episode,
        })
    }

    /// Only a titled summary's fingerprint tells episodes apart: every
    /// untitled document shares one.
    pub fn identifying_fingerprint(&self) -> Option<&str> {
        (self.episode.kind == DocKind::Summary && self.episode.title.is_some()).then_some(self.fingerprint.as_str())
    }
}

/// A file's state as just read: its stat, the hash of the bytes read and
/// either their parse or the reason they could not be read.
#[derive(Debug)]
pub(crate) struct FileVersion {
    pub path: String,
    pub stat: FileStat,
    pub content_hash: String,
    pub content: std::result::Result<Parsed, String>,
}

pub(crate) const SUMMARY_COLUMNS: &str = "id, path, title, show, kind, status, error, first_seen, updated_at";
/// How many columns [`SUMMARY_COLUMNS`] names: a query's own columns follow.
pub(crate) const SUMMARY_COLUMN_COUNT: usize = 9;

pub(crate) fn summary_from_row(row: &Row) -> rusqlite::Result<EpisodeSummary> {
    let kind: Option<String> = row.get(4)?;
    Ok(EpisodeSummary {
        id: row.get(0)?,
        source_path: row.get(1)?,
        title: row.get(2)?,
        show: row.get(3)?,
        kind: kind.as_deref().and_then(doc_kind_from_str),
        status: row.get(5)?,
        error: row.get(6)?,
        first_seen: row.get(7)?,
        updated_at: row.get(8)?,
    })
}

fn doc_kind_str(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Summary => "summary",
        DocKind::Document => "document",
    }
}

fn doc_kind_from_str(kind: &str) -> Option<DocKind> {
    match kind {
        "summary" => Some(DocKind::Summary),
        "document" => Some(DocKind::Document),
        _ => None,
    }
}

/// Every episode, ordered by path.
pub fn list(conn: &Connection) -> Result<Vec<EpisodeSummary>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} FROM episodes ORDER BY path"))?;
    let rows = stmt.query_map([], summary_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many episodes have each status (those with none are left out): a
/// walk of the status index, not of the rows.
pub fn count_by_status(conn: &Connection) -> Result<Vec<(Status, usize)>> {
    let mut stmt = conn.prepare_cached("SELECT status, count(*) FROM episodes GROUP BY status")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, usize::try_from(row.get::<_, i64>(1)?).unwrap_or(0))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The episodes whose file could not be read, by path.
pub fn failed(conn: &Connection) -> Result<Vec<EpisodeSummary>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} FROM episodes WHERE status = 'error' ORDER BY path"))?;
    let rows = stmt.query_map([], summary_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn summary(conn: &Connection, id: EpisodeId) -> Result<Option<EpisodeSummary>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {SUMMARY_COLUMNS} FROM episodes WHERE id = ?1"))?;
    Ok(stmt.query_row([id], summary_from_row).optional()?)
}

pub fn get(conn: &Connection, id: EpisodeId) -> Result<Option<EpisodeRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUMMARY_COLUMNS}, size, mtime_ns, content_hash, fingerprint, structure,
                canonical_text, canonical_version, text_revision, previous_canonical_text
         FROM episodes WHERE id = ?1"
    ))?;
    let row = stmt
        .query_row([id], |row| {
            let structure: Option<String> = row.get(13)?;
            let size: i64 = row.get(9)?;
            let record = EpisodeRecord {
                summary: summary_from_row(row)?,
                size: u64::try_from(size).unwrap_or(0),
                mtime_ns: row.get(10)?,
                content_hash: row.get(11)?,
                fingerprint: row.get(12)?,
                episode: None,
                canonical_text: row.get(14)?,
                canonical_version: row.get(15)?,
                text_revision: row.get(16)?,
                previous_canonical_text: row.get(17)?,
            };
            Ok((record, structure))
        })
        .optional()?;
    let Some((mut record, structure)) = row else { return Ok(None) };
    if let Some(json) = structure {
        let episode = serde_json::from_str(&json)
            .map_err(|e| Error::Damaged { id, reason: format!("its stored structure: {e}") })?;
        record.episode = Some(episode);
    }
    Ok(Some(record))
}

/// Every row, with what ingest needs to compare against the disk.
pub(crate) fn file_rows(conn: &Connection) -> Result<Vec<FileRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, path, size, mtime_ns, content_hash, fingerprint, status, error, updated_at
         FROM episodes",
    )?;
    let rows = stmt.query_map([], |row| {
        let size: i64 = row.get(2)?;
        Ok(FileRow {
            id: row.get(0)?,
            path: row.get(1)?,
            stat: FileStat { size: u64::try_from(size).unwrap_or(0), mtime_ns: row.get(3)? },
            content_hash: row.get(4)?,
            fingerprint: row.get(5)?,
            status: row.get(6)?,
            error: row.get(7)?,
            updated_at: row.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn size_sql(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

/// Adds a file never seen before; returns its new id. The row starts
/// empty and takes the file's version as any later version would, so a new
/// episode and an updated one are stored by the same code.
pub(crate) fn insert(conn: &Connection, file: &FileVersion) -> Result<EpisodeId> {
    conn.prepare_cached(
        "INSERT INTO episodes (path, size, mtime_ns, content_hash, status, first_seen, updated_at)
         VALUES (?1, 0, 0, '', 'active', ?2, ?2)",
    )?
    .execute(params![file.path, now_ms()])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO episode_marks (episode_id) VALUES (?1)")?.execute([id])?;
    write_version(conn, id, file)?;
    // Indexed once, complete: indexing the empty row first and replacing it
    // would make FTS5 write its pending terms out for every new file.
    search_index::add(conn, id)?;
    Ok(id)
}

/// Records a new version of an episode's file, possibly at a new path. A
/// version that parsed replaces the content (keeping the old canonical text if
/// it changed) and clears any error; one that failed keeps the last good
/// content and records the error. Returns whether the canonical text changed.
pub(crate) fn update(conn: &Connection, id: EpisodeId, file: &FileVersion) -> Result<bool> {
    search_index::reindex_after(conn, id, || write_version(conn, id, file))
}

/// [`update`] without the search index.
fn write_version(conn: &Connection, id: EpisodeId, file: &FileVersion) -> Result<bool> {
    conn.prepare_cached(
        "UPDATE episodes SET path = ?2, size = ?3, mtime_ns = ?4, content_hash = ?5,
                status = ?6, error = ?7, updated_at = ?8
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        file.path,
        size_sql(file.stat.size),
        file.stat.mtime_ns,
        file.content_hash,
        Status::present(file.content.is_err()),
        file.content.as_ref().err(),
        now_ms()
    ])?;
    match &file.content {
        Ok(parsed) => store_content(conn, id, parsed),
        Err(_) => Ok(false),
    }
}

/// Stores parsed content. Returns
/// whether the canonical text changed, or was stored for the first time.
fn store_content(conn: &Connection, id: EpisodeId, parsed: &Parsed) -> Result<bool> {
    let changed: bool = conn
        .prepare_cached("SELECT canonical_text IS NOT ?2 FROM episodes WHERE id = ?1")?
        .query_row(params![id, parsed.canonical_text], |row| row.get(0))?;
    let episode = &parsed.episode;
    conn.prepare_cached(
        "UPDATE episodes SET
            previous_canonical_text = CASE WHEN ?2 AND canonical_text IS NOT NULL
                THEN canonical_text ELSE previous_canonical_text END,
            text_revision = text_revision + ?2,
            canonical_text = ?3, canonical_version = ?4, fingerprint = ?5, kind = ?6,
            title = ?7, show = ?8, tldr = ?9, bottom_line = ?10, structure = ?11
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        changed,
        parsed.canonical_text,
        CANONICAL_TEXT_VERSION,
        parsed.fingerprint,
        doc_kind_str(episode.kind),
        episode.title,
        episode.show,
        episode.tldr,
        episode.bottom_line,
        parsed.structure_json
    ])?;
    Ok(changed)
}

/// Records that a file's stat changed but its bytes did not (a `touch`, a
/// copy back), and that it is present again if it was missing.
pub(crate) fn touch(conn: &Connection, row: &FileRow, path: &str, stat: FileStat) -> Result<()> {
    let status = Status::present(row.has_error());
    conn.prepare_cached(
        "UPDATE episodes SET path = ?2, size = ?3, mtime_ns = ?4, status = ?5,
                updated_at = CASE WHEN status = ?5 AND path = ?2 THEN updated_at ELSE ?6 END
         WHERE id = ?1",
    )?
    .execute(params![row.id, path, size_sql(stat.size), stat.mtime_ns, status, now_ms()])?;
    Ok(())
}

/// Marks an episode whose file is gone.
pub(crate) fn mark_missing(conn: &Connection, id: EpisodeId) -> Result<()> {
    conn.prepare_cached("UPDATE episodes SET status = ?2, updated_at = ?3 WHERE id = ?1")?.execute(params![
        id,
        Status::Missing,
        now_ms()
    ])?;
    Ok(())
}

/// The episode with this fingerprint (the first stored, if there are
/// copies), for linking related episodes. One indexed lookup: opening an
/// episode must not read the whole library.
pub fn by_fingerprint(conn: &Connection, fingerprint: &str) -> Result<Option<EpisodeId>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM episodes WHERE fingerprint = ?1 ORDER BY id LIMIT 1")?;
    Ok(stmt.query_row([fingerprint], |row| row.get(0)).optional()?)
}
