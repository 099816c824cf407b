//! The list screens (one tab each): loading, paging, moving, filtering, sorting, the mouse.

use crate::app::keymap::Act;
use crate::app::kinds::columns_of;

use crate::api::ApiError;
use crate::app::App;
use crate::app::Click;
use crate::app::Effect;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::browse_keys::list_help_marks_and_commands;
use crate::app::browse_keys::list_help_moving_and_records;
use crate::app::hints::ENTER;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::Keys;
use crate::app::hints::TAB;
use crate::app::keymap::Scope;
use crate::app::kinds::ListKind;
use crate::app::kinds::Tab;
use crate::app::kinds::with_list;
use crate::app::list;
use crate::app::list::ListView;
use crate::app::screen::Browse;
use crate::app::screen::Failure;
use crate::app::screen::Screen;
use crate::i18n::tr;
use crate::i18n::trf;
use crate::protocol::Payload;
use crate::protocol::Service;
use crate::rows::Record;
use crossterm::event::KeyEvent;
use std::time::Duration;

/// Time a filter keystroke may spend matching before the view shows the rows found so far
/// (the rest is matched between keys, see `App::work`): a keystroke stays under 5 ms over
/// 100,000 rows (6 ms slices made the slowest one 7.7 ms; docs/performance.md).
pub const FILTER_SLICE: Duration = Duration::from_micros(3_500);

/// Navigation over any list, whatever its record type.
pub trait Nav {
    fn nav(&mut self, delta: isize, rows: usize);
    fn selected_index(&self) -> usize;
    fn offset(&self) -> usize;
    /// Selects a row of the view (clicks).
    fn select(&mut self, i: usize, rows: usize);
    fn filtering(&self) -> bool;
    fn set_filtering(&mut self, on: bool);
    fn filter_text(&self) -> String;
    fn set_filter(&mut self, f: String);
    fn sort_next(&mut self);
    /// A filter is still being matched (long lists, see `FILTER_SLICE`).
    fn filter_pending(&self) -> bool;
    fn toggle_mark(&mut self);
    fn mark_view(&mut self);
    fn marks(&self) -> usize;
    fn clear_marks(&mut self);
    fn resume_filter(&mut self, budget: Duration);
}

impl<T: Record> Nav for ListView<T> {
    fn selected_index(&self) -> usize {
        self.selected
    }
    fn offset(&self) -> usize {
        self.offset
    }
    fn select(&mut self, i: usize, rows: usize) {
        if i < self.view.len() {
            self.selected = i;
            self.scroll_into_view(rows);
        }
    }
    fn nav(&mut self, delta: isize, rows: usize) {
        match delta {
            isize::MIN => self.first(),
            isize::MAX => self.last(),
            d => self.move_by(d),
        }
        self.scroll_into_view(rows);
    }
    fn filtering(&self) -> bool {
        self.filtering
    }
    fn set_filtering(&mut self, on: bool) {
        self.filtering = on;
    }
    fn filter_text(&self) -> String {
        self.filter.clone()
    }
    /// A filter typed selects its best match (the first row shown); a filter cleared keeps
    /// the selected record selected: `d`, `e`, Space and bulk actions act on what is seen.
    fn set_filter(&mut self, f: String) {
        let cleared = f.trim().is_empty();
        let keep = cleared
            .then(|| self.selected_item().map(|r| r.key().into_owned()))
            .flatten();
        let changed = f != self.filter;
        self.filter = f;
        self.refresh_view_within(Some(FILTER_SLICE));
        if let Some(id) = keep {
            self.select_key(&id);
        } else if changed {
            self.selected = 0;
            self.offset = 0;
        }
        self.clamp();
    }
    fn sort_next(&mut self) {
        self.cycle_sort();
    }
    fn filter_pending(&self) -> bool {
        ListView::filter_pending(self)
    }
    fn resume_filter(&mut self, budget: Duration) {
        ListView::resume_filter(self, budget);
    }
    fn toggle_mark(&mut self) {
        ListView::toggle_mark(self)
    }
    fn mark_view(&mut self) {
        ListView::mark_view(self)
    }
    fn marks(&self) -> usize {
        self.marked.len()
    }
    fn clear_marks(&mut self) {
        self.marked.clear()
    }
}

