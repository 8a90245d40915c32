//! Checking the database at start, and recovering what can still be read
//! from a damaged one.
//!
//! A damaged database (flipped bytes, a file cut short, a schema version
//! reset) is refused at start with a message that names the file and what
//! to do, and Gloss writes nothing into it. `gloss recover` then moves the
//! damaged file aside (it is never deleted: the user may want it, or a
//! better tool may read more of it), builds a new database of the current
//! schema and copies into it every row that can still be read, table by
//! table, skipping past damaged parts.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::error::{Error, Result};
use super::lock::DataDirLock;
use super::{checked, schema, DB_FILE};

/// Where damaged databases are kept, inside the data folder.
pub const DAMAGED_DIR: &str = "damaged";

/// How many of `quick_check`'s findings a message quotes.
const QUOTED_PROBLEMS: usize = 3;

/// Refuses a database file that exists but is empty (0 bytes), before
/// SQLite opens it: SQLite would take it for a new database and write one
/// over it, and whatever the user had would be gone without a word.
pub(crate) fn check_file(db_path: &Path) -> Result<()> {
    if std::fs::metadata(db_path).is_ok_and(|meta| meta.len() == 0) {
        let reason = "the file is empty (0 bytes): it was cut short or replaced".to_owned();
        return Err(Error::Corrupt { path: db_path.to_owned(), reason });
    }
    Ok(())
}

/// Refuses a database that is damaged: `PRAGMA quick_check` finds a
/// problem, or it holds tables but its schema version was reset to 0.
/// `quick_check` is skipped while the file is unchanged since it last
/// passed (see [`checked`]).
pub(crate) fn check(conn: &Connection, db_path: &Path) -> Result<()> {
    let damaged = |reason: String| Error::Corrupt { path: db_path.to_owned(), reason };
    if !checked::unchanged_since_checked(db_path) {
        let problems: Vec<String> = match conn.prepare("PRAGMA quick_check").and_then(|mut stmt| {
            stmt.query_map([], |row| row.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<String>>>()
        }) {
            Ok(problems) => problems,
            Err(err) => vec![err.to_string()],
        };
        if problems != ["ok"] {
            let quoted: Vec<&str> = problems.iter().take(QUOTED_PROBLEMS).map(String::as_str).collect();
            return Err(damaged(format!("SQLite's check found: {}", quoted.join("; "))));
        }
        checked::record_sound(db_path);
    }
    let version: i64 =
        conn.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(|e| damaged(e.to_string()))?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", [], |row| row.get(0))
        .map_err(|e| damaged(e.to_string()))?;
    if version == 0 && tables > 0 {
        return Err(damaged("it holds tables but its schema version was reset to 0".into()));
    }
    Ok(())
}

/// What [`recover`] did.
#[derive(Debug, Clone, Serialize)]
pub struct RecoverReport {
    /// Where the damaged database was moved.
    pub kept_at: PathBuf,
    /// The new database.
    pub database: PathBuf,
    /// Per table: rows copied, and whether some could not be read.
    pub tables: Vec<TableReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    pub table: String,
    pub rows: usize,
    pub incomplete: bool,
}

impl std::fmt::Display for RecoverReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "the damaged database is kept at {}", self.kept_at.display())?;
        for table in &self.tables {
            let note = if table.incomplete { " (some rows could not be read)" } else { "" };
            writeln!(f, "{}: {} rows recovered{note}", table.table, table.rows)?;
        }
        write!(f, "the new database is {}; the library folder is read again when Gloss starts", self.database.display())
    }
}

/// Moves the database in `data_dir` aside and rebuilds it from what can be
/// read. Refused while a Gloss has the data folder open.
pub fn recover(data_dir: &Path, now_ms: i64) -> Result<RecoverReport> {
    let _lock = DataDirLock::acquire(data_dir)?;
    let db_path = data_dir.join(DB_FILE);
    let kept_dir = data_dir.join(DAMAGED_DIR);
    std::fs::create_dir_all(&kept_dir).map_err(|source| Error::DataDir { dir: kept_dir.clone(), source })?;
    let kept_at = kept_dir.join(format!("gloss-{now_ms}.db"));
    // The WAL and shared memory go with it: they are part of the database.
    for suffix in ["", "-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", db_path.display()));
        if from.exists() {
            let to = PathBuf::from(format!("{}{suffix}", kept_at.display()));
            std::fs::rename(&from, &to).map_err(|source| Error::DataDir { dir: data_dir.to_owned(), source })?;
        }
    }
    let open_error = |source| Error::Open { path: db_path.clone(), source };
    let mut new = Connection::open(&db_path).map_err(open_error)?;
    schema::migrations().to_latest(&mut new).map_err(|source| Error::Migrate {
        path: db_path.clone(),
        backups: None,
        source: Box::new(source),
    })?;
    let old = Connection::open_with_flags(&kept_at, OpenFlags::SQLITE_OPEN_READ_ONLY).ok();
    let mut tables = Vec::new();
    for table in copyable_tables(&new)? {
        let report = match &old {
            Some(old) => copy_table(old, &new, &table),
            None => TableReport { table: table.clone(), rows: 0, incomplete: true },
        };
        tables.push(report);
    }
    // The search indexes are rebuilt from the rows, never copied.
    new.execute_batch(
        "INSERT INTO search_index (search_index) VALUES ('rebuild');
         INSERT INTO highlight_index (highlight_index) VALUES ('rebuild');",
    )?;
    Ok(RecoverReport { kept_at, database: db_path, tables })
}

