//! Declares the app's own commands to Tauri so that capabilities gate them
//! (undeclared commands are not permission-checked), and rebuilds when the
//! embedded UI changes (tauri-build does not watch it).

fn main() {
    println!("cargo:rerun-if-changed=../ui");
    let commands = tauri_build::AppManifest::new().commands(&["call", "pick", "about"]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands))
        .expect("tauri build configuration is valid");
}
