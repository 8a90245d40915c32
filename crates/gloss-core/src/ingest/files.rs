//! Which files in the library folder are summaries, and finding them.

use std::collections::BTreeMap;
use std::fs::Metadata;
use std::path::{Component, Path};
use std::time::UNIX_EPOCH;

use crate::store::episodes::FileStat;

/// Extensions of the files Gloss reads (compared case-insensitively).
/// Everything else is ignored, which also leaves out editor swap and backup
/// files (`.swp`, `name.txt~`) and partial downloads (`.part`, `.crdownload`,
/// `.tmp`) until they are renamed to their final name.
const TEXT_EXTENSIONS: [&str; 4] = ["txt", "md", "markdown", "text"];

/// Whether any component of `rel` is hidden (starts with a dot): hidden
/// files and everything in hidden folders (`.git`, `.stfolder`) are ignored.
pub(crate) fn is_hidden(rel: &Path) -> bool {
    rel.components().any(|c| matches!(c, Component::Normal(name) if name.as_encoded_bytes().starts_with(b".")))
}

/// Whether a file at `rel` (relative to the library) is one Gloss reads.
pub(crate) fn is_summary_file(rel: &Path) -> bool {
    let text_extension = rel
        .extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| TEXT_EXTENSIONS.iter().any(|known| ext.eq_ignore_ascii_case(known)));
    text_extension && !is_hidden(rel)
}

/// The database form of a relative path: UTF-8, `/`-separated. `None` for a
/// name that is not valid UTF-8 (it could not be found again from the text).
pub(crate) fn rel_key(rel: &Path) -> Option<String> {
    let mut key = String::new();
    for component in rel.components() {
        let Component::Normal(name) = component else { return None };
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str(name.to_str()?);
    }
    Some(key)
}

pub(crate) fn stat_of(meta: &Metadata) -> FileStat {
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    FileStat { size: meta.len(), mtime_ns }
}

/// The summary files under `root/start` (a folder or a single file), keyed
/// by their path relative to `root`. Folders that can not be read are skipped
/// and reported in `problems`; so are names that are not UTF-8.
pub(crate) fn find(root: &Path, start: &Path, found: &mut BTreeMap<String, FileStat>, problems: &mut Vec<String>) {
    let walker = walkdir::WalkDir::new(root.join(start))
        .follow_links(false)
        .into_iter()
        // The starting folder itself may be hidden (`~/.summaries`); only
        // what is inside it is filtered.
        .filter_entry(|entry| entry.depth() == 0 || !entry.file_name().as_encoded_bytes().starts_with(b"."));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                problems.push(format!("skipped part of the library: {e}"));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else { continue };
        if !is_summary_file(rel) {
            continue;
        }
        let Some(key) = rel_key(rel) else {
            problems.push(format!("skipped {}: its name is not valid UTF-8; rename it", entry.path().display()));
            continue;
        };
        match entry.metadata() {
            Ok(meta) => {
                found.insert(key, stat_of(&meta));
            }
            Err(e) => problems.push(format!("skipped {}: {e}", entry.path().display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_files_and_ignores_hidden_swap_and_partial_files() {
        for read in ["a.txt", "dir/b.MD", "c.markdown", "x/y/z.text"] {
            assert!(is_summary_file(Path::new(read)), "{read}");
        }
        for ignored in [
            ".hidden.txt",
            ".git/a.txt",
            "a.txt.swp",
            ".a.txt.swp",
            "a.txt~",
            "a.txt.part",
            "a.txt.crdownload",
            "a.tmp",
            "a.pdf",
            "noext",
        ] {
            assert!(!is_summary_file(Path::new(ignored)), "{ignored}");
        }
    }

    #[test]
    fn keys_are_slash_separated() {
        assert_eq!(rel_key(Path::new("a/b/c.txt")).as_deref(), Some("a/b/c.txt"));
        assert_eq!(rel_key(Path::new("../c.txt")), None);
    }
}
