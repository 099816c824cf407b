//! A list screen's state: loaded rows, filter, sort, selection and server paging. Filtering
//! and sorting work on index vectors; rows are never copied.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config as MatchConfig, Matcher, Utf32Str};

use std::borrow::Cow;

use crate::api::maarch::MaarchUser;
use crate::api::model::{Equipement, Role, SiteSummary, User};
use crate::api::ocean::Individu;

/// A column of a list screen.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    /// Minimum width; the last growing column takes the rest.
    pub width: u16,
    pub numeric: bool,
    /// Takes a share of the spare width.
    pub grow: bool,
}

const fn col(title: &'static str, width: u16) -> Column {
    Column {
        title,
        width,
        numeric: false,
        grow: false,
    }
}

const fn wide(title: &'static str, width: u16) -> Column {
    Column {
        title,
        width,
        numeric: false,
        grow: true,
    }
}

const fn num(title: &'static str, width: u16) -> Column {
    Column {
        title,
        width,
        numeric: true,
        grow: false,
    }
}

/// What a list screen needs of a record.
pub trait Record: Clone + Send + 'static {
    const COLUMNS: &'static [Column];
    fn cells(&self) -> Vec<String>;
    /// The record's identity (for upserts and keeping the selection).
    fn key(&self) -> Cow<'_, str>;
    /// How the record is named in a confirmation ("site LOUM").
    fn label(&self) -> String;
}

fn coord(v: Option<f64>) -> String {
    v.map(|f| format!("{f:.4}")).unwrap_or_default()
}

impl Record for SiteSummary {
    const COLUMNS: &'static [Column] = &[
        wide("Name", 16),
        wide("Client", 18),
        col("Latitude", 9),
        col("Longitude", 10),
        num("Equip.", 6),
        col("Created", 16),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.client
                .as_ref()
                .map(|c| c.nom.clone())
                .unwrap_or_default(),
            coord(self.latitude),
            coord(self.longitude),
            self.equipement_count.to_string(),
            self.timestamp
                .as_ref()
                .map(|t| t.short())
                .unwrap_or_default(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.site_id)
    }
    fn label(&self) -> String {
        format!("site {}", self.name)
    }
}

impl Record for Equipement {
    const COLUMNS: &'static [Column] = &[
        col("IP", 15),
        num("Port", 5),
        col("Brand", 10),
        wide("Model", 16),
        wide("Site", 12),
        wide("Sources", 20),
        col("Created", 16),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.ip.clone(),
            self.port.map(|p| p.to_string()).unwrap_or_default(),
            self.marque.clone(),
            self.modele.clone(),
            self.client_site
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            self.sources.joined(),
            self.timestamp
                .as_ref()
                .map(|t| t.short())
                .unwrap_or_default(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.equipement_id)
    }
    fn label(&self) -> String {
        match self.port {
            Some(p) => format!(
                "equipement {}:{} ({} {})",
                self.ip, p, self.marque, self.modele
            ),
            None => format!("equipement {}", self.ip),
        }
    }
}

impl Record for User {
    const COLUMNS: &'static [Column] = &[
        num("Matricule", 9),
        wide("Name", 20),
        wide("Email", 24),
        col("Role", 12),
        col("Status", 11),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.matricule.map(|m| m.to_string()).unwrap_or_default(),
            self.nom.clone(),
            self.email.clone(),
            self.role_name.clone(),
            self.status.clone(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.user_id)
    }
    fn label(&self) -> String {
        format!("user {} ({})", self.nom, self.email)
    }
}

impl Record for Role {
    const COLUMNS: &'static [Column] = &[
        col("Name", 14),
        wide("Description", 30),
        num("Permissions", 11),
        col("Created", 16),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.description.clone(),
            self.permissions.len().to_string(),
            self.timestamp
                .as_ref()
                .map(|t| t.short())
                .unwrap_or_default(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.role_id)
    }
    fn label(&self) -> String {
        format!("role {}", self.name)
    }
}

impl Record for Individu {
    const COLUMNS: &'static [Column] = &[
        num("Id", 5),
        wide("Last name", 14),
        wide("First name", 12),
        col("Matricule", 10),
        col("Mobile", 17),
        wide("Entity", 16),
        col("Login", 12),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id().map(|i| i.to_string()).unwrap_or_default(),
            self.nom(),
            self.prenom(),
            self.matricule(),
            self.text("individu.gsm"),
            self.entite_nom(),
            self.login(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Owned(self.id().map(|i| i.to_string()).unwrap_or_default())
    }
    fn label(&self) -> String {
        format!("individu {} {}", self.prenom(), self.nom())
    }
}

impl Record for MaarchUser {
    const COLUMNS: &'static [Column] = &[
        num("Id", 5),
        col("Login", 14),
        wide("First name", 14),
        wide("Last name", 14),
        wide("Email", 22),
        col("Status", 9),
        col("Mode", 14),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.user_id.clone(),
            self.firstname.clone(),
            self.lastname.clone(),
            self.mail.clone().unwrap_or_default(),
            self.status_label().to_string(),
            self.mode.clone(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Owned(self.id.to_string())
    }
    fn label(&self) -> String {
        format!(
            "Maarch user {} ({} {})",
            self.user_id, self.firstname, self.lastname
        )
    }
}

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
    /// Lower-cased searchable text of each item, built once per load.
    haystacks: Vec<String>,
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
}

impl<T: Record> Default for ListView<T> {
    fn default() -> Self {
        ListView {
            items: Vec::new(),
            haystacks: Vec::new(),
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
        }
    }
}

