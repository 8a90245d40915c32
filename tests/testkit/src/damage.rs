//! The damage the real summaries arrive with.

use std::sync::OnceLock;

/// What each byte 0x80..=0xFF becomes when read as ISO-8859-7 by the tool
/// that damaged the files: `None` for the C1 controls 0x80..=0x9F and the
/// bytes ISO-8859-7 leaves undefined (they were dropped).
fn greek_table() -> &'static [Option<char>; 128] {
    static TABLE: OnceLock<[Option<char>; 128]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [None; 128];
        for (slot, byte) in table.iter_mut().zip(0x80u8..=0xFF) {
            if byte < 0xA0 {
                continue;
            }
            let bytes = [byte];
            let (decoded, had_errors) = encoding_rs::ISO_8859_7.decode_without_bom_handling(&bytes);
            if !had_errors {
                *slot = decoded.chars().next();
            }
        }
        table
    })
}

/// Damages `text` exactly as the real summaries were damaged: encode as
/// UTF-8, read every byte as ISO-8859-7, drop the C1 bytes 0x80..=0x9F and
/// the bytes ISO-8859-7 leaves undefined, and write the result as UTF-8.
///
/// `🇨🇳` becomes `π¨π³`, `🧠` becomes `π§` + NBSP, `—` becomes `β`.
pub fn damage(text: &str) -> Vec<u8> {
    let table = greek_table();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for &byte in text.as_bytes() {
        if byte.is_ascii() {
            out.push(char::from(byte));
        } else if let Some(c) = table[usize::from(byte - 0x80)] {
            out.push(c);
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn damaged(text: &str) -> String {
        String::from_utf8(damage(text)).unwrap()
    }

    #[test]
    fn matches_the_real_files() {
        assert_eq!(damaged("🇨🇳 China"), "π¨π³ China");
        assert_eq!(damaged("🇺🇸"), "πΊπΈ");
        assert_eq!(damaged("🧠 Minds"), "π§\u{a0} Minds");
        assert_eq!(damaged("ChatGPT — The"), "ChatGPT β The");
        assert_eq!(damaged("plain ascii"), "plain ascii");
    }

    #[test]
    fn drops_undefined_bytes() {
        // 🇮 is F0 9F 87 AE: 0xAE is undefined in ISO-8859-7.
        assert_eq!(damaged("🇮🇳"), "ππ³");
        assert_eq!(damaged("é"), "Γ©");
    }
}
