//! Writes a library of realistic summary files for the benchmarks that run
//! outside Rust (tests/browser/*.mjs, tests/desktop/*.mjs), so they measure
//! the same mix of files as the Rust benchmarks.
//!
//! Usage: write-library DIR COUNT

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, count) = match args.as_slice() {
        [dir, count] => match count.parse::<usize>() {
            Ok(count) => (PathBuf::from(dir), count),
            Err(_) => return usage(&format!("COUNT must be a whole number, not {count:?}")),
        },
        _ => return usage("expected two arguments"),
    };
    match gloss_testkit::library(&dir, count) {
        Ok(files) => {
            println!("wrote {} files to {}", files.len(), dir.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("write-library: could not write into {}: {err}", dir.display());
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("write-library: {problem}\nusage: write-library DIR COUNT");
    ExitCode::from(2)
}
