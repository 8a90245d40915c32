//! Whole libraries of summary files on disk, for ingest and store benchmarks.

use crate::damage::damage;
use crate::spec::{plain_document, spec};
use std::io;
use std::path::{Path, PathBuf};

/// How one library file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The plain summary format, UTF-8, LF.
    Plain,
    /// The plain format with CRLF line ends.
    Crlf,
    /// The plain format with the real files' mojibake damage.
    Damaged,
    /// The Markdown rendering (`.md`).
    Markdown,
    /// A notes file that is not a summary.
    Notes,
}

/// One file [`library`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryFile {
    pub path: PathBuf,
    pub seed: u64,
    pub variant: Variant,
}

impl Variant {
    /// The mix a real library has: mostly plain, some damaged, some of
    /// everything else.
    pub fn for_index(index: u64) -> Variant {
        match index % 20 {
            3 | 11 | 17 => Variant::Damaged,
            7 => Variant::Markdown,
            9 => Variant::Crlf,
            13 => Variant::Notes,
            _ => Variant::Plain,
        }
    }

    /// The file's bytes for `seed`.
    pub fn render(self, seed: u64) -> Vec<u8> {
        match self {
            Variant::Plain => spec(seed).plain().into_bytes(),
            Variant::Crlf => spec(seed).plain().replace('\n', "\r\n").into_bytes(),
            Variant::Damaged => damage(&spec(seed).plain()),
            Variant::Markdown => spec(seed).markdown().into_bytes(),
            Variant::Notes => plain_document(seed, 2500).into_bytes(),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Variant::Markdown => "md",
            _ => "txt",
        }
    }
}

/// Writes `n` summary files into `dir` (created if missing), seeds `0..n`,
/// in the mix of [`Variant::for_index`]. Names are `00042-plain.txt` and the
/// like, so a listing sorts by seed. Returns what it wrote, in seed order.
pub fn library(dir: &Path, n: usize) -> io::Result<Vec<LibraryFile>> {
    std::fs::create_dir_all(dir)?;
    (0..n as u64)
        .map(|seed| {
            let variant = Variant::for_index(seed);
            let name = format!("{seed:05}-{}.{}", format!("{variant:?}").to_lowercase(), variant.extension());
            let path = dir.join(name);
            std::fs::write(&path, variant.render(seed))?;
            Ok(LibraryFile { path, seed, variant })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_variant() {
        let dir = std::env::temp_dir().join(format!("gloss-testkit-{}", std::process::id()));
        let files = library(&dir, 40).unwrap();
        assert_eq!(files.len(), 40);
        for variant in [Variant::Plain, Variant::Crlf, Variant::Damaged, Variant::Markdown, Variant::Notes] {
            assert!(files.iter().any(|f| f.variant == variant), "{variant:?}");
        }
        assert!(files.iter().all(|f| f.path.is_file()));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
