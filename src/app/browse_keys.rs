//! The lists' keys: a key's action on a tab (moving, looking, then writing), the filter typed, Esc's order of undoing, the help lines listing them.

use crate::app::Nav;
use crate::app::action::{Typed, fixed, typed};
use crate::app::hints::Hint;
use crate::app::keymap::Act;
use crate::app::screen::cx;
use crate::app::view::{self, Cx, Flow, Msg, View};

use crate::app::App;
use crate::app::Command;
use crate::app::Overlay;
use crate::app::Palette;
use crate::app::hints;
use crate::app::hints::ENTER;
use crate::app::hints::ESC;
use crate::app::hints::K::A;
use crate::app::hints::K::T;
use crate::app::hints::Keys;
use crate::app::keymap::Scope;
use crate::app::kinds::Tab;
use crate::app::kinds::with_list;
use crate::i18n::tr;
use crate::i18n::trf;
use crate::protocol::Service;
use crossterm::event::KeyEvent;

impl App {
    pub(super) fn list_key(&mut self, key: KeyEvent) {
        let act = self.prefs.keymap.action(Scope::List, &key);
        let armed = std::mem::take(&mut self.lists.esc_armed);
        self.lists.esc_armed = armed && act == Some(Act::Cancel);
        let kind = self.list_kind();
        if !self.lists.nav_mut(kind).filtering()
            && let Some(c) = self.command_for_key(key)
        {
            return self.run_row_command(c);
        }
        let depth = self.overlays.len();
        let mut cx = cx!(self, self.viewport_rows, depth);
        let mut view = ListKeys {
            list: self.lists.nav_mut(kind),
        };
        let flow = view::press(&mut view, &key, &mut cx);
        self.follow(flow);
    }

    /// What an action does on the lists: moving and looking first, then writing.
    /// What a key on the lists does beyond the list shown (moving in it, marking, sorting
    /// and the filter typed are `ListKeys`' own).
    pub(super) fn list_action(&mut self, act: Act) {
        let n = Tab::ALL.len();
        match act {
            Act::Quit => self.quit = true,
            Act::NextField => self.switch_tab(Tab::ALL[(self.tab.index() + 1) % n]),
            Act::PrevField => self.switch_tab(Tab::ALL[(self.tab.index() + n - 1) % n]),
            _ if act.tab_index().is_some() => {
                if let Some(&t) = act.tab_index().and_then(|i| Tab::ALL.get(i)) {
                    self.switch_tab(t)
                }
            }
            Act::Probe => self.probe_list(),
            Act::PageDown | Act::NextPage => self.page(1),
            Act::PageUp | Act::PrevPage => self.page(-1),
            Act::Filter => {
                self.list_mut().set_filtering(true);
                if self.tab == Tab::Equipements && !self.lists.equipements.complete {
                    // No search route: filter over every equipement, loaded in the background.
                    self.load_all();
                }
            }
            Act::Cancel => self.list_escape(),
            Act::MarkAll => self.mark_all(),
            Act::LoadAll if self.tab == Tab::Equipements => self.load_all(),
            Act::UsersDirectory if self.tab == Tab::Users => {
                let other = if self.lists.users_dir == Service::Maarch {
                    Service::Core
                } else {
                    Service::Maarch
                };
                self.switch_users_dir(other);
            }
            Act::Account => self.run_command(Command::Account),
            Act::Left | Act::CellLeft => self.lists.col = self.lists.col.saturating_sub(1),
            Act::Right | Act::CellRight => {
                self.lists.col = (self.lists.col + 1).min(self.column_count().saturating_sub(1))
            }
            Act::Copy => self.copy_cell(),
            Act::CopyRecord => {
                if let Some((title, v)) = self.selected_json() {
                    self.copy_json(&title, v);
                }
            }
            Act::Raw => {
                if let Some((title, v)) = self.selected_json() {
                    self.show_raw(title, v);
                }
            }
            Act::Export => self.run_command(Command::Export),
            Act::Mouse => self.set_mouse(!self.prefs.mouse),
            Act::Palette => self.overlays.push(Overlay::Palette(Palette::default())),
            Act::Help => self.open_help(),
            Act::Refresh => self.refresh(),
            Act::Open => self.open_selected(),
            Act::Frequency => self.open_frequency(),
            Act::Columns => self.open_columns(),
            Act::Watch => self.toggle_watch(),
            _ => self.list_write(act),
        }
    }

