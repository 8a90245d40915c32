//! The episode list's keyset paging: walking the pages of every order and
//! filter gives exactly the list in the documented order (ties included),
//! and a change between two pages neither repeats nor hides the episodes it
//! did not touch.

use std::cmp::Reverse;
use std::collections::HashSet;

use gloss_core::annotations::{Caller, Door, NewHighlight, ReadingUpdate};
use gloss_core::app::{EpisodeFilter, EpisodeItem, EpisodeSort, Gloss, OpenOptions};
use gloss_core::store::episodes::Status;
use proptest::prelude::*;
use tempfile::TempDir;

use crate::util::{summary, write};

const SORTS: [EpisodeSort; 6] = [
    EpisodeSort::Added,
    EpisodeSort::Title,
    EpisodeSort::Show,
    EpisodeSort::LastRead,
    EpisodeSort::MostHighlighted,
    EpisodeSort::Path,
];
/// Equal without case, and equal outright: the order's ties.
const TITLES: [&str; 4] = ["Alpha", "alpha", "Beta", "Zeta"];
const SHOWS: [&str; 3] = ["Show A", "show a", "Other"];
const QUOTES: [&str; 3] = ["A short overview", "Another point", "The conclusion"];

/// One episode of a generated library and what the user did with it.
#[derive(Debug, Clone)]
struct Spec {
    title: usize,
    /// `None`: a plain document, with no title or show of its own.
    show: Option<usize>,
    highlights: usize,
    /// `Some(read)`: opened.
    reading: Option<bool>,
    tagged: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0..TITLES.len(),
        prop::option::weighted(0.8, 0..SHOWS.len()),
        0..=QUOTES.len(),
        prop::option::of(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(|(title, show, highlights, reading, tagged)| Spec { title, show, highlights, reading, tagged })
}

struct Library {
    _dir: TempDir,
    gloss: Gloss,
}

impl Library {
    fn new(specs: &[Spec]) -> Library {
        let dir = TempDir::new().unwrap();
        let folder = dir.path().join("library");
        let path = |n: usize, spec: &Spec| match spec.show {
            Some(_) => format!("e{n:03}.txt"),
            None => format!("{}-{n}.md", TITLES[spec.title]),
        };
        for (n, spec) in specs.iter().enumerate() {
            let content = match spec.show {
                Some(show) => summary(TITLES[spec.title], SHOWS[show], "x"),
                None => "Some plain notes.\n".to_owned(),
            };
            write(&folder.join(path(n, spec)), &content);
        }
        let options =
            OpenOptions { data_dir: Some(dir.path().join("data")), library_dir: Some(folder.clone()), watch: false };
        let gloss = Gloss::open(options).unwrap();
        gloss.library().reconcile(&folder).unwrap();
        let library = Library { _dir: dir, gloss };
        let every = library.every();
        for (n, spec) in specs.iter().enumerate() {
            let file = path(n, spec);
            let item = every.iter().find(|item| item.summary.source_path == file).expect("every file listed");
            library.annotate(item.summary.id, spec);
        }
        library
    }

    fn annotate(&self, id: i64, spec: &Spec) {
        let annotations = self.gloss.annotations(Caller::door(Door::Cli));
        let is_summary = spec.show.is_some();
        for quote in QUOTES.iter().take(if is_summary { spec.highlights } else { 0 }) {
            let new = NewHighlight { episode_id: id, quote: Some((*quote).to_owned()), ..Default::default() };
            annotations.create_highlight(&new).unwrap();
        }
        if let Some(read) = spec.reading {
            annotations.set_reading_state(&ReadingUpdate { episode_id: id, read: Some(read), position: None }).unwrap();
        }
        if spec.tagged {
            annotations.set_episode_tags(id, &["ai".to_owned()]).unwrap();
        }
    }

    /// The whole list, in one page.
    fn every(&self) -> Vec<EpisodeItem> {
        self.gloss.list_episodes(&EpisodeFilter::default()).unwrap().items
    }

    /// The list as `filter` asks for it, in the documented order, read
    /// without paging and sorted here.
    fn expected(&self, filter: &EpisodeFilter) -> Vec<i64> {
        let tagged = filter
            .tag
            .as_ref()
            .map(|tag| self.gloss.annotations(Caller::door(Door::Cli)).episodes_tagged(tag).unwrap());
        let mut items: Vec<EpisodeItem> = self
            .every()
            .into_iter()
            .filter(|item| {
                filter.show.as_ref().is_none_or(|show| item.summary.show.as_ref() == Some(show))
                    && filter.status.is_none_or(|status| item.summary.status == status)
                    && filter.read.is_none_or(|read| item.marks.read == read)
                    && tagged.as_ref().is_none_or(|ids| ids.contains(&item.summary.id))
            })
            .collect();
        let title = |item: &EpisodeItem| {
            let path = &item.summary.source_path;
            let name = item.summary.title.as_deref().unwrap_or_else(|| path.rsplit('/').next().unwrap_or_default());
            name.to_ascii_lowercase()
        };
        items.sort_by_key(|item| Reverse(item.summary.id));
        match filter.sort.unwrap_or_default() {
            EpisodeSort::Added => {}
            EpisodeSort::Title => items.sort_by_cached_key(title),
            EpisodeSort::Show => items.sort_by_cached_key(|item| {
                let show = item.summary.show.as_deref().map(str::to_ascii_lowercase);
                (show.is_none(), show, title(item))
            }),
            EpisodeSort::LastRead => items.sort_by_key(|item| Reverse(item.marks.last_read)),
            EpisodeSort::MostHighlighted => items.sort_by_key(|item| Reverse(item.marks.highlight_count)),
            EpisodeSort::Path => items.sort_by(|a, b| a.summary.source_path.cmp(&b.summary.source_path)),
        }
        items.into_iter().map(|item| item.summary.id).collect()
    }

