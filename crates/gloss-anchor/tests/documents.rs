//! Plain documents in every shape the parser keeps (prose with kept
//! breaks, nested lists, indented blocks), from the seeds and random lines:
//! their blocks sit at their offsets in the canonical text and each one
//! re-anchors in place, as `invariants::check_parse` checks.

use crate::invariants::check_parse;
use gloss_parse::model::{BlockRole, DocKind};
use proptest::prelude::*;
use std::path::Path;

const INDENTS: &[&str] = &["", "", "  ", "   ", "    ", "\t", "\u{a0}\u{a0}\u{a0}\u{a0}", "        ", " \t "];
const MARKERS: &[&str] = &["", "", "- ", "* ", "• ", "1. ", "12) ", "2024. ", "- - -", "* "];
const TEXTS: &[&str] = &[
    "eggs",
    "Ana Ribeiro",
    "and the queue they described is about four years long before any study",
    "The Power Broker: reread the chapters on bridges before the episode",
    "x  =\t1   # aligned",
    "cafe\u{301} au lait",
    "🧠 ideas",
    "",
    "   ",
    "ends here.",
];
const ENDS: &[&str] = &["\n", "\n", "\r\n", "\n\n", "\r", "\t\n"];

fn line() -> impl Strategy<Value = String> {
    (0..INDENTS.len(), 0..MARKERS.len(), 0..TEXTS.len(), 0..ENDS.len())
        .prop_map(|(i, m, t, e)| format!("{}{}{}{}", INDENTS[i], MARKERS[m], TEXTS[t], ENDS[e]))
}

#[test]
fn the_seed_documents_keep_every_shape_and_re_anchor() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seeds");
    let mut roles = Vec::new();
    for entry in std::fs::read_dir(seeds).expect("the seeds folder") {
        let episode =
            check_parse(&std::fs::read(entry.expect("a seed").path()).expect("a seed file")).expect("a seed parses");
        if episode.kind == DocKind::Document {
            roles.extend(episode.blocks().into_iter().map(|b| b.role));
        }
    }
    for role in [BlockRole::Paragraph, BlockRole::ListItem, BlockRole::Preformatted] {
        assert!(roles.contains(&role), "no seed document has a {role:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(gloss_testkit::proptest_cases(500)))]

    #[test]
    fn random_documents_keep_their_invariants(lines in prop::collection::vec(line(), 0..40)) {
        let _ = check_parse(format!("Notes\n{}", lines.concat()).as_bytes());
    }
}
