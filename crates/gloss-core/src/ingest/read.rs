//! Reading files: the bytes, their hash and their parse, on several threads.

use std::path::Path;

use super::files::stat_of;
use crate::store::episodes::{FileVersion, Parsed};
use gloss_parse::Refusal;

/// What reading a file gave.
#[derive(Debug)]
pub(crate) enum Read {
    /// The file held still while read.
    Version(Box<FileVersion>),
    /// The file changed while being read, or vanished: try again shortly.
    Unsettled,
}

/// Reads `root/rel`: checks its size, reads it, re-checks that size and mtime
/// did not move meanwhile (a file still being written is not trusted), hashes
/// the bytes and parses them.
pub(crate) fn read_file(root: &Path, rel: &str) -> Read {
    let path = root.join(rel);
    let failed = |stat, content_hash: String, reason: String| {
        Read::Version(Box::new(FileVersion {
            path: rel.to_owned(),
            stat,
            content_hash,
            content: Err(format!("{rel}: {reason}")),
        }))
    };
    let Ok(before) = std::fs::metadata(&path) else { return Read::Unsettled };
    let stat = stat_of(&before);
    if stat.size == 0 && just_touched(&before) {
        // Created but not written yet (the writer opens, then writes).
        return Read::Unsettled;
    }
    if stat.size > gloss_parse::MAX_FILE_BYTES {
        let refusal = Refusal::TooLarge { size: stat.size, limit: gloss_parse::MAX_FILE_BYTES };
        return failed(stat, String::new(), refusal.to_string());
    }
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::Unsettled,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            let reason = format!("could not be read: {e}; let Gloss read it (check its permissions)");
            return failed(stat, String::new(), reason);
        }
        Err(e) => return failed(stat, String::new(), format!("could not be read: {e}")),
    };
    match std::fs::metadata(&path) {
        Ok(after) if stat_of(&after) == stat && bytes.len() as u64 == stat.size => {}
        _ => return Read::Unsettled,
    }
    let content_hash = hash(&bytes);
    // A parser bug must cost one file, not the whole library.
    let parsed = crate::panic::caught(|| gloss_parse::parse_bytes(&bytes));
    let content = match parsed {
        Ok(Ok(episode)) => Parsed::new(episode).map_err(|e| format!("{rel}: could not be stored: {e}")),
        Ok(Err(refusal)) => return failed(stat, content_hash, refusal.to_string()),
        Err(_) => return failed(stat, content_hash, "the parser failed on this file; please report it".into()),
    };
    Read::Version(Box::new(FileVersion { path: rel.to_owned(), stat, content_hash, content }))
}

/// How long an empty file is taken for one still being written.
const SETTLING: std::time::Duration = std::time::Duration::from_secs(1);

fn just_touched(meta: &std::fs::Metadata) -> bool {
    meta.modified().ok().and_then(|m| m.elapsed().ok()).is_some_and(|age| age < SETTLING)
}

/// The content hash stored for `bytes`.
pub(crate) fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// The hash of `root/rel`'s bytes, or `None` if it can not be read now
/// or is over the size limit (it can then be no episode that moved: one
/// that large was never read in). Streamed, so a huge file never sits in
/// memory.
pub(crate) fn hash_file(root: &Path, rel: &str) -> Option<String> {
    let file = std::fs::File::open(root.join(rel)).ok()?;
    if file.metadata().ok()?.len() > gloss_parse::MAX_FILE_BYTES {
        return None;
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::io::Read::take(file, gloss_parse::MAX_FILE_BYTES + 1)).ok()?;
    Some(hasher.finalize().to_hex().to_string())
}
