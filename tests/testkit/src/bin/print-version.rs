//! The raw limit of `gloss --version` in the startup benchmark
//! (crates/gloss-api/benches/startup.rs): a Rust program that starts,
//! prints a version line and exits, as fast as a program can.

fn main() {
    println!("print-version {}", env!("CARGO_PKG_VERSION"));
}
