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

/// A row read as it comes with the lists of its `COUNTED` keys counted, not held: what it
/// keeps is the row's other keys and values, and the counts (`compact`).
#[derive(Debug, Default)]
struct Skim {
    compact: Vec<u8>,
    /// Nesting in the row (1: its own keys).
    depth: usize,
    in_str: bool,
    escaped: bool,
    /// A key of the row being read (its bytes between the quotes).
    key: Option<Vec<u8>>,
    /// A key comes next (after the row's `{` or a `,` of its own).
    expect_key: bool,
    /// The last key read, and whether its value comes next (after its `:`).
    after_colon: bool,
    last_key: Vec<u8>,
    /// A counted list being read: its nesting, the items counted, an item under way.
    counting: Option<(usize, u64, bool)>,
}

impl Skim {
    /// Goes on from `i`; the index after the row's end, or `None` when `b` ends first.
    /// `Err` when what it keeps grows past `max_held`.
    fn run<T: Tolerant>(
        &mut self,
        b: &[u8],
        mut i: usize,
        max_held: usize,
    ) -> Result<Option<usize>, ()> {
        while i < b.len() {
            let c = b[i];
            if let Some((depth, count, open)) = &mut self.counting {
                // Inside a counted list: nothing is kept.
                if self.in_str {
                    if self.escaped {
                        self.escaped = false;
                        i += 1;
                        continue;
                    }
                    match memchr::memchr2(b'"', b'\\', &b[i..]) {
                        None => return Ok(None),
                        Some(at) => {
                            i += at;
                            if b[i] == b'\\' {
                                self.escaped = true;
                            } else {
                                self.in_str = false;
                            }
                            i += 1;
                            continue;
                        }
                    }
                }
                match c {
                    b'"' => {
                        self.in_str = true;
                        if *depth == 1 && !*open {
                            *count += 1;
                            *open = true;
                        }
                    }
                    b'{' | b'[' => {
                        if *depth == 1 && !*open {
                            *count += 1;
                            *open = true;
                        }
                        *depth += 1;
                    }
                    b'}' | b']' => {
                        *depth -= 1;
                        if *depth == 0 {
                            let n = *count;
                            self.counting = None;
                            self.compact.extend_from_slice(n.to_string().as_bytes());
                        }
                    }
                    b',' if *depth == 1 => *open = false,
                    c if c.is_ascii_whitespace() => {}
                    _ => {
                        if *depth == 1 && !*open {
                            *count += 1;
                            *open = true;
                        }
                    }
                }
                i += 1;
                continue;
            }
            if self.in_str {
                // Kept: a value's or a key's text.
                let at = memchr::memchr2(b'"', b'\\', &b[i..]).map_or(b.len(), |a| i + a);
                let run = if self.escaped { i + 1 } else { at };
                let run = run.min(b.len());
                let need = self.compact.len() + (run - i);
                if need > max_held {
                    return Err(());
                }
                super::grow_within(&mut self.compact, need, max_held);
                self.compact.extend_from_slice(&b[i..run]);
                if let Some(k) = &mut self.key {
                    k.extend_from_slice(&b[i..run]);
                }
                if self.escaped {
                    self.escaped = false;
                    i = run;
                    continue;
                }
                if run >= b.len() {
                    return Ok(None);
                }
                i = run;
                self.compact.push(b[i]);
                if b[i] == b'\\' {
                    self.escaped = true;
                    if let Some(k) = &mut self.key {
                        k.push(b'\\');
                    }
                } else {
                    self.in_str = false;
                    if let Some(k) = self.key.take() {
                        self.last_key = k;
                    }
                }
                i += 1;
                if self.compact.len() > max_held {
                    return Err(());
                }
                continue;
            }
            if self.after_colon && !c.is_ascii_whitespace() {
                self.after_colon = false;
                if c == b'['
                    && self.depth == 1
                    && T::COUNTED.iter().any(|k| k.as_bytes() == self.last_key)
                {
                    self.counting = Some((1, 0, false));
                    i += 1;
                    continue;
                }
            }
            self.compact.push(c);
            match c {
                b'"' => {
                    self.in_str = true;
                    if self.depth == 1 && self.expect_key {
                        self.key = Some(Vec::new());
                        self.expect_key = false;
                    }
                }
                b'{' | b'[' => {
                    self.depth += 1;
                    if self.depth == 1 {
                        self.expect_key = true;
                    }
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return Ok(Some(i + 1));
                    }
                }
                b':' if self.depth == 1 => self.after_colon = true,
                b',' if self.depth == 1 => self.expect_key = true,
                _ => {}
            }
            i += 1;
        }
        if self.compact.len() > max_held {
            return Err(());
        }
        Ok(None)
    }
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

