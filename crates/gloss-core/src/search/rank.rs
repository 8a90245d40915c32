//! Two FTS5 auxiliary functions, registered on every connection:
//!
//! - `gloss_rank(index, weight, ...)`: bm25 with each column weighted, as
//!   FTS5's own `bm25()`, but without the inverse document frequency.
//!   `bm25()` computes that on its first call by reading every match of
//!   every phrase in the whole index: 8 ms for a word in most of 100,000
//!   episodes, 27 ms for a phrase, however few rows are then ranked.
//!   Search ranks a bounded set of matches (see [`super::MAX_RANKED`]), each
//!   holding every phrase of the query, so the frequency only set how much a
//!   repeat of one word counts against a repeat of another; and a word in
//!   more than half the library gets almost no weight from it anyway.
//! - `gloss_columns(index)`: the columns the row matched in, as bits
//!   (column `n` is `1 << n`), for choosing the snippet's text.
//!
//! Written against FTS5's C extension API (through `rusqlite::ffi`, the
//! bundled SQLite's own bindings); rusqlite has no safe wrapper for it.

use std::ffi::c_int;
use std::ptr;

use rusqlite::ffi;
use rusqlite::Connection;

/// bm25's constants, as FTS5 sets them.
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Registers `gloss_rank` and `gloss_columns` on `conn`.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    // SAFETY: the handle is the live connection's; the API pointer FTS5
    // hands back lives as long as the connection.
    unsafe {
        let api = super::fts5::api(conn.handle())?;
        for (name, function) in [(c"gloss_rank", rank as Fts5Function), (c"gloss_columns", columns as Fts5Function)] {
            let create = (*api).xCreateFunction.ok_or_else(|| failure(ffi::SQLITE_MISUSE))?;
            let rc = create(api, name.as_ptr(), ptr::null_mut(), Some(function), None);
            if rc != ffi::SQLITE_OK {
                return Err(failure(rc));
            }
        }
    }
    Ok(())
}

type Fts5Function = unsafe extern "C" fn(
    *const ffi::Fts5ExtensionApi,
    *mut ffi::Fts5Context,
    *mut ffi::sqlite3_context,
    c_int,
    *mut *mut ffi::sqlite3_value,
);

fn failure(rc: c_int) -> rusqlite::Error {
    super::fts5::failure(rc, "registering the search ranking")
}

/// `gloss_rank(index, weight, ...)`: lower is a better match, as `bm25()`.
unsafe extern "C" fn rank(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    n_values: c_int,
    values: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: FTS5 passes its API, the row's context and `n_values` values.
    unsafe {
        let weights = (0..usize::try_from(n_values).unwrap_or(0))
            .map(|n| ffi::sqlite3_value_double(*values.add(n)))
            .collect::<Vec<f64>>();
        let row = Row { api: &*api, fts };
        match row.score(&weights) {
            Ok(score) => ffi::sqlite3_result_double(ctx, score),
            Err(rc) => ffi::sqlite3_result_error_code(ctx, rc),
        }
    }
}

/// `gloss_columns(index)`: the matched columns as bits.
unsafe extern "C" fn columns(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    _n_values: c_int,
    _values: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: as in `rank`.
    unsafe {
        let row = Row { api: &*api, fts };
        let mut bits: i64 = 0;
        match row.each_instance(|_, column| bits |= 1_i64.checked_shl(column).unwrap_or(0)) {
            Ok(()) => ffi::sqlite3_result_int64(ctx, bits),
            Err(rc) => ffi::sqlite3_result_error_code(ctx, rc),
        }
    }
}

/// The row an auxiliary function is called for.
struct Row<'a> {
    api: &'a ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
}

type Rc<T> = Result<T, c_int>;

fn check(rc: c_int) -> Rc<()> {
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rc)
    }
}

