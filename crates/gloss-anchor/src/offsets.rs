//! Conversions between the three ways of counting a position in a text.
//!
//! Selectors count Unicode code points (the W3C rule), Rust slices count
//! UTF-8 bytes and the web UI counts UTF-16 units. Build an [`OffsetIndex`]
//! once per text and convert as many positions as needed.

/// Positions of every code point of one text in bytes and UTF-16 units.
#[derive(Debug, Clone)]
pub struct OffsetIndex {
    /// Per code point boundary `0..=len`: (byte offset, UTF-16 offset).
    bounds: Vec<(usize, usize)>,
}

impl OffsetIndex {
    pub fn new(text: &str) -> Self {
        let mut bounds = Vec::with_capacity(text.len() + 1);
        let mut utf16 = 0;
        for (byte, c) in text.char_indices() {
            bounds.push((byte, utf16));
            utf16 += c.len_utf16();
        }
        bounds.push((text.len(), utf16));
        OffsetIndex { bounds }
    }

    /// Number of code points in the text.
    pub fn len(&self) -> usize {
        self.bounds.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Byte offset of a code point offset; `None` past the end.
    pub fn byte(&self, code_point: usize) -> Option<usize> {
        self.bounds.get(code_point).map(|b| b.0)
    }

    /// UTF-16 offset of a code point offset; `None` past the end.
    pub fn utf16(&self, code_point: usize) -> Option<usize> {
        self.bounds.get(code_point).map(|b| b.1)
    }

    /// Code point offset of a byte offset; `None` past the end or inside a
    /// character.
    pub fn from_byte(&self, byte: usize) -> Option<usize> {
        self.bounds.binary_search_by_key(&byte, |b| b.0).ok()
    }

    /// Code point offset of a UTF-16 offset; `None` past the end or between
    /// the two halves of a surrogate pair.
    pub fn from_utf16(&self, utf16: usize) -> Option<usize> {
        self.bounds.binary_search_by_key(&utf16, |b| b.1).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_across_multibyte_and_astral_characters() {
        // 'é' is 2 bytes / 1 unit, '🧠' is 4 bytes / 2 units.
        let index = OffsetIndex::new("aé🧠b");
        assert_eq!(index.len(), 4);
        assert_eq!(index.byte(3), Some(7));
        assert_eq!(index.utf16(3), Some(4));
        assert_eq!(index.from_byte(7), Some(3));
        assert_eq!(index.from_utf16(4), Some(3));
        assert_eq!(index.utf16(4), Some(5));
    }

    #[test]
    fn positions_inside_a_character_or_past_the_end_are_refused() {
        let index = OffsetIndex::new("é🧠");
        assert_eq!(index.from_byte(1), None);
        assert_eq!(index.from_utf16(2), None);
        assert_eq!(index.byte(3), None);
        assert_eq!(index.from_utf16(9), None);
    }

    #[test]
    fn empty_text_has_one_boundary() {
        let index = OffsetIndex::new("");
        assert!(index.is_empty());
        assert_eq!(index.byte(0), Some(0));
        assert_eq!(index.from_utf16(0), Some(0));
    }
}
