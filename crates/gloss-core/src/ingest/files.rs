//! Which files in the library folder are summaries, and finding them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs::Metadata;
use std::path::{Component, Path};
use std::time::UNIX_EPOCH;

use super::Scope;
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

/// What a look through (part of) the library folder found.
#[derive(Debug)]
pub(crate) struct Found {
    /// The summary files, keyed by their path relative to the library.
    pub files: BTreeMap<String, FileStat>,
    /// Where Gloss could not look (relative paths, or everything when the
    /// library folder itself can not be read). Nothing is known there now,
    /// so what is stored for it is left as it is, not called missing.
    pub unreadable: Scope,
    /// What to tell the user: each names the path and what went wrong.
    pub problems: Vec<String>,
    /// Summary files that can not be read in (a name that is not UTF-8):
    /// counted as errors, so a scan never says "errors 0" over them.
    pub refused: usize,
}

impl Found {
    pub fn new() -> Found {
        Found { files: BTreeMap::new(), unreadable: Scope::Paths(BTreeSet::new()), problems: Vec::new(), refused: 0 }
    }

    /// Records that `path` (under `root`) could not be looked at.
    pub fn unreadable_at(&mut self, root: &Path, path: &Path, reason: &dyn fmt::Display) {
        self.problems.push(format!(
            "could not look in {}: {reason}; its episodes are kept as they are until it can be read",
            path.display()
        ));
        match path.strip_prefix(root).ok().and_then(rel_key) {
            Some(key) if key.is_empty() => self.unreadable = Scope::All,
            Some(key) => {
                if let Scope::Paths(paths) = &mut self.unreadable {
                    paths.insert(key);
                }
            }
            None => {}
        }
    }

    fn skipped(&mut self, root: &Path, error: &walkdir::Error) {
        let path = error.path().unwrap_or(root);
        match error.io_error() {
            Some(io) => self.unreadable_at(root, path, io),
            None => self.unreadable_at(root, path, error),
        }
    }
}

/// Finds the summary files under `root/start` (a folder or a single file).
/// Symbolic links are never followed, not even when `start` is one: a link
/// back up would never end, and a link to another part of the library would
/// make every file in it a second episode.
pub(crate) fn find(root: &Path, start: &Path, found: &mut Found) {
    let walker = walkdir::WalkDir::new(root.join(start))
        .follow_links(false)
        .follow_root_links(false)
        .into_iter()
        // The starting folder itself may be hidden (`~/.summaries`); only
        // what is inside it is filtered.
        .filter_entry(|entry| entry.depth() == 0 || !entry.file_name().as_encoded_bytes().starts_with(b"."));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                found.skipped(root, &e);
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
            found.problems.push(format!("skipped {}: its name is not valid UTF-8; rename it", entry.path().display()));
            found.refused += 1;
            continue;
        };
        match entry.metadata() {
            Ok(meta) => {
                found.files.insert(key, stat_of(&meta));
            }
            Err(e) => found.skipped(root, &e),
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
