//! Tags: case-insensitive names, nesting, and rename, merge and delete
//! everywhere in one step.

use crate::util::annotations::{quote, refusal, Setup};
use crate::util::summary;
use gloss_core::annotations::{HighlightFilter, NewHighlight, Tag};
use gloss_core::app::Annotations;
use gloss_core::store::episodes::EpisodeId;

fn setup() -> Setup {
    Setup::new(&[
        ("one.txt", &summary("First Episode", "Tech Weekly", "Open weights change the market.")),
        ("two.txt", &summary("Second Episode", "Econ Talk", "Tariffs move supply chains.")),
    ])
}

fn tagged(notes: &Annotations, episode_id: EpisodeId, text: &str, tags: &[&str]) -> String {
    let new = NewHighlight { tags: tags.iter().map(|t| t.to_string()).collect(), ..quote(episode_id, text) };
    notes.create_highlight(&new).unwrap().id
}

fn tags(notes: &Annotations) -> Vec<(String, usize)> {
    notes.list_tags().unwrap().into_iter().map(|Tag { name, count }| (name, count)).collect()
}

fn with_tag(notes: &Annotations, tag: &str) -> Vec<String> {
    let filter = HighlightFilter { tag: Some(tag.into()), ..Default::default() };
    let mut quotes: Vec<String> =
        notes.list_highlights(&filter).unwrap().items.into_iter().map(|i| i.highlight.selector.exact).collect();
    quotes.sort();
    quotes
}

#[test]
fn names_are_case_insensitive_and_unique() {
    let s = setup();
    let notes = s.notes();
    let (one, two) = (s.episode("one.txt"), s.episode("two.txt"));
    tagged(&notes, one, "Open weights", &["AI", "ai", " #Ai "]);
    let later = tagged(&notes, two, "Tariffs", &["aI"]);
    assert_eq!(notes.get_highlight(&later).unwrap().tags, ["AI"], "shown as first written");
    notes.set_episode_tags(two, &["AI".into(), "Trade".into()]).unwrap();
    assert_eq!(tags(&notes), [("AI".to_owned(), 3), ("Trade".to_owned(), 1)]);
    notes.delete_highlight(&later).unwrap();
    assert_eq!(
        tags(&notes),
        [("AI".to_owned(), 2), ("Trade".to_owned(), 1)],
        "a highlight in the trash counts no more"
    );
    notes.restore_highlight(&later).unwrap();
    assert_eq!(tags(&notes), [("AI".to_owned(), 3), ("Trade".to_owned(), 1)]);
    assert_eq!(notes.episode_annotations(two).unwrap().tags, ["AI", "Trade"]);
    assert_eq!(refusal(&notes.set_episode_tags(two, &["a/".into()]).unwrap_err()), ("invalid", "tags"));
    assert_eq!(refusal(&notes.set_episode_tags(77, &["a".into()]).unwrap_err()), ("not_found", "episode_id"));
}

#[test]
fn a_nested_tag_is_found_under_its_parent() {
    let s = setup();
    let notes = s.notes();
    let (one, two) = (s.episode("one.txt"), s.episode("two.txt"));
    tagged(&notes, one, "Open weights", &["ai/open-source"]);
    tagged(&notes, one, "the market", &["ai"]);
    tagged(&notes, two, "Tariffs", &["aim"]);
    assert_eq!(with_tag(&notes, "AI"), ["Open weights", "the market"]);
    assert_eq!(with_tag(&notes, "ai/Open-Source"), ["Open weights"]);
    assert_eq!(with_tag(&notes, "aim"), ["Tariffs"]);
    assert!(with_tag(&notes, "ai/open").is_empty());
    // A highlight is also found by its episode's tags.
    notes.set_episode_tags(two, &["ai/policy".into()]).unwrap();
    assert_eq!(with_tag(&notes, "ai"), ["Open weights", "Tariffs", "the market"]);
    assert_eq!(notes.episodes_tagged("ai").unwrap(), [one, two].into_iter().collect());
    assert_eq!(notes.episodes_tagged("ai/open-source").unwrap(), [one].into_iter().collect());
}

#[test]
fn rename_changes_the_tag_and_its_children_everywhere() {
    let s = setup();
    let notes = s.notes();
    let (one, two) = (s.episode("one.txt"), s.episode("two.txt"));
    let h1 = tagged(&notes, one, "Open weights", &["ai/open-source", "keep"]);
    let h2 = tagged(&notes, two, "Tariffs", &["AI"]);
    notes.set_episode_tags(one, &["ai".into()]).unwrap();
    notes.create_highlight(&quote(one, "the market")).unwrap();

    assert_eq!(notes.rename_tag("ai", "ML").unwrap(), 3);
    assert_eq!(notes.get_highlight(&h1).unwrap().tags, ["keep", "ML/open-source"]);
    assert_eq!(notes.get_highlight(&h2).unwrap().tags, ["ML"]);
    assert_eq!(notes.episode_annotations(one).unwrap().tags, ["ML"]);
    assert_eq!(tags(&notes), [("keep".to_owned(), 1), ("ML".to_owned(), 2), ("ML/open-source".to_owned(), 1)]);
    assert!(with_tag(&notes, "ai").is_empty());
    assert_eq!(with_tag(&notes, "ml").len(), 3);
    // Changing only the case is a rename too.
    notes.rename_tag("ml", "Ml").unwrap();
    assert_eq!(notes.get_highlight(&h2).unwrap().tags, ["Ml"]);
    // The search index follows.
    let found = notes.search("open-source", &HighlightFilter::default(), 10).unwrap();
    assert_eq!((found.episodes.len(), found.highlights.len()), (1, 1));
}

