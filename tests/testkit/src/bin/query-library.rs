//! The raw limit of `gloss list --json` and `gloss search WORD --json` in
//! the startup benchmark (crates/gloss-api/benches/startup.rs): opens
//! Gloss's SQLite file read-only with rusqlite, runs the query each command
//! comes down to (every episode by path; the best 20 full-text matches and
//! their count), and prints the rows as JSON, the listing as it reads it,
//! a page at a time as `gloss list` prints. No channel, no migrations
//! check, no runtime: the plainest way to the same rows.
//!
//! Usage: query-library DB list | query-library DB search WORD

use rusqlite::{Connection, OpenFlags, Row};
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;

type Error = Box<dyn std::error::Error>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let done = match args.as_slice() {
        [db, what] if what == "list" => list(db),
        [db, what, word] if what == "search" => search(db, word),
        _ => {
            eprintln!("usage: query-library DB list | query-library DB search WORD");
            return ExitCode::from(2);
        }
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("query-library: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Rows of the listing printed in one write, as `gloss list` prints its
/// pages: a first one of 50, then 500 at a time.
const FIRST_PAGE: usize = 50;
const PAGE: usize = 500;

const COLUMNS: &str = "id, path, title, show, kind, status, error, first_seen, updated_at";

fn open(db: &str) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
}

fn row(row: &Row) -> rusqlite::Result<Value> {
    Ok(json!({
        "id": row.get::<_, i64>(0)?,
        "source_path": row.get::<_, String>(1)?,
        "title": row.get::<_, Option<String>>(2)?,
        "show": row.get::<_, Option<String>>(3)?,
        "kind": row.get::<_, Option<String>>(4)?,
        "status": row.get::<_, String>(5)?,
        "error": row.get::<_, Option<String>>(6)?,
        "first_seen": row.get::<_, i64>(7)?,
        "updated_at": row.get::<_, i64>(8)?,
    }))
}

fn list(db: &str) -> Result<(), Error> {
    let conn = open(db)?;
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM episodes ORDER BY path"))?;
    let mut rows = stmt.query([])?;
    let mut out = std::io::stdout().lock();
    let (mut page, mut count) = (String::from("["), 0);
    while let Some(found) = rows.next()? {
        if count > 0 {
            page.push(',');
        }
        page.push_str("\n  ");
        page.push_str(&serde_json::to_string_pretty(&row(found)?)?.replace('\n', "\n  "));
        count += 1;
        if count >= FIRST_PAGE && (count - FIRST_PAGE).is_multiple_of(PAGE) {
            out.write_all(page.as_bytes())?;
            out.flush()?;
            page.clear();
        }
    }
    page.push_str(if count == 0 { "]\n" } else { "\n]\n" });
    out.write_all(page.as_bytes())?;
    Ok(())
}

fn search(db: &str, word: &str) -> Result<(), Error> {
    let conn = open(db)?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM (SELECT rowid AS hit, rank FROM search_index WHERE search_index MATCH ?1
                               ORDER BY rank LIMIT 20)
         JOIN episodes ON episodes.id = hit ORDER BY rank"
    ))?;
    let hits = stmt.query_map([word], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    let total: i64 =
        conn.query_row("SELECT count(*) FROM search_index WHERE search_index MATCH ?1", [word], |r| r.get(0))?;
    println!("{}", serde_json::to_string_pretty(&json!({ "total": total, "hits": hits }))?);
    Ok(())
}
