//! Lists decoded row by row, as they arrive: one bad value (`1e400`, `"ip": 12`, a duplicate
//! key, a lone surrogate) spoils its row, never the whole answer, and the answer's text is
//! never held whole (only the row being received). The good rows are kept; a bad one stays in
//! the list, marked with its problem and the text the server sent.
//!
//! The rows are found by a small scanner that only follows the JSON structure (strings,
//! nesting) without decoding it: resumable at any byte (a chunk may end anywhere), iterative,
//! so 100,000 nested `[` cost nothing but time.

use serde::de::DeserializeOwned;

use super::error::{ApiError, excerpt};
use super::model::Page;
use scan::Scan;
use skim::Skim;

mod scan;
mod skim;

/// A record that may carry a problem with how the server sent it (kept and marked, never
/// dropped): one answer for the decoder, the lists and the exports.
pub trait Marked {
    /// The row's problem, when it has one.
    fn problem(&self) -> Option<&str> {
        None
    }
}

/// A row type that can stand for a row it could not decode.
pub trait Tolerant: DeserializeOwned + Marked {
    /// Keys of a row whose list is only counted: its items are read as they come and not
    /// held, the row is decoded with their count in the list's place (a site embeds every
    /// equipement it holds: at a million, one row is hundreds of megabytes).
    const COUNTED: &'static [&'static str] = &[];
    /// A row that could not be decoded: `raw` is what the server sent, `problem` why.
    fn undecodable(raw: &str, problem: String) -> Self;
    /// What is odd about a decoded row (a port of 70000), for a mark.
    fn check(&mut self) {}
}

/// A list answer decoded row by row.
#[derive(Debug, Clone)]
pub struct Rows<T> {
    pub items: Vec<T>,
    /// Rows kept with a problem (undecodable, or odd).
    pub odd: usize,
    /// The page's counters, when it was a page.
    pub total: Option<u64>,
    pub page: Option<u64>,
    pub size: Option<u64>,
    pub pages: Option<u64>,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Rows {
            items: Vec::new(),
            odd: 0,
            total: None,
            page: None,
            size: None,
            pages: None,
        }
    }
}

impl<T> Rows<T> {
    pub fn into_page(self) -> Page<T> {
        Page {
            items: self.items,
            total: self.total,
            page: self.page,
            size: self.size,
            pages: self.pages,
        }
    }
}

/// What a value being scanned is for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum For {
    Key,
    Counter(usize),
    /// A value of a key nobody reads: not held.
    Skip,
    Row,
}

/// Where the scanner stands in the answer's structure.
#[derive(Debug, Clone, Copy, PartialEq)]
enum At {
    Lead,
    /// In the page object, before a key (or its `}` when `first`).
    Key {
        first: bool,
    },
    Colon,
    Value,
    AfterValue,
    /// In the rows' array, before a row (or its `]` when `first`).
    Row {
        first: bool,
    },
    AfterRow,
    Done,
}

const COUNTERS: [&str; 4] = ["total", "page", "size", "pages"];

/// Longest key held while it is received.
const MAX_KEY: usize = 1024;

/// Longest row whose text is checked as UTF-8 again with each chunk (for the fastest
/// decoding); a longer one is decoded on its own once whole.
const RECHECKED_ROW: usize = 64 << 10;

/// What is kept of an answer's first bytes, for an error's excerpt.
const HEAD: usize = 512;