/// The new database's own tables, parents first (as created), without the
/// search indexes and SQLite's internals.
fn copyable_tables(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY rowid")?;
    let all: Vec<(String, String)> =
        stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    let virtual_tables: Vec<&str> =
        all.iter().filter(|(_, sql)| sql.starts_with("CREATE VIRTUAL TABLE")).map(|(name, _)| name.as_str()).collect();
    // A virtual table's own storage is named after it (`search_index_data`).
    let derived = |name: &str| virtual_tables.iter().any(|v| name == *v || name.starts_with(&format!("{v}_")));
    Ok(all
        .iter()
        .filter(|(name, _)| !name.starts_with("sqlite_") && !derived(name))
        .map(|(name, _)| name.clone())
        .collect())
}

fn columns(conn: &Connection, table: &str) -> Vec<String> {
    let Ok(mut stmt) = conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}')")) else {
        return Vec::new();
    };
    stmt.query_map([], |row| row.get(0)).map(|rows| rows.flatten().collect()).unwrap_or_default()
}

/// Copies the rows of `table` that can be read, in the columns both have.
/// A read that fails part way goes on after the last row read (rowid
/// tables), skipping further each time it fails again.
fn copy_table(old: &Connection, new: &Connection, table: &str) -> TableReport {
    let wanted = columns(new, table);
    let have = columns(old, table);
    let shared: Vec<String> = wanted.into_iter().filter(|c| have.contains(c)).collect();
    let mut report = TableReport { table: table.to_owned(), rows: 0, incomplete: shared.is_empty() };
    if shared.is_empty() {
        return report;
    }
    let list = shared.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let marks = vec!["?"; shared.len()].join(", ");
    let insert = format!("INSERT OR IGNORE INTO \"{table}\" ({list}) VALUES ({marks})");
    let has_rowid = old.prepare(&format!("SELECT rowid FROM \"{table}\" LIMIT 0")).is_ok();
    let select = if has_rowid {
        format!("SELECT rowid, {list} FROM \"{table}\" WHERE rowid >= ?1 ORDER BY rowid")
    } else {
        format!("SELECT 0, {list} FROM \"{table}\" WHERE ?1 = ?1")
    };
    let mut from: i64 = i64::MIN;
    let mut skip: i64 = 1;
    loop {
        let read = copy_rows(old, new, &select, &insert, shared.len(), from, &mut report.rows);
        match read {
            Ok(()) => break,
            Err(last) => {
                report.incomplete = true;
                if !has_rowid || skip > 1 << 40 {
                    break;
                }
                // Past the row that failed, further each time.
                from = last.map_or(from, |last| last.saturating_add(1)).saturating_add(skip - 1);
                skip = skip.saturating_mul(2);
            }
        }
    }
    report
}

/// Copies rows from `select` starting at rowid `from`; `Err` holds the last
/// rowid read before a read failed.
fn copy_rows(
    old: &Connection,
    new: &Connection,
    select: &str,
    insert: &str,
    width: usize,
    from: i64,
    copied: &mut usize,
) -> std::result::Result<(), Option<i64>> {
    let mut last = None;
    let mut stmt = old.prepare(select).map_err(|_| last)?;
    let mut rows = stmt.query([from]).map_err(|_| last)?;
    loop {
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => return Ok(()),
            Err(_) => return Err(last),
        };
        let rowid: i64 = row.get(0).map_err(|_| last)?;
        let values: Vec<rusqlite::types::Value> =
            (1..=width).map(|i| row.get(i)).collect::<rusqlite::Result<_>>().map_err(|_| Some(rowid))?;
        last = Some(rowid);
        if new.execute(insert, rusqlite::params_from_iter(values)).is_ok_and(|n| n > 0) {
            *copied += 1;
        }
    }
}
