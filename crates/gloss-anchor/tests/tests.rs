//! The anchoring pipeline's integration tests, one binary (see `make
//! check` for the quick run): the re-anchoring corpus, properties over
//! random edits, plain documents of every shape, and the inputs the
//! fuzzers once crashed on.

mod corpus;
mod documents;
mod fuzz_regressions;
mod invariants;
mod properties;
