//! UTF-8 read as Windows-1252 (`â€™` for `’`, `Ã©` for `é`). Nothing is
//! lost in this damage, so a sequence is repaired exactly where it stands.

use std::sync::OnceLock;

use super::{continuations, decode_one, CodePage};

fn windows_1252() -> &'static CodePage {
    static PAGE: OnceLock<CodePage> = OnceLock::new();
    PAGE.get_or_init(|| CodePage::new(encoding_rs::WINDOWS_1252, 0x80))
}

/// If `chars` starts with the characters a UTF-8 sequence decodes to in
/// Windows-1252, the number of characters involved and the one character
/// they stand for. Real accented text (`âge`, `déjà`) is not a sequence
/// and is left alone.
pub fn repair_at(chars: &[char]) -> Option<(usize, char)> {
    let page = windows_1252();
    let lead = page.byte_of(*chars.first()?)?;
    let len = 1 + continuations(lead)?;
    let mut bytes = [lead, 0, 0, 0];
    for (slot, &c) in bytes.iter_mut().zip(chars.get(..len)?).skip(1) {
        *slot = page.byte_of(c).filter(|b| (0x80..=0xBF).contains(b))?;
    }
    decode_one(&bytes[..len]).map(|c| (len, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repair(text: &str) -> Option<(usize, char)> {
        repair_at(&text.chars().collect::<Vec<_>>())
    }

    #[test]
    fn sequences_come_back_whole() {
        assert_eq!(repair("â€™s"), Some((3, '’')));
        assert_eq!(repair("Ã©"), Some((2, 'é')));
        assert_eq!(repair("ðŸ§\u{a0}"), Some((4, '🧠')));
    }

    #[test]
    fn real_accented_text_and_broken_sequences_are_not_repairs() {
        assert_eq!(repair("âge"), None);
        assert_eq!(repair("é"), None);
        assert_eq!(repair("â€"), None);
        assert_eq!(repair(""), None);
    }
}
