//! Re-anchoring when an episode's file is saved with edited text, and
//! highlights on episodes whose file is gone.

use crate::util::annotations::{quote, range_of, refusal, slice, Setup};
use gloss_anchor::AnchorStatus;
use gloss_core::annotations::{HighlightFilter, NewHighlight};
use gloss_core::store::episodes::Status;

fn version(insight: &str, second: &str, bottom: &str) -> String {
    format!(
        "Grid Futures | Energy Hour\nTL;DR\nPower demand from data centres is rising fast.\n\
         ⚡ Main Ideas 2 insights\nStorage\n{insight}\n\
         Transmission\n{second}\n\
         Bottom Line\n{bottom}\n"
    )
}

const INSIGHT: &str = "Batteries now shift solar power into the evening peak. \
    Utilities sign long contracts for storage at record prices.";
const SECOND: &str = "New lines take a decade to permit. \
    Regional planners fight over who pays for the wires.";
const BOTTOM: &str = "The grid, not generation, is the bottleneck.";

#[test]
fn an_edited_episode_re_anchors_each_highlight_with_the_right_status() {
    let s = Setup::new(&[("grid.txt", &version(INSIGHT, SECOND, BOTTOM))]);
    let id = s.episode("grid.txt");
    let notes = s.notes();
    let create = |text: &str, note: &str| {
        let new = NewHighlight { note: Some(note.into()), tags: vec!["grid".into()], ..quote(id, text) };
        notes.create_highlight(&new).unwrap()
    };
    let untouched = create("Regional planners fight over who pays for the wires.", "untouched");
    let shifted = create("The grid, not generation, is the bottleneck.", "shifted");
    let deleted = create("Utilities sign long contracts for storage at record prices.", "deleted");
    let edited = create("New lines take a decade to permit.", "edited");

    // A sentence is added before everything, one deleted, one lightly edited.
    let insight = "Prices fell sharply this year. Batteries now shift solar power into the evening peak.";
    let second = "New lines take over a decade to permit. \
        Regional planners fight over who pays for the wires.";
    s.rewrite("grid.txt", &version(insight, second, BOTTOM));
    let text = s.text(id);

    let get = |id: &str| notes.get_highlight(id).unwrap();
    for h in [&untouched, &shifted] {
        let now = get(&h.id);
        assert_eq!(now.anchor.status, AnchorStatus::Anchored, "{now:?}");
        let (start, end) = range_of(&text, &h.selector.exact);
        assert_eq!((now.anchor.start, now.anchor.end), (Some(start), Some(end)));
        assert_ne!(now.anchor.start, h.anchor.start, "the text before it grew");
        // The selector follows, so the next edit starts from here.
        assert_eq!((now.selector.start, now.selector.end), (start, end));
    }
    let orphan = get(&deleted.id);
    assert_eq!(orphan.anchor.status, AnchorStatus::Orphaned, "{orphan:?}");
    assert_eq!((orphan.anchor.start, orphan.anchor.end), (None, None));
    assert!(orphan.anchor.reason.as_deref().is_some_and(|r| !r.is_empty()));
    // An orphan keeps everything the user gave it.
    assert_eq!(
        (orphan.selector, orphan.note.as_str(), orphan.tags.clone()),
        (deleted.selector, "deleted", vec!["grid".into()])
    );

    let fuzzy = get(&edited.id);
    assert_eq!(fuzzy.anchor.status, AnchorStatus::Fuzzy, "{fuzzy:?}");
    let (start, end) = (fuzzy.anchor.start.unwrap(), fuzzy.anchor.end.unwrap());
    assert_eq!(slice(&text, start, end), "New lines take over a decade to permit.");
    assert_eq!(fuzzy.selector.exact, "New lines take a decade to permit.", "kept until confirmed");

    // Statuses filter the list.
    let by_status = |status| {
        let filter = HighlightFilter { status: Some(status), ..Default::default() };
        notes.list_highlights(&filter).unwrap().items.into_iter().map(|i| i.highlight.id).collect::<Vec<String>>()
    };
    assert_eq!(by_status(AnchorStatus::Orphaned), [deleted.id.as_str()]);
    assert_eq!(by_status(AnchorStatus::Fuzzy), [edited.id.as_str()]);
    // The episode list counts what needs attention.
    let attention = || notes.episode_marks().unwrap()[&id].attention_count;
    assert_eq!(attention(), 2);

    // The user confirms the fuzzy one and places the orphan by hand.
    let confirmed = notes.confirm_highlight(&edited.id).unwrap();
    assert_eq!(confirmed.anchor.status, AnchorStatus::Anchored);
    assert_eq!(confirmed.selector.exact, "New lines take over a decade to permit.");
    assert_eq!(refusal(&notes.confirm_highlight(&edited.id).unwrap_err()), ("conflict", "id"));
    let (start, end) = range_of(&text, "Prices fell sharply this year.");
    let placed = notes.reattach_highlight(&deleted.id, start, end).unwrap();
    assert_eq!(placed.anchor.status, AnchorStatus::Anchored);
    assert_eq!((placed.selector.exact.as_str(), placed.note.as_str()), ("Prices fell sharply this year.", "deleted"));
    assert_eq!(refusal(&notes.reattach_highlight(&deleted.id, end, start).unwrap_err()), ("invalid", "start"));
    assert_eq!(attention(), 0);

    // Nothing more to do until the text changes again.
    assert_eq!(notes.reanchor_pending().unwrap(), 0);
}

