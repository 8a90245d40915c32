//! The Markdown re-export rule: update exported files in place, but never
//! overwrite one the user edited since Gloss wrote it.
//!
//! `.gloss-export.json` in the out folder remembers, per episode, the file
//! name it was given (so links into the vault keep working when a title
//! changes) and the hash of the bytes written. A file whose bytes still
//! hash to that is Gloss's own and is replaced; one that does not was
//! edited (or was never Gloss's), so the new version goes beside it as
//! `<name>.gloss-new.md` and the report says so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::filename::{self, Names};
use super::{write_file, Error, KeptFile, Result};

/// The manifest's file name in the out folder.
pub const MANIFEST: &str = ".gloss-export.json";

/// What goes between the stem and `.md` for a new version of an edited file.
const NEW_SUFFIX: &str = ".gloss-new";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    /// By episode key (`fingerprint` or `id:<n>`).
    files: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    file: String,
    /// BLAKE3 of the bytes written.
    hash: String,
    /// BLAKE3 of the rendering without its export time: unchanged content
    /// is not written again.
    content: String,
}

/// One rendered episode to write.
pub struct Rendered {
    /// Identifies the episode across exports.
    pub key: String,
    /// The stem a new file gets (already safe, see [`filename::stem`]).
    pub stem: String,
    pub text: String,
    /// The rendering without its export time.
    pub content: String,
}

/// What writing the rendered episodes did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub written: Vec<PathBuf>,
    pub unchanged: Vec<PathBuf>,
    pub kept: Vec<KeptFile>,
}

fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// Writes `episodes` into `dir` by the re-export rule and updates the manifest.
pub fn write_all(dir: &Path, episodes: &[Rendered]) -> Result<Outcome> {
    let manifest_path = dir.join(MANIFEST);
    let mut manifest = read(&manifest_path)?;
    let mut names = Names::default();
    names.reserve(MANIFEST);
    for entry in manifest.files.values() {
        names.reserve(&entry.file);
    }
    let existing = std::fs::read_dir(dir).map_err(|source| Error::io(dir, source))?;
    for file in existing.flatten() {
        names.reserve(&file.file_name().to_string_lossy());
    }
    let mut outcome = Outcome::default();
    for episode in episodes {
        let known = manifest.files.get(&episode.key).filter(|e| filename::is_plain(&e.file)).cloned();
        let file = match &known {
            Some(entry) => entry.file.clone(),
            None => names.unique(&episode.stem, "md"),
        };
        let path = dir.join(&file);
        let content = hash(episode.content.as_bytes());
        let on_disk = match std::fs::read(&path) {
            Ok(bytes) => Some(hash(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => return Err(Error::io(&path, source)),
        };
        let ours = match (&on_disk, &known) {
            (None, _) => true,
            (Some(disk), Some(entry)) => *disk == entry.hash,
            (Some(_), None) => false,
        };
        if !ours {
            let stem = file.strip_suffix(".md").unwrap_or(&file);
            let new_path = dir.join(format!("{stem}{NEW_SUFFIX}.md"));
            write_file(&new_path, episode.text.as_bytes())?;
            outcome.kept.push(KeptFile { file: path, new_file: new_path });
            continue;
        }
        if on_disk.is_some() && known.as_ref().is_some_and(|entry| entry.content == content) {
            outcome.unchanged.push(path);
            continue;
        }
        write_file(&path, episode.text.as_bytes())?;
        manifest
            .files
            .insert(episode.key.clone(), Entry { file, hash: hash(episode.text.as_bytes()), content: content.clone() });
        outcome.written.push(path);
    }
    manifest.version = 1;
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::io(&manifest_path, e.into()))?;
    write_file(&manifest_path, &json)?;
    Ok(outcome)
}

/// The manifest of an earlier export; none yet is an empty one. A damaged
/// one is an error rather than a reason to overwrite the user's files.
fn read(path: &Path) -> Result<Manifest> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Malformed {
            path: path.to_owned(),
            reason: format!(
                "{e}; delete it to export afresh (edited files are then kept and new versions written beside them)"
            ),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
        Err(source) => Err(Error::io(path, source)),
    }
}
