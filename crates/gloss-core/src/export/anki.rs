//! Review cards for Anki: a tab-separated file that Anki's importer reads
//! (File → Import, Anki 2.1.55 or later). Its header names the columns and
//! gives each card a GUID made from its card id, so importing the file
//! again after an edit updates the card in Anki instead of adding a copy.

use rusqlite::Connection;

use crate::annotations::{deck, Error};
use crate::store::Result;

/// The file's header lines (Anki's "file headers").
const HEADER: &str = "#separator:tab\n#html:true\n#notetype:Basic\n#deck:Gloss\n#guid column:1\n#tags column:4\n";

/// Every card in review that is not suspended, as Anki notes.
pub fn tsv(conn: &Connection) -> Result<Vec<u8>> {
    let mut out = String::from(HEADER);
    for card in deck::deck(conn)?.into_iter().filter(|card| card.suspended.is_none()) {
        let prompt = match deck::prompt(conn, &card.card) {
            Ok(prompt) => prompt,
            Err(Error::Store(error)) => return Err(error),
            // Its source went between listing and reading (a note that is
            // no longer a question): not a card any more.
            Err(_) => continue,
        };
        let id = card.card.to_string();
        let guid = blake3::hash(id.as_bytes()).to_hex();
        let kind = id.split('/').next().unwrap_or("card");
        out.push_str(&format!(
            "gloss-{}\t{}\t{}\tgloss gloss::{kind}\n",
            &guid[..16],
            html(&prompt.prompt),
            html(&prompt.answer)
        ));
    }
    Ok(out.into_bytes())
}

/// A field as Anki's HTML: markup escaped, line breaks kept, no tab left
/// to split the line.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br>"),
            '\t' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_escaped_and_never_split_a_line() {
        assert_eq!(html("a <b> & \"c\"\tline\nnext"), "a &lt;b&gt; &amp; &quot;c&quot; line<br>next");
    }
}