    /// The lists' actions that write (each asks or opens a form first).
    fn list_write(&mut self, act: Act) {
        match act {
            Act::Undo => self.undo(),
            Act::Assign if self.tab == Tab::Individus => {
                if let Some(i) = self.lists.individus.selected_record() {
                    self.ask_assign_entity(&i);
                }
            }
            Act::EditInEditor => {
                if let Some(t) = self.selected_target() {
                    self.edit_in_editor(t);
                }
            }
            Act::New => self.new_record(None),
            Act::Edit => self.edit_selected(),
            Act::Delete if self.list_mut().marks() > 0 => self.bulk_delete(),
            Act::Delete => self.delete_selected(),
            Act::Move => self.ask_bulk_move(),
            Act::Set => self.ask_bulk_set(),
            _ => {}
        }
    }

    /// Esc on a list: stops a load, then clears the filter, the pin, the marks (twice).
    fn list_escape(&mut self) {
        if let Some(id) = self.lists.probing.take() {
            // The run itself stops: no connection is tried after Esc.
            self.net
                .outbox
                .push((0, crate::protocol::Request::Cancel(id)));
            self.status.notice = Some(tr("Probe stopped: its answers are dropped").into());
        } else if self.lists.load_progress.is_some() {
            self.cancel_load();
        } else if !self.list_mut().filter_text().is_empty() {
            self.list_mut().set_filter(String::new());
        } else if self.list_pinned() {
            with_list!(self, self.list_kind(), |mut l| l.set_pin(None));
        } else if self.list_mut().marks() > 0 {
            // Esc twice clears the marks (once would lose a long marking by a slip).
            if std::mem::take(&mut self.lists.esc_armed) {
                self.list_mut().clear_marks();
                self.status.notice = Some(tr("Marks cleared").into());
            } else {
                self.lists.esc_armed = true;
                let n = self.list_mut().marks();
                self.status.notice = Some(trf("Esc again clears the {} marks", &[&n]));
            }
        }
    }

    /// The list shown keeps only one value of a column (`F`, Enter).
    fn list_pinned(&self) -> bool {
        with_list!(self, self.list_kind(), |l| l.pin.is_some())
    }
}

/// The list help's first half: tabs, moving, opening, filtering and the one-record keys.
pub(super) fn list_help_moving_and_records(k: &Keys) -> Vec<(String, &'static str)> {
    let l = |x| A(Scope::List, x);
    let arrows = T("↑ ↓", None);
    vec![
        (
            format!("Tab / Shift-Tab / 1-{}", Tab::ALL.len()),
            "switch tab",
        ),
        k.said_line(l(Act::UsersDirectory)),
        k.said_line(l(Act::Assign)),
        k.said_line(l(Act::Account)),
        k.sp(&[l(Act::Down), l(Act::Up), arrows], "move"),
        k.sp(
            &[l(Act::NextPage), l(Act::PrevPage), T("PgDn PgUp", None)],
            "next / previous page",
        ),
        k.sl(&[l(Act::First), l(Act::Last)], "first / last"),
        k.sp(&[ENTER], "open the detail"),
        k.sp(&[ESC], "back, clear the filter"),
        k.said_line(l(Act::Filter)),
        k.said_line(l(Act::Sort)),
        k.said_line(l(Act::LoadAll)),
        k.said_line(l(Act::Probe)),
        k.said_line(l(Act::Palette)),
        k.sl(
            &[l(Act::New), l(Act::Edit), l(Act::Delete)],
            "new / edit / delete",
        ),
        k.said_line(l(Act::Refresh)),
        k.sp(
            &[T("← →", None), l(Act::CellLeft), l(Act::CellRight)],
            "choose the cell y copies",
        ),
        k.sl(
            &[l(Act::Copy), l(Act::CopyRecord)],
            "copy the cell / the record as JSON (OSC 52: works over SSH)",
        ),
        k.said_line(l(Act::Raw)),
        k.said_line(l(Act::Export)),
        k.said_line(l(Act::Mouse)),
        k.said_line(l(Act::EditInEditor)),
        k.said_line(l(Act::Help)),
        k.said_line(l(Act::Undo)),
    ]
}

