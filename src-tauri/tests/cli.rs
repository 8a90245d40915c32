//! The `gloss` command line, run as a user runs it: the real binary on a
//! temp library and data folder.

use crate::support::{files, Folders, SUMMARY};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn scan_list_and_search() {
    let folders = Folders::new();
    std::fs::write(folders.library().join("broken.txt"), [0xff, 0xfe, 0x00, 0x00, 0x41]).unwrap();
    let counts = folders.ok(&["scan"]);
    assert!(counts.contains("errors 1"), "{counts}");
    let episodes = folders.json(&["list", "--json"]);
    let statuses: Vec<&str> = episodes.as_array().unwrap().iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == "active").count(), 1);
    assert_eq!(statuses.iter().filter(|s| **s == "error").count(), 1);
    let listing = folders.ok(&["list"]);
    assert!(listing.contains("Open Models") && listing.contains("broken.txt"), "{listing}");
    let page = folders.json(&["search", "downloads", "--json"]);
    assert_eq!(page["hits"][0]["title"], "Open Models");
    assert_eq!(page["hits"][0]["kind"], "episode");
    assert_eq!(page["total"], 1);
    folders.ok(&["search", "\"unbalanced -("]); // FTS syntax is read as words, never an error
}

#[test]
fn a_listing_of_several_pages_prints_every_episode_once_in_path_order() {
    let folders = Folders::new();
    crate::support::library(&folders.library(), 0..120);
    folders.ok(&["scan"]);
    // The folder's own sample and 120 more: a first page and a second.
    let episodes = folders.json(&["list", "--json"]);
    let paths: Vec<&str> = episodes.as_array().unwrap().iter().map(|e| e["source_path"].as_str().unwrap()).collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!((paths.len(), &paths), (121, &sorted));
    assert_eq!(folders.ok(&["list"]).lines().filter(|line| line.contains("  active  ")).count(), 121);
}

