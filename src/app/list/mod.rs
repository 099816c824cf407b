//! A list screen's state: loaded rows, filter, sort, selection and server paging. Filtering
//! and sorting work on index vectors; rows are never copied.

pub use crate::rows::{Column, Prepared, Record, Rows, columns_of_kind, fold};
use crate::rows::{Haystacks, haystack};
use filter::*;
use std::borrow::Cow;

/// A list's rows by key: where each is.
pub type ByKey<'a> = std::collections::HashMap<Cow<'a, str>, usize>;

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
    pub items: T::Rows,
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
    /// When the list was last set from a server's answer.
    pub read_at: Option<std::time::Instant>,
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
    highlighter: std::sync::Mutex<Option<(String, filter::Query)>>,
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
    /// What changed from `before` (the rows as shown, by key) to `new`.
    pub fn between<T: Record>(old: &T::Rows, before: &ByKey<'_>, new: &T::Rows) -> Option<Flash> {
        let mut changed = std::collections::HashMap::new();
        let mut fresh = std::collections::HashSet::new();
        for j in 0..new.len() {
            let key = new.row_key(j).unwrap_or_default();
            match before.get(&key) {
                Some(&o) => {
                    let (a, b) = (old.cells(o), new.cells(j));
                    let cols: Vec<usize> = (0..b.len()).filter(|&i| a.get(i) != b.get(i)).collect();
                    if !cols.is_empty() {
                        changed.insert(key.into_owned(), cols);
                    }
                }
                None => {
                    fresh.insert(key.into_owned());
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
            items: T::Rows::default(),
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
            read_at: None,
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
        let Some(r) = self.selected_record() else {
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
            .filter_map(|&i| self.items.row(i))
            .map(|r| (r.key().into_owned(), r.into_owned()))
            .collect();
        self.marked.extend(rows);
    }

    pub fn is_marked(&self, item: &T) -> bool {
        self.is_marked_key(&item.key())
    }

    pub fn is_marked_key(&self, key: &str) -> bool {
        !self.marked.is_empty() && self.marked.contains_key(key)
    }

    /// The marked rows, in the list's order where loaded (the others after, by key).
    pub fn marked_rows(&self) -> Vec<T> {
        let mut out: Vec<T> = if self.marked.is_empty() {
            Vec::new()
        } else {
            (0..self.items.len())
                .filter(|&i| {
                    let key = self.items.row_key(i).unwrap_or_default();
                    self.marked.contains_key(key.as_ref())
                })
                .filter_map(|i| self.items.row(i).map(Cow::into_owned))
                .collect()
        };
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
        let items = std::mem::take(&mut self.items);
        let mut all: Vec<T> = items.records().take(offset).map(Cow::into_owned).collect();
        all.extend(rows);
        self.set_items(all);
        self.loading = true;
        self.provisional = true;
    }

    /// Replaces the rows, keeping the selection on the same record when it is still there.
    pub fn set_items(&mut self, items: Vec<T>) {
        self.set_prepared(Prepared::new(items));
    }

    /// `set_items` with the searchable text already built.
    pub fn set_prepared(&mut self, prepared: Prepared<T>) {
        let Prepared {
            mut items,
            haystacks,
        } = prepared;
        self.provisional = false;
        let keep = self.selected_item().map(|r| r.key().into_owned());
        if self.watched && self.loaded_once {
            let before: ByKey<'_> = (0..self.items.len())
                .filter_map(|i| Some((self.items.row_key(i)?, i)))
                .collect();
            // A watched list read again keeps what the console learnt (a probe's Reach):
            // the watch probes again and says what changed.
            if T::LOCAL {
                for j in 0..items.len() {
                    let Some(&o) = items.row_key(j).and_then(|k| before.get(k.as_ref())) else {
                        continue;
                    };
                    // Asked first: a packed row is built only when it holds something local.
                    let old = self.items.local(o).then(|| self.items.row(o)).flatten();
                    if let (Some(old), Some(r)) = (old, items.row(j)) {
                        let mut r = r.into_owned();
                        r.keep_local(&old);
                        items.replace(j, r);
                    }
                }
            }
            if let Some(f) = Flash::between::<T>(&self.items, &before, &items) {
                self.flash = Some(f);
            }
        }
        self.haystacks = haystacks;
        self.items = items;
        // Marked rows follow what the server sends now.
        if !self.marked.is_empty() {
            for i in 0..self.items.len() {
                let key = self.items.row_key(i).unwrap_or_default();
                if let Some(m) = self.marked.get_mut(key.as_ref())
                    && let Some(r) = self.items.row(i)
                {
                    *m = r.into_owned();
                }
            }
        }
        self.count_odd();
        self.rows_changed();
        self.loaded_once = true;
        self.read_at = Some(std::time::Instant::now());
        self.loading = false;
        self.refresh_view();
        if let Some(id) = keep {
            self.select_key(&id);
        }
        self.clamp();
    }

    /// Selects the row keyed `id` where the view shows it.
    pub(super) fn select_key(&mut self, id: &str) {
        if let Some(pos) = self
            .view
            .iter()
            .position(|&i| self.items.row_key(i).is_some_and(|k| k == id))
        {
            self.selected = pos;
        }
    }

    fn count_odd(&mut self) {
        self.odd = (0..self.items.len()).filter(|&i| self.items.odd(i)).count();
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
        let cols = T::columns();
        match &self.layout {
            Some(l) if !l.is_empty() => l.iter().copied().filter(|&i| i < cols.len()).collect(),
            // A hidden column shows once asked for (`C`, or what fills it).
            _ => (0..cols.len()).filter(|&i| !cols[i].hidden).collect(),
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
            (0..self.items.len())
                .map(|i| self.items.cell(i, *col) == *value)
                .collect()
        });
    }

    /// Each value of column `col` over the view (filter and pin applied) with its count,
    /// most frequent first (then by value).
    pub fn frequencies(&self, col: usize) -> Vec<(String, usize)> {
        let mut counts: std::collections::HashMap<String, usize> = Default::default();
        for &i in &self.view {
            let cell = self.items.cell(i, col);
            *counts.entry(cell).or_default() += 1;
        }
        let mut v: Vec<(String, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    pub fn selected_item(&self) -> Option<Cow<'_, T>> {
        self.view
            .get(self.selected)
            .and_then(|&i| self.items.row(i))
    }

    /// The selected row, owned.
    pub fn selected_record(&self) -> Option<T> {
        self.selected_item().map(Cow::into_owned)
    }

    pub fn len(&self) -> usize {
        self.view.len()
    }

    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
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
            {
                self.select_key(&id);
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
        if let Some(pos) = self.items.position_of(id) {
            self.items.remove_row(pos);
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
        match self.items.position_of(&id) {
            Some(pos) => {
                self.items.replace(pos, rec);
                self.haystacks.set(pos, &hay);
            }
            None => {
                self.items.push_row(rec);
                self.haystacks.push(&hay);
                if let Some(p) = &mut self.paging {
                    p.total += 1;
                }
            }
        }
        self.count_odd();
        self.rows_changed();
        self.refresh_view();
        self.select_key(&id);
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

mod filter;
mod filtering;
mod sort;
pub use filter::{EXACT, Query};
pub use sort::SORT_SLICED_FROM;
use sort::SortRun;
#[cfg(test)]
mod filter_tests;
#[cfg(test)]
mod tests;
