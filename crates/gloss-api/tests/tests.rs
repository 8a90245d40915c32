//! gloss-api's integration tests, one binary: a real HTTP server on a
//! loopback port, driven through every operation, the guard and hostile
//! requests.

mod util;

mod annotations;
mod hostile;
mod http;
mod transfer;
