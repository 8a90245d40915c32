//! Export and import: the JSON backup and W3C collection round-trip into a
//! fresh data folder without loss and import idempotently; Readwise CSV
//! rows are placed by title and quote, and what can not be placed is
//! reported by row.

use crate::util::annotations::{range_of, Setup};
use crate::util::export::{annotate, assert_same, files_of, library, picture, summaries};
use crate::util::summary;
use gloss_core::annotations::HighlightFilter;
use gloss_core::annotations::{Caller, Door, Origin};
use gloss_core::export::{self, backup::Backup, Format, ImportReport};
use tempfile::TempDir;

/// Exports `format` from `s` into a new folder; returns the folder and the one file written.
fn export_one(s: &Setup, format: Format) -> (TempDir, std::path::PathBuf) {
    let out = TempDir::new().unwrap();
    let report = crate::util::export::export(&s.fx.library, format, out.path()).unwrap();
    assert_eq!(report.written.len(), 1, "{report:?}");
    let file = report.written[0].clone();
    assert_eq!(file.parent(), Some(out.path()));
    (out, file)
}

fn import(s: &Setup, file: &std::path::Path) -> ImportReport {
    export::import(&s.fx.library, Origin::Import(Caller::door(Door::Cli)), file).unwrap()
}

#[test]
#[ignore = "slow: seconds: a thousand highlights out and back in"]
fn a_json_backup_of_a_thousand_highlights_round_trips_into_a_fresh_library_without_loss() {
    let source = library(&summaries(8));
    annotate(&source, 1000, 7);
    // One episode's text changes after it was annotated: some highlights
    // move, become fuzzy or orphaned, and must come back as they are.
    let (rel, text) = files_of(&source).into_iter().next().unwrap();
    let tldr_start = text.find("TL;DR\n").unwrap() + 6;
    let tldr_end = tldr_start + text[tldr_start..].find('\n').unwrap();
    let edited = format!("{}Intro sentence added.\n{}", &text[..tldr_start], &text[tldr_end + 1..]);
    source.rewrite(&rel, &edited);
    let before = picture(&source);
    let statuses: std::collections::HashSet<_> = before.highlights.values().map(|(_, h)| h.anchor.status).collect();
    assert!(statuses.len() >= 2, "the edit should leave more than one anchor status: {statuses:?}");
    assert_eq!(before.highlights.len(), 1000);
    assert!(before.highlights.values().any(|(_, h)| h.deleted_at.is_some()));
    assert!(!before.trashed_tags.is_empty());

    let (_out, file) = export_one(&source, Format::Json);
    let target = library(&files_of(&source));
    let report = import(&target, &file);
    assert_eq!(report.format, Some(Format::Json));
    assert_eq!(report.problems, [], "{report}");
    assert_eq!((report.highlights_added, report.highlights_updated), (1000, 0));
    assert_same(&before, &picture(&target));

    // The trashed tag comes back on what it was on when restored.
    target.notes().restore_tag("obsolete").unwrap();
    source.notes().restore_tag("obsolete").unwrap();
    assert_same(&picture(&source), &picture(&target));

    // A second import changes nothing and duplicates nothing.
    let again = import(&target, &file);
    assert_eq!((again.highlights_added, again.highlights_updated, again.highlights_unchanged), (0, 0, 1000));
    assert_eq!((again.notes, again.stars, again.reading, again.tags, again.settings), (0, 0, 0, 0, 0), "{again}");
    assert_same(&picture(&source), &picture(&target));

    // The backup of the copy is the backup of the original.
    let (_out2, copy) = export_one(&target, Format::Json);
    let (_out3, original) = export_one(&source, Format::Json);
    assert_eq!(normalized(&original), normalized(&copy));
}

/// A backup file without what differs between two libraries holding the
/// same things: the export time and the episodes' local ids.
fn normalized(path: &std::path::Path) -> Backup {
    let mut backup: Backup = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    backup.exported_at.clear();
    let refs = backup
        .episodes
        .iter_mut()
        .map(|e| &mut e.episode)
        .chain(backup.highlights.iter_mut().map(|h| &mut h.episode))
        .chain(backup.tags.iter_mut().flat_map(|t| t.trashed_on_episodes.iter_mut()));
    for reference in refs {
        reference.id = 0;
    }
    backup
}

