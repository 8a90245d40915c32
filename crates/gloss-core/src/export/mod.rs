//! Getting annotations out of Gloss and back in.
//!
//! [`export`] writes the library's annotations into a folder in one of four
//! formats (docs/format.md, "Export formats"): Markdown for Obsidian and
//! other note apps, W3C Web Annotation JSON-LD, Readwise's CSV, and the
//! Gloss JSON backup that holds everything. [`import`] reads a backup, a
//! W3C collection or a Readwise CSV back, detecting which by content.
//!
//! Everything is read from one snapshot ([`snapshot`]) and every format is
//! rendered from the backup model ([`backup`]), so the formats can not
//! disagree about what the library holds. Importing goes through one
//! durable transaction: a failing database leaves nothing half imported,
//! while items that can not be placed (an episode the library lacks, a
//! quote not in the text) are reported one by one and the rest goes in.

mod anki;
pub mod backup;
mod filename;
mod import;
pub mod markdown;
mod readwise;
mod restore;
mod snapshot;
mod time;
mod w3c;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::annotations::Caller;
use crate::library::Library;
use crate::store::now_ms;

pub use markdown::{MarkdownOptions, MANIFEST};

/// The file a W3C export writes in the out folder.
pub const W3C_FILE: &str = "gloss-annotations.jsonld";
/// The file a Readwise export writes.
pub const CSV_FILE: &str = "gloss-readwise.csv";
/// The file a JSON backup writes.
pub const JSON_FILE: &str = "gloss-backup.json";
/// The review cards for Anki.
pub const ANKI_FILE: &str = "gloss-anki.tsv";

/// Files larger than this are refused on import: a backup of a large
/// library is a few megabytes.
const MAX_IMPORT_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One Markdown file per annotated episode (Obsidian-friendly).
    Markdown,
    /// One W3C Web Annotation collection (JSON-LD).
    W3c,
    /// Readwise's CSV import format.
    Csv,
    /// The complete Gloss JSON backup.
    Json,
    /// The review cards, for Anki's importer (tab-separated, with stable ids).
    Anki,
}

