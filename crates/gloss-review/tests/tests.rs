//! gloss-review's integration tests, one binary.

mod devices;
mod reference;