    /// Walks every page of `size` rows, running `between` after the first.
    fn walk(&self, filter: &EpisodeFilter, size: usize, mut between: impl FnMut()) -> (Option<usize>, Vec<i64>) {
        let mut filter = EpisodeFilter { limit: Some(size), ..filter.clone() };
        let first = self.gloss.list_episodes(&filter).unwrap();
        let total = first.total;
        let mut ids: Vec<i64> = first.items.iter().map(|item| item.summary.id).collect();
        let mut next = first.next;
        between();
        while let Some(after) = next {
            filter.after = Some(after);
            let page = self.gloss.list_episodes(&filter).unwrap();
            assert!(page.total.is_none() && page.shows.is_none(), "only the first page counts");
            assert!(page.items.len() <= size);
            ids.extend(page.items.iter().map(|item| item.summary.id));
            next = page.next;
        }
        (total, ids)
    }
}

/// Every filter the list has, alone, and the tag with each other kind, in every order.
fn filters() -> Vec<EpisodeFilter> {
    let filters = [
        EpisodeFilter::default(),
        EpisodeFilter { show: Some(SHOWS[0].to_owned()), ..Default::default() },
        EpisodeFilter { status: Some(Status::Active), ..Default::default() },
        EpisodeFilter { tag: Some("ai".to_owned()), ..Default::default() },
        EpisodeFilter { read: Some(true), ..Default::default() },
        EpisodeFilter { read: Some(false), ..Default::default() },
        EpisodeFilter { tag: Some("ai".to_owned()), read: Some(false), ..Default::default() },
        EpisodeFilter { tag: Some("ai".to_owned()), show: Some(SHOWS[0].to_owned()), ..Default::default() },
        EpisodeFilter { tag: Some("ai".to_owned()), status: Some(Status::Active), ..Default::default() },
    ];
    SORTS
        .iter()
        .flat_map(|sort| filters.iter().map(move |filter| EpisodeFilter { sort: Some(*sort), ..filter.clone() }))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: gloss_testkit::proptest_cases(24), ..ProptestConfig::default() })]

    #[test]
    fn walking_the_pages_gives_the_whole_list_in_order(specs in prop::collection::vec(spec(), 1..14), size in 1usize..5) {
        let library = Library::new(&specs);
        for filter in filters() {
            let expected = library.expected(&filter);
            let (total, walked) = library.walk(&filter, size, || {});
            prop_assert_eq!(total, Some(expected.len()), "{:?}", filter);
            prop_assert_eq!(walked, expected, "{:?}", filter);
        }
    }

    #[test]
    fn a_change_between_pages_neither_repeats_nor_hides_the_others(
        specs in prop::collection::vec(spec(), 2..12),
        changed in any::<prop::sample::Index>(),
        size in 1usize..4,
    ) {
        for sort in SORTS {
            let library = Library::new(&specs);
            let filter = EpisodeFilter { sort: Some(sort), ..Default::default() };
            let before = library.expected(&filter);
            let id = before[changed.index(before.len())];
            let is_summary = library.every().iter().any(|item| item.summary.id == id && item.summary.show.is_some());
            let change = Spec { title: 0, show: is_summary.then_some(0), highlights: 1, reading: Some(true), tagged: true };
            let (_, walked) = library.walk(&filter, size, || library.annotate(id, &change));
            let unique: HashSet<i64> = walked.iter().copied().collect();
            prop_assert_eq!(unique.len(), walked.len(), "no episode twice: {:?}", walked);
            let others = |ids: &[i64]| ids.iter().copied().filter(|other| *other != id).collect::<Vec<_>>();
            prop_assert_eq!(others(&walked), others(&before), "{:?}", sort);
        }
    }
}

#[test]
fn a_cursor_of_another_order_or_a_made_up_one_is_refused_naming_after() {
    let library = Library::new(&[spec_of(0), spec_of(1), spec_of(2)]);
    let first = library.gloss.list_episodes(&EpisodeFilter { limit: Some(1), ..Default::default() }).unwrap();
    let after = first.next.expect("a second page");
    for (sort, after) in [(EpisodeSort::Title, after.clone()), (EpisodeSort::Added, "[1]".to_owned())] {
        let filter = EpisodeFilter { sort: Some(sort), after: Some(after), ..Default::default() };
        let refused = library.gloss.list_episodes(&filter).unwrap_err();
        assert_eq!(refused.field(), Some("after"), "{refused}");
    }
}

fn spec_of(title: usize) -> Spec {
    Spec { title, show: Some(0), highlights: 0, reading: None, tagged: false }
}
