//! Replays every input the fuzzers ever crashed on (`fuzz/run.sh` copies
//! them to `tests/fuzz_regressions/<target>/`) through the same checks the
//! fuzz targets run, so a fixed bug stays fixed.

use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};

use crate::invariants::{check_parse, check_reanchor, ReanchorInput};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    assert!(root.join("README.md").is_file(), "{} is missing", root.display());
    // A target that never crashed has no folder yet.
    let Ok(entries) = std::fs::read_dir(root.join(target)) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        entries.map(|entry| entry.expect("a directory entry").path()).filter(|path| path.is_file()).collect();
    files.sort();
    files.into_iter().map(|path| (path.clone(), std::fs::read(&path).expect("a regression input"))).collect()
}

#[test]
fn parse_regressions_are_parsed_or_refused() {
    for (path, bytes) in inputs("parse") {
        eprintln!("replaying {}", path.display());
        let _ = check_parse(&bytes);
    }
}

#[test]
fn reanchor_regressions_are_answered() {
    for (path, bytes) in inputs("reanchor") {
        eprintln!("replaying {}", path.display());
        // As libfuzzer-sys builds a typed input from the raw bytes.
        if let Ok(input) = ReanchorInput::arbitrary_take_rest(Unstructured::new(&bytes)) {
            check_reanchor(input);
        }
    }
}