#[test]
fn rename_onto_a_taken_name_is_a_conflict_and_changes_nothing() {
    let s = setup();
    let notes = s.notes();
    let one = s.episode("one.txt");
    tagged(&notes, one, "Open weights", &["ai", "ai/x", "ml/x"]);
    let before = tags(&notes);
    assert_eq!(refusal(&notes.rename_tag("ai", "ml").unwrap_err()), ("conflict", "to"));
    assert_eq!(refusal(&notes.rename_tag("nope", "x").unwrap_err()), ("not_found", "from"));
    assert_eq!(tags(&notes), before);
}

#[test]
fn rename_under_a_new_parent_of_its_own_name_moves_the_tag_and_its_children() {
    let s = setup();
    let notes = s.notes();
    let (one, two) = (s.episode("one.txt"), s.episode("two.txt"));
    let h1 = tagged(&notes, one, "Open weights", &["climate", "climate/policy"]);
    let h2 = tagged(&notes, two, "Tariffs", &["Climate/adaptation"]);
    notes.set_episode_tags(two, &["climate".into()]).unwrap();

    assert_eq!(notes.rename_tag("climate", "climate/adaptation").unwrap(), 3);
    assert_eq!(notes.get_highlight(&h1).unwrap().tags, ["climate/adaptation", "climate/adaptation/policy"]);
    assert_eq!(notes.get_highlight(&h2).unwrap().tags, ["climate/adaptation/adaptation"]);
    assert_eq!(notes.episode_annotations(two).unwrap().tags, ["climate/adaptation"]);
    assert_eq!(
        tags(&notes),
        [
            ("climate/adaptation".to_owned(), 2),
            ("climate/adaptation/adaptation".to_owned(), 1),
            ("climate/adaptation/policy".to_owned(), 1)
        ]
    );
    assert_eq!(with_tag(&notes, "climate").len(), 2, "still found under the old name, now the parent");
}

#[test]
fn merge_moves_everything_onto_the_target_and_trashes_the_source() {
    let s = setup();
    let notes = s.notes();
    let (one, two) = (s.episode("one.txt"), s.episode("two.txt"));
    let h1 = tagged(&notes, one, "Open weights", &["ml", "ai"]);
    let h2 = tagged(&notes, two, "Tariffs", &["ai/policy"]);
    notes.set_episode_tags(two, &["AI".into()]).unwrap();
    assert_eq!(notes.merge_tag("ai", "ml").unwrap(), 3);
    assert_eq!(notes.get_highlight(&h1).unwrap().tags, ["ml"]);
    assert_eq!(notes.get_highlight(&h2).unwrap().tags, ["ml/policy"]);
    assert_eq!(notes.episode_annotations(two).unwrap().tags, ["ml"]);
    assert_eq!(tags(&notes), [("ml".to_owned(), 2), ("ml/policy".to_owned(), 1)]);
    let trashed: Vec<String> = notes.list_trash().unwrap().tags.into_iter().map(|t| t.name).collect();
    assert_eq!(trashed.len(), 2);
    assert_eq!(refusal(&notes.merge_tag("ml", "ml/sub").unwrap_err()), ("invalid", "to"));
}

#[test]
fn delete_removes_a_tag_everywhere_until_restored_or_the_trash_is_emptied() {
    let s = setup();
    let notes = s.notes();
    let (one, two) = (s.episode("one.txt"), s.episode("two.txt"));
    let h1 = tagged(&notes, one, "Open weights", &["ai/open", "keep"]);
    notes.set_episode_tags(two, &["ai".into()]).unwrap();
    assert_eq!(notes.delete_tag("AI").unwrap(), 2);
    assert_eq!(notes.get_highlight(&h1).unwrap().tags, ["keep"]);
    assert!(notes.episode_annotations(two).unwrap().tags.is_empty());
    assert_eq!(tags(&notes), [("keep".to_owned(), 1)]);

    // Undo brings it back on everything it was on.
    assert_eq!(notes.restore_tag("ai").unwrap(), 2);
    assert_eq!(notes.get_highlight(&h1).unwrap().tags, ["ai/open", "keep"]);
    assert_eq!(notes.episode_annotations(two).unwrap().tags, ["ai"]);

    // A name taken again blocks the restore until renamed.
    notes.delete_tag("ai").unwrap();
    notes.set_episode_tags(one, &["ai".into()]).unwrap();
    assert_eq!(refusal(&notes.restore_tag("ai").unwrap_err()), ("conflict", "name"));

    let emptied = notes.empty_trash().unwrap();
    assert_eq!(emptied.tags, 2);
    assert_eq!(refusal(&notes.restore_tag("ai/open").unwrap_err()), ("not_found", "name"));
    assert_eq!(notes.get_highlight(&h1).unwrap().tags, ["keep"]);
    assert_eq!(tags(&notes), [("ai".to_owned(), 1), ("keep".to_owned(), 1)]);
}
