//! What must hold after parsing any bytes and re-anchoring any selector.
//!
//! One copy, shared: the hostile-corpus test and the fuzz-regression test
//! include it as a module, and so do the fuzz targets in `fuzz/` (by
//! path), so a crash the fuzzer finds replays here as the same checks.
#![allow(dead_code)] // Each includer uses its own part.

use arbitrary::Arbitrary;
use gloss_anchor::{describe, describe_in_episode, normalize_for_matching, reanchor, AnchorStatus, Selector, Span};
use gloss_parse::model::{BlockRole, DocKind, Episode, BLOCK_SEPARATOR, CANONICAL_TEXT_VERSION};
use gloss_parse::{parse_bytes, to_json, Refusal};
use unicode_normalization::is_nfc;

/// Blocks re-anchored per episode: enough to cover every kind of block,
/// few enough that a 100,000-section file stays quick.
const CHECKED_BLOCKS: usize = 16;

/// Parses `bytes` and checks the result: a refusal says why; an episode's
/// blocks sit at their offsets in the canonical text, hold normalised lines
/// and no NUL, and each re-anchors in place on an unchanged text.
pub fn check_parse(bytes: &[u8]) -> Result<Episode, Refusal> {
    let episode = match parse_bytes(bytes) {
        Ok(episode) => episode,
        Err(refusal) => {
            assert!(!refusal.to_string().is_empty(), "a refusal says why");
            return Err(refusal);
        }
    };
    let text = episode.canonical_text();
    let chars: Vec<char> = text.chars().collect();
    let blocks = episode.blocks();
    let separator = BLOCK_SEPARATOR.chars().count();
    let mut expected_start = 0;
    for block in &blocks {
        assert_eq!(block.start, expected_start, "block {} follows the one before it", block.key);
        let slice: String = chars[block.start..block.start + block.len].iter().collect();
        assert_eq!(slice, block.text, "block {} sits at its offsets", block.key);
        expected_start = block.start + block.len + separator;
        assert!(!block.text.is_empty(), "empty texts make no block");
        assert!(!block.text.contains(['\0', '\r']), "block {} holds a NUL or a CR", block.key);
        let in_document = episode.kind == DocKind::Document && block.key.starts_with('p');
        assert!(in_document || !block.text.contains('\n'), "only a document's blocks hold line breaks: {}", block.key);
        // An indented block keeps its layout: indentation relative to its
        // least indented line, and the spacing inside its lines.
        let preformatted = block.role == BlockRole::Preformatted;
        assert!(!preformatted || block.text.split('\n').any(|l| !l.starts_with(' ')), "{} is not dedented", block.key);
        for line in block.text.split('\n') {
            assert!(!line.trim().is_empty(), "a blank line inside {}", block.key);
            let expected = if preformatted { line.trim_end() } else { line.trim() };
            assert_eq!(line, expected, "an untrimmed line in {}", block.key);
            assert!(!line.contains(['\t', '\u{a0}']), "a tab or no-break space in {}", block.key);
            assert!(preformatted || !line.contains("  "), "unfolded spaces in {}", block.key);
            assert!(is_nfc(line), "a line not in NFC in {}", block.key);
        }
    }
    assert_eq!(expected_start.saturating_sub(separator), chars.len(), "the blocks make up the canonical text");
    assert_eq!(episode.content_hash().len(), 32);
    let json: serde_json::Value = serde_json::from_str(&to_json(&episode)).expect("to_json gives JSON");
    assert_eq!(json["blocks"].as_array().map(Vec::len), Some(blocks.len()));

    let selectors: Vec<Selector> = blocks
        .iter()
        .take(CHECKED_BLOCKS)
        .map(|b| describe_in_episode(&episode, b.start, b.start + b.len).expect("a block is a valid range"))
        .collect();
    for (selector, block) in selectors.iter().zip(&blocks) {
        assert_eq!(selector.block_key.as_deref(), Some(block.key.as_str()));
    }
    for (selector, got) in selectors.iter().zip(reanchor(Some(&text), &text, &selectors)) {
        assert_eq!(got.status, AnchorStatus::Anchored, "{}: {:?}", selector.exact, got.reason);
        assert_eq!(got.span, Some(Span { start: selector.start, end: selector.end }));
    }
    Ok(episode)
}

/// Old and new texts and highlights, for the `reanchor` fuzz target.
#[derive(Debug, Arbitrary)]
pub struct ReanchorInput {
    pub old: String,
    pub new: String,
    pub keep_old: bool,
    pub highlights: Vec<Highlight>,
}

#[derive(Debug, Arbitrary)]
pub enum Highlight {
    /// A selection on the old text, as a reader makes one.
    Taken { start: u16, len: u8 },
    /// Whatever a damaged database or a foreign device might hold.
    Raw { exact: String, prefix: String, suffix: String, start: usize, end: usize, current_version: bool },
}

impl Highlight {
    fn selector(self, old: &str) -> Option<Selector> {
        match self {
            Highlight::Taken { start, len } => {
                let count = old.chars().count();
                let start = usize::from(start) % (count + 1);
                describe(old, start, (start + usize::from(len) + 1).min(count)).ok()
            }
            Highlight::Raw { exact, prefix, suffix, start, end, current_version } => Some(Selector {
                exact,
                prefix,
                suffix,
                start,
                end,
                block_key: None,
                text_version: if current_version { CANONICAL_TEXT_VERSION } else { CANONICAL_TEXT_VERSION + 1 },
            }),
        }
    }
}

/// Re-anchors the input's highlights and checks every answer.
pub fn check_reanchor(input: ReanchorInput) {
    let ReanchorInput { old, new, keep_old, highlights } = input;
    let selectors: Vec<Selector> = highlights.into_iter().take(8).filter_map(|h| h.selector(&old)).collect();
    check_reanchored(keep_old.then_some(old.as_str()), &new, &selectors);
}

/// Every selector gets an answer; a placed one has a span inside `new`,
/// an unplaced one a reason; an `anchored` or `moved` one points at its
/// quote (after normalisation, when the answer says so).
pub fn check_reanchored(old: Option<&str>, new: &str, selectors: &[Selector]) {
    let results = reanchor(old, new, selectors);
    assert_eq!(results.len(), selectors.len());
    let new_chars: Vec<char> = new.chars().collect();
    for (selector, got) in selectors.iter().zip(&results) {
        let placed = matches!(got.status, AnchorStatus::Anchored | AnchorStatus::Moved | AnchorStatus::Fuzzy);
        assert_eq!(placed, got.span.is_some(), "{:?} and its span disagree", got.status);
        let Some(span) = got.span else {
            assert!(got.reason.as_deref().is_some_and(|r| !r.is_empty()), "an unplaced highlight says why");
            continue;
        };
        assert!(span.start < span.end && span.end <= new_chars.len(), "{span:?} is outside the new text");
        if matches!(got.status, AnchorStatus::Anchored | AnchorStatus::Moved) {
            let here: String = new_chars[span.start..span.end].iter().collect();
            if got.reason.as_deref().is_some_and(|r| r.contains("ignoring differences")) {
                assert_eq!(normalize_for_matching(&here), normalize_for_matching(&selector.exact));
            } else {
                assert_eq!(here, selector.exact, "{:?} points elsewhere than its quote", got.status);
            }
        }
    }
}
