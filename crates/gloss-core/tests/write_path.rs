//! One path for every change: the tables of what the user owns are written
//! by one module each (see `annotations::write`). This reads gloss-core's
//! source and fails when any other module writes one of them, so a new
//! feature cannot write around the path (and skip sync, the search index
//! or the announcement) without this test saying so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each table of the user's, and the modules that may write it.
const OWNERS: &[(&str, &[&str])] = &[
    // `index` keeps the derived `tags_text` column in step with tag renames.
    ("highlights", &["annotations/highlights.rs", "annotations/index.rs"]),
    ("notes", &["annotations/notes.rs"]),
    ("note_versions", &["annotations/versions.rs"]),
    ("stars", &["annotations/stars.rs"]),
    ("reading", &["annotations/reading.rs"]),
    ("tags", &["annotations/tags.rs"]),
    ("highlight_tags", &["annotations/tags.rs"]),
    ("episode_tags", &["annotations/tags.rs"]),
    ("sync_outbox", &["annotations/outbox.rs"]),
];

/// Migrations may rewrite any table: they run before anything else.
const MIGRATIONS: &[&str] = &["store/schema/mod.rs", "store/schema/annotations.rs", "store/schema/sync.rs"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The tables a piece of source writes with SQL: `INSERT [OR x] INTO t`,
/// `UPDATE t`, `DELETE FROM t`, `REPLACE INTO t`.
fn written_tables(source: &str) -> Vec<String> {
    let words: Vec<&str> =
        source.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let mut tables = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| words[j]);
        let table = match (*word, before) {
            ("INTO", Some("INSERT" | "REPLACE" | "IGNORE" | "ABORT" | "FAIL" | "ROLLBACK")) => words.get(i + 1),
            ("UPDATE", before) if before != Some("DO") => words.get(i + 1),
            ("FROM", Some("DELETE")) => words.get(i + 1),
            _ => None,
        };
        if let Some(table) = table {
            tables.push(table.to_string());
        }
    }
    tables
}

#[test]
fn only_the_owning_module_writes_each_table_of_the_users() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let owners: BTreeMap<&str, &[&str]> = OWNERS.iter().copied().collect();
    let mut trespasses = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        if MIGRATIONS.contains(&relative.as_str()) {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for table in written_tables(&source) {
            if let Some(allowed) = owners.get(table.as_str()) {
                if !allowed.contains(&relative.as_str()) {
                    trespasses.push(format!("{relative} writes `{table}` (only {allowed:?} may)"));
                }
            }
        }
    }
    assert!(trespasses.is_empty(), "writes outside the one write path:\n{}", trespasses.join("\n"));
}

#[test]
fn the_check_sees_every_form_of_write() {
    let sql = "INSERT INTO notes (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = 1;
               INSERT OR IGNORE INTO tags (a) VALUES (1); UPDATE stars SET a = 1;
               DELETE FROM reading WHERE 1; REPLACE INTO highlights (a) VALUES (1)";
    assert_eq!(written_tables(sql), ["notes", "tags", "stars", "reading", "highlights"]);
}
