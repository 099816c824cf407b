//! A list's side of the `/` filter: prepared, advanced within a time budget, narrowed as
//! typed, and the characters each shown row matched.

use crate::rows::{Record, Rows};
use filter::*;
use std::borrow::Cow;

use super::ListView;
use super::filter;

impl<T: Record> ListView<T> {
    /// Every row `q` matches, with its score, read from the searchable text the list
    /// already holds (only the rows matched are built: `:find` over a list of a million).
    pub fn matching<'a>(&'a self, q: &'a Query) -> impl Iterator<Item = (Cow<'a, T>, u32)> + 'a {
        (0..self.items.len()).filter_map(|i| {
            let score = q.score(self.haystacks.get(i)?)?;
            Some((self.items.row(i)?, score))
        })
    }

    /// Gets the filter's matching ready: answered from the steps when it can be, else a run
    /// is started (or the one under way kept, when it is this filter's).
    pub(super) fn prepare_filter(&mut self) {
        if self.filter.trim().is_empty() {
            self.steps.clear();
            self.run = None;
            return;
        }
        let filter = self.filter.as_str();
        if self.run.as_ref().is_some_and(|r| r.filter == filter) {
            return;
        }
        // Keep the chain of filters this one extends (or is).
        self.steps.retain(|(s, _)| filter.starts_with(s.as_str()));
        let run = self.run.take();
        if self.steps.last().is_some_and(|(s, _)| s == filter) {
            return;
        }
        // Trailing blanks change nothing (unless the last one is escaped).
        let trimmed = filter.trim_end();
        if trimmed != filter
            && !trimmed.ends_with('\\')
            && let Some(m) = self
                .steps
                .iter()
                .find(|(s, _)| s == trimmed)
                .map(|(_, m)| m.clone())
        {
            self.push_step(filter.to_string(), m);
            return;
        }
        let candidates = match run {
            // A filter still running that this one extends: its matches so far and the
            // rows it has not tried.
            Some(r) if narrows(&r.filter, filter) => Some(r.narrowed(self.haystacks.len())),
            _ => self
                .steps
                .iter()
                .rev()
                .find(|(s, _)| narrows(s, filter))
                .map(|(_, m)| m.iter().map(|m| m.0).collect()),
        };
        self.run = Some(FilterRun {
            filter: filter.to_string(),
            pattern: parse_filter::<T>(filter),
            candidates,
            next: 0,
            found: Vec::new(),
        });
    }

    pub(super) fn push_step(&mut self, filter: String, matches: Vec<(u32, u32)>) {
        if self.steps.len() == FILTER_STEPS {
            self.steps.remove(0);
        }
        self.steps.push((filter, matches));
    }

    /// Matches the running filter's rows, a slice at a time, until they are all tried or
    /// `budget` is spent (`None`: to the end). A first slice is always matched; the next ones
    /// are sized to fit what is left of the budget at the pace measured so far.
    pub(super) fn advance_filter(&mut self, budget: Option<std::time::Duration>) {
        let started = std::time::Instant::now();
        let mut tried = 0usize;
        let mut slice = if budget.is_some() {
            FIRST_SLICE_ROWS
        } else {
            usize::MAX
        };
        while let Some(run) = &mut self.run {
            let total = run.total(self.haystacks.len());
            let end = run.next.saturating_add(slice).min(total);
            let part = match_rows(
                &self.haystacks,
                &run.pattern,
                run.candidates.as_deref(),
                run.next..end,
            );
            run.found.extend(part);
            tried += end - run.next;
            run.next = end;
            if end == total {
                if let Some(run) = self.run.take() {
                    self.push_step(run.filter, run.found);
                }
                return;
            }
            let Some(b) = budget else { continue };
            let spent = started.elapsed();
            let left = b.saturating_sub(spent);
            // Rows that fit in what is left, at this call's pace, with a margin.
            let per_row = spent.as_secs_f64() / tried.max(1) as f64;
            slice = (left.as_secs_f64() * 0.8 / per_row.max(1e-9)) as usize;
            if slice < MIN_SLICE_ROWS {
                return;
            }
        }
    }

    /// The rows matching the filter so far with their scores (item order), or `None`
    /// without a filter.
    pub(super) fn matches(&self) -> Option<&[(u32, u32)]> {
        if let Some(run) = &self.run {
            return Some(&run.found);
        }
        if self.filter.trim().is_empty() {
            return None;
        }
        self.steps.last().map(|(_, m)| m.as_slice())
    }

    /// Rows matching every term of the filter as text (not only as scattered letters), or
    /// `None` without a filter.
    pub fn exact_matches(&self) -> Option<usize> {
        self.matches()
            .map(|m| m.iter().filter(|x| x.1 >= filter::EXACT).count())
    }

    /// A filter is still being matched (rows shown are those found so far), or a sort made:
    /// work the runtime does a slice at a time between keys.
    pub fn filter_pending(&self) -> bool {
        self.run.is_some() || self.sorting.is_some()
    }

    /// Character positions of the filter's match in each cell of a row (for highlighting).
    pub fn highlights(&self, row: usize) -> Vec<Vec<usize>> {
        let Some(&i) = self.view.get(row) else {
            return Vec::new();
        };
        if self.filter.trim().is_empty() {
            return vec![Vec::new(); T::columns().len()];
        }
        self.highlights_for(row, &self.items.cells(i))
    }

    /// `highlights` for a row whose cells the caller has already built (a frame draws them).
    pub fn highlights_for(&self, row: usize, cells: &[String]) -> Vec<Vec<usize>> {
        let Some(&i) = self.view.get(row) else {
            return Vec::new();
        };
        if self.filter.trim().is_empty() {
            return vec![Vec::new(); cells.len()];
        }
        let mut out = vec![Vec::new(); cells.len()];
        let Some(hay) = self.haystacks.get(i) else {
            return out;
        };
        let idx = {
            // One query for every row drawn, not one a row.
            let mut hl = self.highlighter.lock().unwrap_or_else(|e| e.into_inner());
            if hl.as_ref().is_none_or(|(f, _)| *f != self.filter) {
                *hl = Some((self.filter.clone(), parse_filter::<T>(&self.filter)));
            }
            let Some((_, query)) = hl.as_ref() else {
                return out;
            };
            query.positions(hay)
        };
        // Map haystack char positions back onto cells (joined with one separator).
        let mut start = 0usize;
        for (c, cell) in cells.iter().enumerate() {
            let len = cell.chars().count();
            out[c] = idx
                .iter()
                .copied()
                .filter(|&p| p >= start && p < start + len)
                .map(|p| p - start)
                .collect();
            start += len + 1;
        }
        out
    }
}