#[test]
fn an_edited_original_is_never_captured_by_an_unedited_look_alike() {
    let twice = "Storage is the key. Cheap storage changes everything. Storage is the key.";
    let s = Setup::new(&[("grid.txt", &version(twice, SECOND, BOTTOM))]);
    let id = s.episode("grid.txt");
    let notes = s.notes();
    let second = NewHighlight { occurrence: Some(2), ..quote(id, "Storage is the key.") };
    let h = notes.create_highlight(&second).unwrap();
    // The highlighted occurrence is deleted; the other one is unchanged.
    s.rewrite("grid.txt", &version("Storage is the key. Cheap storage changes everything.", SECOND, BOTTOM));
    let now = notes.get_highlight(&h.id).unwrap();
    assert!(
        matches!(now.anchor.status, AnchorStatus::Orphaned | AnchorStatus::Ambiguous),
        "must not jump to the look-alike: {now:?}"
    );
}

#[test]
fn several_edits_in_a_row_are_followed() {
    let s = Setup::new(&[("grid.txt", &version(INSIGHT, SECOND, BOTTOM))]);
    let id = s.episode("grid.txt");
    let h = s.notes().create_highlight(&quote(id, "who pays for the wires")).unwrap();
    for n in 1..=3 {
        let insight = format!("{} {INSIGHT}", "More words first.".repeat(n));
        s.rewrite("grid.txt", &version(&insight, SECOND, BOTTOM));
        let now = s.notes().get_highlight(&h.id).unwrap();
        assert_eq!(now.anchor.status, AnchorStatus::Anchored, "edit {n}: {now:?}");
        let text = s.text(id);
        assert_eq!(slice(&text, now.anchor.start.unwrap(), now.anchor.end.unwrap()), "who pays for the wires");
    }
}

#[test]
fn trashed_highlights_are_re_anchored_too_so_a_restore_shows_the_truth() {
    let s = Setup::new(&[("grid.txt", &version(INSIGHT, SECOND, BOTTOM))]);
    let id = s.episode("grid.txt");
    let notes = s.notes();
    let h = notes.create_highlight(&quote(id, "Utilities sign long contracts")).unwrap();
    notes.delete_highlight(&h.id).unwrap();
    s.rewrite("grid.txt", &version("Batteries now shift solar power into the evening peak.", SECOND, BOTTOM));
    let restored = notes.restore_highlight(&h.id).unwrap();
    assert_eq!(restored.anchor.status, AnchorStatus::Orphaned);
}

