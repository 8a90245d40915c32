//! Placeholder parser: the real one is being written (issue 2). It keeps the
//! public signature the rest of the crate builds on.

use crate::model::{DocKind, Episode};

/// Largest file the parser reads.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Why a file is not read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the file is empty")]
    Empty,
    #[error("the file is binary, not text")]
    Binary,
    #[error("the file is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: u64, limit: u64 },
}

/// Parses one file's bytes into an episode, or refuses them.
pub fn parse_bytes(bytes: &[u8]) -> Result<Episode, Refusal> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Refusal::TooLarge { size: bytes.len() as u64, limit: MAX_FILE_BYTES });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Refusal::Empty);
    }
    if bytes.contains(&0) {
        return Err(Refusal::Binary);
    }
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut episode = Episode::empty(DocKind::Document);
    if let Some(first) = lines.next() {
        match first.split_once(" | ") {
            Some((title, show)) => {
                episode.kind = DocKind::Summary;
                episode.title = Some(title.into());
                episode.show = Some(show.into());
            }
            None => episode.title = Some(first.into()),
        }
    }
    episode.paragraphs = lines.map(str::to_owned).collect();
    Ok(episode)
}