/// A count a server announced, as shown and paged here: never cut to its low 32 bits.
pub(super) fn clamp_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `1987` → `1,987` (French: `1 987`).
pub fn group(n: u64) -> String {
    let sep = match crate::i18n::lang() {
        crate::i18n::Lang::Fr => ' ',
        _ => ',',
    };
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// "1 item", "2,001 items".
pub fn items(n: u64) -> String {
    if n == 1 {
        trf("{} item", &[&group(n)])
    } else {
        trf("{} items", &[&group(n)])
    }
}

impl App {
    // ---- events from the worker -------------------------------------------------------------

    pub(super) fn switch_tab(&mut self, t: Tab) {
        self.tab = t;
        // A Maarch edit being read no longer opens once the user went elsewhere.
        self.waiting.maarch_edit = None;
        let kind = ListKind::of(t, self.lists.users_dir);
        let loaded = with_list!(self, kind, |l| l.loaded_once || l.pending.is_some());
        if !loaded {
            self.load_tab(t);
        }
    }

    /// Shows the Users tab on a directory (core or Maarch).
    pub fn switch_users_dir(&mut self, dir: Service) {
        self.lists.users_dir = dir;
        self.switch_tab(Tab::Users);
    }

    pub(super) fn list_mut(&mut self) -> &mut dyn Nav {
        with_list!(self, self.list_kind(), |mut l| l as &mut dyn Nav)
    }

    /// `*`: every row of the view; on equipements every page is loaded first.
    pub(super) fn mark_all(&mut self) {
        if self.list_kind() == ListKind::Equipements && !self.lists.equipements.complete {
            self.lists.when_loaded.mark_all = true;
            self.load_all();
            return;
        }
        self.list_mut().mark_view();
        let n = self.list_mut().marks();
        self.status.notice = Some(trf("{} marked", &[&n]));
    }

    pub(super) fn page(&mut self, dir: i32) {
        let rows = self.viewport_rows as isize;
        if self.tab == Tab::Equipements
            && !self.lists.equipements.complete
            && let Some(p) = self.lists.equipements.paging
        {
            let target =
                (p.page as i64 + i64::from(dir)).clamp(1, i64::from(p.pages.max(1))) as u32;
            if target != p.page {
                self.load_equipements_page(target);
            }
            return;
        }
        let vr = self.viewport_rows;
        self.list_mut().nav(rows * dir as isize, vr);
    }

    pub(super) fn refresh(&mut self) {
        if self.tab == Tab::Equipements {
            self.forget_prefetched();
        }
        self.load_tab(self.tab);
        if self.tab != Tab::Sites {
            // Sites feed the pickers and counts.
            self.load_tab(Tab::Sites);
        }
    }

    pub(super) fn column_count(&self) -> usize {
        with_list!(self, self.list_kind(), |l| l.shown_columns().len())
    }

    /// The column (an index into the kind's columns) of the selected cell, as shown.
    pub(super) fn real_col(&self) -> usize {
        with_list!(self, self.list_kind(), |l| {
            let shown = l.shown_columns();
            shown
                .get(self.lists.col.min(shown.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0)
        })
    }

    /// The cells of the selected row and the column titles of the current list.
    pub(super) fn selected_cells(&self) -> Option<(Vec<String>, &'static [list::Column])> {
        with_list!(self, self.list_kind(), |l| l
            .selected_item()
            .map(|r| (r.cells(), columns_of(l))))
    }

    /// The first row shown of the current list.
    pub fn list_offset(&self) -> usize {
        with_list!(self, self.list_kind(), |l| l.offset)
    }

    pub fn set_mouse(&mut self, on: bool) {
        self.prefs.mouse = on;
        self.effects.push(Effect::Mouse(on));
        self.status.notice = Some(
            tr(if on {
                "Mouse on: click tabs, rows and footer keys, wheel scrolls (m: off, Shift-drag selects text)"
            } else {
                "Mouse off: the terminal selects text again (m: on)"
            })
            .into(),
        );
    }

    /// The wheel: scrolls whatever is on top.
    pub fn on_scroll(&mut self, down: bool) {
        let step = if down { 3 } else { -3 };
        let rows = self.viewport_rows;
        match self.overlays.last_mut() {
            Some(Overlay::Raw(r)) => {
                let max = r.lines.len().saturating_sub(rows);
                r.scroll = (r.scroll as isize + step).clamp(0, max as isize) as usize;
            }
            Some(Overlay::Detail(d)) => d.equipements.nav(step, rows.saturating_sub(8).max(1)),
            None => self.list_mut().nav(step, rows),
            _ => {}
        }
    }

    /// A click, already placed on what was drawn there.
    pub fn on_click(&mut self, c: Click) {
        self.status.notice = None;
        match c {
            Click::Tab(t) if self.overlays.is_empty() => self.switch_tab(t),
            Click::Row(i) if self.overlays.is_empty() => {
                let rows = self.viewport_rows;
                let list = self.list_mut();
                // A second click on the selected row opens it.
                if list.selected_index() == i {
                    self.open_selected();
                } else {
                    list.select(i, rows);
                }
            }
            Click::Key(k) => self.on_key(k),
            _ => {}
        }
    }

    pub(super) fn lists(&self) -> [&dyn Nav; ListKind::ALL.len()] {
        ListKind::ALL.map(|k| with_list!(self, k, |l| l as &dyn Nav))
    }

    pub(super) fn open_selected(&mut self) {
        if let Some(t) = self.selected_target() {
            self.open_detail(t);
        }
    }
}

impl App {
    pub fn on_resize(&mut self, _w: u16, h: u16) {
        // Tabs, header, footer, status and borders take 6 rows.
        self.viewport_rows = usize::from(h.saturating_sub(6)).max(1);
        let rows = self.viewport_rows;
        for k in ListKind::ALL {
            with_list!(self, k, |mut l| l.nav(0, rows));
        }
    }

    pub fn tick(&mut self) {
        self.status.spinner = self.status.spinner.wrapping_add(1);
        if let Some(r) = &mut self.net.reconnect {
            r.ticks_left = r.ticks_left.saturating_sub(1);
            if r.ticks_left == 0 && !self.busy() {
                self.reconnect_now();
            }
        }
    }

    /// Work left for when no key or answer waits: a filter still being matched.
    pub fn has_pending_work(&self) -> bool {
        self.lists().iter().any(|l| l.filter_pending())
    }

    /// Does some of the pending work, for about `budget`; the view shows what is done.
    pub fn work(&mut self, budget: Duration) {
        for k in ListKind::ALL {
            let pending = with_list!(self, k, |mut l| {
                let pending = l.filter_pending();
                if pending {
                    l.resume_filter(budget);
                }
                pending
            });
            if pending {
                return;
            }
        }
    }

    /// Whether the runtime should call `tick` (a spinner turns or a reconnection waits).
    pub fn wants_tick(&self) -> bool {
        self.busy() || self.net.reconnect.is_some()
    }
}

impl Screen for Browse {
    fn on_key(app: &mut App, key: KeyEvent) {
        app.list_key(key)
    }

    fn on_answer(app: &mut App, id: u64, purpose: Purpose, p: Payload) -> bool {
        match (purpose, p) {
            (Purpose::List(kind), p) => {
                let landed = kind.land(app, id, p);
                if landed && kind == ListKind::Sites && !app.lists.sites.provisional {
                    app.status.sites_answered();
                }
                if landed && kind == ListKind::Roles {
                    app.roles_landed();
                }
                return landed;
            }
            (Purpose::Prefetch(n), Payload::EquipementsPage(p))
                if !app.lists.equipements.complete =>
            {
                app.lists.prefetched.insert(n, p);
                // Keep only pages near the current one.
                let cur = app.lists.equipements.paging.map(|p| p.page).unwrap_or(1);
                app.lists.prefetched.retain(|k, _| k.abs_diff(cur) <= 2);
            }
            (Purpose::LoadAll, Payload::AllEquipements(v))
                if app.lists.equipements.pending == Some(id) =>
            {
                app.all_loaded(id, crate::app::list::Prepared::new(v))
            }
            (Purpose::LoadAll, Payload::AllEquipementsPrepared(v))
                if app.lists.equipements.pending == Some(id) =>
            {
                app.all_loaded(id, *v)
            }
            (Purpose::ProbeList, Payload::Probed(targets, states)) => {
                return app.list_probed(id, &targets, &states);
            }
            // A load the list no longer waits for: its progress goes.
            (Purpose::LoadAll, _) => app.lists.load_progress = None,
            // A stale answer: the user already moved on.
            _ => return false,
        }
        true
    }

    fn on_failure(app: &mut App, f: &Failure) -> bool {
        let Failure { id, purpose, .. } = *f;
        match purpose {
            Purpose::List(kind) => {
                let refused = matches!(f.e, ApiError::Unauthorized(_) | ApiError::Forbidden(_));
                let waits = with_list!(app, kind, |mut l| {
                    let waits = l.pending == Some(id);
                    if waits {
                        l.pending = None;
                        l.loading = false;
                        // What was shown before the answer is not this user's to see now.
                        if l.provisional && refused {
                            l.set_items(Vec::new());
                            l.loaded_once = false;
                        }
                    }
                    waits
                });
                if !waits {
                    return false;
                }
                if kind == &ListKind::Sites {
                    app.status.sites_answered();
                }
            }
            Purpose::LoadAll => {
                app.lists.load_progress = None;
                if app.lists.equipements.pending == Some(id) {
                    app.lists.equipements.pending = None;
                    app.lists.equipements.loading = false;
                }
            }
            Purpose::Prefetch(_) => return false,
            _ => {}
        }
        true
    }

    fn footer(app: &App) -> Vec<Hint> {
        let k = Keys(&app.prefs.keymap);
        let l = |a| A(Scope::List, a);
        if !app.session.has(app.tab_service(app.tab)) {
            return vec![
                k.h(&[TAB], "other tab"),
                k.said(l(Act::Palette)),
                k.said(l(Act::Help)),
                k.said(l(Act::Quit)),
            ];
        }
        match app.tab {
            Tab::Individus => vec![
                k.h(&[ENTER], "open"),
                k.said(l(Act::Filter)),
                k.said(l(Act::New)),
                k.said(l(Act::Edit)),
                k.said(l(Act::Assign)),
                k.said(l(Act::Delete)),
                k.said(l(Act::Account)),
                k.said(l(Act::Help)),
                k.said(l(Act::Quit)),
            ],
            Tab::Users => vec![
                k.h(&[ENTER], "open"),
                k.said(l(Act::Filter)),
                k.said(l(Act::UsersDirectory)),
                k.said(l(Act::New)),
                k.said(l(Act::Edit)),
                k.said(l(Act::Refresh)),
                k.said(l(Act::Help)),
                k.said(l(Act::Quit)),
            ],
            _ => vec![
                k.h(&[ENTER], "open"),
                k.said(l(Act::Filter)),
                k.h(&[l(Act::Copy), l(Act::CopyRecord)], "copy"),
                k.said(l(Act::Export)),
                k.h(
                    &[l(Act::New), l(Act::Edit), l(Act::Delete)],
                    "new/edit/delete",
                ),
                k.said(l(Act::Refresh)),
                k.said(l(Act::Help)),
                k.said(l(Act::Quit)),
            ],
        }
    }

    fn help(app: &App) -> Vec<(String, &'static str)> {
        let k = Keys(&app.prefs.keymap);
        let kind = app.list_kind().name();
        let commands = app
            .prefs
            .commands
            .iter()
            .filter(|c| c.applies_to(kind))
            .map(|c| {
                let key = c.key.map(|k| format!("{} ", k.label())).unwrap_or_default();
                (
                    format!("{key}:run {}", c.name),
                    "row command of the config (vigie keys lists them)",
                )
            });
        let mut lines = list_help_moving_and_records(&k);
        lines.extend(list_help_marks_and_commands(&k));
        let at = lines.len() - 1;
        lines.splice(at..at, commands);
        lines
    }
}
