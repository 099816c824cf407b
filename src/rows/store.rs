//! How a list holds its rows: most kinds as records (`Vec<T>`); equipements packed
//! (`rows::dense`), as a console may hold a million of them.

use std::borrow::Cow;

use super::Record;

/// A list's rows, by index. Rows held as records are lent; packed ones are built when asked
/// for, so screens ask for the rows they show, and whole-list passes (keys, cells) go
/// through the cheaper questions below.
pub trait Rows<T: Record>: Default + Clone + Send + Sync + 'static {
    fn from_vec(rows: Vec<T>) -> Self;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Row `i`, lent or built.
    fn row(&self, i: usize) -> Option<Cow<'_, T>>;
    /// Row `i`'s key (`Record::key`).
    fn row_key(&self, i: usize) -> Option<Cow<'_, str>>;
    /// Row `i`'s cell in column `col` (`Record::cell`).
    fn cell(&self, i: usize, col: usize) -> String {
        self.row(i).map(|r| r.cell(col)).unwrap_or_default()
    }
    /// Row `i`'s cells (`Record::cells`).
    fn cells(&self, i: usize) -> Vec<String> {
        self.row(i).map(|r| r.cells()).unwrap_or_default()
    }
    /// Whether row `i` is marked odd (`Marked::problem`).
    fn odd(&self, i: usize) -> bool;
    /// Whether row `i` may hold what the console learnt itself (`Record::keep_local`).
    fn local(&self, i: usize) -> bool {
        T::LOCAL && i < self.len()
    }
    /// Where the row keyed `key` is.
    fn position_of(&self, key: &str) -> Option<usize> {
        (0..self.len()).find(|&i| self.row_key(i).is_some_and(|k| k == key))
    }
    fn replace(&mut self, i: usize, row: T);
    fn push_row(&mut self, row: T);
    fn remove_row(&mut self, i: usize);
    fn truncate_rows(&mut self, len: usize);
    /// `other`'s rows added after these, in order.
    fn append(&mut self, other: Self);
    /// Room for `rows` rows like `sample`'s (at most what `rows::room_for` allows).
    fn reserve_like(&mut self, sample: &Self, rows: usize);
    /// Every row, lent or built, in order.
    fn records(&self) -> impl Iterator<Item = Cow<'_, T>> + '_ {
        (0..self.len()).filter_map(|i| self.row(i))
    }
}

impl<T: Record> Rows<T> for Vec<T> {
    fn from_vec(rows: Vec<T>) -> Self {
        rows
    }
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn row(&self, i: usize) -> Option<Cow<'_, T>> {
        <[T]>::get(self, i).map(Cow::Borrowed)
    }
    fn row_key(&self, i: usize) -> Option<Cow<'_, str>> {
        <[T]>::get(self, i).map(Record::key)
    }
    fn odd(&self, i: usize) -> bool {
        <[T]>::get(self, i).is_some_and(|r| r.problem().is_some())
    }
    fn replace(&mut self, i: usize, row: T) {
        if let Some(slot) = <[T]>::get_mut(self, i) {
            *slot = row;
        }
    }
    fn push_row(&mut self, row: T) {
        Vec::push(self, row);
    }
    fn remove_row(&mut self, i: usize) {
        if i < <[T]>::len(self) {
            Vec::remove(self, i);
        }
    }
    fn truncate_rows(&mut self, len: usize) {
        Vec::truncate(self, len);
    }
    fn append(&mut self, mut other: Self) {
        Vec::append(self, &mut other);
    }
    fn reserve_like(&mut self, sample: &Self, rows: usize) {
        let n = <[T]>::len(sample);
        super::room_for(self, n, n, rows);
    }
}
