//! Builds a summary episode from classified lines.
//!
//! The lines' structure wins over what headers promise: a section that says
//! "3 insights" but holds two title/body pairs has two insights and the
//! episode carries a warning.

use super::grammar::{self, Line};
use crate::model::{DocKind, Episode, Insight, Related, Section};

/// Where text lines go as they arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// After the title line, before any label.
    Preamble,
    Tldr,
    Section(usize),
    Bottom,
    Related,
}

#[derive(Default)]
struct Collected<'a> {
    preamble: Vec<&'a str>,
    tldr: Vec<&'a str>,
    tldr_label: bool,
    /// Each section's header and its text lines.
    sections: Vec<(grammar::Header<'a>, Vec<&'a str>)>,
    bottom: Vec<&'a str>,
    bottom_label: bool,
    related_source: Option<&'a str>,
    related: Vec<&'a str>,
}

/// Is this line one only a summary has? One such line makes a file a
/// summary; `More from` alone does not (any notes file may say that).
pub fn is_summary_marker(line: &Line<'_>) -> bool {
    matches!(line, Line::Tldr(_) | Line::Header(_) | Line::Bottom(_))
}

/// Builds the episode from the file's non-empty, Markdown-stripped lines.
pub fn build(lines: &[&str]) -> Episode {
    let mut episode = Episode::empty(DocKind::Summary);
    let mut collected = Collected::default();
    let mut part = Part::Preamble;
    let mut lines = lines.iter().copied();
    let mut first = lines.next();
    if let Some(line) = first.filter(|l| matches!(grammar::classify(l), Line::Text(_))) {
        let title = grammar::title_line(line);
        episode.title = title.title;
        episode.show = title.show;
        episode.hosts = title.hosts;
        first = None;
    }
    for line in first.into_iter().chain(lines) {
        match grammar::classify(line) {
            Line::Tldr(text) => {
                part = Part::Tldr;
                collected.tldr_label = true;
                collected.tldr.extend(text);
            }
            Line::Header(header) => {
                part = Part::Section(collected.sections.len());
                collected.sections.push((header, Vec::new()));
            }
            Line::Bottom(text) => {
                part = Part::Bottom;
                collected.bottom_label = true;
                collected.bottom.extend(text);
            }
            Line::MoreFrom(source) => {
                part = Part::Related;
                collected.related_source = Some(source);
            }
            Line::ViewAll if part == Part::Related => {}
            Line::Text(text) => collected.push(part, text),
            Line::ViewAll => collected.push(part, line),
        }
    }
    collected.finish(&mut episode);
    episode
}

impl<'a> Collected<'a> {
    fn push(&mut self, part: Part, text: &'a str) {
        let lines = match part {
            Part::Preamble => &mut self.preamble,
            Part::Tldr => &mut self.tldr,
            Part::Section(n) => match self.sections.get_mut(n) {
                Some((_, lines)) => lines,
                None => &mut self.preamble,
            },
            Part::Bottom => &mut self.bottom,
            Part::Related => &mut self.related,
        };
        lines.push(text);
    }

    fn finish(self, episode: &mut Episode) {
        let warnings = &mut episode.warnings;
        if !self.preamble.is_empty() {
            if self.tldr_label {
                warnings.push("text between the title and the TL;DR was added to the TL;DR".to_owned());
            } else {
                warnings.push("there is no TL;DR heading; the text under the title is read as the TL;DR".to_owned());
            }
        }
        let tldr: Vec<&str> = self.preamble.iter().chain(&self.tldr).copied().collect();
        episode.tldr = joined(&tldr);
        if self.tldr_label && episode.tldr.is_none() {
            warnings.push("the TL;DR heading has no text under it".to_owned());
        }
        for (n, (header, lines)) in self.sections.into_iter().enumerate() {
            let place = format!("section {} \"{}\"", n + 1, header.title);
            let (pairs, problems) = pair_lines(&lines);
            for problem in problems {
                warnings.push(format!("{place}: {}", problem.describe("insight")));
            }
            if pairs.len() != header.promised {
                warnings.push(format!(
                    "{place} promises {} insight{}, found {}",
                    header.promised,
                    if header.promised == 1 { "" } else { "s" },
                    pairs.len()
                ));
            }
            if header.title.is_empty() {
                warnings.push(format!("section {} has no title", n + 1));
            }
            episode.sections.push(Section {
                emoji: header.emoji.map(str::to_owned),
                title: header.title.to_owned(),
                insights: pairs.into_iter().map(|(title, body)| Insight { title, body }).collect(),
            });
        }
        episode.bottom_line = joined(&self.bottom);
        if self.bottom_label && episode.bottom_line.is_none() {
            warnings.push("the Bottom Line heading has no text under it".to_owned());
        }
        episode.related_source = self.related_source.map(str::to_owned);
        let (pairs, problems) = pair_lines(&self.related);
        for problem in problems {
            warnings.push(format!("related episodes: {}", problem.describe("episode")));
        }
        episode.related = pairs.into_iter().map(|(title, summary)| Related { title, summary }).collect();
    }
}

