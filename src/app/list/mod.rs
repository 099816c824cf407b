//! A list screen's state: loaded rows, filter, sort, selection and server paging. Filtering
//! and sorting work on index vectors; rows are never copied.

use nucleo_matcher::pattern::Pattern;
use nucleo_matcher::{Config as MatchConfig, Matcher};

pub use crate::rows::{Column, Prepared, Record, columns_of_kind, fold};
use crate::rows::{Haystacks, haystack};
use filter::*;

/// Server paging of a list (only for routes that page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub pages: u32,
    pub total: u64,
    pub size: u32,
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            page: 1,
            pages: 1,
            total: 0,
            size: 50,
        }
    }
}

pub struct ListView<T: Record> {
    pub items: Vec<T>,
    /// Searchable text of each item (its cells, joined by a space, accents folded), built
    /// once per load in a form the matcher reads as it is: a keystroke converts nothing. Every
    /// character is kept (nucleo's own strings keep one a grapheme), so a highlight's
    /// positions fall on the cell's characters even after combining marks.
    haystacks: Haystacks,
    /// Indices of `items` shown, after filter and sort.
    pub view: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
    pub filter: String,
    pub filtering: bool,
    pub sort: Option<(usize, bool)>,
    pub paging: Option<Paging>,
    /// Every page is loaded: the list is local and complete.
    pub complete: bool,
    pub loading: bool,
    pub loaded_once: bool,
    /// Id of the request whose answer this list waits for; others are stale.
    pub pending: Option<u64>,
    /// The answer whose first rows are shown while the rest streams in.
    pub streaming: Option<u64>,
    /// The rows shown came before their answer (kept from the last run, or its first rows):
    /// a refusal (401, 403) of that answer takes them away.
    pub provisional: bool,
    /// Rows with a problem (undecodable or odd), shown marked.
    pub odd: usize,
    /// The rows the user marked, by key: kept through paging, sorting and filtering (a
    /// marked row on a page no longer loaded is still acted on by a bulk action).
    pub marked: std::collections::HashMap<String, T>,
    /// Filters applied since the rows last changed, each extending the one before, with the
    /// rows each matched (item order) and their scores: a key typed at the end of the filter
    /// only re-matches the rows the filter kept, and Backspace finds its answer here.
    steps: Vec<(String, Vec<(u32, u32)>)>,
    /// Every item index in the order of a sort column (ascending), made when it is chosen.
    sorted: Option<(usize, Vec<u32>)>,
    /// A sort of a long list under way, a slice at a time between keys (`SORT_SLICED_FROM`).
    sorting: Option<SortRun>,
    /// The filter's pattern and a matcher, for the highlights of the rows drawn.
    highlighter: std::sync::Mutex<Option<(String, Pattern, Box<Matcher>)>>,
    /// The filter still being matched, when it did not fit in its time budget.
    run: Option<FilterRun>,
    /// Only rows whose cell in this column is exactly this value (`F` then Enter).
    pub pin: Option<(usize, String)>,
    /// Which items the pin keeps, worked out when the pin or the rows change.
    pinned: Option<Vec<bool>>,
    /// The columns shown, in order, as indices into `T::columns()` (`C`); `None`: all, as
    /// shipped.
    pub layout: Option<Vec<usize>>,
    /// Refreshed by the watch (`W`): each new load is compared with the one before.
    pub watched: bool,
    /// What the last watched refresh changed.
    pub flash: Option<Flash>,
}

/// Rows a watched refresh changed: their changed cells (indices into the kind's columns)
/// and the rows that are new, by key, and when.
#[derive(Debug, Clone)]
pub struct Flash {
    pub at: std::time::Instant,
    pub changed: std::collections::HashMap<String, Vec<usize>>,
    pub new: std::collections::HashSet<String>,
}

/// How long a watched refresh's changes stay highlighted.
pub const FLASH_FOR: std::time::Duration = std::time::Duration::from_secs(5);

