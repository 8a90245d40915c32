//! Bytes to text: size limit, BOMs, UTF-8 with a Windows-1252 fallback, and
//! the refusals for files that are not text at all.

use super::Refusal;
use std::borrow::Cow;

/// Largest file the parser reads: 8 MiB. Summaries are a few kilobytes; the
/// limit only keeps a stray video or database out of memory.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Text decoded from a file, and whether it needed the Windows-1252 fallback.
#[derive(Debug)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub warning: Option<&'static str>,
}

pub const NOT_UTF8_WARNING: &str =
    "this file is not saved as UTF-8, so it was read in the older Windows encoding; if some characters look wrong, save the file as UTF-8";

pub const UTF16_WITHOUT_BOM_WARNING: &str =
    "this file looks like it was saved as UTF-16 without saying so, and was read that way; if some characters look wrong, save the file as UTF-8";

/// Refuses a file by its size alone, before it is read.
pub fn check_size(size: u64) -> Result<(), Refusal> {
    if size > MAX_FILE_BYTES {
        return Err(Refusal::TooLarge { size, limit: MAX_FILE_BYTES });
    }
    Ok(())
}

/// Decodes a file's bytes, or refuses them as empty, binary or too large.
///
/// UTF-8 (with or without BOM) is borrowed without copying. A UTF-16 BOM is
/// honoured (Windows editors write it), and UTF-16 without one is
/// recognised by its zero bytes. Anything else that is not valid UTF-8 is
/// read as Windows-1252, which maps every byte to a character, so nothing
/// turns into U+FFFD.
pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, Refusal> {
    check_size(bytes.len() as u64)?;
    // Checked before UTF-16: the UTF-32LE BOM starts with the UTF-16LE one.
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err(Refusal::Utf32);
    }
    let decoded = if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let body = &bytes[bom..];
        if encoding == encoding_rs::UTF_8 {
            decode_utf8_or_1252(body)
        } else {
            let (text, _) = encoding.decode_without_bom_handling(body);
            Decoded { text, warning: None }
        }
    } else if let Some(encoding) = utf16_without_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        Decoded { text, warning: Some(UTF16_WITHOUT_BOM_WARNING) }
    } else {
        decode_utf8_or_1252(bytes)
    };
    if decoded.text.chars().all(is_invisible) {
        return Err(Refusal::Empty);
    }
    if looks_binary(&decoded.text) {
        return Err(Refusal::Binary);
    }
    Ok(decoded)
}

fn decode_utf8_or_1252(bytes: &[u8]) -> Decoded<'_> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded { text: Cow::Borrowed(text), warning: None },
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            Decoded { text, warning: Some(NOT_UTF8_WARNING) }
        }
    }
}

/// UTF-16 without a byte-order mark, told apart from binary by where its
/// zero bytes fall: text that is mostly Latin script has a zero high byte
/// in most code units (at odd offsets in little-endian, even ones in
/// big-endian) and almost none in the other half. Scripts outside Latin-1
/// leave too few zeros to tell, and such files stay refused as binary.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    memchr::memchr(0, bytes)?;
    let units = bytes.len() / 2;
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in bytes.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let mostly_zero = |zeros: usize, others: usize| zeros * 2 >= units && others * 16 <= zeros;
    if mostly_zero(odd, even) {
        Some(encoding_rs::UTF_16LE)
    } else if mostly_zero(even, odd) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Shows nothing on its own: white space, a control or format character
/// (zero-width spaces and joiners, bidi marks, a stray BOM), or a
/// combining mark. A file of nothing else is empty to its reader.
fn is_invisible(c: char) -> bool {
    use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};
    c.is_whitespace()
        || matches!(
            c.general_category(),
            G::SpaceSeparator
                | G::LineSeparator
                | G::ParagraphSeparator
                | G::Control
                | G::Format
                | G::NonspacingMark
                | G::SpacingMark
                | G::EnclosingMark
        )
}