#[test]
fn a_deleted_source_file_keeps_its_highlights_readable() {
    let s = Setup::new(&[("grid.txt", &version(INSIGHT, SECOND, BOTTOM))]);
    let id = s.episode("grid.txt");
    let notes = s.notes();
    let h = notes
        .create_highlight(&NewHighlight { note: Some("keep me".into()), ..quote(id, "Batteries now shift") })
        .unwrap();
    notes.set_episode_note(id, "episode note").unwrap();
    std::fs::remove_file(s.fx.path("grid.txt")).unwrap();
    s.fx.library.reconcile(s.fx.folder.path()).unwrap();
    assert_eq!(s.fx.episode_at("grid.txt").status, Status::Missing);

    assert_eq!(notes.get_highlight(&h.id).unwrap(), h);
    let view = notes.episode_annotations(id).unwrap();
    assert_eq!((view.highlights, view.note.as_str()), (vec![h.clone()], "episode note"));
    let page = notes.list_highlights(&HighlightFilter::default()).unwrap();
    assert_eq!(page.items[0].episode_title.as_deref(), Some("Grid Futures"));
    // Its stored text is still there to annotate.
    notes.create_highlight(&quote(id, "the evening peak")).unwrap();
    // And when the file returns, everything is where it was.
    s.fx.write("grid.txt", &version(INSIGHT, SECOND, BOTTOM));
    s.fx.library.reconcile(s.fx.folder.path()).unwrap();
    assert_eq!(notes.reanchor_pending().unwrap(), 0);
    assert_eq!(notes.get_highlight(&h.id).unwrap(), h);
}

#[test]
fn re_anchoring_runs_inside_the_transaction_that_stores_the_new_text() {
    let s = Setup::new(&[("grid.txt", &version(INSIGHT, SECOND, BOTTOM))]);
    let id = s.episode("grid.txt");
    let h = s.notes().create_highlight(&quote(id, "who pays for the wires")).unwrap();
    s.fx.write("grid.txt", &version(&format!("Added first. {INSIGHT}"), SECOND, BOTTOM));
    s.fx.library.reconcile(s.fx.folder.path()).unwrap();
    // Ingest re-anchored it in the transaction that stored the new text.
    let now = s.notes().get_highlight(&h.id).unwrap();
    assert_eq!(now.anchor.status, AnchorStatus::Anchored);
    assert_eq!(now.anchor.start, h.anchor.start.map(|start| start + "Added first. ".chars().count()));
    assert_eq!(s.notes().reanchor_pending().unwrap(), 0);
    assert!(s
        .fx
        .library
        .store()
        .write_rebuildable(|tx| gloss_core::annotations::reanchor_episode(tx, id))
        .unwrap()
        .is_empty());
}

#[test]
fn opening_catches_up_on_anchors_another_program_left_stale_and_trusts_its_own() {
    let s = Setup::new(&[("grid.txt", &version(INSIGHT, SECOND, BOTTOM))]);
    let id = s.episode("grid.txt");
    s.notes().create_highlight(&quote(id, "New lines take a decade to permit.")).unwrap();
    let crate::util::Fixture { data, folder, library } = s.fx;
    drop(library);
    let db = data.path().join("gloss.db");
    let open = || {
        let options = gloss_core::OpenOptions {
            data_dir: Some(data.path().to_owned()),
            library_dir: Some(folder.path().to_owned()),
            watch: false,
        };
        gloss_core::app::Gloss::open(options).unwrap()
    };
    let revision = || -> i64 {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT anchor_revision FROM highlights", [], |row| row.get(0))
            .unwrap()
    };
    let placed = revision();

    let gloss = open();
    assert!(gloss.library().store().found_as_left(), "closed cleanly: nothing to catch up on");
    drop(gloss);
    rusqlite::Connection::open(&db).unwrap().execute("UPDATE highlights SET anchor_revision = -1", []).unwrap();
    let gloss = open();
    assert!(!gloss.library().store().found_as_left(), "another program wrote the file");
    drop(gloss);
    assert_eq!(revision(), placed, "the stale anchor was placed again on opening");
}
