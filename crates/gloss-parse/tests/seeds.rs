//! The sample library in `seeds/` parses the way each file was written to.

use gloss_parse::model::{BlockRole, DocKind, Episode, ItemMark, Shape};
use gloss_parse::parse_bytes;
use std::path::PathBuf;

fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../seeds")
}

fn seed(name: &str) -> Episode {
    let bytes = std::fs::read(seeds_dir().join(name)).unwrap();
    parse_bytes(&bytes).unwrap_or_else(|refusal| panic!("{name}: {refusal}"))
}

#[test]
fn every_seed_parses_and_at_least_eight_are_summaries() {
    let mut summaries = 0;
    for entry in std::fs::read_dir(seeds_dir()).unwrap() {
        let path = entry.unwrap().path();
        let episode = parse_bytes(&std::fs::read(&path).unwrap()).unwrap();
        summaries += usize::from(episode.kind == DocKind::Summary);
        let text = episode.canonical_text();
        assert!(!text.contains('π') && !text.contains('β') && !text.contains('\u{fffd}'), "{}", path.display());
    }
    assert!(summaries >= 8, "{summaries} summaries");
}

#[test]
fn damaged_seeds_come_back_clean() {
    let e = seed("compute-frontier-chip-exports.txt");
    let emoji: Vec<_> = e.sections.iter().map(|s| s.emoji.as_deref()).collect();
    assert_eq!(emoji, [Some("🇨🇳"), Some("🧠"), Some("🇺🇸")]);
    assert_eq!(e.hosts, ["Maya Lindqvist", "Tomás Ferreira"]);
    assert!(e.tldr.as_deref().unwrap().contains("open weights — and sovereign"));
    assert_eq!(e.related[0].title, "Sovereign Compute — Who Owns the Clusters | Frontier Guest Interview");
    let e = seed("deep-stack-robotics-damaged.txt");
    let emoji: Vec<_> = e.sections.iter().map(|s| s.emoji.as_deref()).collect();
    assert_eq!(emoji, [Some("🇮🇳"), Some("🇯🇵"), Some("🧠")]);
    assert_eq!(e.hosts, ["Ivan Petrov", "Mei Tanaka", "Ola Nordmann"]);
}

#[test]
fn the_other_seeds_show_each_variant() {
    assert_eq!(seed("grid-report-transmission.txt").sections[2].emoji.as_deref(), Some("🏛️"));
    let volts = seed("volts-interview-heat-pumps.txt");
    assert_eq!((volts.show.as_deref(), volts.hosts.len()), (Some("Volts Interview"), 0));
    assert_eq!(volts.sections[1].insights.len(), 1);
    assert_eq!(seed("capital-cycles-ipo-window.txt").hosts, ["Sam Ortiz", "Jo Becker"]);
    assert_eq!(seed("open-weights-distillation.md").sections[0].insights.len(), 3);
    let missing = seed("signal-path-missing-parts.txt");
    assert_eq!((missing.tldr, missing.bottom_line), (None, None));
    assert_eq!(missing.warnings, ["section 1 \"Agents Take the Wheel\" promises 3 insights, found 2"]);
    let cp1252 = seed("market-weather-no-show.txt");
    assert_eq!((cp1252.title.as_deref(), cp1252.show), (Some("Carbon Markets Reset and the Café Economy"), None));
    assert!(cp1252.bottom_line.unwrap().contains("market’s"));
    assert!(cp1252.warnings[0].contains("not saved as UTF-8"));
    assert_eq!(seed("reading-notes.txt").kind, DocKind::Document);
}

/// A plain document's blocks as (text, shape) pairs.
fn shapes(episode: &Episode) -> Vec<(&str, &Shape)> {
    episode.paragraphs.iter().map(|p| (p.text.as_str(), &p.shape)).collect()
}

fn item(list: usize, depth: usize, marker: &str) -> Shape {
    Shape::Item { list, mark: ItemMark { depth, marker: marker.into() } }
}