/// A file is binary when it holds a NUL, or when more than one character in
/// sixteen is a control character other than tab, line feed, carriage
/// return and form feed (C1 controls included: Windows-1252 maps its unused
/// bytes to them). Text, even with colour escapes, stays far below that;
/// random bytes land near one in eight.
fn looks_binary(text: &str) -> bool {
    let bytes = text.as_bytes();
    if memchr::memchr(0, bytes).is_some() {
        return true;
    }
    let mut controls = 0usize;
    let mut chars = 0usize;
    let mut previous = 0u8;
    for &byte in bytes {
        // Every byte that does not continue a UTF-8 sequence starts a char.
        chars += usize::from(byte & 0xC0 != 0x80);
        let c0 = byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r' | 0x0C);
        let c1 = previous == 0xC2 && (0x80..=0x9F).contains(&byte);
        controls += usize::from(c0 || c1);
        previous = byte;
    }
    controls * 16 > chars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_borrowed_and_its_bom_dropped() {
        let d = decode("\u{feff}Hello".as_bytes()).unwrap();
        assert_eq!(d.text, "Hello");
        assert!(matches!(d.text, Cow::Borrowed(_)));
        assert_eq!(d.warning, None);
    }

    #[test]
    fn invalid_utf8_is_read_as_windows_1252_with_a_warning() {
        let d = decode(b"Caf\xe9 \x93quoted\x94 \x80 5").unwrap();
        assert_eq!(d.text, "Café “quoted” € 5");
        assert_eq!(d.warning, Some(NOT_UTF8_WARNING));
        assert!(!d.text.contains('\u{fffd}'));
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Hi ✓".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap().text, "Hi ✓");
    }

    #[test]
    fn utf16_without_bom_is_recognised_by_its_zero_bytes() {
        let text = "Title | Show\nTL;DR\nCafé ✓ text.\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [le, be] {
            let d = decode(&bytes).unwrap();
            assert_eq!(d.text, text);
            assert_eq!(d.warning, Some(UTF16_WITHOUT_BOM_WARNING));
        }
        // Zeros on both sides are binary, not text.
        assert_eq!(decode(b"\0\0ab\0\0cd\0\0").unwrap_err(), Refusal::Binary);
    }

    #[test]
    fn refuses_utf32_by_name() {
        let le: Vec<u8> = [0xFEFF, 'H' as u32, 'i' as u32].iter().flat_map(|u| u.to_le_bytes()).collect();
        assert_eq!(decode(&le).unwrap_err(), Refusal::Utf32);
        let be: Vec<u8> = [0xFEFF, 'H' as u32].iter().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode(&be).unwrap_err(), Refusal::Utf32);
    }

    #[test]
    fn refuses_empty_and_blank_files() {
        assert_eq!(decode(b"").unwrap_err(), Refusal::Empty);
        assert_eq!(decode(b" \r\n\t\n").unwrap_err(), Refusal::Empty);
        assert_eq!(decode(b"\xef\xbb\xbf").unwrap_err(), Refusal::Empty);
        // Zero-width spaces, joiners, bidi marks, a BOM, a lone combining mark.
        let invisible = "\u{200b}\u{200d}\u{202e}\u{feff}\u{2060}\u{ad}\u{301}\n\u{3000}";
        assert_eq!(decode(invisible.as_bytes()).unwrap_err(), Refusal::Empty);
        assert!(decode("\u{200b}x".as_bytes()).is_ok());
    }

    #[test]
    fn refuses_binary() {
        assert_eq!(decode(b"PK\x03\x04\x00\x00abc").unwrap_err(), Refusal::Binary);
        let noise: Vec<u8> = (0..4096u32).map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8 | 1).collect();
        assert_eq!(decode(&noise).unwrap_err(), Refusal::Binary);
        assert!(decode(b"text with an \x1b[1mescape\x1b[0m or two\n").is_ok());
    }

    #[test]
    fn refuses_files_over_the_limit_and_accepts_four_mib() {
        let big = vec![b'a'; MAX_FILE_BYTES as usize + 1];
        assert!(matches!(decode(&big), Err(Refusal::TooLarge { .. })));
        assert!(decode(&vec![b'a'; 4 * 1024 * 1024]).is_ok());
    }
}