/// The list help's second half: marks, views, bulk and `:` commands, leaving, then the
/// form's keys; the config's row commands go just before those. Fixed keys are help lines
/// (`hints::fixed`, not the `action::fixed` of the key table).
pub(super) fn list_help_marks_and_commands(k: &Keys) -> Vec<(String, &'static str)> {
    let l = |x| A(Scope::List, x);
    vec![
        k.said_line(l(Act::Mark)),
        k.said_line(l(Act::MarkAll)),
        k.said_line(l(Act::Frequency)),
        k.said_line(l(Act::Columns)),
        k.said_line(l(Act::Watch)),
        hints::fixed(
            ":save NAME",
            "keep tab, filter, sort, columns as a view; :NAME brings it back",
        ),
        k.said_line(l(Act::Move)),
        k.said_line(l(Act::Set)),
        k.sp(&[l(Act::Delete)], "with marks: delete the marked rows"),
        hints::fixed(
            ":delete :move SITE",
            "bulk: delete the marked rows, move them to SITE",
        ),
        hints::fixed(
            ":set F=V… :export PATH",
            "bulk: set fields on them, write them to a file",
        ),
        hints::fixed(
            ":dups",
            "equipements sharing an IP, across sites or within one",
        ),
        hints::fixed(
            ":run NAME",
            "a row command of the config on the row (or the marked rows)",
        ),
        hints::fixed(":journal", "the changes made through vigie, newest first"),
        hints::fixed(
            ":find TEXT",
            "a record in every profile of the config; Enter opens it there",
        ),
        hints::fixed(
            ":profile NAME",
            "another profile of the config, without leaving",
        ),
        hints::fixed(":messages", "the recent status messages, whole"),
        hints::fixed("Esc (loading)", "stop loading every equipement"),
        hints::fixed("Ctrl-Z", "suspend (fg brings it back)"),
        k.sl(&[l(Act::Quit), T("Ctrl-C", None)], "quit"),
        hints::form_help(k.0),
    ]
}

/// The list shown, as a view: moving in it, marking, sorting and typing its filter are its
/// own; what reaches beyond it (tabs, loading, other screens, writes) is asked of the app.
pub struct ListKeys<'a> {
    pub list: &'a mut dyn Nav,
}

impl View for ListKeys<'_> {
    const SCOPE: Scope = Scope::List;

    fn on_key(&mut self, act: Option<Act>, key: &KeyEvent, cx: &mut Cx) -> Flow {
        let rows = cx.rows;
        if self.list.filtering() {
            // The filter is typed here: remapped keys type their own character.
            self.filter_key(key, rows);
            return Flow::Stay;
        }
        match act {
            Some(Act::Down) => self.list.nav(1, rows),
            Some(Act::Up) => self.list.nav(-1, rows),
            Some(Act::First) => self.list.nav(isize::MIN, rows),
            Some(Act::Last) => self.list.nav(isize::MAX, rows),
            Some(Act::Mark) => {
                self.list.toggle_mark();
                self.list.nav(1, rows);
            }
            Some(Act::Sort) => self.list.sort_next(),
            Some(act) => return Flow::Then(Msg::OnList(act)),
            None => {}
        }
        Flow::Stay
    }

    fn hints(&self, _k: &Keys) -> Vec<Hint> {
        // The tab, the session and the marks decide: see `Browse`'s footer.
        Vec::new()
    }

    fn help(&self, _k: &Keys) -> Vec<(String, &'static str)> {
        Vec::new()
    }
}

impl ListKeys<'_> {
    /// A key while the filter is typed: Enter keeps it, Esc clears it, the arrows move.
    pub(super) fn filter_key(&mut self, key: &KeyEvent, rows: usize) {
        match (fixed(key.code), typed(key)) {
            (Some(Act::Open), _) => self.list.set_filtering(false),
            (Some(Act::Cancel), _) => {
                self.list.set_filter(String::new());
                self.list.set_filtering(false);
            }
            (Some(Act::Up), _) => self.list.nav(-1, rows),
            (Some(Act::Down), _) => self.list.nav(1, rows),
            (_, Some(Typed::Backspace)) => {
                let mut f = self.list.filter_text();
                f.pop();
                self.list.set_filter(f);
            }
            (_, Some(Typed::Char(c))) => {
                let mut f = self.list.filter_text();
                f.push(c);
                self.list.set_filter(f);
            }
            _ => {}
        }
    }
}
