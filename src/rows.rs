//! Rows as lists show them, below the worker that prepares them and every screen and output
//! that shows them: a record's columns and cells (`Record`, `assets/columns.toml`), and its
//! searchable text (haystacks, accents folded) built once a load, off the console's thread.

use std::borrow::Cow;

use nucleo_matcher::Utf32Str;

pub mod dense;
pub mod store;
pub use store::Rows;

/// A column of a list screen.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    /// Minimum width; the last growing column takes the rest.
    pub width: u16,
    pub numeric: bool,
    /// Takes a share of the spare width.
    pub grow: bool,
    /// Not shown (nor exported) until asked for: filled by the console, not the server.
    pub hidden: bool,
}

/// The columns of every list as shipped (`assets/columns.toml`), embedded.
const COLUMNS_TABLE: &str = include_str!("../assets/columns.toml");

/// The columns of the list `kind` (a name in `assets/columns.toml`); none for an unknown one.
pub fn columns_of_kind(kind: &str) -> &'static [Column] {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static PARSED: OnceLock<HashMap<String, Vec<Column>>> = OnceLock::new();
    PARSED
        .get_or_init(|| parse_columns(COLUMNS_TABLE).expect("assets/columns.toml is valid"))
        .get(kind)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// Reads the columns table. Titles are kept for the whole run (the table is read once).
pub(crate) fn parse_columns(
    text: &str,
) -> Result<std::collections::HashMap<String, Vec<Column>>, String> {
    let raw: std::collections::HashMap<String, Vec<(String, u16, String)>> =
        toml::from_str(text).map_err(|e| e.to_string())?;
    raw.into_iter()
        .map(|(kind, cols)| {
            let cols = cols
                .into_iter()
                .map(|(title, width, how)| {
                    let (numeric, grow, hidden) = match how.as_str() {
                        "" => (false, false, false),
                        "wide" => (false, true, false),
                        "num" => (true, false, false),
                        "hidden" => (false, false, true),
                        other => return Err(format!("{kind}.{title}: no column kind {other:?}")),
                    };
                    Ok(Column {
                        title: Box::leak(title.into_boxed_str()),
                        width,
                        numeric,
                        grow,
                        hidden,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            Ok((kind, cols))
        })
        .collect()
}

/// What a list screen needs of a record.
pub trait Record: Clone + Send + Sync + 'static + crate::api::items::Marked {
    /// Its name in `assets/columns.toml`.
    const KIND: &'static str;
    /// How a list holds rows of this kind.
    type Rows: Rows<Self>;
    /// Its columns, in order.
    fn columns() -> &'static [Column] {
        columns_of_kind(Self::KIND)
    }
    fn cells(&self) -> Vec<String>;
    /// `cells` handed to `put` as (column, part), in order: a cell is its parts one after
    /// the other. The searchable text of a million rows is built without a string a cell.
    fn cell_parts(&self, put: &mut dyn FnMut(usize, &str)) {
        for (i, c) in self.cells().iter().enumerate() {
            put(i, c);
        }
    }
    /// One of `cells` (sorting a million rows builds only the column it sorts by).
    fn cell(&self, col: usize) -> String {
        self.cells().into_iter().nth(col).unwrap_or_default()
    }
    /// The record's identity (for upserts and keeping the selection).
    fn key(&self) -> Cow<'_, str>;
    /// How the record is named in a confirmation ("site LOUM").
    fn label(&self) -> String;
    /// It holds what the console learnt itself, not the server (an equipement's Reach).
    const LOCAL: bool = false;
    /// What the console learnt of `old` (the same record as read before) and the server
    /// does not send, kept.
    fn keep_local(&mut self, old: &Self) {
        let _ = old;
    }
}

/// Rows with their searchable text built, off the console's thread: for a million rows that
/// is about a second the console would not answer a key.
#[derive(Clone)]
pub struct Prepared<T: Record> {
    pub items: T::Rows,
    pub(crate) haystacks: Haystacks,
}

impl<T: Record> Prepared<T> {
    pub fn new(items: Vec<T>) -> Self {
        let haystacks = items.iter().collect();
        Prepared {
            items: T::Rows::from_vec(items),
            haystacks,
        }
    }

    /// Rows added after those held, as a page comes: a load never holds every row as a
    /// record and as its packed form at once.
    pub fn extend(&mut self, rows: Vec<T>) {
        let mut text = String::new();
        for r in rows {
            self.haystacks.push_record(&r, &mut text);
            self.items.push_row(r);
        }
    }

    /// A page's rows prepared on their own, to be `append`ed (in the page's task, while
    /// other pages are decoded or on their way).
    pub fn page(rows: Vec<T>) -> Self {
        let mut p = Prepared::default();
        p.extend(rows);
        p
    }

    /// `page`'s rows added after those held. `expected`: the rows the whole list should have
    /// (what its first page announced): room for them is made once, from this page's size a
    /// row, instead of the buffers doubling (and copied) a dozen times as the pages come.
    pub fn append(&mut self, page: Prepared<T>, expected: usize) {
        if self.items.is_empty() && expected > page.items.len() {
            self.items.reserve_like(&page.items, expected);
            self.haystacks.reserve_like(&page.haystacks, expected);
        }
        self.items.append(page.items);
        self.haystacks.append(page.haystacks);
    }
}

/// Room made for `rows` rows like `sample`'s `len` rows of `used` items (bytes, or entries),
/// half as much again: rows a little longer than the first page's would make a buffer double
/// at the end, the old and the new held at once (a load of 100,000 peaked 15 MB above what it
/// kept). Room not written to is not resident. At most `MAX_RESERVED` bytes: an announced
/// count or a first page of huge rows never makes the console reserve more than that.
pub(crate) fn room_for<E>(v: &mut Vec<E>, used: usize, len: usize, rows: usize) {
    let per_row = used.div_ceil(len.max(1));
    let wanted = per_row.saturating_mul(rows).saturating_mul(3) / 2;
    let most = MAX_RESERVED / std::mem::size_of::<E>().max(1);
    // Refused (a system that does not overcommit), the buffer grows as rows come instead.
    let _ = v.try_reserve(wanted.min(most).saturating_sub(v.len()));
}

/// The most `room_for` reserves for one buffer.
const MAX_RESERVED: usize = 256 << 20;

impl<T: Record> Default for Prepared<T> {
    fn default() -> Self {
        Prepared {
            items: T::Rows::default(),
            haystacks: Haystacks::default(),
        }
    }
}

impl<T: Record> std::fmt::Debug for Prepared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Prepared({} rows)", self.items.len())
    }
}