impl Flash {
    /// The changes between two loads, or `None` when nothing changed.
    pub fn between<T: Record>(old: &[T], new: &[T]) -> Option<Flash> {
        let before: std::collections::HashMap<std::borrow::Cow<'_, str>, &T> =
            old.iter().map(|r| (r.key(), r)).collect();
        let mut changed = std::collections::HashMap::new();
        let mut fresh = std::collections::HashSet::new();
        for r in new {
            match before.get(&r.key()) {
                Some(o) => {
                    let (a, b) = (o.cells(), r.cells());
                    let cols: Vec<usize> = (0..b.len()).filter(|&i| a.get(i) != b.get(i)).collect();
                    if !cols.is_empty() {
                        changed.insert(r.key().into_owned(), cols);
                    }
                }
                None => {
                    fresh.insert(r.key().into_owned());
                }
            }
        }
        (!changed.is_empty() || !fresh.is_empty()).then(|| Flash {
            at: std::time::Instant::now(),
            changed,
            new: fresh,
        })
    }

    pub fn active(&self) -> bool {
        self.at.elapsed() < FLASH_FOR
    }
}

impl<T: Record> Default for ListView<T> {
    fn default() -> Self {
        ListView {
            items: Vec::new(),
            haystacks: Haystacks::default(),
            view: Vec::new(),
            selected: 0,
            offset: 0,
            filter: String::new(),
            filtering: false,
            sort: None,
            paging: None,
            complete: false,
            loading: false,
            loaded_once: false,
            pending: None,
            streaming: None,
            provisional: false,
            odd: 0,
            marked: Default::default(),
            steps: Vec::new(),
            sorted: None,
            sorting: None,
            highlighter: std::sync::Mutex::new(None),
            run: None,
            pin: None,
            pinned: None,
            layout: None,
            watched: false,
            flash: None,
        }
    }
}

impl<T: Record> ListView<T> {
    /// Marks the selected row, or unmarks it.
    pub fn toggle_mark(&mut self) {
        let Some(r) = self.selected_item().cloned() else {
            return;
        };
        let k = r.key().into_owned();
        if self.marked.remove(&k).is_none() {
            self.marked.insert(k, r);
        }
    }

    /// Marks every row of the view (the filter applied).
    pub fn mark_view(&mut self) {
        let rows: Vec<(String, T)> = self
            .view
            .iter()
            .map(|&i| (self.items[i].key().into_owned(), self.items[i].clone()))
            .collect();
        self.marked.extend(rows);
    }

    pub fn is_marked(&self, item: &T) -> bool {
        !self.marked.is_empty() && self.marked.contains_key(item.key().as_ref())
    }

    /// The marked rows, in the list's order where loaded (the others after, by key).
    pub fn marked_rows(&self) -> Vec<T> {
        let mut out: Vec<T> = self
            .items
            .iter()
            .filter(|r| self.is_marked(r))
            .cloned()
            .collect();
        let loaded: std::collections::HashSet<String> =
            out.iter().map(|r| r.key().into_owned()).collect();
        let mut rest: Vec<&T> = self
            .marked
            .values()
            .filter(|r| !loaded.contains(r.key().as_ref()))
            .collect();
        rest.sort_by(|a, b| a.key().cmp(&b.key()));
        out.extend(rest.into_iter().cloned());
        out
    }
}

impl<T: Record> ListView<T> {
    /// Rows of the answer `id` while it streams in, from index `offset`: shown at once when
    /// the list had nothing to show (a list already shown waits for the whole answer, so
    /// it never shrinks for a moment).
    pub fn streamed(&mut self, id: u64, offset: usize, rows: Vec<T>) {
        if self.pending != Some(id) || (self.streaming != Some(id) && !self.items.is_empty()) {
            return;
        }
        self.streaming = Some(id);
        let mut items = std::mem::take(&mut self.items);
        items.truncate(offset);
        items.extend(rows);
        self.set_items(items);
        self.loading = true;
        self.provisional = true;
    }

    /// Replaces the rows, keeping the selection on the same record when it is still there.
    pub fn set_items(&mut self, items: Vec<T>) {
        self.set_prepared(Prepared::new(items));
    }

    /// `set_items` with the searchable text already built.
    pub fn set_prepared(&mut self, prepared: Prepared<T>) {
        let Prepared { items, haystacks } = prepared;
        self.provisional = false;
        let keep = self.selected_item().map(|r| r.key().into_owned());
        if self.watched && self.loaded_once {
            if let Some(f) = Flash::between(&self.items, &items) {
                self.flash = Some(f);
            }
        }
        self.haystacks = haystacks;
        self.items = items;
        // Marked rows follow what the server sends now.
        if !self.marked.is_empty() {
            for r in &self.items {
                if let Some(m) = self.marked.get_mut(r.key().as_ref()) {
                    *m = r.clone();
                }
            }
        }
        self.count_odd();
        self.rows_changed();
        self.loaded_once = true;
        self.loading = false;
        self.refresh_view();
        if let Some(id) = keep
            && let Some(pos) = self.view.iter().position(|&i| self.items[i].key() == id)
        {
            self.selected = pos;
        }
        self.clamp();
    }

