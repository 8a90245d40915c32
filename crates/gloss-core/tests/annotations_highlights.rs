//! Highlights: creating from a quote or a range, editing, the trash, and
//! durability across restarts.

use crate::util::annotations::{quote, range_of, refusal, slice, Setup};
use crate::util::summary;
use gloss_anchor::AnchorStatus;
use gloss_core::annotations::{Color, HighlightFilter, HighlightPatch, NewHighlight};
use gloss_core::store::DB_FILE;

fn setup() -> Setup {
    Setup::new(&[
        (
            "compute.txt",
            &summary("Compute Arms Race", "Tech Weekly", "Chip exports 🧠 shape the open-source model race."),
        ),
        ("echo.txt", &summary("Echo Chamber", "Tech Weekly", "The echo repeats. The echo repeats.")),
    ])
}

#[test]
fn a_quote_is_stored_with_its_selector_in_code_points_and_its_block() {
    let s = setup();
    let id = s.episode("compute.txt");
    let text = s.text(id);
    let mut new = quote(id, "🧠 shape the open-source");
    new.color = Some(Color::Green);
    new.note = Some("**why** it matters".into());
    new.tags = vec!["AI/Open-Source".into(), "policy".into()];
    let h = s.notes().create_highlight(&new).unwrap();

    assert_eq!(uuid::Uuid::parse_str(&h.id).unwrap().to_string(), h.id);
    let (start, end) = range_of(&text, "🧠 shape the open-source");
    assert_eq!((h.selector.start, h.selector.end), (start, end));
    assert_eq!(slice(&text, start, end), h.selector.exact);
    assert!(h.selector.prefix.ends_with("Chip exports "), "{:?}", h.selector.prefix);
    assert!(h.selector.suffix.starts_with(" model race."), "{:?}", h.selector.suffix);
    assert_eq!(h.selector.block_key.as_deref(), Some("s1.i1.body"));
    assert_eq!(h.selector.text_version, gloss_parse::model::CANONICAL_TEXT_VERSION);
    assert_eq!((h.anchor.status, h.anchor.start, h.anchor.end), (AnchorStatus::Anchored, Some(start), Some(end)));
    assert_eq!((h.color, h.note.as_str()), (Color::Green, "**why** it matters"));
    assert_eq!(h.tags, ["AI/Open-Source", "policy"]);
    assert_eq!(h.created_at, h.updated_at);
    assert_eq!(h.deleted_at, None);
    assert_eq!(s.notes().get_highlight(&h.id).unwrap(), h);
}

#[test]
fn an_absent_or_ambiguous_quote_is_refused_naming_the_field() {
    let s = setup();
    let id = s.episode("echo.txt");
    let absent = s.notes().create_highlight(&quote(id, "not in there")).unwrap_err();
    assert_eq!(refusal(&absent), ("invalid", "quote"));
    assert!(absent.to_string().contains("echo.txt"), "{absent}");

    let ambiguous = s.notes().create_highlight(&quote(id, "The echo repeats.")).unwrap_err();
    assert_eq!(refusal(&ambiguous), ("conflict", "quote"));
    assert!(ambiguous.to_string().contains("2 times"), "{ambiguous}");

    let second = NewHighlight { occurrence: Some(2), ..quote(id, "The echo repeats.") };
    let h = s.notes().create_highlight(&second).unwrap();
    let text = s.text(id);
    let first = range_of(&text, "The echo repeats.");
    assert!(h.selector.start > first.0);
    assert_eq!(slice(&text, h.selector.start, h.selector.end), "The echo repeats.");

    let third = NewHighlight { occurrence: Some(3), ..quote(id, "The echo repeats.") };
    assert_eq!(refusal(&s.notes().create_highlight(&third).unwrap_err()), ("invalid", "occurrence"));
    // Nothing was stored by the refusals.
    assert_eq!(s.notes().list_highlights(&HighlightFilter::default()).unwrap().total, 1);
}