/// Every row's searchable text in one buffer, rows one after the other: a filter reads them
/// in order through contiguous memory (as 100,000 boxes, mimalloc spread them over pages by
/// size, and a keystroke over every row took up to twice as long), and they take one
/// allocation instead of one a row. Replaced and removed rows leave their text behind until
/// it outweighs the live text.
#[derive(Default, Clone)]
pub(crate) struct Haystacks {
    /// Text of the ASCII rows (nearly all, accents folded), a byte a character.
    pub(crate) ascii: Vec<u8>,
    /// Text of the other rows, a `char` a character.
    pub(crate) wide: Vec<char>,
    /// Each row's start and length in `ascii`, or in `wide` when `wide` is set.
    pub(crate) rows: Vec<Hay>,
    /// Characters no row points at any more.
    pub(crate) dead: usize,
}

#[derive(Clone, Copy)]
pub(crate) struct Hay {
    pub(crate) start: u32,
    pub(crate) len: u32,
    pub(crate) wide: bool,
}

impl Haystacks {
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn get(&self, i: usize) -> Option<Utf32Str<'_>> {
        let h = self.rows.get(i)?;
        let (from, to) = (h.start as usize, h.start as usize + h.len as usize);
        Some(if h.wide {
            Utf32Str::Unicode(&self.wide[from..to])
        } else {
            Utf32Str::Ascii(&self.ascii[from..to])
        })
    }

    /// Appends `text`, returning where it went. Past 4 GiB of text (offsets are `u32`) a
    /// row gets an empty haystack: unsearchable rather than wrong.
    pub(crate) fn store(&mut self, text: Utf32Str<'_>) -> Hay {
        let (used, wide) = match text {
            Utf32Str::Ascii(_) => (self.ascii.len(), false),
            Utf32Str::Unicode(_) => (self.wide.len(), true),
        };
        let fits = u32::try_from(used)
            .ok()
            .zip(u32::try_from(text.len()).ok())
            .filter(|(start, len)| start.checked_add(*len).is_some());
        let Some((start, len)) = fits else {
            return Hay {
                start: 0,
                len: 0,
                wide: false,
            };
        };
        match text {
            Utf32Str::Ascii(b) => self.ascii.extend_from_slice(b),
            Utf32Str::Unicode(c) => self.wide.extend_from_slice(c),
        }
        Hay { start, len, wide }
    }

    /// `store` for a row's text: ASCII as it is, any other a `char` a character.
    pub(crate) fn store_str(&mut self, text: &str) -> Hay {
        if text.is_ascii() {
            self.store(Utf32Str::Ascii(text.as_bytes()))
        } else {
            let chars: Vec<char> = text.chars().collect();
            self.store(Utf32Str::Unicode(&chars))
        }
    }

    pub(crate) fn push(&mut self, text: &str) {
        let h = self.store_str(text);
        self.rows.push(h);
    }

    /// Appends `r`'s searchable text, built in `scratch`.
    pub(crate) fn push_record<T: Record>(&mut self, r: &T, scratch: &mut String) {
        scratch.clear();
        haystack(r, scratch);
        self.push(scratch);
    }

    pub(crate) fn set(&mut self, i: usize, text: &str) {
        if i >= self.rows.len() {
            return;
        }
        let h = self.store_str(text);
        self.dead += self.rows[i].len as usize;
        self.rows[i] = h;
        self.compact();
    }

    pub(crate) fn remove(&mut self, i: usize) {
        if i < self.rows.len() {
            self.dead += self.rows.remove(i).len as usize;
        }
        self.compact();
    }

    /// `other`'s rows added after these.
    pub(crate) fn append(&mut self, other: Haystacks) {
        for i in 0..other.len() {
            let kept = other.get(i).map(|text| self.store(text));
            self.rows.extend(kept);
        }
    }

    /// Room for `rows` rows like `sample`'s.
    pub(crate) fn reserve_like(&mut self, sample: &Haystacks, rows: usize) {
        let n = sample.len();
        room_for(&mut self.ascii, sample.ascii.len(), n, rows);
        room_for(&mut self.wide, sample.wide.len(), n, rows);
        room_for(&mut self.rows, n, n, rows);
    }

    /// Drops the dead text once it outweighs the live text.
    pub(crate) fn compact(&mut self) {
        let live = self.ascii.len() + self.wide.len() - self.dead;
        if self.dead < 4096 || self.dead < live {
            return;
        }
        let old = std::mem::take(self);
        // The live rows only: `append` copies what each row points at.
        self.append(old);
    }
}

