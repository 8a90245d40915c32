//! FTS5's C API, where rusqlite has no safe wrapper for it: the API object
//! itself, and the indexes' tokenizer run on a word.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;

use rusqlite::ffi;
use rusqlite::Connection;

/// The tokenizer both full-text indexes declare (`search_index` in schema
/// version 2, `highlight_index` in 3), as its name and arguments.
const TOKENIZER: [&CStr; 4] = [c"porter", c"unicode61", c"remove_diacritics", c"2"];

/// An SQLite error with code `rc`, saying what was being done.
pub(super) fn failure(rc: c_int, doing: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), Some(doing.to_owned()))
}

/// FTS5's API object, fetched the documented way: `SELECT fts5(?1)` with a
/// pointer bound to the parameter. It lives as long as the connection.
///
/// # Safety
/// `db` must be an open connection's handle.
pub(super) unsafe fn api(db: *mut ffi::sqlite3) -> rusqlite::Result<*mut ffi::fts5_api> {
    const TYPE: &CStr = c"fts5_api_ptr";
    let failed = |rc| failure(rc, "reaching FTS5's API");
    let mut api: *mut ffi::fts5_api = ptr::null_mut();
    let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
    let sql = c"SELECT fts5(?1)";
    // SAFETY: `db` is open; `stmt` is finalized on every path below.
    let rc = unsafe { ffi::sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut stmt, ptr::null_mut()) };
    if rc != ffi::SQLITE_OK {
        return Err(failed(rc));
    }
    let rc = unsafe {
        let bound = ffi::sqlite3_bind_pointer(stmt, 1, (&raw mut api).cast::<c_void>(), TYPE.as_ptr(), None);
        let stepped = if bound == ffi::SQLITE_OK { ffi::sqlite3_step(stmt) } else { bound };
        ffi::sqlite3_finalize(stmt);
        stepped
    };
    match (rc, api.is_null()) {
        (ffi::SQLITE_ROW, false) => Ok(api),
        (rc, _) => Err(failed(if rc == ffi::SQLITE_ROW { ffi::SQLITE_MISUSE } else { rc })),
    }
}

/// The terms the indexes' tokenizer makes of `text` as a query's prefix:
/// the words folded and stemmed, as FTS5 looks them up (`Battery` is
/// `batteri`).
pub(crate) fn query_terms(conn: &Connection, text: &str) -> rusqlite::Result<Vec<String>> {
    let failed = |rc| failure(rc, "tokenizing a search word");
    let length = c_int::try_from(text.len()).map_err(|_| failed(ffi::SQLITE_TOOBIG))?;
    let mut terms: Vec<String> = Vec::new();
    // SAFETY: the API and tokenizer come from FTS5 on this open connection;
    // the tokenizer instance is deleted on every path after it is created,
    // and `terms` outlives the tokenize call that pushes to it.
    unsafe {
        let api = api(conn.handle())?;
        let find = (*api).xFindTokenizer.ok_or_else(|| failed(ffi::SQLITE_MISUSE))?;
        let mut context: *mut c_void = ptr::null_mut();
        let mut tokenizer = ffi::fts5_tokenizer { xCreate: None, xDelete: None, xTokenize: None };
        let rc = find(api, TOKENIZER[0].as_ptr(), &mut context, &mut tokenizer);
        let (Some(create), Some(delete), Some(tokenize)) = (tokenizer.xCreate, tokenizer.xDelete, tokenizer.xTokenize)
        else {
            return Err(failed(if rc == ffi::SQLITE_OK { ffi::SQLITE_MISUSE } else { rc }));
        };
        let mut arguments: Vec<*const c_char> = TOKENIZER[1..].iter().map(|a| a.as_ptr()).collect();
        let mut instance: *mut ffi::Fts5Tokenizer = ptr::null_mut();
        let rc = create(context, arguments.as_mut_ptr(), arguments.len() as c_int, &mut instance);
        if rc != ffi::SQLITE_OK {
            return Err(failed(rc));
        }
        let flags = ffi::FTS5_TOKENIZE_QUERY | ffi::FTS5_TOKENIZE_PREFIX;
        let rc = tokenize(instance, (&raw mut terms).cast(), flags, text.as_ptr().cast(), length, Some(push_term));
        delete(instance);
        if rc != ffi::SQLITE_OK {
            return Err(failed(rc));
        }
    }
    Ok(terms)
}

/// The tokenizer's callback: adds the term to the `Vec<String>` at `terms`.
unsafe extern "C" fn push_term(
    terms: *mut c_void,
    _flags: c_int,
    term: *const c_char,
    length: c_int,
    _start: c_int,
    _end: c_int,
) -> c_int {
    // SAFETY: `terms` is the vector `query_terms` passed; `term` holds
    // `length` bytes for the duration of the call.
    unsafe {
        let bytes = std::slice::from_raw_parts(term.cast::<u8>(), usize::try_from(length).unwrap_or(0));
        (*terms.cast::<Vec<String>>()).push(String::from_utf8_lossy(bytes).into_owned());
    }
    ffi::SQLITE_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_becomes_the_term_the_index_holds() {
        let conn = Connection::open_in_memory().unwrap();
        assert_eq!(query_terms(&conn, "Battery").unwrap(), ["batteri"]);
        assert_eq!(query_terms(&conn, "Café sleeping").unwrap(), ["cafe", "sleep"]);
        assert_eq!(query_terms(&conn, "--").unwrap(), Vec::<String>::new());
    }
}
