//! Which list an item belongs to and how deep it sits, from how far its
//! marker is indented.

use super::marker;

/// Lists nest at most this deep; items indented further stay at the
/// deepest level, so no file can ask a reader to draw thousands of levels.
const MAX_DEPTH: usize = 5;

/// An item whose marker is indented this many columns more than the items
/// of the list before it starts a list nested in that one.
const NEST_STEP: usize = 2;

/// The lists open at the line being read, outermost first.
#[derive(Debug, Default)]
pub struct Lists {
    levels: Vec<Level>,
    /// Lists started so far in the document.
    count: usize,
}

#[derive(Debug)]
struct Level {
    indent: usize,
    list: usize,
    numbered: bool,
}

impl Lists {
    /// Places an item whose marker `marker` is indented `indent` columns:
    /// the list it belongs to (counted from 1) and its depth. A bullet after
    /// numbers, or a number after bullets, at the same depth starts a new
    /// list.
    pub fn place(&mut self, indent: usize, marker: &str) -> (usize, usize) {
        let numbered = marker::is_number(marker);
        while let Some(top) = self.levels.last() {
            let deeper = indent >= top.indent + NEST_STEP && self.levels.len() <= MAX_DEPTH;
            if deeper {
                break;
            }
            if indent + NEST_STEP <= top.indent && self.levels.len() > 1 {
                self.levels.pop();
                continue;
            }
            if top.numbered == numbered {
                return (top.list, self.levels.len() - 1);
            }
            self.levels.pop();
            break;
        }
        self.count += 1;
        self.levels.push(Level { indent, list: self.count, numbered });
        (self.count, self.levels.len() - 1)
    }

    /// Ends every open list: text that is not an item came between.
    pub fn close(&mut self) {
        self.levels.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indentation_nests_and_outdenting_returns() {
        let mut lists = Lists::default();
        let placed: Vec<_> = [(0, "-"), (2, "-"), (4, "1."), (2, "-"), (0, "-")]
            .into_iter()
            .map(|(indent, marker)| lists.place(indent, marker))
            .collect();
        assert_eq!(placed, [(1, 0), (2, 1), (3, 2), (2, 1), (1, 0)]);
    }

    #[test]
    fn a_new_kind_of_marker_or_a_closed_list_starts_a_new_list() {
        let mut lists = Lists::default();
        assert_eq!(lists.place(0, "-"), (1, 0));
        assert_eq!(lists.place(0, "1."), (2, 0));
        lists.close();
        assert_eq!(lists.place(0, "2."), (3, 0));
    }

    #[test]
    fn depth_stops_at_the_deepest_level() {
        let mut lists = Lists::default();
        let depths: Vec<_> = (0..20).map(|n| lists.place(n * 4, "-").1).collect();
        assert_eq!(depths.iter().max(), Some(&MAX_DEPTH));
    }
}