impl<'a, T: Record + 'a> FromIterator<&'a T> for Haystacks {
    fn from_iter<I: IntoIterator<Item = &'a T>>(rows: I) -> Self {
        let mut h = Haystacks::default();
        let mut text = String::new();
        for r in rows {
            h.push_record(r, &mut text);
        }
        h.ascii.shrink_to_fit();
        h.wide.shrink_to_fit();
        h
    }
}

/// Between two cells of a haystack: no typed text holds it, so text found in a row is
/// inside one cell.
pub const CELL_SEP: char = '\u{1f}';

/// A record's searchable text: its cells joined by `CELL_SEP`, accents folded (`É` → `E`)
/// and lower-cased, one character for one, so positions still fall on the cells. Folded,
/// nearly every row is ASCII and kept a byte a character instead of four.
pub(crate) fn haystack<T: Record>(r: &T, text: &mut String) {
    // Folded while joined: one string a row, not a joined one and then its folded copy.
    let mut col = 0;
    r.cell_parts(&mut |i, part| {
        // A separator before each column after the first (a column handed no part is empty).
        while col < i {
            text.push(CELL_SEP);
            col += 1;
        }
        // Printable ASCII (nearly every cell) folds to itself: copied, then lower-cased in
        // place, instead of a character at a time.
        if crate::text::printable_ascii(part) {
            let start = text.len();
            text.push_str(part);
            text[start..].make_ascii_lowercase();
        } else {
            text.extend(folded(part).map(searchable));
        }
    });
}

/// A folded character as a haystack holds it: lower-cased one for one, controls as blanks.
pub(crate) fn searchable(c: char) -> char {
    if c.is_control() {
        ' '
    } else if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        let mut low = c.to_lowercase();
        match (low.next(), low.next()) {
            (Some(l), None) => l,
            _ => c,
        }
    }
}

/// Accents folded as in the haystacks: the filter `bép` and `bep` both find `BÉPANDA`.
pub fn fold(s: &str) -> String {
    folded(s).collect()
}

pub(crate) fn folded(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().map(nucleo_matcher::chars::normalize)
}