    fn count_odd(&mut self) {
        self.odd = self.items.iter().filter(|r| r.problem().is_some()).count();
    }

    /// Forgets what was worked out from the rows (filter steps, sort order).
    fn rows_changed(&mut self) {
        self.steps.clear();
        self.sorted = None;
        self.sorting = None;
        self.run = None;
        self.pin_rows();
    }

    /// The columns shown, in order (indices into `T::columns()`).
    pub fn shown_columns(&self) -> Vec<usize> {
        let n = T::columns().len();
        match &self.layout {
            Some(l) if !l.is_empty() => l.iter().copied().filter(|&i| i < n).collect(),
            _ => (0..n).collect(),
        }
    }

    /// Sets the columns shown from their titles (unknown titles dropped; none left: all).
    pub fn set_layout_titles(&mut self, titles: &[String]) {
        let cols = T::columns();
        let l: Vec<usize> = titles
            .iter()
            .filter_map(|t| cols.iter().position(|c| c.title == t))
            .collect();
        self.layout = (!l.is_empty()).then_some(l);
    }

    /// The titles of the columns shown, in order.
    pub fn layout_titles(&self) -> Vec<String> {
        let cols = T::columns();
        self.shown_columns()
            .into_iter()
            .map(|i| cols[i].title.to_string())
            .collect()
    }

    /// Keeps only the rows whose cell in column `col` is `value` (`None` shows them all).
    pub fn set_pin(&mut self, pin: Option<(usize, String)>) {
        self.pin = pin;
        self.pin_rows();
        self.selected = 0;
        self.offset = 0;
        self.refresh_view();
    }

    fn pin_rows(&mut self) {
        self.pinned = self.pin.as_ref().map(|(col, value)| {
            self.items
                .iter()
                .map(|r| r.cells().get(*col) == Some(value))
                .collect()
        });
    }

    /// Each value of column `col` over the view (filter and pin applied) with its count,
    /// most frequent first (then by value).
    pub fn frequencies(&self, col: usize) -> Vec<(String, usize)> {
        let mut counts: std::collections::HashMap<String, usize> = Default::default();
        for &i in &self.view {
            let cell = self.items[i]
                .cells()
                .into_iter()
                .nth(col)
                .unwrap_or_default();
            *counts.entry(cell).or_default() += 1;
        }
        let mut v: Vec<(String, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    pub fn selected_item(&self) -> Option<&T> {
        self.view
            .get(self.selected)
            .and_then(|&i| self.items.get(i))
    }

    pub fn len(&self) -> usize {
        self.view.len()
    }

    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    /// Gets the filter's matching ready: answered from the steps when it can be, else a run
    /// is started (or the one under way kept, when it is this filter's).
    fn prepare_filter(&mut self) {
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
            pattern: parse_filter(filter),
            candidates,
            next: 0,
            found: Vec::new(),
        });
    }

    fn push_step(&mut self, filter: String, matches: Vec<(u32, u32)>) {
        if self.steps.len() == FILTER_STEPS {
            self.steps.remove(0);
        }
        self.steps.push((filter, matches));
    }

