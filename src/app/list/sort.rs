//! Sorting a list: at once below `SORT_SLICED_FROM` rows, else a slice at a time between
//! keys (runs sorted, then merged), so no key waits on a million rows.

use crate::rows::Record;
use crate::rows::Rows;

use super::ListView;

impl<T: Record> ListView<T> {
    /// Item indices in the order of sort column `col` (ascending; ties in item order); `None`
    /// while a long list's sort is being made (between keys, `resume_sort`).
    pub(super) fn sort_order(&mut self, col: usize) -> Option<&[u32]> {
        if self.sorted.as_ref().is_none_or(|(c, _)| *c != col) {
            let n = self.items.len();
            if n >= SORT_SLICED_FROM {
                // Made a slice at a time: no key waits for a million rows to sort.
                if self.sorting.as_ref().is_none_or(|r| r.col != col) {
                    self.sorting = Some(SortRun::new(col, n));
                }
                return None;
            }
            let keys: Vec<(i64, String)> =
                (0..n).map(|i| sort_key::<T>(&self.items, col, i)).collect();
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
        if !run.advance::<T>(&self.items, budget) {
            return;
        }
        let Some(run) = self.sorting.take() else {
            return;
        };
        let keep = self.selected_item().map(|r| r.key().into_owned());
        self.sorted = Some((run.col, run.order));
        self.build_view();
        if let Some(id) = keep {
            self.select_key(&id);
        }
        self.clamp();
    }
}

/// From this many rows, a sort is made a slice at a time between keys (a million rows took
/// a third of a second at once); below, at once (4 ms at 32,768 rows).
pub const SORT_SLICED_FROM: usize = 32_768;

/// Rows sorted at once in a slice before their runs are merged.
const SORT_RUN: usize = 4_096;

/// A row's sort key for column `col`: a number where the column is numeric, then its
/// lowercase text.
pub(super) fn sort_key<T: Record>(items: &T::Rows, col: usize, i: usize) -> (i64, String) {
    let numeric = T::columns().get(col).is_some_and(|c| c.numeric);
    let cell = items.cell(i, col);
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
pub(super) struct SortRun {
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
    pub(super) fn new(col: usize, n: usize) -> SortRun {
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

    pub(super) fn percent(&self) -> u8 {
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
    pub(super) fn advance<T: Record>(
        &mut self,
        items: &T::Rows,
        budget: std::time::Duration,
    ) -> bool {
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
                self.keys.push(sort_key::<T>(items, self.col, i));
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
