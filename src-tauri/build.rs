//! Declares the app's own commands to Tauri so that capabilities gate them
//! (undeclared commands are not permission-checked), rebuilds when the
//! embedded UI changes (tauri-build does not watch it), and lays out the code
//! of `gloss`'s one-shot commands together.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=../ui");
    order_command_line_code();
    let commands = tauri_build::AppManifest::new().commands(&["call", "pick", "about"]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands))
        .expect("tauri build configuration is valid");
}

/// Links the functions listed in cli-symbols.txt (the ones `gloss --version`,
/// `list`, `search` and the like run) next to each other in release builds of
/// `gloss`. The kernel maps 64 KiB around each page of code a process
/// touches, so with that code spread over the binary `gloss search` had 7 MB
/// of code resident; grouped, 1.3 MB.
///
/// `--symbol-ordering-file` is LLD's (and mold's), and LLD is the linker
/// rustc uses by default for x86_64 Linux since Rust 1.90; other targets
/// link as before. Names the binary no longer has are skipped silently:
/// scripts/cli-symbol-order.sh rewrites the list when it falls behind.
fn order_command_line_code() {
    println!("cargo:rerun-if-changed=cli-symbols.txt");
    let release = std::env::var("PROFILE").is_ok_and(|profile| profile == "release");
    let linked_by_lld = std::env::var("TARGET").is_ok_and(|target| target == "x86_64-unknown-linux-gnu");
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let order = Path::new(&manifest_dir).join("cli-symbols.txt");
    if release && linked_by_lld && order.is_file() {
        println!("cargo:rustc-link-arg-bin=gloss=-Wl,--symbol-ordering-file={}", order.display());
        println!("cargo:rustc-link-arg-bin=gloss=-Wl,--no-warn-symbol-ordering");
    }
}
