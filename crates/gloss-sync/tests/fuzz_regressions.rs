//! Replays every input the `sync_folder` fuzz target ever crashed on
//! (`fuzz/run.sh` copies them to `tests/fuzz_regressions/sync_folder/`)
//! through the same checks, so a fixed bug stays fixed; and runs the checks
//! on random folders, so they are exercised between fuzzing runs too.

use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};
use proptest::prelude::*;

use crate::folder_invariants::{check_folder, FolderInput};

#[test]
fn sync_folder_regressions_hold() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/sync_folder");
    // Until the fuzzer finds something, there is nothing to replay.
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    let mut files: Vec<_> = entries.map(|entry| entry.expect("an entry").path()).collect();
    files.sort();
    for path in files {
        eprintln!("replaying {}", path.display());
        let bytes = std::fs::read(&path).expect("a regression input");
        // As libfuzzer-sys builds a typed input from the raw bytes.
        if let Ok(input) = FolderInput::arbitrary_take_rest(Unstructured::new(&bytes)) {
            check_folder(input);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: gloss_testkit::proptest_cases(64), ..ProptestConfig::default() })]

    #[test]
    fn random_folders_hold_the_invariants(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        if let Ok(input) = FolderInput::arbitrary_take_rest(Unstructured::new(&bytes)) {
            check_folder(input);
        }
    }
}
