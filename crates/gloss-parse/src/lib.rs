//! Reads one summary file into an [`Episode`].
//!
//! The steps, each in its own module:
//! 1. [`decode`]: bytes to text (BOM, UTF-8, Windows-1252 fallback), or a
//!    [`Refusal`] for empty, binary and oversized files;
//! 2. [`repair::greek`]: repair of emoji and dashes damaged upstream, only
//!    in documents that show the damage;
//! 3. [`lines`]: line ends, NFC, trimming and space folding;
//! 4. [`markdown`]: the Markdown rendering stripped back to plain lines;
//! 5. [`grammar`] and [`summary`]: the summary's structure, or
//!    [`document`]: a plain document when the text is not a summary, read
//!    from the repaired text again, because its shape lies in the
//!    indentation and line breaks step 3 folds away.
//!
//! `docs/format.md` describes the accepted format, the canonical text and
//! the JSON of [`EpisodeJson`]. The [`model`] is what it produces; the
//! [`repair`] of mojibake is shared with anchoring, which compares texts
//! through it.

mod decode;
mod document;
mod grammar;
mod json;
mod lines;
mod markdown;
pub mod model;
pub mod repair;
mod summary;

pub use decode::{check_size, MAX_FILE_BYTES};
pub use json::{to_json, EpisodeJson};

use crate::model::Episode;
use std::borrow::Cow;

/// Why a file is not read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the file is empty")]
    Empty,
    #[error("the file is binary, not text")]
    Binary,
    #[error("the file is UTF-32 text, which Gloss does not read; save it as UTF-8")]
    Utf32,
    #[error("the file is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: u64, limit: u64 },
}

/// Parses one file's bytes into an episode, or refuses them. Never panics:
/// any bytes give one or the other.
pub fn parse_bytes(bytes: &[u8]) -> Result<Episode, Refusal> {
    let decoded = decode::decode(bytes)?;
    let mut warnings: Vec<String> = decoded.warning.map(str::to_owned).into_iter().collect();
    let mut text = decoded.text;
    if repair::greek::is_damaged(&text) {
        let repaired = repair::greek::repair(&text);
        warnings.push(repaired.warning());
        text = Cow::Owned(repaired.text);
    }
    let lines = lines::normalised_lines(&text);
    let mut logical: Vec<&str> = Vec::with_capacity(lines.len());
    for line in lines.iter().filter(|l| !l.is_empty()) {
        match markdown::strip(line) {
            markdown::Stripped::Nothing => {}
            markdown::Stripped::One(line) => logical.push(line),
            markdown::Stripped::Two(first, second) => logical.extend([first, second]),
        }
    }
    logical.retain(|l| !l.is_empty());
    let is_summary = logical.iter().any(|l| summary::is_summary_marker(&grammar::classify(l)));
    let mut episode = if is_summary { summary::build(&logical) } else { document::build(&text) };
    warnings.append(&mut episode.warnings);
    episode.warnings = warnings;
    Ok(episode)
}
