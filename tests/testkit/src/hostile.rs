//! The large members of the hostile corpus (`tests/hostile/README.md`):
//! files of several MiB are generated here at test time rather than
//! committed. Each one is built to make a careless parser slow or
//! wasteful: one enormous line, 100,000 sections, a run of 100,001 lines a
//! pairing step must place, a million combining marks, a file one byte
//! over the size limit.

use crate::spec::sentence;
use std::fmt::Write;

/// One generated hostile file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostileFile {
    pub name: &'static str,
    /// What the file attacks, for failure messages and the README.
    pub attack: &'static str,
    pub bytes: Vec<u8>,
}

const MIB: usize = 1024 * 1024;

/// The generated hostile files. `max_file_bytes` is the parser's size
/// limit (`gloss_parse::MAX_FILE_BYTES`): one file is exactly that
/// long and one is a byte longer.
pub fn hostile_files(max_file_bytes: u64) -> Vec<HostileFile> {
    let limit = usize::try_from(max_file_bytes).unwrap_or(usize::MAX);
    vec![
        HostileFile { name: "huge-line-6mib.txt", attack: "a 6 MiB TL;DR on one line", bytes: huge_line(6 * MIB) },
        HostileFile {
            name: "huge-line-mojibake-4mib.txt",
            attack: "a 4 MiB line dense with mojibake remnants: repair must stay linear",
            bytes: huge_mojibake_line(4 * MIB),
        },
        HostileFile { name: "sections-100k.txt", attack: "100,000 tiny sections", bytes: tiny_sections(100_000) },
        HostileFile {
            name: "odd-section-100k-lines.txt",
            attack: "one section with 100,001 lines: placing the missing line must stay linear",
            bytes: odd_section(100_001),
        },
        HostileFile {
            name: "combining-marks-1m.txt",
            attack: "one letter carrying a million combining marks",
            bytes: combining_marks(1_000_000),
        },
        HostileFile {
            name: "paragraphs-300k.txt",
            attack: "a plain document of 300,000 one-word paragraphs",
            bytes: paragraphs(300_000),
        },
        HostileFile {
            name: "at-size-limit.txt",
            attack: "exactly the size limit: still read",
            bytes: text_of_len(limit),
        },
        HostileFile {
            name: "over-size-limit.txt",
            attack: "one byte over the size limit: refused",
            bytes: text_of_len(limit.saturating_add(1)),
        },
    ]
}

/// Prose of random sentences, at least `len` bytes, on one line: large, but
/// not periodic (a repeated sentence is a different attack, on searching).
fn prose(rng: &mut fastrand::Rng, len: usize, separator: &str) -> String {
    let mut out = String::with_capacity(len + 200);
    while out.len() < len {
        out.push_str(&sentence(rng));
        out.push_str(separator);
    }
    out
}

fn huge_line(len: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(8);
    format!("Huge Line | Show\nTL;DR\n{}\nBottom Line\nEnd.\n", prose(&mut rng, len, " ")).into_bytes()
}

/// Sentences with a damaged flag (`π¨π³`, 🇨🇳 read as Greek) between every
/// two: the document reads as damaged and every remnant is repaired.
fn huge_mojibake_line(len: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(9);
    format!("Damaged | Show\nTL;DR\n{}\nBottom Line\nEnd.\n", prose(&mut rng, len, " π¨π³ ")).into_bytes()
}

fn tiny_sections(count: usize) -> Vec<u8> {
    let mut out = String::from("Tiny Sections | Show\nTL;DR\nMany sections.\n");
    for n in 0..count {
        writeln!(out, "S{n} 1 insight\nT\nB.").ok();
    }
    out.into_bytes()
}

/// Short title lines and sentences, alternating, one line too many.
fn odd_section(lines: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(10);
    let mut out = String::from("Odd Section | Show\nTL;DR\nOne section, an odd number of lines.\n🧠 Long 2 insights\n");
    for n in 0..lines {
        if n % 2 == 0 {
            writeln!(out, "Title {n}").ok();
        } else {
            writeln!(out, "{}", sentence(&mut rng)).ok();
        }
    }
    out.into_bytes()
}

fn paragraphs(count: usize) -> Vec<u8> {
    let mut out = String::from("Paragraphs\n\n");
    for n in 0..count {
        write!(out, "p{n}\n\n").ok();
    }
    out.into_bytes()
}

fn combining_marks(count: usize) -> Vec<u8> {
    let mut out = String::from("Marks | Show\nTL;DR\ne");
    out.extend(std::iter::repeat_n('\u{301}', count));
    out.push_str(" and the rest.\nBottom Line\nEnd.\n");
    out.into_bytes()
}

/// A plain document of random sentences, exactly `len` bytes long.
fn text_of_len(len: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(11);
    let mut out = format!("Size Limit\n\n{}", prose(&mut rng, len, "\n")).into_bytes();
    // Cut, then pad the cut with ASCII so no character is split.
    out.truncate(len);
    while std::str::from_utf8(&out).is_err() {
        out.pop();
    }
    out.resize(len, b'.');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_sit_on_both_sides_of_the_limit() {
        let files = hostile_files(1000);
        let size = |name: &str| files.iter().find(|f| f.name == name).map(|f| f.bytes.len());
        assert_eq!(size("at-size-limit.txt"), Some(1000));
        assert_eq!(size("over-size-limit.txt"), Some(1001));
        assert!(files.iter().all(|f| std::str::from_utf8(&f.bytes).is_ok()));
    }
}