impl<T: Record> ListView<T> {
    /// Replaces the rows, keeping the selection on the same record when it is still there.
    pub fn set_items(&mut self, items: Vec<T>) {
        let keep = self.selected_item().map(|r| r.key().into_owned());
        self.haystacks = items.iter().map(|r| r.cells().join(" ")).collect();
        self.items = items;
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

    /// Recomputes the shown rows from filter and sort.
    pub fn refresh_view(&mut self) {
        let mut view: Vec<(usize, u32)> = if self.filter.trim().is_empty() {
            (0..self.items.len()).map(|i| (i, 0)).collect()
        } else {
            let pattern = Pattern::parse(&self.filter, CaseMatching::Ignore, Normalization::Smart);
            let mut matcher = Matcher::new(MatchConfig::DEFAULT);
            let mut buf = Vec::new();
            self.haystacks
                .iter()
                .enumerate()
                .filter_map(|(i, h)| {
                    pattern
                        .score(Utf32Str::new(h, &mut buf), &mut matcher)
                        .map(|s| (i, s))
                })
                .collect()
        };
        match self.sort {
            Some((col, desc)) => {
                let numeric = T::COLUMNS.get(col).is_some_and(|c| c.numeric);
                view.sort_by_cached_key(|(i, _)| {
                    let cell = self.items[*i]
                        .cells()
                        .into_iter()
                        .nth(col)
                        .unwrap_or_default();
                    let n = if numeric {
                        cell.parse::<f64>().ok()
                    } else {
                        None
                    };
                    (
                        n.map(|f| (f * 1000.0) as i64).unwrap_or(i64::MIN),
                        cell.to_lowercase(),
                    )
                });
                if desc {
                    view.reverse();
                }
            }
            None if !self.filter.trim().is_empty() => {
                // Best matches first; stable, so equal scores keep server order.
                view.sort_by_key(|v| std::cmp::Reverse(v.1));
            }
            None => {}
        }
        self.view = view.into_iter().map(|(i, _)| i).collect();
        self.clamp();
    }

    /// Character positions of the filter's match in each cell of a row (for highlighting).
    pub fn highlights(&self, row: usize) -> Vec<Vec<usize>> {
        let Some(&i) = self.view.get(row) else {
            return Vec::new();
        };
        let cells = self.items[i].cells();
        let mut out = vec![Vec::new(); cells.len()];
        if self.filter.trim().is_empty() {
            return out;
        }
        let pattern = Pattern::parse(&self.filter, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = Matcher::new(MatchConfig::DEFAULT);
        let mut buf = Vec::new();
        let mut idx = Vec::new();
        let hay = &self.haystacks[i];
        if pattern
            .indices(Utf32Str::new(hay, &mut buf), &mut matcher, &mut idx)
            .is_none()
        {
            return out;
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
        if let Some(pos) = self.items.iter().position(|r| r.key() == id) {
            self.items.remove(pos);
            self.haystacks.remove(pos);
            if let Some(p) = &mut self.paging {
                p.total = p.total.saturating_sub(1);
            }
            self.refresh_view();
        }
    }

    /// Inserts or replaces a record (after a save), selecting it.
    pub fn upsert(&mut self, rec: T) {
        let hay = rec.cells().join(" ");
        let id = rec.key().into_owned();
        match self.items.iter().position(|r| r.key() == id) {
            Some(pos) => {
                self.items[pos] = rec;
                self.haystacks[pos] = hay;
            }
            None => {
                self.items.push(rec);
                self.haystacks.push(hay);
                if let Some(p) = &mut self.paging {
                    p.total += 1;
                }
            }
        }
        self.refresh_view();
        if let Some(pos) = self.view.iter().position(|&i| self.items[i].key() == id) {
            self.selected = pos;
        }
    }

    /// Cycles the sort column: none → each column ascending → descending → none.
    pub fn cycle_sort(&mut self) {
        let n = T::COLUMNS.len();
        self.sort = match self.sort {
            None => Some((0, false)),
            Some((c, false)) => Some((c, true)),
            Some((c, true)) if c + 1 < n => Some((c + 1, false)),
            Some(_) => None,
        };
        self.refresh_view();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(ip: &str, marque: &str) -> Equipement {
        Equipement {
            equipement_id: ip.into(),
            ip: ip.into(),
            marque: marque.into(),
            port: Some(80),
            ..Default::default()
        }
    }

    #[test]
    fn filter_sort_select_and_highlight() {
        let mut l = ListView::<Equipement>::default();
        l.set_items(vec![
            eq("10.2.0.17", "Axis"),
            eq("10.1.0.1", "Hikvision"),
            eq("1.1.1.1", "mmmm"),
        ]);
        l.selected = 2;
        l.filter = "hik".into();
        l.refresh_view();
        assert_eq!(l.len(), 1);
        assert_eq!(l.selected, 0, "selection stays inside the list");
        assert_eq!(l.selected_item().unwrap().ip, "10.1.0.1");
        let h = l.highlights(0);
        assert_eq!(h[2], vec![0, 1, 2]);
        l.filter.clear();
        l.refresh_view();
        l.cycle_sort();
        let ips: Vec<&str> = l.view.iter().map(|&i| l.items[i].ip.as_str()).collect();
        assert_eq!(ips, ["1.1.1.1", "10.1.0.1", "10.2.0.17"]);
        l.remove("10.1.0.1");
        assert_eq!(l.len(), 2);
        l.last();
        l.scroll_into_view(1);
        assert_eq!(l.offset, 1);
    }
}