    /// Matches the running filter's rows, a slice at a time, until they are all tried or
    /// `budget` is spent (`None`: to the end). A first slice is always matched; the next ones
    /// are sized to fit what is left of the budget at the pace measured so far.
    fn advance_filter(&mut self, budget: Option<std::time::Duration>) {
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
    fn matches(&self) -> Option<&[(u32, u32)]> {
        if let Some(run) = &self.run {
            return Some(&run.found);
        }
        if self.filter.trim().is_empty() {
            return None;
        }
        self.steps.last().map(|(_, m)| m.as_slice())
    }

    /// A filter is still being matched (rows shown are those found so far), or a sort made:
    /// work the runtime does a slice at a time between keys.
    pub fn filter_pending(&self) -> bool {
        self.run.is_some() || self.sorting.is_some()
    }

    /// How far a sort of a long list is (0–100), while it is made.
    pub fn sort_progress(&self) -> Option<u8> {
        self.sorting.as_ref().map(SortRun::percent)
    }

    /// How far the running filter is, in rows tried and rows to try.
    pub fn filter_progress(&self) -> Option<(usize, usize)> {
        self.run
            .as_ref()
            .map(|r| (r.next, r.total(self.haystacks.len())))
    }

    /// Item indices in the order of sort column `col` (ascending; ties in item order); `None`
    /// while a long list's sort is being made (between keys, `resume_sort`).
    fn sort_order(&mut self, col: usize) -> Option<&[u32]> {
        if self.sorted.as_ref().is_none_or(|(c, _)| *c != col) {
            let n = self.items.len();
            if n >= SORT_SLICED_FROM {
                // Made a slice at a time: no key waits for a million rows to sort.
                if self.sorting.as_ref().is_none_or(|r| r.col != col) {
                    self.sorting = Some(SortRun::new(col, n));
                }
                return None;
            }
            let keys: Vec<(i64, String)> = (0..n).map(|i| sort_key(&self.items, col, i)).collect();
            let mut order: Vec<u32> = (0..n as u32).collect();
            // Stable: ties keep item order.
            order.sort_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
            self.sorted = Some((col, order));
        }
        self.sorted.as_ref().map(|(_, o)| o.as_slice())
    }

    /// Goes on with a long list's sort for about `budget`; once made, the view shows it,
    /// the selection on the record it was on.
    pub fn resume_sort(&mut self, budget: std::time::Duration) {
        let Some(run) = &mut self.sorting else {
            return;
        };
        if !run.advance(&self.items, budget) {
            return;
        }
        let Some(run) = self.sorting.take() else {
            return;
        };
        let keep = self.selected_item().map(|r| r.key().into_owned());
        self.sorted = Some((run.col, run.order));
        self.build_view();
        if let Some(id) = keep
            && let Some(pos) = self.view.iter().position(|&i| self.items[i].key() == id)
        {
            self.selected = pos;
        }
        self.clamp();
    }

    /// Recomputes the shown rows from filter and sort.
    pub fn refresh_view(&mut self) {
        self.refresh_view_within(None);
    }

    /// Recomputes the shown rows, matching the filter for at most about `budget` (at least a
    /// slice of rows): past it the rows found so far are shown and `resume_filter` goes on.
    pub fn refresh_view_within(&mut self, budget: Option<std::time::Duration>) {
        self.prepare_filter();
        self.advance_filter(budget);
        self.build_view();
    }

    /// Goes on with a filter that did not fit in its budget; the view shows what is found,
    /// the selection staying on its record (rows found later may rank above it).
    pub fn resume_filter(&mut self, budget: std::time::Duration) {
        if self.run.is_none() {
            // The filter is whole: a sort under way goes on.
            return self.resume_sort(budget);
        }
        if self.run.is_some() {
            let keep = self.selected_item().map(|r| r.key().into_owned());
            self.advance_filter(Some(budget));
            self.build_view();
            if let Some(id) = keep
                && self.selected > 0
                && let Some(pos) = self.view.iter().position(|&i| self.items[i].key() == id)
            {
                self.selected = pos;
            }
        }
    }

    fn build_view(&mut self) {
        let n = self.items.len();
        // While a long list's sort is made, the rows show as they were (unsorted).
        let sort = self.sort.filter(|(col, _)| self.sort_order(*col).is_some());
        let mut keep: Option<Vec<bool>> = None;
        let mut view: Vec<usize> = match self.matches() {
            // Best matches first.
            Some(m) if sort.is_none() => best_first(m),
            Some(m) => {
                let mut k = vec![false; n];
                for &(i, _) in m {
                    k[i as usize] = true;
                }
                keep = Some(k);
                Vec::new()
            }
            None if sort.is_none() => (0..n).collect(),
            None => Vec::new(),
        };
        if let Some((_, desc)) = sort {
            let order = self.sorted.as_ref().map_or(&[][..], |(_, o)| o.as_slice());
            view = match &keep {
                Some(k) => order
                    .iter()
                    .filter(|&&i| k[i as usize])
                    .map(|&i| i as usize)
                    .collect(),
                None => order.iter().map(|&i| i as usize).collect(),
            };
            if desc {
                view.reverse();
            }
        }
        if let Some(keep) = &self.pinned {
            view.retain(|&i| keep.get(i).copied().unwrap_or(false));
        }
        self.view = view;
        self.clamp();
    }

    /// Character positions of the filter's match in each cell of a row (for highlighting).
    pub fn highlights(&self, row: usize) -> Vec<Vec<usize>> {
        let Some(&i) = self.view.get(row) else {
            return Vec::new();
        };
        if self.filter.trim().is_empty() {
            return vec![Vec::new(); T::columns().len()];
        }
        self.highlights_for(row, &self.items[i].cells())
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
        let mut idx = Vec::new();
        {
            // One pattern and matcher for every row drawn, not one a row.
            let mut hl = self.highlighter.lock().unwrap_or_else(|e| e.into_inner());
            if hl.as_ref().is_none_or(|(f, _, _)| *f != self.filter) {
                let pattern = parse_filter(&self.filter);
                *hl = Some((
                    self.filter.clone(),
                    pattern,
                    Box::new(Matcher::new(MatchConfig::DEFAULT)),
                ));
            }
            let Some((_, pattern, matcher)) = hl.as_mut() else {
                return out;
            };
            if pattern.indices(hay.slice(..), matcher, &mut idx).is_none() {
                return out;
            }
        }
        idx.sort_unstable();
        idx.dedup();
        // Map haystack char positions back onto cells (joined with one space).
        let mut start = 0usize;
        for (c, cell) in cells.iter().enumerate() {
            let len = cell.chars().count();
            out[c] = idx
                .iter()
                .map(|&p| p as usize)
                .filter(|&p| p >= start && p < start + len)
                .map(|p| p - start)
                .collect();
            start += len + 1;
        }
        out
    }

    pub fn clamp(&mut self) {
        if self.view.is_empty() {
            self.selected = 0;
            self.offset = 0;
        } else if self.selected >= self.view.len() {
            self.selected = self.view.len() - 1;
        }
        if self.offset > self.selected {
            self.offset = self.selected;
        }
    }

    /// Keeps the selection inside a viewport of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let h = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + h {
            self.offset = self.selected + 1 - h;
        }
        let max_offset = self.view.len().saturating_sub(h);
        self.offset = self.offset.min(max_offset);
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.view.is_empty() {
            return;
        }
        let last = self.view.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }

    pub fn first(&mut self) {
        self.selected = 0;
    }

    pub fn last(&mut self) {
        self.selected = self.view.len().saturating_sub(1);
    }

    /// Removes a record (after a delete) without reloading.
    pub fn remove(&mut self, id: &str) {
        self.marked.remove(id);
        if let Some(pos) = self.items.iter().position(|r| r.key() == id) {
            self.items.remove(pos);
            self.haystacks.remove(pos);
            self.count_odd();
            self.rows_changed();
            if let Some(p) = &mut self.paging {
                p.total = p.total.saturating_sub(1);
            }
            self.refresh_view();
        }
    }

    /// Inserts or replaces a record (after a save), selecting it.
    pub fn upsert(&mut self, rec: T) {
        let mut hay = String::new();
        haystack(&rec, &mut hay);
        let id = rec.key().into_owned();
        if let Some(m) = self.marked.get_mut(&id) {
            *m = rec.clone();
        }
        match self.items.iter().position(|r| r.key() == id) {
            Some(pos) => {
                self.items[pos] = rec;
                self.haystacks.set(pos, &hay);
            }
            None => {
                self.items.push(rec);
                self.haystacks.push(&hay);
                if let Some(p) = &mut self.paging {
                    p.total += 1;
                }
            }
        }
        self.count_odd();
        self.rows_changed();
        self.refresh_view();
        if let Some(pos) = self.view.iter().position(|&i| self.items[i].key() == id) {
            self.selected = pos;
        }
        // The saved row may sort above the rows in view: keep it visible.
        self.clamp();
    }

    /// Cycles the sort column: none → each column ascending → descending → none.
    pub fn cycle_sort(&mut self) {
        let n = T::columns().len();
        self.sort = match self.sort {
            None => Some((0, false)),
            Some((c, false)) => Some((c, true)),
            Some((c, true)) if c + 1 < n => Some((c + 1, false)),
            Some(_) => None,
        };
        self.refresh_view();
    }
}