#[test]
fn a_newer_highlight_in_the_library_is_kept_and_an_older_one_updated() {
    let source = library(&summaries(2));
    annotate(&source, 10, 3);
    let (_out, file) = export_one(&source, Format::Json);
    let target = library(&files_of(&source));
    import(&target, &file);
    let ids: Vec<String> = source
        .notes()
        .list_highlights(&HighlightFilter::default())
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.highlight.id)
        .collect();
    let live = |s: &Setup| s.notes().get_highlight(&ids[1]).unwrap();
    // Edited in the copy after the backup: the copy's edit is newer and stays.
    let patch = gloss_core::annotations::HighlightPatch {
        id: ids[1].clone(),
        note: Some("edited later".into()),
        ..Default::default()
    };
    target.notes().update_highlight(&patch).unwrap();
    let report = import(&target, &file);
    assert_eq!(report.highlights_updated, 0);
    assert_eq!(live(&target).note, "edited later");
    // Edited in the original after the backup: a new backup brings it over.
    source
        .notes()
        .update_highlight(&gloss_core::annotations::HighlightPatch { note: Some("newest".into()), ..patch })
        .unwrap();
    let (_out2, newer) = export_one(&source, Format::Json);
    let report = import(&target, &newer);
    assert_eq!(report.highlights_updated, 1, "{report}");
    assert_eq!(live(&target), live(&source));
}

#[test]
fn highlights_whose_episode_is_missing_are_reported_not_dropped_silently() {
    let source = library(&summaries(3));
    annotate(&source, 12, 5);
    let (_out, file) = export_one(&source, Format::Json);
    let files = files_of(&source);
    let target = library(&files[..2]);
    let report = import(&target, &file);
    let missing_title = source.fx.library.list_episodes().unwrap()[2].title.clone().unwrap();
    let about_missing: Vec<_> = report.problems.iter().filter(|p| p.reason.contains(&missing_title)).collect();
    // 4 highlights (live and trashed) and the episode's own annotations.
    assert_eq!(about_missing.len(), 5, "{report}");
    assert!(about_missing.iter().all(|p| p.reason.contains("not in this library")), "{report}");
    assert!(about_missing.iter().filter(|p| p.id.is_some()).all(|p| p.row.is_some()));
    assert_eq!(report.highlights_added, 8);
}

#[test]
fn a_w3c_collection_round_trips_live_highlights_and_says_what_its_offsets_count() {
    let source = library(&summaries(3));
    annotate(&source, 60, 11);
    let (_out, file) = export_one(&source, Format::W3c);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(json["type"], "AnnotationCollection");
    assert_eq!(json["@context"][0], "http://www.w3.org/ns/anno.jsonld");
    let items = json["first"]["items"].as_array().unwrap();
    let live = source.notes().list_highlights(&HighlightFilter::default()).unwrap();
    assert_eq!(items.len(), live.total);
    assert_eq!(json["total"], live.total);
    for item in items {
        assert_eq!(item["type"], "Annotation");
        assert!(item["id"].as_str().unwrap().starts_with("urn:uuid:"));
        let source_iri = item["target"]["source"].as_str().unwrap();
        assert!(source_iri.starts_with("urn:gloss:episode:"), "{source_iri}");
        let selectors = item["target"]["selector"].as_array().unwrap();
        assert_eq!(selectors[0]["type"], "TextQuoteSelector");
        assert_eq!(selectors[1]["type"], "TextPositionSelector");
        assert_eq!(selectors[1]["gloss:offsetUnit"], "codepoint");
        assert!(item["created"].as_str().unwrap().ends_with('Z'));
        let bodies = item["body"].as_array().map(Vec::as_slice).unwrap_or_default();
        let commenting = bodies.iter().any(|b| b["purpose"] == "commenting");
        assert_eq!(item["motivation"], if commenting { "commenting" } else { "highlighting" });
        assert!(
            bodies
                .iter()
                .all(|b| b["type"] == "TextualBody"
                    && ["commenting", "tagging"].contains(&b["purpose"].as_str().unwrap()))
        );
    }

    let target = library(&files_of(&source));
    let report = import(&target, &file);
    assert_eq!(report.format, Some(Format::W3c));
    assert_eq!((report.highlights_added, report.problems.len()), (live.total, 0), "{report}");
    let copy = target.notes().list_highlights(&HighlightFilter::default()).unwrap();
    let detach = |s: &Setup, page: gloss_core::annotations::HighlightPage| {
        let mut all: Vec<_> = page.items.into_iter().map(|i| crate::util::export::detached(s, i.highlight)).collect();
        all.sort_by(|a, b| a.1.id.cmp(&b.1.id));
        all
    };
    assert_eq!(detach(&source, live), detach(&target, copy));
    let again = import(&target, &file);
    assert_eq!((again.highlights_added, again.highlights_unchanged), (0, items.len()));
}

