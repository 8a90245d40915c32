//! The anchoring pipeline's integration tests, one binary (see `make
//! check` for the quick run): the re-anchoring corpus, properties over
//! random edits, and the inputs the fuzzers once crashed on.

mod corpus;
mod fuzz_regressions;
mod invariants;
mod properties;
