//! Where each exported file is, and what Gloss last wrote in it.
//!
//! `.gloss-export.json` in the out folder remembers, per file (an episode's,
//! or a highlight's in one-note-per-highlight mode), its path in the folder
//! (so links into the vault keep working when a title changes), the hash of
//! the bytes written, the hash of each note as written (so a note edited in
//! the file is told from one changed in Gloss), the front-matter properties
//! Gloss owns, and the export time written. A file moved or renamed inside
//! the out folder is found again by the Gloss items or the fingerprint in it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::regions::Body;
use crate::export::{filename, Error, Result};

/// The manifest's file name in the out folder.
pub const MANIFEST: &str = ".gloss-export.json";

/// The manifest's version: 2 added notes, properties and moves.
const VERSION: u32 = 2;

/// Folders deeper than this in the out folder are not searched for moved files.
const MAX_DEPTH: usize = 8;

/// Files larger than this are not read: an exported file is a few KiB.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    version: u32,
    /// By file key: `<fingerprint>`, `id:<n>` or `highlight:<id>`.
    pub files: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Entry {
    /// The path in the out folder, `/`-separated.
    pub file: String,
    /// BLAKE3 of the bytes written.
    pub hash: String,
    /// BLAKE3 of each note as written, by item key.
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    /// The front-matter properties Gloss wrote.
    #[serde(default)]
    pub properties: Vec<String>,
    /// The export time the file's front matter holds.
    #[serde(default)]
    pub exported: String,
    /// Written with region markers (by manifest version 2 on).
    #[serde(default)]
    pub marked: bool,
}

impl Entry {
    /// Written by a Gloss without region markers (manifest version 1).
    pub fn is_unmarked(&self) -> bool {
        !self.marked
    }
}

pub fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// A file found in the out folder.
pub struct Found {
    /// `/`-separated, inside the out folder.
    pub file: String,
    pub text: String,
}

impl Manifest {
    /// The manifest of an earlier export; none yet is an empty one. A damaged
    /// one is an error rather than a reason to overwrite the user's files.
    pub fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Malformed {
                path: path.clone(),
                reason: format!(
                    "{e}; delete it to export afresh (edited files are then kept and new versions written beside them)"
                ),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
            Err(source) => Err(Error::io(&path, source)),
        }
    }

    pub fn write(&mut self, dir: &Path) -> Result<()> {
        self.version = VERSION;
        let path = dir.join(MANIFEST);
        let json = serde_json::to_vec_pretty(self).map_err(|e| Error::io(&path, e.into()))?;
        super::super::write_file(&path, &json)
    }

    /// Each known file as it is now, by key: where the manifest says, else
    /// where it was moved to. A file that is gone is absent.
    pub fn locate(&self, dir: &Path) -> Result<HashMap<String, Found>> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for (key, entry) in &self.files {
            match safe_relative(&entry.file).then(|| read(&dir.join(&entry.file))).transpose()?.flatten() {
                Some(text) => {
                    found.insert(key.clone(), Found { file: entry.file.clone(), text });
                }
                None => missing.push(key),
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let claimed: HashSet<String> = found.values().map(|f| f.file.to_lowercase()).collect();
        let mut candidates = Vec::new();
        walk(dir, "", 0, &mut candidates)?;
        for file in candidates.into_iter().filter(|f| !claimed.contains(&f.to_lowercase())) {
            let Some(text) = read(&dir.join(&file))? else { continue };
            let owner = missing.iter().position(|key| self.is_in(key, &text));
            if let Some(index) = owner {
                found.insert(missing.remove(index).clone(), Found { file, text });
            }
            if missing.is_empty() {
                break;
            }
        }
        Ok(found)
    }

    /// Whether `text` is the file `key` was written as: it holds one of the
    /// items Gloss wrote there, or names the episode in its front matter.
    fn is_in(&self, key: &str, text: &str) -> bool {
        let Ok(body) = Body::parse(super::front_matter::split(text).body) else { return false };
        let entry = &self.files[key];
        let items = body.items().any(|item| item.key.contains(' ') && entry.notes.contains_key(&item.key));
        items || text.lines().take(40).any(|line| line.trim() == format!("gloss_fingerprint: {key}"))
    }

    /// Names in use, so new files get names of their own.
    pub fn names(&self, dir: &Path) -> Result<filename::Names> {
        let mut names = filename::Names::default();
        names.reserve(MANIFEST);
        for entry in self.files.values() {
            names.reserve(&entry.file);
        }
        let existing = std::fs::read_dir(dir).map_err(|source| Error::io(dir, source))?;
        for file in existing.flatten() {
            names.reserve(&file.file_name().to_string_lossy());
        }
        Ok(names)
    }
}

/// A relative path of plain components, none hidden: stays in the out folder.
pub fn safe_relative(file: &str) -> bool {
    !file.is_empty()
        && Path::new(file)
            .components()
            .all(|c| matches!(c, Component::Normal(name) if filename::is_plain(&name.to_string_lossy())))
}

/// The file's text; `None` when it is absent, too large or not text.
fn read(path: &Path) -> Result<Option<String>> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(Error::Read { path: path.to_owned(), source }),
    };
    if !metadata.is_file() || metadata.len() > MAX_FILE_BYTES {
        return Ok(None);
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_owned(), source })?;
    Ok(String::from_utf8(bytes).ok())
}

/// The Markdown files under `dir`, not following links or entering hidden folders.
fn walk(root: &Path, prefix: &str, depth: usize, out: &mut Vec<String>) -> Result<()> {
    let dir = root.join(prefix);
    let entries = std::fs::read_dir(&dir).map_err(|source| Error::Read { path: dir.clone(), source })?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let file = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        match entry.file_type() {
            Ok(kind) if kind.is_dir() && depth < MAX_DEPTH => walk(root, &file, depth + 1, out)?,
            Ok(kind) if kind.is_file() && name.ends_with(".md") => out.push(file),
            _ => {}
        }
    }
    Ok(())
}

/// Where a file key's file is written, relative to the out folder.
pub fn path_in(dir: &Path, file: &str) -> PathBuf {
    file.split('/').fold(dir.to_owned(), |path, part| path.join(part))
}