impl Format {
    pub const ALL: [Format; 5] = [Format::Markdown, Format::W3c, Format::Csv, Format::Json, Format::Anki];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::W3c => "w3c",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Anki => "anki",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(name: &str) -> std::result::Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| format!("unknown export format {name:?}; use one of markdown, w3c, csv, json"))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the export folder {} is a file; give a folder (it is created if missing)", path.display())]
    OutDirIsFile { path: PathBuf },

    #[error("could not write {}: {source}; check that the folder is writable and the disk has room", path.display())]
    Write { path: PathBuf, source: std::io::Error },

    #[error("could not read {}: {source}; check the path and that the file may be read", path.display())]
    Read { path: PathBuf, source: std::io::Error },

    #[error("{} is {size} bytes, over the {MAX_IMPORT_BYTES}-byte import limit", path.display())]
    TooLarge { path: PathBuf, size: u64 },

    #[error("{} is not something Gloss imports: {reason}", path.display())]
    Unrecognized { path: PathBuf, reason: String },

    #[error("{} is damaged: {reason}", path.display())]
    Malformed { path: PathBuf, reason: String },

    #[error("{} is a Gloss backup version {found}, newer than this Gloss reads ({known}); update Gloss", path.display())]
    TooNew { path: PathBuf, found: u32, known: u32 },

    #[error(transparent)]
    Store(#[from] crate::store::Error),

    #[error(transparent)]
    Annotations(#[from] crate::annotations::Error),

    /// Nothing was written.
    #[error("{0}; nothing was exported")]
    Template(#[from] markdown::TemplateError),
}

impl Error {
    fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Write { path: path.to_owned(), source }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportReport {
    pub format: Option<Format>,
    pub out_dir: PathBuf,
    /// Files written (new or updated).
    pub written: Vec<PathBuf>,
    /// Markdown files already up to date, left alone.
    pub unchanged: Vec<PathBuf>,
    /// Markdown files Gloss could not merge into (their markers were
    /// damaged): kept as they are, with the new version written beside them.
    pub kept: Vec<KeptFile>,
    /// Notes edited in exported Markdown files and read back into Gloss.
    #[serde(default)]
    pub notes_read_back: usize,
    /// Markdown files found where the user moved or renamed them.
    #[serde(default)]
    pub followed: Vec<PathBuf>,
    /// Episodes exported.
    pub episodes: usize,
    /// Highlights exported (live ones; the JSON backup holds trashed ones too).
    pub highlights: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptFile {
    pub file: PathBuf,
    pub new_file: PathBuf,
    /// Why Gloss could not merge into the file.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub file: PathBuf,
    /// The format the file was read as.
    pub format: Option<Format>,
    pub highlights_added: usize,
    pub highlights_updated: usize,
    /// Highlights already there as they are in the file (or newer).
    pub highlights_unchanged: usize,
    /// Episode notes and insight notes written.
    pub notes: usize,
    pub stars: usize,
    pub reading: usize,
    /// Tags created, and tags added to episodes.
    pub tags: usize,
    pub settings: usize,
    /// Ratings of the review log taken in (each counted, new or known).
    pub reviews: usize,
    /// What could not be imported, and why.
    pub problems: Vec<Problem>,
}

/// One item that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The CSV row (the header is row 1) or the annotation's place in the file.
    pub row: Option<usize>,
    /// The highlight's id, when it has one.
    pub id: Option<String>,
    pub reason: String,
}

/// Writes the library's annotations into `out_dir` (created if missing)
/// as `format`. Markdown reads note edits made in its files back first, as
/// changes of `caller`.
pub fn export(
    library: &Library,
    caller: &Caller,
    format: Format,
    out_dir: &Path,
    options: &MarkdownOptions,
) -> Result<ExportReport> {
    prepare_out_dir(out_dir)?;
    let now = now_ms();
    let snapshot = snapshot::Snapshot::take(library.store(), now)?;
    let live = snapshot.backup.highlights.iter().filter(|h| h.deleted_at.is_none()).count();
    let mut report = ExportReport { format: Some(format), out_dir: out_dir.to_owned(), ..Default::default() };
    let backup = &snapshot.backup;
    // Every format but Markdown is one file.
    let (name, bytes) = match format {
        Format::Markdown => {
            let outcome = markdown::export(library, caller, &snapshot, out_dir, options, now)?;
            report.episodes = outcome.episodes;
            report.highlights = live;
            report.written = outcome.written;
            report.unchanged = outcome.unchanged;
            report.kept = outcome.kept;
            report.notes_read_back = outcome.notes_read_back;
            report.followed = outcome.followed;
            return Ok(report);
        }
        Format::W3c => (W3C_FILE, serde_json::to_vec_pretty(&w3c::collection(backup)).map_err(std::io::Error::from)),
        Format::Csv => {
            let hosts: HashMap<i64, Vec<String>> =
                snapshot.episodes.iter().map(|(id, episode)| (*id, episode.hosts.clone())).collect();
            (CSV_FILE, readwise::csv(backup, &hosts).map_err(std::io::Error::from))
        }
        Format::Json => (JSON_FILE, backup.to_json().map(String::into_bytes).map_err(std::io::Error::from)),
        Format::Anki => {
            let cards = library.store().read(|conn| anki::tsv(conn))?;
            (ANKI_FILE, Ok(cards))
        }
    };
    let path = out_dir.join(name);
    write_file(&path, &bytes.map_err(|source| Error::io(&path, source))?)?;
    report.written.push(path);
    // The backup holds trashed highlights, and episodes with only notes, too.
    (report.highlights, report.episodes) = match format {
        Format::Json => (backup.highlights.len(), backup.episodes.len()),
        _ => (live, count_episodes(backup)),
    };
    Ok(report)
}

/// Episodes with at least one live highlight.
fn count_episodes(backup: &backup::Backup) -> usize {
    let ids: std::collections::HashSet<i64> =
        backup.highlights.iter().filter(|h| h.deleted_at.is_none()).map(|h| h.episode.id).collect();
    ids.len()
}

/// Each rated highlight's review state, replayed from the backup's log
/// with its review settings, by highlight id.
fn review_states(backup: &backup::Backup) -> HashMap<String, markdown::ReviewLine> {
    let settings = backup
        .settings
        .get(crate::store::settings::REVIEW)
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    let Ok(scheduler) = gloss_review::Scheduler::new(settings) else { return HashMap::new() };
    let mut by_card: HashMap<&str, Vec<gloss_review::ReviewEvent>> = HashMap::new();
    for entry in &backup.review.events {
        let (Ok(card), Some(rating)) = (entry.card.parse(), gloss_review::Rating::from_number(entry.rating)) else {
            continue;
        };
        let event =
            gloss_review::ReviewEvent { id: entry.id.clone(), card, rating, at_ms: entry.at, undone: entry.undone };
        by_card.entry(entry.card.as_str()).or_default().push(event);
    }
    by_card
        .into_iter()
        .filter_map(|(card, events)| {
            let highlight = card.strip_prefix("highlight/")?;
            let state = scheduler.replay(&events);
            let due = state.due_ms()?;
            Some((highlight.to_owned(), markdown::ReviewLine { due: time::date(due), reviews: state.reviews() }))
        })
        .collect()
}

/// Creates the out folder if needed; refuses a path that is a file.
fn prepare_out_dir(out_dir: &Path) -> Result<()> {
    if out_dir.exists() && !out_dir.is_dir() {
        return Err(Error::OutDirIsFile { path: out_dir.to_owned() });
    }
    std::fs::create_dir_all(out_dir).map_err(|source| Error::io(out_dir, source))
}

/// Writes `bytes` to `path` through a temporary file in the same folder,
/// so a reader (or a crash) never sees half a file. Only plain names in
/// the out folder get here (see [`filename::is_plain`]).
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !filename::is_plain(&name) && name != MANIFEST {
        return Err(Error::io(path, std::io::Error::other("not a plain file name in the export folder")));
    }
    let temporary = path.with_file_name(format!(".{name}.gloss-tmp"));
    std::fs::write(&temporary, bytes).map_err(|source| Error::io(&temporary, source))?;
    std::fs::rename(&temporary, path).map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        Error::io(path, source)
    })
}