#[test]
fn a_listing_cut_short_by_its_reader_stops_quietly_and_successfully() {
    let folders = Folders::new();
    crate::support::library(&folders.library(), 0..400);
    folders.ok(&["scan"]);
    // Far more than a pipe holds, so the listing meets the closed pipe.
    let mut listing =
        folders.command(&["list", "--json"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut first = String::new();
    BufReader::new(listing.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert_eq!(first, "[\n");
    let output = listing.wait_with_output().unwrap();
    assert!(output.status.success(), "exit {:?}: {}", output.status, stderr(&output));
    assert_eq!(stderr(&output), "", "nothing to say: the reader had what it wanted");
}

#[test]
fn review_due_lists_the_cards_up_for_review() {
    let folders = Folders::new();
    folders.ok(&["scan"]);
    let id = folders.json(&["list", "--json"])[0]["id"].as_i64().unwrap().to_string();
    let made = folders.json(&["highlight", "--episode", &id, "--quote", "400 million downloads"]);
    let due = folders.json(&["review", "--due", "--json"]);
    let card = format!("highlight/{}", made["id"].as_str().unwrap());
    assert_eq!(due["cards"][0]["card"], card.as_str());
    assert_eq!((due["due"].as_u64(), due["new"].as_u64()), (Some(0), Some(1)));
    assert!(due["cards"][0].get("answer").is_none(), "the list never holds answers");
    let plain = folders.ok(&["review", "--due"]);
    assert!(plain.contains("1 new waiting") && plain.contains(&card), "{plain}");
    let bare = folders.run(&["review"]);
    assert!(!bare.status.success() && stderr(&bare).contains("gloss review --due"), "{}", stderr(&bare));
}

/// The command line and `gloss serve` load no GUI library: GTK and WebKit
/// are `gloss-desktop`'s alone (see src-tauri/src/window.rs). Read from the
/// ELF's needed libraries, transitively, as the dynamic loader finds them;
/// the same check finds GTK in `gloss-desktop`, so it does see them.
#[test]
fn gloss_loads_no_gui_library_and_gloss_desktop_does() {
    let gui = |needed: &str| {
        needed
            .lines()
            .filter(|line| ["libgtk", "libwebkit", "libjavascriptcore"].iter().any(|gui| line.contains(gui)))
            .count()
    };
    let ldd = |bin: &std::path::Path| {
        let output = std::process::Command::new("ldd").arg(bin).output().expect("ldd runs (Debian: libc-bin)");
        assert!(output.status.success(), "ldd {}: {}", bin.display(), stderr(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    let gloss = std::path::Path::new(env!("CARGO_BIN_EXE_gloss"));
    let needed = ldd(gloss);
    assert_eq!(gui(&needed), 0, "gloss loads GUI libraries:\n{needed}");
    let desktop = gloss.with_file_name("gloss-desktop");
    assert!(gui(&ldd(&desktop)) > 0, "{} should load GTK and WebKit", desktop.display());
}

/// Without `gloss-desktop` next to it, `gloss` asked for the window says
/// which file is missing; its commands still work.
#[test]
fn a_missing_window_binary_is_named() {
    let folders = Folders::new();
    let alone = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let gloss = alone.path().join("gloss");
    std::fs::hard_link(env!("CARGO_BIN_EXE_gloss"), &gloss)
        .or_else(|_| std::fs::copy(env!("CARGO_BIN_EXE_gloss"), &gloss).map(drop))
        .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(&gloss)
            .args(["--data", folders.data().to_str().unwrap(), "--library", folders.library().to_str().unwrap()])
            .args(args)
            .output()
            .unwrap()
    };
    let refused = run(&[]);
    assert_eq!(refused.status.code(), Some(1));
    let missing = alone.path().join("gloss-desktop");
    assert!(stderr(&refused).contains(&format!("{},", missing.display())), "{}", stderr(&refused));
    assert!(run(&["scan"]).status.success());
}

/// A bare argument is a gloss:// link to open the window at; anything else
/// there is refused before a window opens, saying what a link looks like
/// (and a mistyped command is told apart from a link).
#[test]
fn a_bare_argument_that_is_no_gloss_link_is_refused_with_what_one_looks_like() {
    let folders = Folders::new();
    for (args, says) in [
        (&["lsit"][..], "neither a gloss command nor a gloss:// link"),
        (&["gloss://note/3"], "use gloss://episode/<id> or gloss://highlight/<id>"),
        (&["gloss://highlight/not-an-id"], "a highlight id is a UUID"),
        (&["gloss://episode/1", "list"], "cannot be used with"),
    ] {
        let refused = folders.run(args);
        assert_eq!(refused.status.code(), Some(2), "{args:?}");
        assert!(stderr(&refused).contains(says), "{args:?}: {}", stderr(&refused));
    }
}

#[test]
fn highlight_anchors_a_quote_and_annotations_lists_it() {
    let folders = Folders::new();
    folders.ok(&["scan"]);
    let id = folders.json(&["list", "--json"])[0]["id"].as_i64().unwrap().to_string();
    let made = folders.json(&[
        "highlight",
        "--episode",
        &id,
        "--quote",
        "400 million downloads",
        "--color",
        "green",
        "--note",
        "big",
        "--tag",
        "ai",
        "--tag",
        "numbers",
    ]);
    assert_eq!(made["selector"]["exact"], "400 million downloads");
    assert_eq!((made["color"].as_str(), made["tags"].as_array().map(Vec::len)), (Some("green"), Some(2)));

    let absent = folders.run(&["highlight", "--episode", &id, "--quote", "not in the text"]);
    assert!(!absent.status.success());
    assert!(stderr(&absent).contains("quote"), "{}", stderr(&absent));
    let twice = folders.run(&["highlight", "--episode", &id, "--quote", "idea"]);
    assert!(!twice.status.success(), "an ambiguous quote needs --occurrence");
    assert!(stderr(&twice).contains("occurrence"), "{}", stderr(&twice));
    let second = folders.json(&["highlight", "--episode", &id, "--quote", "idea", "--occurrence", "2"]);
    assert_eq!(second["selector"]["exact"], "idea");
    let bad_color = folders.run(&["highlight", "--episode", &id, "--quote", "Ideas", "--color", "red"]);
    assert!(stderr(&bad_color).contains("yellow"), "the error lists the colors: {}", stderr(&bad_color));

    let listed = folders.json(&["annotations", "--episode", &id, "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    assert!(listed.as_array().unwrap().iter().all(|h| h["anchor"]["status"] == "anchored"));
    let plain = folders.ok(&["annotations"]);
    assert!(plain.contains("anchored") && plain.contains("400 million downloads"), "{plain}");

    // Edited on disk: the listing tells the new status.
    let edited = SUMMARY.replace("400 million downloads", "four hundred million installs");
    std::fs::write(folders.library().join("open models.txt"), edited).unwrap();
    folders.ok(&["scan"]);
    let after = folders.json(&["annotations", "--json"]);
    let statuses: Vec<&str> =
        after.as_array().unwrap().iter().map(|h| h["anchor"]["status"].as_str().unwrap()).collect();
    assert!(statuses.contains(&"orphaned") || statuses.contains(&"fuzzy"), "{statuses:?}");
}

#[test]
fn export_import_and_sync_from_the_command_line() {
    let folders = Folders::new();
    folders.ok(&["scan"]);
    let id = folders.json(&["list", "--json"])[0]["id"].as_i64().unwrap().to_string();
    folders.ok(&["highlight", "--episode", &id, "--quote", "Ideas compound"]);
    let out = folders.root.path().join("export");
    let report = folders.json(&["export", "--format", "json", "--out", out.to_str().unwrap(), "--json"]);
    assert_eq!(report["highlights"], 1);
    let imported = folders.json(&["import", out.join("gloss-backup.json").to_str().unwrap(), "--json"]);
    assert_eq!(imported["highlights_added"], 0);
    // The command line follows the API's rules: not into the library folder.
    let into_library = folders.library().join("exports");
    let refused = folders.run(&["export", "--format", "markdown", "--out", into_library.to_str().unwrap()]);
    assert!(!refused.status.success() && stderr(&refused).contains("library folder"), "{}", stderr(&refused));
    assert!(!into_library.exists(), "nothing was written into the library folder");
    let sync = folders.root.path().join("sync");
    std::fs::create_dir_all(&sync).unwrap();
    let round = folders.json(&["sync", "--dir", sync.to_str().unwrap(), "--json"]);
    assert!(round["sent"].as_u64().unwrap_or(0) + round["exported"].as_u64().unwrap_or(0) >= 1, "{round}");
    assert!(!files(&sync).is_empty(), "this device's log is in the sync folder");
}

#[test]
fn watch_prints_each_change_as_it_happens() {
    let folders = Folders::new();
    let mut child = folders.command(&["watch"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // The start-up reconcile announces itself once it is done.
    let scanned = lines.by_ref().map_while(Result::ok).find(|l| l.contains("library_scanned"));
    assert!(scanned.is_some(), "watch reports its first scan");
    std::fs::write(folders.library().join("second.txt"), SUMMARY.replace("Open Models", "Closed Models")).unwrap();
    let added = lines.map_while(Result::ok).find(|l| l.contains("episode_added"));
    child.kill().unwrap();
    child.wait().unwrap();
    let event: Value = serde_json::from_str(&added.expect("an episode_added line")).unwrap();
    assert_eq!(event["episode"]["title"], "Closed Models");
}

#[test]
fn a_damaged_database_is_refused_by_name_and_recover_brings_back_what_can_be_read() {
    let folders = Folders::new();
    folders.ok(&["scan"]);
    folders.ok(&["highlight", "--episode", "1", "--quote", "Ideas compound"]);
    let database = folders.root.path().join("data/gloss.db");
    let conn = rusqlite::Connection::open(&database).unwrap();
    conn.pragma_update(None, "user_version", 0).unwrap();
    drop(conn);

    let refused = folders.run(&["list"]);
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(message.contains(&database.display().to_string()) && message.contains("gloss recover"), "{message}");

    let report = folders.ok(&["recover"]);
    assert!(report.contains("highlights: 1 rows recovered"), "{report}");
    let kept = folders.root.path().join("data/damaged");
    assert_eq!(
        std::fs::read_dir(kept)
            .unwrap()
            .filter(|f| f.as_ref().unwrap().path().extension().is_some_and(|e| e == "db"))
            .count(),
        1
    );
    let highlights = folders.json(&["annotations", "--json"]);
    assert_eq!(highlights.as_array().map(Vec::len), Some(1), "{highlights}");
}
