//! The `/` filter: every row's text in one buffer, matched in time slices (on both cores
//! for large lists), accent- and case-blind. Each term is text inside one cell (`site:loum`
//! inside the Site column); a term found only as scattered letters of one cell is a weaker
//! match, ranked after every row that matches exactly, and never spans two cells.

use crate::rows::{CELL_SEP, Column, Haystacks, fold};
use nucleo_matcher::Utf32Str;

/// Filters kept for narrowing and for Backspace (each at most 8 bytes a matching row).
pub(super) const FILTER_STEPS: usize = 8;

/// Rows below which one thread matches them all.
pub(super) const PARALLEL_MIN_ROWS: usize = 8_192;

/// Rows a filter tries first when it runs within a time budget, whatever the budget: a list
/// this short is always filtered at once. The next slices are sized on the time this one took.
pub(super) const FIRST_SLICE_ROWS: usize = 4_096;

/// Below this many rows left in the budget, a slice waits for the next call.
pub(super) const MIN_SLICE_ROWS: usize = 256;

/// A filter being matched a slice at a time (long lists), its rows so far in item order.
pub(super) struct FilterRun {
    pub(super) filter: String,
    pub(super) pattern: Query,
    /// Rows to try (item order); `None`: every row.
    pub(super) candidates: Option<Vec<u32>>,
    /// Position in the candidates (or rows) of the next row to try.
    pub(super) next: usize,
    pub(super) found: Vec<(u32, u32)>,
}

impl FilterRun {
    pub(super) fn total(&self, rows: usize) -> usize {
        self.candidates.as_ref().map_or(rows, Vec::len)
    }

    /// Rows a filter extending this one need try: the matches so far, then the rows not
    /// tried yet (both in item order, the first all before the second).
    pub(super) fn narrowed(self, rows: usize) -> Vec<u32> {
        let mut out: Vec<u32> = self.found.iter().map(|m| m.0).collect();
        match &self.candidates {
            Some(c) => out.extend_from_slice(&c[self.next..]),
            None => out.extend(self.next as u32..rows as u32),
        }
        out
    }
}

/// Whether every row matching `new` also matches `old`, so `new` need only be tried on the
/// rows `old` kept: `new` extends `old`, negates nothing (`!`: text appended widens it) and
/// names no column `old` did not (`site` then `site:` widens).
pub(super) fn narrows(old: &str, new: &str) -> bool {
    new.len() > old.len()
        && new.starts_with(old)
        && !old.trim().is_empty()
        && !new.contains(['!', '^', '$', '\\'])
        && old.matches(':').count() == new.matches(':').count()
}

/// The rows among `candidates[range]` (or the rows in `range`) whose haystack matches, with
/// their scores, in item order. Large ranges are split between the machine's cores.
pub(super) fn match_rows(
    haystacks: &Haystacks,
    pattern: &Query,
    candidates: Option<&[u32]>,
    range: std::ops::Range<usize>,
) -> Vec<(u32, u32)> {
    let threads = if range.len() < PARALLEL_MIN_ROWS {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |p| p.get().min(8))
    };
    match_rows_on(haystacks, pattern, candidates, range, threads)
}

