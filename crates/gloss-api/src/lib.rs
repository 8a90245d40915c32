//! Gloss's one API.
//!
//! Every operation is a variant of [`ops::Request`], answered by
//! [`Api::call`]. The HTTP server ([`http`]) and the Tauri window (in the
//! `gloss` binary) only carry requests, answers and events; neither knows
//! what an operation does, and gloss-core knows nothing of either.

pub mod api;
pub mod assets;
pub mod error;
pub mod guard;
pub mod http;
pub mod ops;

pub use api::{Answer, Api};
pub use error::{ApiError, ErrorKind};
pub use ops::Request;