#[test]
fn a_range_is_checked_against_the_canonical_text() {
    let s = setup();
    let id = s.episode("compute.txt");
    let text = s.text(id);
    let len = text.chars().count();
    let range = |start, end| NewHighlight { episode_id: id, start: Some(start), end: Some(end), ..Default::default() };
    let notes = s.notes();
    assert_eq!(refusal(&notes.create_highlight(&range(3, len + 1)).unwrap_err()), ("invalid", "end"));
    assert_eq!(refusal(&notes.create_highlight(&range(9, 4)).unwrap_err()), ("invalid", "start"));
    assert_eq!(refusal(&notes.create_highlight(&range(4, 4)).unwrap_err()), ("invalid", "start"));
    let gap = text.find("\n\n").map(|b| text[..b].chars().count()).unwrap();
    assert_eq!(refusal(&notes.create_highlight(&range(gap, gap + 2)).unwrap_err()), ("invalid", "start"));
    let only_start = NewHighlight { episode_id: id, start: Some(1), ..Default::default() };
    assert_eq!(refusal(&notes.create_highlight(&only_start).unwrap_err()), ("invalid", "end"));
    let both = NewHighlight { start: Some(1), end: Some(3), ..quote(id, "Compute") };
    assert_eq!(refusal(&notes.create_highlight(&both).unwrap_err()), ("invalid", "quote"));
    let nothing = NewHighlight { episode_id: id, ..Default::default() };
    assert_eq!(refusal(&notes.create_highlight(&nothing).unwrap_err()), ("invalid", "quote"));

    let h = notes.create_highlight(&range(0, len)).unwrap();
    assert_eq!(h.selector.exact, text);
    assert_eq!(h.selector.block_key.as_deref(), Some("title"));
}

#[test]
fn an_unknown_episode_or_id_is_not_found_and_a_malformed_id_is_invalid() {
    let s = setup();
    assert_eq!(refusal(&s.notes().create_highlight(&quote(999, "x")).unwrap_err()), ("not_found", "episode_id"));
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(refusal(&s.notes().get_highlight(&unknown).unwrap_err()), ("not_found", "id"));
    assert_eq!(refusal(&s.notes().delete_highlight(&unknown).unwrap_err()), ("not_found", "id"));
    assert_eq!(refusal(&s.notes().get_highlight("h_42").unwrap_err()), ("invalid", "id"));
}

#[test]
fn highlights_may_span_blocks_and_overlap() {
    let s = setup();
    let id = s.episode("compute.txt");
    let text = s.text(id);
    let notes = s.notes();
    // From the TL;DR into the section title.
    let across = notes.create_highlight(&quote(id, "overview of Compute Arms Race.\n\nMain Ideas")).unwrap();
    assert_eq!(across.selector.block_key.as_deref(), Some("tldr"));
    assert!(across.selector.exact.contains("\n\n"));
    let inner = notes.create_highlight(&quote(id, "Arms Race.\n\nMain")).unwrap();
    let (a, b) = (across.anchor, inner.anchor);
    assert!(a.start < b.start && b.end < a.end);
    assert_eq!(slice(&text, b.start.unwrap(), b.end.unwrap()), "Arms Race.\n\nMain");
    let page = notes.list_highlights(&HighlightFilter { episode_id: Some(id), ..Default::default() }).unwrap();
    assert_eq!(page.total, 2);
    // Reading order within an episode.
    assert_eq!(page.items[0].highlight.id, across.id);
    assert_eq!(page.items[0].episode_title.as_deref(), Some("Compute Arms Race"));
    assert_eq!(page.items[0].show.as_deref(), Some("Tech Weekly"));
}