fn joined(lines: &[&str]) -> Option<String> {
    (!lines.is_empty()).then(|| lines.join(" "))
}

/// A title/body pair that the lines did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairProblem {
    NoBody(String),
    NoTitle(String),
}

impl PairProblem {
    fn describe(&self, what: &str) -> String {
        let clip = |s: &str| -> String {
            let clipped: String = s.chars().take(40).collect();
            if clipped.len() < s.len() {
                format!("{clipped}…")
            } else {
                clipped
            }
        };
        match self {
            PairProblem::NoBody(title) => format!("{what} \"{}\" has no text under it", clip(title)),
            PairProblem::NoTitle(body) => format!("the text \"{}\" has no {what} title above it", clip(body)),
        }
    }
}

/// Does the line read like a title rather than a sentence?
fn title_like(line: &str) -> bool {
    !line.ends_with(['.', '!', '?', '…', '"', '”', ')']) && line.chars().count() <= 120
}

/// Pairs title and body lines (insights, related episodes). An even count
/// pairs in order. An odd count lacks one line: the pairing that lets the
/// most lines play their natural role (short unpunctuated lines as titles,
/// sentences as bodies) decides which title lacks a body or which body a
/// title.
pub fn pair_lines(lines: &[&str]) -> (Vec<(String, String)>, Vec<PairProblem>) {
    if lines.len().is_multiple_of(2) {
        let pairs = lines.chunks_exact(2).map(|p| (p[0].to_owned(), p[1].to_owned())).collect();
        return (pairs, Vec::new());
    }
    // Candidate k: the gap sits at slot k, either a missing body after the
    // title at line k (k even) or a missing title before the body at k.
    // Lines before the gap keep their places; lines after it move one slot
    // on. Sums of both readings make each candidate's score one lookup, so
    // a run of 100,000 lines costs no more than scoring it once.
    let titles: Vec<bool> = lines.iter().map(|line| title_like(line)).collect();
    let fits_in_place = |n: usize| usize::from(titles[n] == n.is_multiple_of(2));
    let fits_moved_on = |n: usize| usize::from(titles[n] != n.is_multiple_of(2));
    let mut in_place_before = vec![0usize; lines.len() + 1];
    for n in 0..lines.len() {
        in_place_before[n + 1] = in_place_before[n] + fits_in_place(n);
    }
    let mut moved_on_from = vec![0usize; lines.len() + 1];
    for n in (0..lines.len()).rev() {
        moved_on_from[n] = moved_on_from[n + 1] + fits_moved_on(n);
    }
    let score = |gap_line: usize, missing_body: bool| -> usize {
        let gap = if missing_body { fits_in_place(gap_line) } else { fits_moved_on(gap_line) };
        in_place_before[gap_line] + gap + moved_on_from[gap_line + 1]
    };
    let mut best = (0usize, lines.len() - 1, true);
    for gap_line in (0..lines.len()).step_by(2) {
        for missing_body in [true, false] {
            let s = score(gap_line, missing_body);
            // Ties go to the later gap and to a missing body: a list that
            // ends early is the commonest fault.
            if s > best.0 || (s == best.0 && gap_line >= best.1 && missing_body) {
                best = (s, gap_line, missing_body);
            }
        }
    }
    let (_, gap_line, missing_body) = best;
    let mut pairs = Vec::with_capacity(lines.len() / 2 + 1);
    let mut problems = Vec::new();
    let mut n = 0;
    while n < lines.len() {
        if n == gap_line {
            let line = lines[n].to_owned();
            if missing_body {
                problems.push(PairProblem::NoBody(line.clone()));
                pairs.push((line, String::new()));
            } else {
                problems.push(PairProblem::NoTitle(line.clone()));
                pairs.push((String::new(), line));
            }
            n += 1;
            continue;
        }
        match lines.get(n + 1) {
            Some(body) => pairs.push((lines[n].to_owned(), (*body).to_owned())),
            None => pairs.push((lines[n].to_owned(), String::new())),
        }
        n += 2;
    }
    (pairs, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(pairs: &[(String, String)]) -> Vec<&str> {
        pairs.iter().map(|(t, _)| t.as_str()).collect()
    }

    #[test]
    fn pairs_even_lines_in_order() {
        let (pairs, problems) = pair_lines(&["T1", "Body one.", "T2", "Body two."]);
        assert_eq!(titles(&pairs), ["T1", "T2"]);
        assert!(problems.is_empty());
    }

    #[test]
    fn finds_the_title_without_a_body() {
        let (pairs, problems) = pair_lines(&["T1", "T2", "Body two.", "T3", "Body three."]);
        assert_eq!(titles(&pairs), ["T1", "T2", "T3"]);
        assert_eq!(pairs[0].1, "");
        assert_eq!(problems, [PairProblem::NoBody("T1".into())]);
        let (pairs, _) = pair_lines(&["T1", "Body one.", "T2"]);
        assert_eq!(titles(&pairs), ["T1", "T2"]);
    }

    #[test]
    fn finds_the_body_without_a_title() {
        let (pairs, problems) = pair_lines(&["T1", "Body one.", "Stray body.", "T3", "Body three."]);
        assert_eq!(titles(&pairs), ["T1", "", "T3"]);
        assert_eq!(problems, [PairProblem::NoTitle("Stray body.".into())]);
    }

    #[test]
    fn header_promises_are_checked_against_the_lines() {
        let lines = ["Title | Show", "🧠 Minds 3 insights", "One", "Body.", "Two", "Body."];
        let episode = build(&lines);
        assert_eq!(episode.sections[0].insights.len(), 2);
        assert_eq!(episode.warnings, ["section 1 \"Minds\" promises 3 insights, found 2"]);
    }

    #[test]
    fn every_part_may_be_missing() {
        let episode = build(&["🧠 Minds 1 insight", "One", "Body."]);
        assert_eq!((episode.title, episode.tldr, episode.bottom_line), (None, None, None));
        assert!(episode.warnings.is_empty(), "{:?}", episode.warnings);
        let episode = build(&["T | S", "Bottom Line", "It ends."]);
        assert_eq!(episode.bottom_line.as_deref(), Some("It ends."));
        assert!(episode.sections.is_empty());
    }

    #[test]
    fn related_episodes_follow_more_from() {
        let lines = [
            "T",
            "Bottom Line",
            "End.",
            "More from Pod",
            "View all",
            "R1 | Show",
            "Summary one.",
            "R2",
            "Summary two.",
        ];
        let episode = build(&lines);
        assert_eq!(episode.related_source.as_deref(), Some("Pod"));
        assert_eq!(episode.related.len(), 2);
        assert_eq!(episode.related[0].title, "R1 | Show");
    }

    #[test]
    fn a_long_odd_run_is_placed_in_one_pass() {
        // Regression (hostile corpus): scoring each candidate gap over every
        // line made 100,001 lines take hours.
        let lines: Vec<&str> = (0..100_001).map(|n| if n % 2 == 0 { "Title" } else { "A body." }).collect();
        let (pairs, problems) = pair_lines(&lines);
        assert_eq!(pairs.len(), 50_001);
        assert_eq!(problems, [PairProblem::NoBody("Title".into())]);
        assert_eq!(pairs.last(), Some(&("Title".to_owned(), String::new())));
    }
}