/// A list answer (a bare array, or an object holding it under one of `keys`, with a page's
/// counters) decoded as its bytes come: each row on its own as soon as it is whole, an
/// undecodable one becoming `T::undecodable`. What is held is the rows decoded and the bytes
/// of the row being received, never the answer's text. More than `limit` rows is an error
/// naming `max_rows` (a 256 MB answer of `0,0,0…` does not become 128 million marked rows).
pub struct RowStream<T> {
    keys: &'static [&'static str],
    limit: usize,
    status: u16,
    out: Rows<T>,
    /// Bytes not yet done with: from the start of the value being held.
    buf: Vec<u8>,
    /// How far into `buf` the scanner has been.
    pos: usize,
    at: At,
    /// In the page object (else a bare array).
    in_object: bool,
    /// The key whose value comes next.
    key: Option<String>,
    /// The value being scanned: what for, where it starts in `buf`, the scanner's state.
    value: Option<(For, usize, Scan)>,
    /// The answer's first bytes, for an error's excerpt.
    head: Vec<u8>,
    /// Set once the answer is known not to be a list.
    broken: bool,
    /// A row being skimmed (its counted lists not held).
    skim: Option<Skim>,
    /// Most bytes held at once (the row being received, or what is kept of it).
    max_held: usize,
    _row: std::marker::PhantomData<T>,
}

