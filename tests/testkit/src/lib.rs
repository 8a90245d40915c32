//! Data generators for Gloss's tests and benchmarks.
//!
//! Everything is deterministic: the same seed gives the same bytes on every
//! machine, so a failing case can be replayed from its seed.
//!
//! ```
//! let text = gloss_testkit::summary(7);            // a realistic 3-5 KB summary
//! let md = gloss_testkit::markdown(7);             // the same episode as Markdown
//! let bytes = gloss_testkit::damage(&text);        // as the real files arrive
//! let expected = gloss_testkit::spec(7);           // what a parser must find
//! assert_eq!(expected.plain(), text);
//! # let _ = (md, bytes);
//! ```
//!
//! For a whole library on disk: [`library`]`(dir, 10_000)`.

mod damage;
pub mod figures;
mod hostile;
mod library;
pub mod mcp;
mod spec;
mod words;

pub use damage::damage;
pub use hostile::{hostile_files, HostileFile};
pub use library::{library, LibraryFile, Variant};
pub use spec::{plain_document, spec, Spec, SpecInsight, SpecRelated, SpecSection};

/// Search queries as a reader types them, for the search benchmarks:
/// words, prefixes, phrases, show names, words half typed, words with a
/// typo, something absent, and one that is not valid FTS syntax.
pub const SEARCH_QUERIES: &[&str] = &[
    "compute",
    "infere",
    "batery chemistry",
    "nucelar",
    "grid",
    "battery chemistry",
    "\"open weights\"",
    "infer*",
    "subsid*",
    "talent wars",
    "nuclear",
    "export",
    "open-source",
    "water",
    "zzzznothing",
    "stablecoin rails",
    "the",
    "model*",
    "risk",
];

/// A realistic summary in the plain format the summariser writes.
pub fn summary(seed: u64) -> String {
    spec(seed).plain()
}

/// The same episode as [`summary`], rendered as Markdown.
pub fn markdown(seed: u64) -> String {
    spec(seed).markdown()
}

/// A temporary folder in RAM where there is one (`/dev/shm`), else the
/// usual temporary folder: tests and fuzz targets that write real files
/// with real fsyncs by the thousand, which cost milliseconds each on disk.
pub fn scratch_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    let in_ram = shm.is_dir().then(|| tempfile::TempDir::new_in(shm).ok()).flatten();
    in_ram.unwrap_or_else(|| tempfile::TempDir::new().expect("a temp dir"))
}

/// How many cases a property test runs: `full`, unless `PROPTEST_CASES`
/// asks for another number. `make test` runs the full count; `make check`
/// sets `PROPTEST_CASES` for a quick pass over the same properties.
pub fn proptest_cases(full: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(full)
}