#[test]
fn readwise_rows_are_placed_by_title_and_quote_and_the_rest_reported_by_row() {
    let s = Setup::new(&[
        ("compute.txt", &summary("Compute Arms Race", "Tech Weekly", "Chip exports 🧠 shape the open-source race.")),
        ("echo.txt", &summary("Echo Chamber", "Tech Weekly", "The echo repeats. The echo repeats.")),
        ("echo2.txt", &summary("Echo Chamber", "Other Show", "Something else entirely.")),
    ]);
    let echo = s.episode("echo.txt");
    let second_echo = range_of(&s.text(echo), "repeats. The echo repeats.").0 + "repeats. ".len();
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("readwise.csv");
    let mut csv = csv::Writer::from_path(&path).unwrap();
    csv.write_record(["Highlight", "Title", "Author", "URL", "Note", "Location", "Date"]).unwrap();
    let rows: [[&str; 7]; 8] = [
        [
            "Chip exports 🧠 shape",
            "  compute   ARMS race ",
            "",
            "",
            ".ai .policy Why it matters",
            "",
            "2026-11-30 09:15:00",
        ],
        ["The echo repeats.", "Echo Chamber", "Tech Weekly w/ Ann, Bo", "", "", &second_echo.to_string(), ""],
        ["Anything", "No Such Episode", "", "", "", "", ""],
        ["The echo repeats.", "Echo Chamber", "", "", "", "", ""],
        ["words that are not there", "Compute Arms Race", "", "", "", "", ""],
        ["", "Compute Arms Race", "", "", "", "", ""],
        ["Something else", "Echo Chamber", "Nobody Show", "", "", "", ""],
        ["The echo repeats.", "Echo Chamber", "Tech Weekly", "", "", "", ""],
    ];
    for row in rows {
        csv.write_record(row).unwrap();
    }
    csv.flush().unwrap();

    let report = import(&s, &path);
    assert_eq!(report.format, Some(Format::Csv));
    assert_eq!(report.highlights_added, 2, "{report}");
    let problems: Vec<(usize, &str)> = report.problems.iter().map(|p| (p.row.unwrap(), p.reason.as_str())).collect();
    assert_eq!(problems.iter().map(|p| p.0).collect::<Vec<_>>(), [4, 5, 6, 7, 8, 9], "{report}");
    assert!(problems[0].1.contains("no episode titled \"No Such Episode\""), "{}", problems[0].1);
    assert!(problems[1].1.contains("2 episodes are titled"), "{}", problems[1].1);
    assert!(problems[2].1.contains("does not appear"), "{}", problems[2].1);
    assert!(problems[3].1.contains("Highlight cell is empty"), "{}", problems[3].1);
    assert!(problems[4].1.contains("Nobody Show"), "{}", problems[4].1);
    assert!(problems[5].1.contains("appears 2 times"), "{}", problems[5].1);

    let compute = s
        .notes()
        .list_highlights(&HighlightFilter { episode_id: Some(s.episode("compute.txt")), ..Default::default() });
    let compute = &compute.unwrap().items[0].highlight;
    assert_eq!(compute.selector.exact, "Chip exports 🧠 shape");
    assert_eq!(
        (compute.tags.clone(), compute.note.as_str()),
        (vec!["ai".to_owned(), "policy".to_owned()], "Why it matters")
    );
    assert_eq!(compute.created_at, 1_796_030_100_000);
    let echoed = s.notes().list_highlights(&HighlightFilter { episode_id: Some(echo), ..Default::default() }).unwrap();
    assert_eq!(echoed.items[0].highlight.selector.start, second_echo, "the Location picks the occurrence");

    let again = import(&s, &path);
    assert_eq!((again.highlights_added, again.highlights_unchanged, again.problems.len()), (0, 2, 6), "{again}");
    assert_eq!(s.notes().list_highlights(&HighlightFilter::default()).unwrap().total, 2);
}

