//! `C`: which columns a tab shows and in which order, kept across runs; and saved views
//! (`:save NAME` keeps tab, filter, sort, columns and a kept value; `:NAME` brings them
//! back). Both live in `crate::views`, written by the runtime (`Effect::SaveViews`).

use crate::app::browse::Nav;
use crate::app::keymap::Act;
use crate::app::kinds::columns_of;
use crate::app::view::{Cx, Flow, Msg, View};

use crate::app::App;
use crate::app::Command;
use crate::app::Effect;
use crate::app::Overlay;
use crate::app::hints::ENTER;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::Keys;
use crate::app::keymap::Scope;
use crate::app::kinds::ListKind;
use crate::app::kinds::with_list;
use crate::app::list;
use crate::i18n::tr;
use crate::i18n::trf;
use crossterm::event::KeyEvent;

use crate::app::kinds::with_kind;
use crate::app::list::Record;
use crate::views::SavedView;

pub struct ColumnChooser {
    pub kind: ListKind,
    /// Every column (index into the kind's columns) and whether it is shown, in order.
    pub columns: Vec<(usize, bool)>,
    pub selected: usize,
}

impl ColumnChooser {
    /// The titles (to translate) of the kind's columns.
    pub fn titles(&self) -> &'static [list::Column] {
        with_kind!(self.kind, |K| K::columns())
    }
}

impl App {
    /// The arrangement kept from the last runs, applied to the lists.
    pub fn apply_views(&mut self, views: crate::views::Views) {
        for k in ListKind::ALL {
            if let Some(titles) = views.columns.get(k.name()) {
                with_list!(self, k, |mut l| l.set_layout_titles(titles));
            }
        }
        self.prefs.views = views;
    }

    pub(super) fn open_columns(&mut self) {
        let kind = self.list_kind();
        let shown = with_list!(self, kind, |l| l.shown_columns());
        let n = with_kind!(kind, |K| K::columns().len());
        let mut columns: Vec<(usize, bool)> = shown.iter().map(|&i| (i, true)).collect();
        columns.extend((0..n).filter(|i| !shown.contains(i)).map(|i| (i, false)));
        self.overlays.push(Overlay::Columns(Box::new(ColumnChooser {
            kind,
            columns,
            selected: 0,
        })));
    }

    /// `:save NAME`: the tab shown, its filter, sort, columns and kept value.
    pub(super) fn save_view(&mut self, name: &str) {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
            self.status.notice = Some(tr("Name the view (up to 40 characters): :save NAME").into());
            return;
        }
        let taken = self
            .palette_entries()
            .iter()
            .any(|(t, c)| t.eq_ignore_ascii_case(name) && !matches!(c, Command::View(_)));
        if taken {
            self.status.notice = Some(trf(
                "'{}' is a palette command: choose another name",
                &[&name],
            ));
            return;
        }
        if !self.prefs.views.views.contains_key(name)
            && self.prefs.views.views.len() >= crate::views::MAX_VIEWS
        {
            self.status.notice =
                Some(tr("Too many saved views: remove some from views.json").into());
            return;
        }
        let kind = self.list_kind();
        let view = with_list!(self, kind, |l| {
            let cols = columns_of(l);
            SavedView {
                kind: kind.name().into(),
                filter: l.filter.clone(),
                sort: l
                    .sort
                    .and_then(|(c, d)| cols.get(c).map(|x| (x.title.to_string(), d))),
                columns: l.layout_titles(),
                pin: l
                    .pin
                    .as_ref()
                    .and_then(|(c, v)| cols.get(*c).map(|x| (x.title.to_string(), v.clone()))),
            }
        });
        self.prefs.views.views.insert(name.to_string(), view);
        self.effects
            .push(Effect::SaveViews(Box::new(self.prefs.views.clone())));
        self.status.notice = Some(trf("View saved: :{} brings it back", &[&name]));
    }

    /// `:NAME` of a saved view: its tab, columns, sort, kept value and filter.
    pub(super) fn open_view(&mut self, name: &str) {
        let Some(v) = self.prefs.views.views.get(name).cloned() else {
            return;
        };
        let Some(kind) = ListKind::named(&v.kind) else {
            self.status.notice = Some(trf("The view {} names no list this vigie knows", &[&name]));
            return;
        };
        self.overlays.clear();
        match kind.place() {
            (_, Some(dir)) => self.switch_users_dir(dir),
            (tab, None) => self.switch_tab(tab),
        }
        with_list!(self, kind, |mut l| {
            let cols = columns_of(l);
            let at = |t: &str| cols.iter().position(|c| c.title == t);
            l.set_layout_titles(&v.columns);
            l.sort = v.sort.as_ref().and_then(|(t, d)| at(t).map(|c| (c, *d)));
            let pin = v
                .pin
                .as_ref()
                .and_then(|(t, val)| at(t).map(|c| (c, val.clone())));
            l.set_pin(pin);
            l.set_filter(v.filter.clone());
        });
        if kind == ListKind::Equipements
            && !self.lists.equipements.complete
            && (!v.filter.is_empty() || v.pin.is_some())
        {
            // Filters and kept values work over every equipement.
            self.load_all();
        }
        self.lists.col = 0;
        self.status.notice = Some(trf("View {}", &[&name]));
    }
}

impl View for ColumnChooser {
    const SCOPE: Scope = Scope::Columns;

    fn on_key(&mut self, act: Option<Act>, _key: &KeyEvent, cx: &mut Cx) -> Flow {
        let n = self.columns.len();
        let i = self.selected;
        match act {
            Some(Act::Cancel | Act::Close) => return Flow::Close,
            Some(Act::Down) => self.selected = (i + 1).min(n.saturating_sub(1)),
            Some(Act::Up) => self.selected = i.saturating_sub(1),
            Some(Act::Toggle) => {
                let shown = self.columns.iter().filter(|x| x.1).count();
                if self.columns[i].1 && shown == 1 {
                    *cx.notice = Some(tr("One column at least stays shown").into());
                } else {
                    self.columns[i].1 = !self.columns[i].1;
                }
            }
            Some(Act::MoveDown) if i + 1 < n => {
                self.columns.swap(i, i + 1);
                self.selected = i + 1;
            }
            Some(Act::MoveUp) if i > 0 => {
                self.columns.swap(i, i - 1);
                self.selected = i - 1;
            }
            Some(Act::Open) => {
                let layout = self.columns.iter().filter(|x| x.1).map(|x| x.0).collect();
                return Flow::Done(Msg::KeepColumns {
                    kind: self.kind,
                    layout,
                });
            }
            _ => {}
        }
        Flow::Stay
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        let c = |a| A(Scope::Columns, a);
        vec![
            k.said(c(Act::Toggle)),
            k.h(&[c(Act::MoveDown), c(Act::MoveUp)], "move"),
            k.h(&[ENTER], "keep"),
            k.h(&[ESC], "cancel"),
        ]
    }

    fn help(&self, k: &Keys) -> Vec<(String, &'static str)> {
        let c = |a| A(Scope::Columns, a);
        vec![
            k.sp(&[c(Act::Down), c(Act::Up)], "choose a column"),
            k.said_line(c(Act::Toggle)),
            k.sp(&[c(Act::MoveDown), c(Act::MoveUp)], "move it right / left"),
            k.sp(&[ENTER], "keep these columns for this tab (next runs too)"),
            k.sp(&[ESC], "cancel"),
        ]
    }
}