impl<T: Tolerant> RowStream<T> {
    pub fn new(keys: &'static [&'static str], limit: usize) -> Self {
        RowStream {
            skim: None,
            max_held: usize::MAX,
            _row: std::marker::PhantomData,
            keys,
            limit,
            status: 200,
            out: Rows::default(),
            buf: Vec::new(),
            pos: 0,
            at: At::Lead,
            in_object: false,
            key: None,
            value: None,
            head: Vec::new(),
            broken: false,
        }
    }

    /// The answer's status, for its errors' wording.
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// Most bytes held at once: a row (or what is kept of it) larger is refused, naming
    /// `max_body_mb`. The rows decoded are bounded by their count (`limit`).
    pub fn held_at_most(mut self, bytes: usize) -> Self {
        self.max_held = bytes;
        self
    }

    /// Whether the scan is inside the list's rows (what comes outside them is capped by bytes).
    pub fn in_rows(&self) -> bool {
        matches!(self.at, At::Row { .. } | At::AfterRow) || self.skim.is_some()
    }

    fn not_a_list(&self) -> ApiError {
        ApiError::Decode {
            status: self.status,
            message: "not a list".into(),
            excerpt: excerpt(&self.head),
        }
    }

    /// The rows decoded so far.
    pub fn decoded(&self) -> &[T] {
        &self.out.items
    }

    /// The bytes the stream holds now (the row being received, or what is kept of a skimmed
    /// one), for limits, tests and figures.
    pub fn held(&self) -> usize {
        self.buf.len() + self.skim.as_ref().map_or(0, |k| k.compact.len())
    }

    /// The next bytes of the answer. An error (not a list, too many rows) ends the reading.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), ApiError> {
        if self.head.len() < HEAD {
            let n = (HEAD - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..n]);
        }
        if self.broken {
            return Err(self.not_a_list());
        }
        if self.at == At::Done {
            // What follows the list is not read: its rows are whole.
            return Ok(());
        }
        // Grown within the limit: a refused row never costs more than it plus a chunk (what is
        // held is checked once the chunk is walked).
        let need = self.buf.len() + chunk.len();
        super::grow_within(&mut self.buf, need, self.max_held);
        self.buf.extend_from_slice(chunk);
        let b = std::mem::take(&mut self.buf);
        // The text as far as it is valid UTF-8 (a chunk may end inside a character): rows
        // in it are decoded straight from it.
        let held = self.pos;
        let text = if held > RECHECKED_ROW {
            ""
        } else {
            match std::str::from_utf8(&b) {
                Ok(t) => t,
                Err(e) => std::str::from_utf8(&b[..e.valid_up_to()]).unwrap_or_default(),
            }
        };
        let walked = self.walk(&b, text);
        self.buf = b;
        let done_with = match walked {
            Ok(n) => n,
            Err(e) => {
                self.buf = Vec::new();
                if e.is_none() {
                    self.broken = true;
                }
                return Err(e.unwrap_or_else(|| self.not_a_list()));
            }
        };
        // Only the value being held stays; it moves to the front once.
        if done_with > 0 {
            self.buf.drain(..done_with);
            self.pos -= done_with;
            if let Some((_, start, _)) = &mut self.value {
                *start = start.saturating_sub(done_with);
            }
        }
        if self.held() > self.max_held {
            self.buf = Vec::new();
            self.broken = true;
            return Err(too_large(self.max_held));
        }
        Ok(())
    }

    /// The answer ended: its rows, or why it was not a list.
    pub fn finish(mut self) -> Result<Rows<T>, ApiError> {
        if self.broken || self.at != At::Done {
            return Err(self.not_a_list());
        }
        self.out.odd = self
            .out
            .items
            .iter()
            .filter(|x| x.problem().is_some())
            .count();
        Ok(self.out)
    }

    /// Walks `b` (what `buf` holds) from `pos`; returns how many of its bytes are no longer
    /// needed. `Err(None)`: not a list.
    fn walk(&mut self, b: &[u8], text: &str) -> Result<usize, Option<ApiError>> {
        let mut i = self.pos;
        loop {
            if let Some(mut skim) = self.skim.take() {
                match skim.run::<T>(b, i, self.max_held) {
                    Err(()) => return Err(Some(too_large(self.max_held))),
                    Ok(None) => {
                        // Nothing of `b` is needed any more: the skim keeps what it keeps.
                        self.skim = Some(skim);
                        self.pos = b.len();
                        return Ok(b.len());
                    }
                    Ok(Some(end)) => {
                        let mut row =
                            serde_json::from_slice::<T>(&skim.compact).unwrap_or_else(|err| {
                                T::undecodable(&shown(&skim.compact), err.to_string())
                            });
                        row.check();
                        self.out.items.push(row);
                        self.at = At::AfterRow;
                        i = end;
                        continue;
                    }
                }
            }
            if let Some((purpose, start, mut scan)) = self.value.take() {
                match scan.run(b, i) {
                    None => {
                        // A key longer than any the list has is no key it reads: skipped,
                        // not held.
                        let purpose = if purpose == For::Key && b.len() - start > MAX_KEY {
                            For::Skip
                        } else {
                            purpose
                        };
                        self.value = Some((purpose, start, scan));
                        i = b.len();
                        break;
                    }
                    Some(end) => {
                        self.value_done(purpose, &b[start..end])?;
                        i = end;
                        continue;
                    }
                }
            }
            i = skip_ws(b, i);
            let Some(&c) = b.get(i) else { break };
            let list_end = if self.in_object {
                At::AfterValue
            } else {
                At::Done
            };
            // A structural byte where a value should start: not JSON.
            let starts_value = !matches!(c, b'}' | b']' | b',' | b':');
            self.at = match (self.at, c) {
                (At::Done, _) => break,
                (At::Lead, b'[') => At::Row { first: true },
                (At::Lead, b'{') => {
                    self.in_object = true;
                    At::Key { first: true }
                }
                (At::Key { first: true }, b'}') => At::Done,
                (At::Key { .. }, b'"') => {
                    self.value = Some((For::Key, i, Scan::start(c)));
                    At::Colon
                }
                (At::Colon, b':') => At::Value,
                (At::Value, _) if starts_value => self.value_starts(c, i),
                (At::AfterValue, b',') => At::Key { first: false },
                (At::AfterValue, b'}') => At::Done,
                (At::Row { first: true }, b']') => list_end,
                (At::Row { .. }, _) if starts_value => {
                    i = self.row_starts(c, i, text)?;
                    continue;
                }
                (At::AfterRow, b',') => At::Row { first: false },
                (At::AfterRow, b']') => list_end,
                _ => return Err(None),
            };
            i += 1;
        }
        self.pos = i;
        Ok(match self.value {
            Some((purpose, start, _)) if purpose != For::Skip => start,
            _ => i,
        })
    }

    /// A value of the page object starts at `i` with `c`: the rows' list, a counter, or
    /// something skipped.
    fn value_starts(&mut self, c: u8, i: usize) -> At {
        let key = self.key.take().unwrap_or_default();
        if c == b'[' && self.keys.contains(&key.as_str()) {
            // A second list under the same key replaces the first (as a JSON object's last
            // value does).
            self.out.items.clear();
            return At::Row { first: true };
        }
        // A counter is a scalar: anything else under its name is skipped, not held.
        let scalar = !matches!(c, b'[' | b'{');
        let purpose = COUNTERS
            .iter()
            .position(|k| *k == key && scalar)
            .map_or(For::Skip, For::Counter);
        self.value = Some((purpose, i, Scan::start(c)));
        At::AfterValue
    }

    /// A row starts at `i` with `c`: the index the walk goes on from.
    fn row_starts(&mut self, c: u8, i: usize, text: &str) -> Result<usize, Option<ApiError>> {
        if self.out.items.len() >= self.limit {
            return Err(Some(ApiError::Config(format!(
                "the answer holds more than {} rows: max_rows (profile setting) allows no more",
                self.limit
            ))));
        }
        self.at = At::AfterRow;
        if !T::COUNTED.is_empty() && c == b'{' {
            // A row whose lists are counted, not held.
            self.skim = Some(Skim::default());
            return Ok(i);
        }
        if let Some(end) = self.sound_row(text, i) {
            return Ok(end);
        }
        // Bad, or not whole yet: scanned to its end, then decoded on its own.
        self.value = Some((For::Row, i, Scan::start(c)));
        Ok(i + 1)
    }

    /// The usual case, the fastest: the row starting at `i` decoded straight from the text,
    /// its end found by the decoder. `None` when it is bad or not whole yet.
    fn sound_row(&mut self, text: &str, i: usize) -> Option<usize> {
        let mut de = serde_json::Deserializer::from_str(text.get(i..)?).into_iter::<T>();
        let mut row = de.next()?.ok()?;
        let end = i + de.byte_offset();
        // A value ending where the text ends may go on in the next chunk (`12` of `123`).
        if end >= text.len() {
            return None;
        }
        row.check();
        self.out.items.push(row);
        Some(end)
    }

    /// A whole value was scanned: `text` is it.
    fn value_done(&mut self, purpose: For, text: &[u8]) -> Result<(), Option<ApiError>> {
        match purpose {
            For::Key => self.key = Some(serde_json::from_slice(text).map_err(|_| None)?),
            For::Counter(k) => {
                let v = counter(text);
                match k {
                    0 => self.out.total = v,
                    1 => self.out.page = v,
                    2 => self.out.size = v,
                    _ => self.out.pages = v,
                }
            }
            For::Skip => {}
            For::Row => {
                let mut row = match std::str::from_utf8(text) {
                    Ok(t) => serde_json::from_str::<T>(t),
                    Err(_) => serde_json::from_slice::<T>(text),
                }
                .unwrap_or_else(|err| T::undecodable(&shown(text), err.to_string()));
                row.check();
                self.out.items.push(row);
            }
        }
        Ok(())
    }
}

/// A row, or what an answer holds outside its rows, past the limit.
pub fn too_large(max: usize) -> ApiError {
    ApiError::Config(format!(
        "the answer holds more than {} MB at once (max_body_mb of the profile): not read",
        (max >> 20).max(1)
    ))
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// A page counter as sent: a non-negative integer, or one as a string (`"120"`, as old
/// servers send), else nothing.
fn counter(b: &[u8]) -> Option<u64> {
    match serde_json::from_slice::<serde_json::Value>(b).ok()? {
        serde_json::Value::String(s) => s.trim().parse().ok(),
        v => v.as_u64(),
    }
}

/// A row's text as sent, for a mark: secret values masked (whatever is shown of the row, on
/// any output), controls out, at most 200 characters.
fn shown(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(&text[..text.len().min(64 << 10)]);
    crate::text::mask_secret_text(&text)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

/// A whole list answer decoded as `RowStream` does (for a body already held).
pub fn decode_rows<T: Tolerant>(
    status: u16,
    body: &[u8],
    keys: &'static [&'static str],
    limit: usize,
) -> Result<Rows<T>, ApiError> {
    let mut s = RowStream::new(keys, limit).status(status);
    s.feed(body)?;
    s.finish()
}

#[cfg(test)]
mod tests;