/// Where the value being scanned stands, so a chunk may end anywhere in it.
#[derive(Debug, Default, Clone, Copy)]
struct Scan {
    /// Open `{`/`[` (0 for a string or a scalar).
    depth: usize,
    in_str: bool,
    /// The chunk ended just after a `\` inside a string.
    escaped: bool,
    scalar: bool,
}

impl Scan {
    /// A value starting with `first`.
    fn start(first: u8) -> Scan {
        match first {
            b'"' => Scan {
                in_str: true,
                ..Scan::default()
            },
            b'{' | b'[' => Scan {
                depth: 1,
                ..Scan::default()
            },
            _ => Scan {
                scalar: true,
                ..Scan::default()
            },
        }
    }

    /// Goes on from `i` (after the value's first byte): the index after the value's end, or
    /// `None` when `b` ends first (the state is kept for the next chunk).
    fn run(&mut self, b: &[u8], mut i: usize) -> Option<usize> {
        loop {
            if self.escaped {
                if i >= b.len() {
                    return None;
                }
                self.escaped = false;
                i += 1;
            }
            if self.in_str {
                // Strings are most of a row: jumped through, not walked.
                let at = memchr::memchr2(b'"', b'\\', &b[i.min(b.len())..])?;
                i += at;
                if b[i] == b'\\' {
                    self.escaped = true;
                    i += 1;
                    continue;
                }
                self.in_str = false;
                i += 1;
                if self.depth == 0 {
                    return Some(i);
                }
                continue;
            }
            if self.scalar {
                while i < b.len() {
                    if matches!(b[i], b',' | b'}' | b']') || b[i].is_ascii_whitespace() {
                        return Some(i);
                    }
                    i += 1;
                }
                return None;
            }
            let &c = b.get(i)?;
            i += 1;
            match c {
                b'"' => self.in_str = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
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
                (At::Value, _) if starts_value => {
                    let key = self.key.take().unwrap_or_default();
                    if c == b'[' && self.keys.contains(&key.as_str()) {
                        // A second list under the same key replaces the first (as a JSON
                        // object's last value does).
                        self.out.items.clear();
                        At::Row { first: true }
                    } else {
                        // A counter is a scalar: anything else under its name is skipped, not
                        // held.
                        let scalar = !matches!(c, b'[' | b'{');
                        let purpose = COUNTERS
                            .iter()
                            .position(|k| *k == key && scalar)
                            .map_or(For::Skip, For::Counter);
                        self.value = Some((purpose, i, Scan::start(c)));
                        At::AfterValue
                    }
                }
                (At::AfterValue, b',') => At::Key { first: false },
                (At::AfterValue, b'}') => At::Done,
                (At::Row { first: true }, b']') => list_end,
                (At::Row { .. }, _) if starts_value => {
                    if self.out.items.len() >= self.limit {
                        return Err(Some(ApiError::Config(format!(
                            "the answer holds more than {} rows: max_rows (profile setting) allows no more",
                            self.limit
                        ))));
                    }
                    if !T::COUNTED.is_empty() && c == b'{' {
                        // A row whose lists are counted, not held.
                        self.skim = Some(Skim::default());
                        self.at = At::AfterRow;
                        continue;
                    }
                    if let Some(end) = self.sound_row(text, i) {
                        self.at = At::AfterRow;
                        i = end;
                        continue;
                    }
                    // Bad, or not whole yet: scanned to its end, then decoded on its own.
                    self.value = Some((For::Row, i, Scan::start(c)));
                    At::AfterRow
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
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Row {
        ip: String,
        #[serde(skip)]
        problem: Option<String>,
    }

    impl Marked for Row {
        fn problem(&self) -> Option<&str> {
            self.problem.as_deref()
        }
    }

    impl Tolerant for Row {
        fn undecodable(raw: &str, problem: String) -> Self {
            Row {
                ip: raw.to_string(),
                problem: Some(problem),
            }
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Site {
        name: String,
        #[serde(default)]
        items: u64,
        #[serde(skip)]
        problem: Option<String>,
    }

    impl Marked for Site {
        fn problem(&self) -> Option<&str> {
            self.problem.as_deref()
        }
    }

    impl Tolerant for Site {
        const COUNTED: &'static [&'static str] = &["items"];
        fn undecodable(raw: &str, problem: String) -> Self {
            Site {
                name: raw.to_string(),
                items: 0,
                problem: Some(problem),
            }
        }
    }

    /// A row's counted list is read as it comes and never held: a row of many megabytes
    /// holds a few bytes; what else the row has is kept; chunks may end anywhere.
    #[test]
    fn counted_lists_are_counted_not_held() {
        let item = r#"{"ip": "10.0.0.1", "d": "a \"quoted\" ]},[ text", "n": [1, {"x": []}]}"#;
        let many = vec![item; 20_000].join(", ");
        let body = format!(
            r#"[{{"name": "big", "items": [{many}], "x": {{"items": [1, 2]}}}}, {{"items": [], "name": "empty \"one\""}}, {{"name": "odd", "items": 3}}]"#
        );
        for size in [1, 7, 4096, 1 << 20] {
            let mut s = RowStream::<Site>::new(&[], 10).held_at_most(64 << 10);
            let mut most = 0;
            for chunk in body.as_bytes().chunks(size) {
                s.feed(chunk).unwrap();
                most = most.max(s.held());
            }
            let r = s.finish().unwrap();
            assert!(most < 8 << 10, "{most} bytes held (chunks of {size})");
            let got: Vec<(&str, u64)> =
                r.items.iter().map(|x| (x.name.as_str(), x.items)).collect();
            assert_eq!(
                got,
                [("big", 20_000), ("empty \"one\"", 0), ("odd", 3)],
                "chunks of {size}"
            );
        }
        // What the row keeps is still capped.
        let fat = format!(r#"[{{"name": "{}", "items": []}}]"#, "n".repeat(100_000));
        let mut s = RowStream::<Site>::new(&[], 10).held_at_most(64 << 10);
        let e = fat
            .as_bytes()
            .chunks(4096)
            .try_for_each(|c| s.feed(c))
            .unwrap_err();
        assert!(e.to_string().contains("max_body_mb"), "{e}");
    }

    #[test]
    fn one_bad_row_spoils_only_itself() {
        let body = br#"{"total": 5, "page": 1, "size": 50, "pages": 1, "items": [
            {"ip": "10.0.0.1"},
            {"ip": 12},
            {"ip": "10.0.0.3", "ip": "dup"},
            {"ip": "\ud800"},
            {"ip": 1e400}
        ]}"#;
        let r = decode_rows::<Row>(200, body, &["items"], 100).expect("a list");
        assert_eq!(r.odd, 4);
        assert_eq!(r.items.len(), 5);
        assert_eq!(r.total, Some(5));
        assert_eq!(r.items[0].ip, "10.0.0.1");
        assert_eq!(r.items[0].problem, None);
        for (i, item) in r.items.iter().enumerate().skip(1) {
            assert!(item.problem.is_some(), "row {i} marked: {item:?}");
        }
        assert!(r.items[1].ip.contains("12"), "shown as sent");
        assert!(r.items[4].ip.contains("1e400"), "shown as sent");
        // A bad value in a key nobody reads spoils nothing.
        let r = decode_rows::<Row>(200, br#"[{"ip": "a", "n": 1e400}]"#, &[], 100).unwrap();
        assert_eq!((r.odd, r.items[0].ip.as_str()), (0, "a"));
    }

    #[test]
    fn rows_past_the_limit_are_refused_not_held() {
        let many = format!("[{}0]", "0,".repeat(1000));
        let e = decode_rows::<Row>(200, many.as_bytes(), &[], 100).unwrap_err();
        assert!(e.to_string().contains("max_rows"), "{e}");
        let ok = format!("[{}{{\"ip\":\"a\"}}]", "{\"ip\":\"a\"},".repeat(99));
        assert_eq!(
            decode_rows::<Row>(200, ok.as_bytes(), &[], 100)
                .unwrap()
                .items
                .len(),
            100
        );
    }

    fn rows(body: &[u8], keys: &'static [&'static str], limit: usize) -> Option<Rows<Row>> {
        decode_rows(200, body, keys, limit).ok()
    }

    /// The same answer fed in chunks of every size from 1 byte: the same rows, and never
    /// more held than the longest row (plus one chunk).
    #[test]
    fn chunks_may_end_anywhere() {
        let body = br#" {"total" : 3, "odd": {"items": [1, "]"]}, "items" : [ {"ip": "a\"]\\"},
            {"ip": 12}, {"ip":"c", "x": [[], {}]} ], "pages": 1 } "#;
        let whole = rows(body, &["items"], 10).expect("a list");
        assert_eq!(whole.items.len(), 3);
        assert_eq!(whole.items[0].ip, "a\"]\\");
        assert_eq!((whole.odd, whole.total, whole.pages), (1, Some(3), Some(1)));
        let longest = 40;
        for size in 1..body.len() {
            let mut s = RowStream::<Row>::new(&["items"], 10);
            for chunk in body.chunks(size) {
                s.feed(chunk).unwrap();
                assert!(s.held() <= longest + size, "{size}: {} held", s.held());
            }
            let r = s.finish().unwrap();
            assert_eq!(r.items, whole.items, "chunks of {size}");
            assert_eq!((r.odd, r.total, r.pages), (1, Some(3), Some(1)));
        }
    }

    /// Old servers send the counters as strings; a counter that is no scalar, and a key
    /// longer than any list has, are skipped as they come, not held.
    #[test]
    fn counters_as_strings_and_large_odd_values_are_not_held() {
        let r = rows(
            br#"{"total": "120", "pages": " 3", "items": [{"ip": "a"}]}"#,
            &["items"],
            10,
        )
        .unwrap();
        assert_eq!((r.total, r.pages), (Some(120), Some(3)));
        let big = "0,".repeat(200_000);
        let key = "k".repeat(100_000);
        let body =
            format!(r#"{{"total": [{big}0], "{key}": 1, "items": [{{"ip": "b"}}], "page": 2}}"#);
        let mut s = RowStream::<Row>::new(&["items"], 10);
        for chunk in body.as_bytes().chunks(4096) {
            s.feed(chunk).unwrap();
            assert!(s.held() <= 2 * 4096, "{} held", s.held());
        }
        let r = s.finish().unwrap();
        assert_eq!((r.total, r.page, r.items.len()), (None, Some(2), 1));
    }

    #[test]
    fn bare_lists_nesting_and_garbage() {
        let r = rows(br#"[{"ip":"a"}, {"ip":"b]}\"["}]"#, &[], 10).unwrap();
        assert_eq!(r.items.len(), 2);
        assert_eq!(r.items[1].ip, "b]}\"[");
        let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
        let r = rows(deep.as_bytes(), &[], 10).unwrap();
        assert_eq!(r.items.len(), 1);
        assert!(r.items[0].problem.is_some());
        for garbage in [
            &b""[..],
            b"nope",
            b"[1,",
            b"{\"items\": [",
            b"{\"a\"}",
            b"[}",
        ] {
            assert!(rows(garbage, &["items"], 10).is_none(), "{garbage:?}");
        }
    }
}