/// Reads `path` (a Gloss JSON backup, a W3C annotation collection or a
/// Readwise CSV, told apart by content) into the library.
/// Everything it writes goes through the write path as a change of `origin`.
pub fn import(
    library: &crate::library::Library,
    origin: crate::annotations::Origin,
    path: &Path,
) -> Result<ImportReport> {
    import::import(library, origin, path)
}

impl fmt::Display for ExportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = self.format.map_or("", Format::as_str);
        write!(
            f,
            "exported {} highlights from {} episodes as {format} to {}: {} files written, {} unchanged",
            self.highlights,
            self.episodes,
            self.out_dir.display(),
            self.written.len(),
            self.unchanged.len()
        )?;
        if self.notes_read_back > 0 {
            write!(f, "; {} notes edited in the files read back", self.notes_read_back)?;
        }
        for followed in &self.followed {
            write!(f, "\nfollowed {} where it was moved", followed.display())?;
        }
        for kept in &self.kept {
            write!(
                f,
                "\nkept {} as it is: {}; the new version is {}",
                kept.file.display(),
                kept.reason,
                kept.new_file.display()
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = self.format.map_or("", Format::as_str);
        write!(
            f,
            "imported {} ({format}): highlights {} added, {} updated, {} already there; \
             {} notes, {} stars, {} reading states, {} tags, {} settings",
            self.file.display(),
            self.highlights_added,
            self.highlights_updated,
            self.highlights_unchanged,
            self.notes,
            self.stars,
            self.reading,
            self.tags,
            self.settings
        )?;
        for problem in &self.problems {
            let at = match (problem.row, &problem.id) {
                (Some(row), _) => format!("row {row}"),
                (None, Some(id)) => format!("highlight {id}"),
                (None, None) => "item".to_owned(),
            };
            write!(f, "\nnot imported, {at}: {}", problem.reason)?;
        }
        Ok(())
    }
}
