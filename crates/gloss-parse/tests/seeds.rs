//! The sample library in `seeds/` parses the way each file was written to.

use gloss_parse::model::{DocKind, Episode};
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
    assert!(cp1252.warnings[0].contains("Windows-1252"));
    assert_eq!(seed("reading-notes.txt").kind, DocKind::Document);
}