/// From this many rows, a sort is made a slice at a time between keys (a million rows took
/// a third of a second at once); below, at once (4 ms at 32,768 rows).
pub const SORT_SLICED_FROM: usize = 32_768;

/// Rows sorted at once in a slice before their runs are merged.
const SORT_RUN: usize = 4_096;

/// A row's sort key for column `col`: a number where the column is numeric, then its
/// lowercase text.
fn sort_key<T: Record>(items: &[T], col: usize, i: usize) -> (i64, String) {
    let numeric = T::columns().get(col).is_some_and(|c| c.numeric);
    let cell = items[i].cell(col);
    let n = if numeric {
        cell.parse::<f64>().ok()
    } else {
        None
    };
    (
        n.map(|f| (f * 1000.0) as i64).unwrap_or(i64::MIN),
        cell.to_lowercase(),
    )
}

/// A sort made a slice at a time: the keys, then runs of `SORT_RUN` rows sorted, then the
/// runs merged two by two (stable: ties keep item order), each step resumable anywhere.
#[derive(Debug)]
struct SortRun {
    col: usize,
    keys: Vec<(i64, String)>,
    order: Vec<u32>,
    tmp: Vec<u32>,
    /// Runs of this width are sorted; `0` while keys and runs are made.
    width: usize,
    /// Where the step under way is: the next key, the next run, or the merge's pair start
    /// and its three cursors (left, right, out).
    at: usize,
    merge: Option<(usize, usize, usize)>,
    n: usize,
}