impl Row<'_> {
    /// Calls `each` with the phrase and column of every match in the row.
    fn each_instance(&self, mut each: impl FnMut(usize, u32)) -> Rc<()> {
        let (inst_count, inst) =
            (self.api.xInstCount.ok_or(ffi::SQLITE_MISUSE)?, self.api.xInst.ok_or(ffi::SQLITE_MISUSE)?);
        let mut count = 0;
        // SAFETY: `fts` is the current row's context, valid during the call.
        check(unsafe { inst_count(self.fts, &mut count) })?;
        for n in 0..count {
            let (mut phrase, mut column, mut offset) = (0, 0, 0);
            check(unsafe { inst(self.fts, n, &mut phrase, &mut column, &mut offset) })?;
            if let (Ok(phrase), Ok(column)) = (usize::try_from(phrase), u32::try_from(column)) {
                each(phrase, column);
            }
        }
        Ok(())
    }

    /// bm25 with every phrase's inverse document frequency taken as 1.
    fn score(&self, weights: &[f64]) -> Rc<f64> {
        let api = self.api;
        let phrases = unsafe { api.xPhraseCount.ok_or(ffi::SQLITE_MISUSE)?(self.fts) };
        let mut frequency = vec![0.0; usize::try_from(phrases).unwrap_or(0)];
        self.each_instance(|phrase, column| {
            let weight = usize::try_from(column).ok().and_then(|c| weights.get(c)).copied().unwrap_or(1.0);
            if let Some(f) = frequency.get_mut(phrase) {
                *f += weight;
            }
        })?;
        let mut length = 0;
        // SAFETY: as in `each_instance`; column -1 means all columns.
        check(unsafe { api.xColumnSize.ok_or(ffi::SQLITE_MISUSE)?(self.fts, -1, &mut length) })?;
        let norm = K1 * (1.0 - B + B * f64::from(length) / self.average_length()?.max(1.0));
        Ok(-frequency.iter().map(|&f| f * (K1 + 1.0) / (f + norm)).sum::<f64>())
    }

    /// The index's average row length in tokens, read once per query and
    /// kept in the query's auxiliary data: FTS5 reads it from the index on
    /// every call, which was a tenth of a search.
    fn average_length(&self) -> Rc<f64> {
        let api = self.api;
        // SAFETY: as in `each_instance`; the auxiliary data is only ever
        // set below, to a boxed f64 that FTS5 frees with `free_average`.
        unsafe {
            let kept = api.xGetAuxdata.ok_or(ffi::SQLITE_MISUSE)?(self.fts, 0).cast::<f64>();
            if let Some(average) = kept.as_ref() {
                return Ok(*average);
            }
            let (mut rows, mut tokens) = (0, 0);
            check(api.xRowCount.ok_or(ffi::SQLITE_MISUSE)?(self.fts, &mut rows))?;
            check(api.xColumnTotalSize.ok_or(ffi::SQLITE_MISUSE)?(self.fts, -1, &mut tokens))?;
            let average = if rows > 0 { tokens as f64 / rows as f64 } else { 1.0 };
            let set = api.xSetAuxdata.ok_or(ffi::SQLITE_MISUSE)?;
            check(set(self.fts, Box::into_raw(Box::new(average)).cast(), Some(free_average)))?;
            Ok(average)
        }
    }
}

/// Frees the average [`Row::average_length`] keeps.
unsafe extern "C" fn free_average(average: *mut std::ffi::c_void) {
    // SAFETY: FTS5 passes back the pointer `average_length` set, once.
    drop(unsafe { Box::from_raw(average.cast::<f64>()) });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(rows: &[(&str, &str)]) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(title, body)").unwrap();
        for (title, body) in rows {
            conn.execute("INSERT INTO t (title, body) VALUES (?1, ?2)", [title, body]).unwrap();
        }
        conn
    }

    fn ranked(conn: &Connection, sql: &str, query: &str) -> Vec<i64> {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([query], |row| row.get(0)).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn one_word_ranks_as_bm25_ranks_it() {
        let conn = index(&[
            ("grid", "a grid of power and more words after it"),
            ("storage", "grid grid grid"),
            ("grid", "grid"),
            ("other", "the grid, once, in a long body of many other words"),
        ]);
        for weights in ["", ", 10.0, 1.0", ", 1.0, 5.0"] {
            let ours =
                ranked(&conn, &format!("SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY gloss_rank(t{weights})"), "grid");
            let bm25 =
                ranked(&conn, &format!("SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY bm25(t{weights})"), "grid");
            assert_eq!(ours, bm25, "weights{weights}");
        }
    }

    #[test]
    fn the_matched_columns_are_bits() {
        let conn = index(&[("grid", "battery"), ("battery", "grid storage"), ("grid", "grid")]);
        let bits = |query: &str| ranked(&conn, "SELECT gloss_columns(t) FROM t WHERE t MATCH ?1 ORDER BY rowid", query);
        assert_eq!(bits("grid"), [0b01, 0b10, 0b11]);
        assert_eq!(bits("grid battery"), [0b11, 0b11]);
    }
}