#[test]
fn the_readwise_export_has_readwise_columns_and_imports_back() {
    let source = library(&summaries(3));
    annotate(&source, 40, 13);
    let (_out, file) = export_one(&source, Format::Csv);
    let mut reader = csv::Reader::from_path(&file).unwrap();
    assert_eq!(reader.headers().unwrap(), vec!["Highlight", "Title", "Author", "URL", "Note", "Location", "Date"]);
    let live = source.notes().list_highlights(&HighlightFilter::default()).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), live.total);
    for row in &rows {
        assert!(row[5].parse::<usize>().is_ok(), "Location {:?}", &row[5]);
        let date = &row[6];
        assert!(date.len() == 19 && &date[4..5] == "-" && &date[10..11] == " " && &date[13..14] == ":", "{date}");
        assert!(!row[2].is_empty(), "Author names the show");
    }
    assert!(rows.iter().any(|r| r[4].split(' ').any(|w| w == ".to-read")), "inline tags");

    let target = library(&files_of(&source));
    let report = import(&target, &file);
    assert_eq!((report.highlights_added, report.problems.len()), (live.total, 0), "{report}");
    let quotes = |s: &Setup| {
        let mut all: Vec<(String, String)> = s
            .notes()
            .list_highlights(&HighlightFilter::default())
            .unwrap()
            .items
            .into_iter()
            .map(|i| (i.highlight.selector.exact.trim().to_owned(), i.highlight.note))
            .collect();
        all.sort();
        all
    };
    assert_eq!(quotes(&source), quotes(&target));
}

/// Cell text comes from summary files and other devices: nothing a
/// spreadsheet would run as a formula is written as it is, and the
/// escaping reads back to the text that was exported.
#[test]
fn readwise_cells_that_start_a_formula_are_escaped_and_read_back() {
    let text = summary("Formulas", "Show", "=HYPERLINK(\"http://evil\") runs when opened");
    let files = [("danger.txt", text.as_str())];
    let source = Setup::new(&files);
    let episode = source.episode("danger.txt");
    let (start, end) = range_of(&source.text(episode), "=HYPERLINK(\"http://evil\")");
    let new = gloss_core::annotations::NewHighlight {
        episode_id: episode,
        start: Some(start),
        end: Some(end),
        note: Some("@SUM(1+1) and -2".into()),
        ..Default::default()
    };
    source.notes().create_highlight(&new).unwrap();
    let (_out, file) = export_one(&source, Format::Csv);
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let row = reader.records().next().unwrap().unwrap();
    for cell in row.iter() {
        assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a cell a spreadsheet would run: {cell:?}");
    }
    assert_eq!((&row[0][..2], &row[4][..2]), ("'=", "'@"));

    let target = Setup::new(&files);
    let report = import(&target, &file);
    assert_eq!((report.highlights_added, report.problems.len()), (1, 0), "{report}");
    let back = target.notes().list_highlights(&HighlightFilter::default()).unwrap().items.remove(0).highlight;
    assert_eq!((back.selector.exact.as_str(), back.note.as_str()), ("=HYPERLINK(\"http://evil\")", "@SUM(1+1) and -2"));
}