impl SortRun {
    /// Nothing allocated yet: the key that asks it returns at once.
    fn new(col: usize, n: usize) -> SortRun {
        SortRun {
            col,
            keys: Vec::new(),
            order: Vec::new(),
            tmp: Vec::new(),
            width: 0,
            at: 0,
            merge: None,
            n,
        }
    }

    fn percent(&self) -> u8 {
        // Keys are about half the work, the merges the rest.
        let n = self.n.max(1) as f64;
        let done = if self.keys.len() < self.n {
            self.keys.len() as f64 / n * 50.0
        } else if self.width == 0 {
            50.0 + self.at as f64 / n * 10.0
        } else {
            let passes = (n / SORT_RUN as f64).log2().ceil().max(1.0);
            let pass = (self.width as f64 / SORT_RUN as f64).log2();
            60.0 + (pass + self.at as f64 / n) / passes * 40.0
        };
        done.min(99.0) as u8
    }

    /// Goes on for about `budget`; `true` once the order is made.
    fn advance<T: Record>(&mut self, items: &[T], budget: std::time::Duration) -> bool {
        let until = std::time::Instant::now() + budget;
        let n = self.n;
        if items.len() != n {
            // The rows changed under it (they clear the run): nothing to make.
            self.order = (0..items.len() as u32).collect();
            return true;
        }
        if self.keys.capacity() < n {
            self.keys.reserve_exact(n);
        }
        while self.keys.len() < n {
            let end = (self.keys.len() + 2_048).min(n);
            for i in self.keys.len()..end {
                self.keys.push(sort_key(items, self.col, i));
            }
            if std::time::Instant::now() >= until {
                return false;
            }
        }
        if self.order.len() < n {
            self.order = (0..n as u32).collect();
            self.tmp = vec![0; n];
        }
        let keys = &self.keys;
        let by_key = |a: &u32, b: &u32| keys[*a as usize].cmp(&keys[*b as usize]);
        if self.width == 0 {
            while self.at < n {
                let end = (self.at + SORT_RUN).min(n);
                self.order[self.at..end].sort_by(by_key);
                self.at = end;
                if std::time::Instant::now() >= until {
                    return false;
                }
            }
            self.width = SORT_RUN;
            self.at = 0;
        }
        while self.width < n {
            // One pass: every pair of runs of `width` merged into `tmp`.
            while self.at < n {
                let (lo, w) = (self.at, self.width);
                let mid = (lo + w).min(n);
                let hi = (lo + 2 * w).min(n);
                let (mut i, mut j, mut k) = self.merge.unwrap_or((lo, mid, lo));
                let mut steps = 0;
                while k < hi {
                    let left =
                        i < mid && (j >= hi || by_key(&self.order[i], &self.order[j]).is_le());
                    if left {
                        self.tmp[k] = self.order[i];
                        i += 1;
                    } else {
                        self.tmp[k] = self.order[j];
                        j += 1;
                    }
                    k += 1;
                    steps += 1;
                    if steps % 4_096 == 0 && std::time::Instant::now() >= until {
                        self.merge = Some((i, j, k));
                        return false;
                    }
                }
                self.merge = None;
                self.at = hi;
            }
            std::mem::swap(&mut self.order, &mut self.tmp);
            self.width *= 2;
            self.at = 0;
            if std::time::Instant::now() >= until {
                return self.width >= n;
            }
        }
        true
    }
}

mod filter;
#[cfg(test)]
mod tests;
