//! gloss-review's integration tests, one binary.

mod reference;
