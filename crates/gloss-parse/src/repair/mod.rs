//! Repair of mojibake: UTF-8 text that something decoded as a single-byte
//! code page, so each non-ASCII character shows as two to four others.
//!
//! Gloss meets two kinds, and how much of the bytes survived decides how
//! each is repaired:
//!
//! * [`greek`]: UTF-8 read as ISO-8859-7, the damage the real summaries
//!   carry. Bytes that code page has no character for were dropped, so
//!   repair is inference: it needs evidence from the whole document
//!   ([`greek::is_damaged`]) before it touches anything, may have to remove
//!   what it can not read, and says what it did. The parser runs it once,
//!   on a file's text, and the episode carries its warning.
//! * [`cp1252`]: UTF-8 read as Windows-1252. Every byte survives, so each
//!   sequence reverses exactly where it stands, with no look at the rest.
//!   Anchoring compares texts through it, so a quote taken on a damaged
//!   text still finds the passage once a tool has repaired the file.
//!
//! Both read characters back into the bytes they were decoded from
//! ([`CodePage`]) and those bytes back into the UTF-8 sequence they were
//! part of ([`continuations`], [`decode_one`]); only the code page and what
//! is lost differ.

pub mod cp1252;
pub mod greek;

use encoding_rs::Encoding;

/// A single-byte code page read backwards: the byte each of its non-ASCII
/// characters decodes from. Built from encoding_rs's tables, so no module
/// holds a hand-made copy.
struct CodePage {
    /// Sorted by character, for binary search.
    table: Vec<(char, u8)>,
}

impl CodePage {
    /// The characters the bytes `first..=0xFF` of `encoding` decode to.
    fn new(encoding: &'static Encoding, first: u8) -> CodePage {
        let mut table = Vec::with_capacity(usize::from(0xFF - first) + 1);
        for byte in first..=0xFF {
            let bytes = [byte];
            let (text, had_errors) = encoding.decode_without_bom_handling(&bytes);
            if let (false, Some(c)) = (had_errors, text.chars().next()) {
                table.push((c, byte));
            }
        }
        table.sort_unstable();
        CodePage { table }
    }

    /// The byte `c` was decoded from, if the code page has `c` at all.
    fn byte_of(&self, c: char) -> Option<u8> {
        if c.is_ascii() {
            return None;
        }
        let i = self.table.binary_search_by_key(&c, |&(ch, _)| ch).ok()?;
        self.table.get(i).map(|&(_, byte)| byte)
    }
}

/// How many continuation bytes a UTF-8 lead byte calls for; `None` when
/// the byte can not lead a sequence (0xC0, 0xC1 and 0xF5.. never do).
fn continuations(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xDF => Some(1),
        0xE0..=0xEF => Some(2),
        0xF0..=0xF4 => Some(3),
        _ => None,
    }
}

/// The one character `bytes` encode in UTF-8, if they encode exactly one.
fn decode_one(bytes: &[u8]) -> Option<char> {
    let mut chars = std::str::from_utf8(bytes).ok()?.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}
