//! Episode and insight notes, stars, and reading state.

use crate::util::annotations::{quote, refusal, Setup};
use crate::util::summary;
use gloss_core::annotations::ReadingUpdate;

fn setup() -> Setup {
    Setup::new(&[("one.txt", &summary("First Episode", "Tech Weekly", "Open weights change the market."))])
}

#[test]
fn episode_and_insight_notes_are_kept_and_shown() {
    let s = setup();
    let notes = s.notes();
    let id = s.episode("one.txt");
    notes.set_episode_note(id, "# Mine\nwith *Markdown*").unwrap();
    notes.set_insight_note(id, "s1.i1", "on the whole insight").unwrap();
    notes.set_insight_note(id, "s1.i2.body", "on one block").unwrap();
    let view = notes.episode_annotations(id).unwrap();
    assert_eq!(view.note, "# Mine\nwith *Markdown*");
    assert_eq!(view.insight_notes.get("s1.i1").map(String::as_str), Some("on the whole insight"));
    assert_eq!(view.insight_notes.get("s1.i2.body").map(String::as_str), Some("on one block"));

    // Clearing is an edit to empty.
    notes.set_insight_note(id, "s1.i1", "").unwrap();
    assert!(!notes.episode_annotations(id).unwrap().insight_notes.contains_key("s1.i1"));

    for bad in ["s9.i1", "s1.i", "", "s1.i1.body.x"] {
        let error = notes.set_insight_note(id, bad, "x").unwrap_err();
        assert_eq!(refusal(&error), ("invalid", "block_key"), "{bad:?}");
    }
    assert!(notes.set_insight_note(id, "s9", "x").unwrap_err().to_string().contains("s1.i1.body"));
    assert_eq!(refusal(&notes.set_episode_note(404, "x").unwrap_err()), ("not_found", "episode_id"));
}

#[test]
fn stars_are_set_and_cleared() {
    let s = setup();
    let notes = s.notes();
    let id = s.episode("one.txt");
    notes.set_star(id, "s1.i2", true).unwrap();
    notes.set_star(id, "s1.i1", true).unwrap();
    notes.set_star(id, "s1.i1", true).unwrap();
    assert_eq!(notes.episode_annotations(id).unwrap().stars, ["s1.i1", "s1.i2"]);
    notes.set_star(id, "s1.i1", false).unwrap();
    assert_eq!(notes.episode_annotations(id).unwrap().stars, ["s1.i2"]);
    assert_eq!(refusal(&notes.set_star(id, "nope", true).unwrap_err()), ("invalid", "block_key"));
}

#[test]
fn reading_state_is_updated_on_every_visit() {
    let s = setup();
    let notes = s.notes();
    let id = s.episode("one.txt");
    assert_eq!(notes.episode_annotations(id).unwrap().reading.visited_at, None);
    let visit = |read, position| notes.set_reading_state(&ReadingUpdate { episode_id: id, read, position }).unwrap();
    let first = visit(None, Some(12));
    assert_eq!((first.read, first.position), (false, Some(12)));
    assert!(first.visited_at.is_some());
    std::thread::sleep(std::time::Duration::from_millis(3));
    let second = visit(None, None);
    assert_eq!(second.position, Some(12), "a plain visit keeps the position");
    assert!(second.visited_at > first.visited_at);
    let read = visit(Some(true), Some(40));
    assert_eq!((read.read, read.position), (true, Some(40)));
    assert_eq!(notes.episode_annotations(id).unwrap().reading, read);
    assert!(notes.episode_marks().unwrap()[&id].read);
    assert!(!visit(Some(false), None).read);

    let len = s.text(id).chars().count();
    let error = notes.set_reading_state(&ReadingUpdate { episode_id: id, read: None, position: Some(len + 1) });
    assert_eq!(refusal(&error.unwrap_err()), ("invalid", "position"));
}

#[test]
fn the_episode_list_gets_highlight_counts() {
    let s = setup();
    let notes = s.notes();
    let id = s.episode("one.txt");
    notes.create_highlight(&quote(id, "Open weights")).unwrap();
    let gone = notes.create_highlight(&quote(id, "the market")).unwrap();
    notes.delete_highlight(&gone.id).unwrap();
    assert_eq!(notes.episode_marks().unwrap()[&id].highlight_count, 1);
    assert_eq!(notes.episode_marks().unwrap()[&id].attention_count, 0);
}
