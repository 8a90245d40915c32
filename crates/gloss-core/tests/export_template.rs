//! The Markdown export's templates: the default one writes exactly the
//! files committed in `fixtures/export/markdown` (made from the seed
//! library and `fixtures/export/annotations.json`), so a change to the
//! export's bytes is a visible change to those files, never an accident.

use std::path::{Path, PathBuf};

use gloss_core::annotations::{Caller, Door, Origin};
use gloss_core::export::{self, Format};
use tempfile::TempDir;

use crate::util::Fixture;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export")
}

/// The seed library with the fixture's annotations imported.
fn seed_library() -> Fixture {
    let fx = Fixture::new();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seeds");
    for entry in std::fs::read_dir(seeds).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), fx.path(&entry.file_name().to_string_lossy())).unwrap();
    }
    fx.library.reconcile(fx.folder.path()).unwrap();
    let report =
        export::import(&fx.library, Origin::Import(Caller::door(Door::Cli)), &fixtures().join("annotations.json"))
            .unwrap();
    assert!(report.problems.is_empty(), "{report}");
    fx
}

/// The `.md` files of `dir` by name, with the export time blanked.
fn exported(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let text: Vec<String> = text
                .split_inclusive('\n')
                .map(|line| if line.starts_with("exported: ") { "exported: EXPORTED\n".into() } else { line.into() })
                .collect();
            (p.file_name().unwrap().to_string_lossy().into_owned(), text.concat())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_default_template_writes_the_committed_export_byte_for_byte() {
    let fx = seed_library();
    let out = TempDir::new().unwrap();
    crate::util::export::export(&fx.library, Format::Markdown, out.path()).unwrap();
    let expected = exported(&fixtures().join("markdown"));
    let actual = exported(out.path());
    if std::env::var_os("GLOSS_BLESS").is_some() {
        for (name, text) in &actual {
            std::fs::write(fixtures().join("markdown").join(name), text).unwrap();
        }
    }
    assert_eq!(actual.iter().map(|(n, _)| n).collect::<Vec<_>>(), expected.iter().map(|(n, _)| n).collect::<Vec<_>>());
    for ((name, actual), (_, expected)) in actual.iter().zip(&expected) {
        assert!(actual == expected, "{name} differs from the committed export:\n{}", diff(expected, actual));
    }
}

/// A line diff of two texts, for a failure message.
fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual).unified_diff().header("committed", "exported").to_string()
}
