//! Splitting text into normalised lines.
//!
//! Every string the parser produces comes from here, so the canonical text
//! is the same whatever the file's line ends, spacing or normalisation form:
//! lines end at LF, CRLF or a lone CR; each line is put in NFC, trimmed, and
//! its runs of spaces, tabs and no-break spaces become one space.

use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// The text's lines, normalised; blank lines come out empty. Lines that
/// need no change are borrowed, so a clean file costs no copies.
pub fn normalised_lines(text: &str) -> Vec<Cow<'_, str>> {
    let mut lines = Vec::with_capacity(text.len() / 64 + 1);
    lines.extend(raw_lines(text).map(normalise_line));
    lines
}

/// The text's lines as they are, without their line ends. A final line end
/// does not start another line.
pub fn raw_lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start > bytes.len() || (start == bytes.len() && matches!(bytes.last(), Some(b'\n' | b'\r'))) {
            return None;
        }
        let end = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |n| start + n);
        let line = &text[start..end];
        let crlf = bytes.get(end) == Some(&b'\r') && bytes.get(end + 1) == Some(&b'\n');
        start = end + if crlf { 2 } else { 1 };
        Some(line)
    })
}

/// The spaces a line folds into one: space, tab and no-break space.
pub fn is_inline_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{A0}')
}

/// One line in NFC, trimmed, with inner space runs folded to one space.
pub fn normalise_line(line: &str) -> Cow<'_, str> {
    let line: Cow<'_, str> = if line.is_ascii() || is_nfc_quick(line.chars()) == IsNormalized::Yes {
        Cow::Borrowed(line)
    } else {
        Cow::Owned(line.nfc().collect())
    };
    let needs_folding = |s: &str| {
        let mut previous_space = false;
        for c in s.chars() {
            let space = is_inline_space(c);
            if space && (previous_space || c != ' ') {
                return true;
            }
            previous_space = space;
        }
        false
    };
    match line {
        Cow::Borrowed(line) => {
            let trimmed = line.trim();
            if needs_folding(trimmed) {
                Cow::Owned(fold_spaces(trimmed))
            } else {
                Cow::Borrowed(trimmed)
            }
        }
        Cow::Owned(line) => Cow::Owned(fold_spaces(line.trim())),
    }
}

fn fold_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous_space = false;
    for c in text.chars() {
        let space = is_inline_space(c);
        if !(space && previous_space) {
            out.push(if space { ' ' } else { c });
        }
        previous_space = space;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_every_line_end() {
        assert_eq!(normalised_lines("a\r\nb\rc\nd"), ["a", "b", "c", "d"]);
        assert_eq!(normalised_lines("a\n\n\nb\n"), ["a", "", "", "b"]);
        assert_eq!(normalised_lines("a\r\n"), ["a"]);
        assert_eq!(normalised_lines("a\r\r\n"), ["a", ""]);
    }

    #[test]
    fn trims_and_folds_spaces_tabs_and_nbsp() {
        assert_eq!(normalise_line("  a \t b\u{a0}\u{a0}c\t "), "a b c");
        assert_eq!(normalise_line("x\u{a0}y"), "x y");
        assert!(matches!(normalise_line("  clean line  "), Cow::Borrowed("clean line")));
    }

    #[test]
    fn puts_text_in_nfc() {
        assert_eq!(normalise_line("Cafe\u{301}  au lait"), "Café au lait");
        assert!(matches!(normalise_line("Café"), Cow::Borrowed(_)));
    }
}
