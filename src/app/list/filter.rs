//! The `/` filter: every row's text in one buffer, matched in time slices (on both cores for large lists), accent-blind.

use crate::rows::Haystacks;
use crate::rows::fold;
use nucleo_matcher::Config as MatchConfig;
use nucleo_matcher::Matcher;
use nucleo_matcher::Utf32Str;
use nucleo_matcher::pattern::AtomKind;
use nucleo_matcher::pattern::CaseMatching;
use nucleo_matcher::pattern::Normalization;
use nucleo_matcher::pattern::Pattern;

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
    pub(super) pattern: Pattern,
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
/// rows `old` kept: `new` extends `old` and uses none of the operators (`!` negation, `^`
/// `$` anchors, `'` substring, `\` escape) that can widen a match when text is appended.
pub(super) fn narrows(old: &str, new: &str) -> bool {
    new.len() > old.len()
        && new.starts_with(old)
        && !old.trim().is_empty()
        && !new.contains(['!', '^', '$', '\'', '\\'])
}

/// The rows among `candidates[range]` (or the rows in `range`) whose haystack matches, with
/// their scores, in item order. Large ranges are split between the machine's cores.
pub(super) fn match_rows(
    haystacks: &Haystacks,
    pattern: &Pattern,
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
    pattern: &Pattern,
    candidates: Option<&[u32]>,
    range: std::ops::Range<usize>,
    threads: usize,
) -> Vec<(u32, u32)> {
    // Whether each atom's needle is compared after normalising the haystack ("e" finds "é"),
    // as `Pattern::parse` decided with `Normalization::Smart`.
    let normalize: Vec<bool> = pattern
        .atoms
        .iter()
        .map(|a| match a.needle_text() {
            Utf32Str::Ascii(_) => true,
            Utf32Str::Unicode(cs) => cs.iter().all(|&c| nucleo_matcher::chars::normalize(c) == c),
        })
        .collect();
    // What each part needs is allocated here, on the calling thread, and only filled on the
    // others: a thread made for one keystroke that allocated its own matcher (its scoring
    // matrices) and results got fresh pages from mimalloc each time and left them behind when
    // it ended, which made keystrokes 2 to 3 times slower than with glibc's allocator.
    let run = |range: std::ops::Range<usize>, matcher: &mut Matcher, out: &mut Vec<(u32, u32)>| {
        for k in range {
            let i = candidates.map_or(k as u32, |c| c[k]);
            let Some(hay) = haystacks.get(i as usize) else {
                continue;
            };
            if let Some(s) = score(pattern, &normalize, hay, matcher) {
                out.push((i, s));
            }
        }
    };
    let mut first = Matcher::new(MatchConfig::DEFAULT);
    if threads <= 1 {
        let mut out = Vec::new();
        run(range, &mut first, &mut out);
        return out;
    }
    let (from, to) = (range.start, range.end);
    let chunk = range.len().div_ceil(threads);
    let part = |t: usize| (from + t * chunk).min(to)..(from + (t + 1) * chunk).min(to);
    let mut parts: Vec<(Matcher, Vec<(u32, u32)>)> = (1..threads)
        .map(|t| {
            (
                Matcher::new(MatchConfig::DEFAULT),
                Vec::with_capacity(part(t).len()),
            )
        })
        .collect();
    let mut out = Vec::with_capacity(range.len());
    std::thread::scope(|s| {
        let run = &run;
        let others: Vec<_> = parts
            .iter_mut()
            .enumerate()
            .map(|(t, (matcher, found))| s.spawn(move || run(part(t + 1), matcher, found)))
            .collect();
        run(part(0), &mut first, &mut out);
        for h in others {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    for (_, found) in &parts {
        out.extend_from_slice(found);
    }
    out
}

/// A row's score for `pattern`, `None` when it does not match: `Pattern::score`, except that
/// fuzzy atoms of more than one character are scored on nucleo's greedy alignment (linear in
/// the row's length) rather than the optimal one (quadratic): on 100,000 rows of 100 to 200
/// characters the optimal alignment costs 5 to 10 times more, for an order that differs only
/// among weak, scattered matches. Which rows match is the same either way; highlights still
/// show the optimal alignment.
pub(super) fn score(
    pattern: &Pattern,
    normalize: &[bool],
    hay: Utf32Str<'_>,
    m: &mut Matcher,
) -> Option<u32> {
    let mut total = 0u32;
    for (atom, &normalize) in pattern.atoms.iter().zip(normalize) {
        let needle = atom.needle_text();
        let s = if atom.kind == AtomKind::Fuzzy && !atom.negative && needle.len() > 1 {
            m.config.ignore_case = true;
            m.config.normalize = normalize;
            m.fuzzy_match_greedy(hay, needle)?
        } else {
            atom.score(hay, m)?
        };
        total += u32::from(s);
    }
    Some(total)
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

/// The filter as a pattern over folded haystacks.
pub(super) fn parse_filter(filter: &str) -> Pattern {
    Pattern::parse(&fold(filter), CaseMatching::Ignore, Normalization::Smart)
}