/// A one-letter quote appears thousands of times in a long episode: the
/// row's Location picks the nearest, and each row is placed in one pass
/// over the text (this took minutes when every occurrence was a new search).
#[test]
fn readwise_rows_with_a_very_common_quote_take_the_occurrence_nearest_their_location() {
    let long: String = (0..2_000).map(|n| format!("word{n} e ")).collect();
    let text = summary("Long", "Show", &long);
    let files = [("long.txt", text.as_str())];
    let s = Setup::new(&files);
    let episode_text = s.text(s.episode("long.txt"));
    assert!(episode_text.matches('e').count() > 2_000);
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("readwise.csv");
    let mut csv = csv::Writer::from_path(&path).unwrap();
    csv.write_record(["Highlight", "Title", "Author", "Location"]).unwrap();
    let locations: Vec<usize> = (0..200).map(|n| 300 + n * 97).collect();
    for location in &locations {
        csv.write_record(["e", "Long", "Show", &location.to_string()]).unwrap();
    }
    csv.flush().unwrap();
    let report = import(&s, &path);
    assert_eq!((report.highlights_added, report.problems.len()), (200, 0), "{report}");
    let chars: Vec<char> = episode_text.chars().collect();
    let mut starts: Vec<usize> = s
        .notes()
        .list_highlights(&HighlightFilter::default())
        .unwrap()
        .items
        .iter()
        .map(|i| i.highlight.anchor.start.unwrap())
        .collect();
    starts.sort();
    for (start, location) in starts.iter().zip(&locations) {
        assert_eq!(chars[*start], 'e');
        let nearest = (0..chars.len()).filter(|&i| chars[i] == 'e').min_by_key(|i| i.abs_diff(*location)).unwrap();
        assert_eq!(*start, nearest, "row at Location {location}");
    }
}

#[test]
fn files_that_are_not_exports_are_refused_naming_the_file() {
    let s = library(&summaries(1));
    let dir = TempDir::new().unwrap();
    for (name, content, says) in [
        ("other.json", "{\"hello\": 1}", "neither a Gloss backup"),
        ("notes.txt", "just some text\nno header", "Highlight column"),
        ("broken.json", "{\"format\": \"gloss-backup\", \"version\": 1, \"episodes\": 3}", "damaged"),
        ("future.json", "{\"format\": \"gloss-backup\", \"version\": 99}", "update Gloss"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let error =
            export::import(&s.fx.library, Origin::Import(Caller::door(Door::Cli)), &path).unwrap_err().to_string();
        assert!(error.contains(name) && error.contains(says), "{name}: {error}");
    }
    let missing =
        export::import(&s.fx.library, Origin::Import(Caller::door(Door::Cli)), &dir.path().join("absent.json"))
            .unwrap_err();
    assert!(missing.to_string().contains("absent.json"), "{missing}");
}

/// A newer backup that has a highlight on another episode moves it there:
/// the row, each episode's count in the list and the highlight's review
/// card follow. (Setting a highlight's or a card's episode is the one write
/// of theirs that runs in a statement savepoint; see `highlights::put`.)
#[test]
fn a_newer_backup_moves_a_highlight_to_the_episode_it_names() {
    let s = library(&summaries(2));
    annotate(&s, 20, 5);
    let (_out, file) = export_one(&s, Format::Json);
    let mut backup: Backup = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let episodes: Vec<_> = backup.episodes.iter().map(|e| e.episode.clone()).collect();
    let highlight = backup.highlights.iter_mut().find(|h| h.deleted_at.is_none()).unwrap();
    let from = highlight.episode.id;
    let to = episodes.into_iter().find(|e| e.id != from).unwrap();
    highlight.episode = to.clone();
    highlight.updated_at += 1000;
    let id = highlight.id.to_string();
    std::fs::write(&file, backup.to_json().unwrap()).unwrap();
    let state = || {
        s.fx.library
            .store()
            .read(|conn| {
                let count = |episode| {
                    conn.query_row("SELECT highlight_count FROM episode_marks WHERE episode_id = ?1", [episode], |r| {
                        r.get::<_, i64>(0)
                    })
                };
                let card = conn.query_row(
                    "SELECT episode_id FROM review_cards WHERE card = ?1",
                    [format!("highlight/{id}")],
                    |r| r.get::<_, i64>(0),
                )?;
                Ok((count(from)?, count(to.id)?, card))
            })
            .unwrap()
    };
    let (from_count, to_count, card) = state();
    assert_eq!(card, from);

    let report = import(&s, &file);
    assert_eq!(report.highlights_updated, 1, "{report}");
    assert_eq!(s.notes().get_highlight(&id).unwrap().episode_id, to.id);
    assert_eq!(state(), (from_count - 1, to_count + 1, to.id));
}