pub(super) fn match_rows_on(
    haystacks: &Haystacks,
    pattern: &Query,
    candidates: Option<&[u32]>,
    range: std::ops::Range<usize>,
    threads: usize,
) -> Vec<(u32, u32)> {
    // What each part needs is allocated here, on the calling thread, and only filled on the
    // others: a thread made for one keystroke that allocated its own results got fresh pages
    // from mimalloc each time and left them behind when it ended.
    let run = |range: std::ops::Range<usize>, out: &mut Vec<(u32, u32)>| {
        for k in range {
            let i = candidates.map_or(k as u32, |c| c[k]);
            let Some(hay) = haystacks.get(i as usize) else {
                continue;
            };
            if let Some(s) = pattern.score(hay) {
                out.push((i, s));
            }
        }
    };
    if threads <= 1 {
        let mut out = Vec::new();
        run(range, &mut out);
        return out;
    }
    let (from, to) = (range.start, range.end);
    let chunk = range.len().div_ceil(threads);
    let part = |t: usize| (from + t * chunk).min(to)..(from + (t + 1) * chunk).min(to);
    let mut parts: Vec<Vec<(u32, u32)>> = (1..threads)
        .map(|t| Vec::with_capacity(part(t).len()))
        .collect();
    let mut out = Vec::with_capacity(range.len());
    std::thread::scope(|s| {
        let run = &run;
        let others: Vec<_> = parts
            .iter_mut()
            .enumerate()
            .map(|(t, found)| s.spawn(move || run(part(t + 1), found)))
            .collect();
        run(part(0), &mut out);
        for h in others {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    for found in &parts {
        out.extend_from_slice(found);
    }
    out
}

/// A row matching every term as text inside a cell scores at least this; one where some term
/// is only scattered letters of a cell scores below.
pub const EXACT: u32 = 1 << 12;

/// What `/` typed, ready to match: its terms, each within one cell.
pub struct Query {
    terms: Vec<Term>,
}

struct Term {
    /// The column it names (`site:loum`); `None`: any cell.
    col: Option<usize>,
    /// Folded and lower-cased, as the haystacks are.
    needle: Vec<char>,
    ascii: Option<memchr::memmem::Finder<'static>>,
    /// `!term`: rows holding it are left out.
    negative: bool,
    /// Its letters in order may match (a word of 3 letters or more; never an address or a
    /// number, whose digits are everywhere).
    letters: bool,
}

/// How a term met a cell.
enum Met {
    /// Its text, from this character of the row.
    Text(usize),
    /// Its letters in order, at these characters of the row.
    Letters(Vec<usize>),
}

impl Query {
    /// `columns`: the list's, whose titles (English or as shown) name a column before `:`.
    pub fn parse(filter: &str, columns: &[Column]) -> Query {
        let name = |t: &str| fold(t).to_lowercase();
        let terms = fold(filter)
            .to_lowercase()
            .split_whitespace()
            .filter_map(|w| {
                let (negative, w) = match w.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, w),
                };
                let (col, text) = match w.split_once(':') {
                    Some((p, rest)) if !p.is_empty() => {
                        match columns
                            .iter()
                            .position(|c| name(c.title) == p || name(crate::i18n::tr(c.title)) == p)
                        {
                            Some(i) => (Some(i), rest),
                            None => (None, w),
                        }
                    }
                    _ => (None, w),
                };
                (!text.is_empty()).then(|| Term {
                    col,
                    letters: text.chars().count() >= 3 && text.chars().any(char::is_alphabetic),
                    needle: text.chars().collect(),
                    ascii: text
                        .is_ascii()
                        .then(|| memchr::memmem::Finder::new(text.as_bytes()).into_owned()),
                    negative,
                })
            })
            .collect();
        Query { terms }
    }

    /// A row's score, `None` when it does not match: `EXACT` and more when every term is
    /// text inside a cell (more again at a cell's start, or as the whole cell), less when
    /// some term is only letters in order within one cell.
    pub fn score(&self, hay: Utf32Str<'_>) -> Option<u32> {
        let mut exact = true;
        let mut bonus = 0u32;
        for t in &self.terms {
            match (t.meet(hay), t.negative) {
                (Some(Met::Text(_)), true) => return None,
                (_, true) => {}
                (None, false) => return None,
                (Some(Met::Letters(_)), false) => exact = false,
                (Some(Met::Text(at)), false) => bonus += t.bonus(hay, at),
            }
        }
        Some(if exact {
            EXACT + bonus.min(EXACT - 1)
        } else {
            1
        })
    }

    /// `score` for one record, its searchable text built here (a lookup outside a list).
    pub fn score_record<T: crate::rows::Record>(&self, r: &T) -> Option<u32> {
        let mut text = String::new();
        crate::rows::haystack(r, &mut text);
        if text.is_ascii() {
            self.score(Utf32Str::Ascii(text.as_bytes()))
        } else {
            let chars: Vec<char> = text.chars().collect();
            self.score(Utf32Str::Unicode(&chars))
        }
    }

    /// The row's characters the terms met (for highlighting).
    pub fn positions(&self, hay: Utf32Str<'_>) -> Vec<usize> {
        let mut out = Vec::new();
        for t in self.terms.iter().filter(|t| !t.negative) {
            match t.meet(hay) {
                Some(Met::Text(at)) => out.extend(at..at + t.needle.len()),
                Some(Met::Letters(p)) => out.extend(p),
                None => {}
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl Term {
    /// Where the term is in the row: as text first, else as letters in order in one cell.
    /// Typed text holds no cell separator, so text found in the row is inside one cell.
    fn meet(&self, hay: Utf32Str<'_>) -> Option<Met> {
        let Some(c) = self.col else {
            if let Some(at) = self.find(hay, 0..hay.len()) {
                return Some(Met::Text(at));
            }
            if !self.letters {
                return None;
            }
            // Letters in order across the row first: most rows fail here, cheaply.
            self.letters(hay, 0..hay.len())?;
            return cells(hay)
                .find_map(|r| self.letters(hay, r))
                .map(Met::Letters);
        };
        let r = cells(hay).nth(c)?;
        if let Some(at) = self.find(hay, r.clone()) {
            return Some(Met::Text(r.start + at));
        }
        if !self.letters {
            return None;
        }
        self.letters(hay, r).map(Met::Letters)
    }

    /// The needle as text inside `range` of the row (an offset in it).
    fn find(&self, hay: Utf32Str<'_>, range: std::ops::Range<usize>) -> Option<usize> {
        match (hay, &self.ascii) {
            (Utf32Str::Ascii(b), Some(f)) => f.find(&b[range]),
            (Utf32Str::Ascii(_), None) => None,
            (Utf32Str::Unicode(c), _) => {
                let cell = &c[range];
                let n = self.needle.len();
                (0..=cell.len().saturating_sub(n))
                    .find(|&i| cell.len() >= n && cell[i..i + n] == self.needle[..])
            }
        }
    }

    /// The needle's characters in order within `range` (greedy, leftmost).
    fn letters(&self, hay: Utf32Str<'_>, range: std::ops::Range<usize>) -> Option<Vec<usize>> {
        let mut want = self.needle.iter().peekable();
        let mut at = Vec::with_capacity(self.needle.len());
        for i in range {
            let Some(&&w) = want.peek() else { break };
            if char_at(hay, i) == w {
                at.push(i);
                want.next();
            }
        }
        want.peek().is_none().then_some(at)
    }

    /// More for text at a cell's start, more again for the whole cell.
    fn bonus(&self, hay: Utf32Str<'_>, at: usize) -> u32 {
        let end = at + self.needle.len();
        let starts = at == 0 || char_at(hay, at - 1) == CELL_SEP;
        let ends = end >= hay.len() || char_at(hay, end) == CELL_SEP;
        u32::from(starts) * 2 + u32::from(starts && ends) * 4 + 1
    }
}

fn char_at(hay: Utf32Str<'_>, i: usize) -> char {
    match hay {
        Utf32Str::Ascii(b) => char::from(b[i]),
        Utf32Str::Unicode(c) => c[i],
    }
}

/// Each cell's characters in a row's haystack (cells end at `CELL_SEP`).
fn cells(hay: Utf32Str<'_>) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let end = (start..hay.len())
            .find(|&i| char_at(hay, i) == CELL_SEP)
            .unwrap_or_else(|| {
                done = true;
                hay.len()
            });
        let r = start..end;
        start = end + 1;
        Some(r)
    })
}

/// Item indices by descending score; equal scores keep item (server) order. A counting sort:
/// scores are small integers.
pub(super) fn best_first(matches: &[(u32, u32)]) -> Vec<usize> {
    let max = matches.iter().map(|m| m.1).max().unwrap_or(0) as usize;
    if max > 1 << 20 {
        let mut v = matches.to_vec();
        v.sort_by_key(|m| std::cmp::Reverse(m.1));
        return v.into_iter().map(|m| m.0 as usize).collect();
    }
    // Slots of each score, highest first.
    let mut start = vec![0usize; max + 2];
    for m in matches {
        start[max - m.1 as usize + 1] += 1;
    }
    for s in 1..start.len() {
        start[s] += start[s - 1];
    }
    let mut out = vec![0usize; matches.len()];
    for m in matches {
        let slot = &mut start[max - m.1 as usize];
        out[*slot] = m.0 as usize;
        *slot += 1;
    }
    out
}

/// The filter as a query over the haystacks of a list of `T`.
pub(super) fn parse_filter<T: crate::rows::Record>(filter: &str) -> Query {
    Query::parse(filter, T::columns())
}