#[test]
fn color_note_and_tags_are_edited_and_a_trashed_highlight_is_not() {
    let s = setup();
    let id = s.episode("compute.txt");
    let notes = s.notes();
    let h = notes.create_highlight(&NewHighlight { tags: vec!["a".into()], ..quote(id, "Chip exports") }).unwrap();
    let patch = HighlightPatch { id: h.id.clone(), color: Some(Color::Purple), ..Default::default() };
    let edited = notes.update_highlight(&patch).unwrap();
    assert_eq!((edited.color, edited.note.as_str(), edited.tags.clone()), (Color::Purple, "", vec!["a".to_owned()]));
    assert!(edited.updated_at >= h.updated_at);
    let patch = HighlightPatch {
        id: h.id.clone(),
        note: Some("new note".into()),
        tags: Some(vec!["B".into(), "b".into(), "c/d".into()]),
        ..Default::default()
    };
    let edited = notes.update_highlight(&patch).unwrap();
    assert_eq!((edited.color, edited.note.as_str()), (Color::Purple, "new note"));
    assert_eq!(edited.tags, ["B", "c/d"]);
    let bad = HighlightPatch { id: h.id.clone(), tags: Some(vec!["x//y".into()]), ..Default::default() };
    assert_eq!(refusal(&notes.update_highlight(&bad).unwrap_err()), ("invalid", "tags"));
    assert_eq!(notes.get_highlight(&h.id).unwrap().tags, ["B", "c/d"]);

    notes.delete_highlight(&h.id).unwrap();
    assert_eq!(refusal(&notes.update_highlight(&patch).unwrap_err()), ("conflict", "id"));
}

#[test]
fn delete_is_soft_and_undoable_and_only_empty_trash_removes() {
    let s = setup();
    let id = s.episode("compute.txt");
    let notes = s.notes();
    let kept = notes.create_highlight(&quote(id, "Chip exports")).unwrap();
    let h = notes
        .create_highlight(&NewHighlight {
            note: Some("mine".into()),
            tags: vec!["t".into()],
            ..quote(id, "model race")
        })
        .unwrap();
    assert_eq!(notes.delete_highlight(&h.id).unwrap(), h.id);
    // Trashing twice is harmless.
    notes.delete_highlight(&h.id).unwrap();
    let live = notes.list_highlights(&HighlightFilter::default()).unwrap();
    assert_eq!(live.items.iter().map(|i| &i.highlight.id).collect::<Vec<_>>(), [&kept.id]);
    let trash = notes.list_trash().unwrap();
    assert_eq!(trash.highlights.len(), 1);
    assert!(trash.highlights[0].highlight.deleted_at.is_some());
    assert_eq!(notes.episode_annotations(id).unwrap().highlights.len(), 1);

    let restored = notes.restore_highlight(&h.id).unwrap();
    assert_eq!((restored.deleted_at, restored.note.as_str(), restored.tags.clone()), (None, "mine", vec!["t".into()]));
    assert_eq!((restored.selector, restored.created_at), (h.selector.clone(), h.created_at));
    assert_eq!(notes.list_highlights(&HighlightFilter::default()).unwrap().total, 2);

    notes.delete_highlight(&h.id).unwrap();
    let emptied = notes.empty_trash().unwrap();
    assert_eq!((emptied.highlights, emptied.tags), (1, 0));
    assert_eq!(refusal(&notes.get_highlight(&h.id).unwrap_err()), ("not_found", "id"));
    assert_eq!(notes.get_highlight(&kept.id).unwrap(), kept);
    let db = rusqlite::Connection::open(s.fx.data.path().join(DB_FILE)).unwrap();
    let rows: i64 = db.query_row("SELECT count(*) FROM highlights", [], |r| r.get(0)).unwrap();
    let links: i64 = db.query_row("SELECT count(*) FROM highlight_tags", [], |r| r.get(0)).unwrap();
    assert_eq!((rows, links), (1, 0));
}

#[test]
fn a_highlight_is_on_disk_when_create_returns() {
    let s = setup();
    let id = s.episode("compute.txt");
    let h = s.notes().create_highlight(&quote(id, "Chip exports")).unwrap();
    // Read it back through a separate connection, as another process would,
    // then again after closing and reopening Gloss.
    let db = rusqlite::Connection::open(s.fx.data.path().join(DB_FILE)).unwrap();
    let exact: String = db.query_row("SELECT exact FROM highlights WHERE id = ?1", [&h.id], |r| r.get(0)).unwrap();
    assert_eq!(exact, "Chip exports");
    drop(db);
    let fx = s.fx.restart(|_| {});
    let s = Setup { fx };
    assert_eq!(s.notes().get_highlight(&h.id).unwrap(), h);
}