#[test]
fn bulleted_lists_keep_their_items_and_nesting() {
    let e = seed("garden-plan.txt");
    assert_eq!(e.kind, DocKind::Document);
    assert_eq!(
        shapes(&e),
        [
            (
                "What the Volts episode on heat pumps said about soil temperature made me rethink when to sow. \
                 The plan, bed by bed:",
                &Shape::Prose
            ),
            ("North bed: potatoes, as last year", &item(1, 0, "-")),
            ("South bed: tomatoes and basil", &item(1, 0, "-")),
            ("stake the tomatoes before they flop", &item(2, 1, "-")),
            ("basil between them, it keeps the aphids off", &item(2, 1, "-")),
            ("Herb spiral: leave it alone", &item(1, 0, "-")),
            ("To buy:", &Shape::Prose),
            ("compost, two bags", &item(3, 0, "*")),
            ("twine", &item(3, 0, "*")),
            ("seed potatoes (Charlotte, not Maris Piper)", &item(3, 0, "*")),
            ("Pasted from the allotment newsletter:", &Shape::Prose),
            ("Water butts are free again from April.", &item(4, 0, "•")),
            ("The shared shed is locked after 8 pm.", &item(4, 0, "•")),
        ]
    );
    let blocks = e.blocks();
    let nested = blocks.iter().find(|b| b.text.starts_with("stake")).unwrap();
    assert_eq!((nested.role, nested.group.as_deref()), (BlockRole::ListItem, Some("l2")));
    assert_eq!(nested.item, Some(ItemMark { depth: 1, marker: "-".into() }));
}

#[test]
fn numbered_lists_keep_their_numbers_as_written() {
    let e = seed("shakshuka-recipe.txt");
    let items: Vec<_> = shapes(&e).into_iter().filter(|(_, shape)| matches!(shape, Shape::Item { .. })).collect();
    assert_eq!(items.len(), 7);
    assert_eq!(items[0], ("Soften an onion and a red pepper in olive oil, ten minutes.", &item(1, 0, "1.")));
    assert_eq!(items[3].1, &item(1, 0, "4."));
    assert_eq!(items[4], ("taste for salt", &item(2, 0, "1)")));
    assert_eq!(items[6].1, &item(2, 0, "3)"));
}

#[test]
fn verse_and_addresses_keep_their_line_breaks_and_wrapped_prose_flows() {
    let e = seed("cards-and-verses.txt");
    assert_eq!(
        shapes(&e),
        [
            (
                "Ana asked for the list of podcasts about heat pumps. The two Volts episodes are the best start; \
                 the Grid Report one is more about the wires than the pumps, but worth it for the interview at the end.",
                &Shape::Prose
            ),
            ("Ana Ribeiro\nRua das Flores 12, 2º esq.\n1200-195 Lisboa\nPortugal", &Shape::Prose),
            ("For the inside of the card:", &Shape::Prose),
            (
                "\"Hope\" is the thing with feathers -\nThat perches in the soul -\n\
                 And sings the tune without the words -\nAnd never stops - at all -",
                &Shape::Prose
            ),
        ]
    );
}

#[test]
fn indented_blocks_keep_their_layout() {
    let e = seed("home-server-notes.txt");
    assert_eq!(
        shapes(&e),
        [
            (
                "After the episode on running your own cloud I finally set up the old laptop.\nTo see what is listening:",
                &Shape::Prose
            ),
            ("sudo ss -tlnp\nsudo systemctl status syncthing@ana", &Shape::Preformatted),
            ("The backup job, as it is in the crontab:", &Shape::Prose),
            (
                "# m  h  dom mon dow  command\n  30 3  *   *   *    restic backup /home --tag nightly",
                &Shape::Preformatted
            ),
            ("Disk use on the day:", &Shape::Prose),
            ("Filesystem  Size  Used  Avail\n/dev/sda2   220G   61G   148G", &Shape::Preformatted),
            ("Check it again after a month.", &Shape::Prose),
        ]
    );
}

#[test]
fn the_reading_notes_keep_their_list() {
    let e = seed("reading-notes.txt");
    let texts: Vec<_> = shapes(&e).into_iter().map(|(text, _)| text).collect();
    assert_eq!(texts[1], "Questions to follow up:");
    assert_eq!(shapes(&e)[2], ("how long do interconnection studies take in Europe?", &item(1, 0, "-")));
}
