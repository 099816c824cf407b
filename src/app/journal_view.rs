//! `:journal`: the changes made through vigie with this profile, newest first; `/` filters,
//! Enter shows an entry's states before and after.

use crate::app::App;
use crate::app::Overlay;
use crate::app::RawView;
use crate::app::hints::ENTER;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::Keys;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::screen::Screen;
use crate::i18n::tr;
use crossterm::event::KeyEvent;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use crate::journal::Entry;

pub struct JournalView {
    /// Newest first.
    pub entries: Vec<Entry>,
    /// Indices into `entries` that match the filter.
    pub shown: Vec<usize>,
    pub selected: usize,
    pub filter: Input,
    pub filtering: bool,
}

impl JournalView {
    pub fn new(entries: &[Entry]) -> JournalView {
        let mut v = JournalView {
            entries: entries.iter().rev().cloned().collect(),
            shown: Vec::new(),
            selected: 0,
            filter: Input::default(),
            filtering: false,
        };
        v.refilter();
        v
    }

    /// An entry as one line (values made safe for a terminal).
    pub fn line(e: &Entry) -> String {
        crate::journal::lines(std::slice::from_ref(e))
            .into_iter()
            .next()
            .unwrap_or_default()
    }

    fn refilter(&mut self) {
        let words: Vec<String> = self
            .filter
            .value()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        self.shown = (0..self.entries.len())
            .filter(|&i| {
                let line = JournalView::line(&self.entries[i]).to_lowercase();
                words.iter().all(|w| line.contains(w))
            })
            .collect();
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }
}

impl App {
    pub(super) fn open_journal(&mut self) {
        self.overlays
            .push(Overlay::Journal(Box::new(JournalView::new(&self.journal))));
    }

    pub(super) fn journal_key(&mut self, key: KeyEvent) {
        let act = self.prefs.keymap.action(Scope::Journal, &key);
        let Some(Overlay::Journal(j)) = self.overlays.last_mut() else {
            return;
        };
        if j.filtering {
            // The filter is typed here: only the fixed keys act.
            match crate::app::action::fixed(key.code) {
                Some(Act::Cancel | Act::Open) => j.filtering = false,
                _ => {
                    if let Some(req) = to_input_request(&crossterm::event::Event::Key(key)) {
                        j.filter.handle(req);
                        j.refilter();
                    }
                }
            }
            return;
        }
        let n = j.shown.len();
        match act {
            Some(Act::Cancel) if !j.filter.value().is_empty() => {
                j.filter = Input::default();
                j.refilter();
            }
            Some(Act::Cancel | Act::Back) => {
                self.overlays.pop();
            }
            Some(Act::Open) => {
                let Some(e) = j.shown.get(j.selected).map(|&i| j.entries[i].clone()) else {
                    return;
                };
                let pretty = |v: &Option<serde_json::Value>| match v {
                    Some(v) => serde_json::to_string_pretty(v)
                        .unwrap_or_default()
                        .lines()
                        .map(|l| format!("  {l}"))
                        .collect::<Vec<_>>(),
                    None => vec![format!("  {}", tr("(none)"))],
                };
                let mut lines = vec![tr("Before:").to_string()];
                lines.extend(pretty(&e.before));
                lines.push(tr("After:").into());
                lines.extend(pretty(&e.after));
                self.overlays.push(Overlay::Raw(Box::new(RawView {
                    title: JournalView::line(&e),
                    lines,
                    scroll: 0,
                })));
            }
            Some(Act::Down) => j.selected = (j.selected + 1).min(n.saturating_sub(1)),
            Some(Act::Up) => j.selected = j.selected.saturating_sub(1),
            Some(Act::Filter) => j.filtering = true,
            _ => {}
        }
    }
}

impl Screen for JournalView {
    fn on_key(app: &mut App, key: KeyEvent) {
        app.journal_key(key)
    }

    fn footer(app: &App) -> Vec<Hint> {
        let k = Keys(&app.prefs.keymap);
        let j = |a| A(Scope::Journal, a);
        vec![
            k.h(&[j(Act::Down), j(Act::Up)], "move"),
            k.h(&[j(Act::Filter)], "filter"),
            k.h(&[ENTER], "before/after"),
            k.h(&[ESC], "back"),
        ]
    }

    fn help(app: &App) -> Vec<(String, &'static str)> {
        let k = Keys(&app.prefs.keymap);
        let j = |a| A(Scope::Journal, a);
        vec![
            k.sp(&[j(Act::Down), j(Act::Up)], "move in the journal"),
            k.sp(&[j(Act::Filter)], "filter the journal as you type"),
            k.sp(&[ENTER], "the entry's record before and after"),
            k.sl(&[ESC, j(Act::Back)], "back"),
        ]
    }
}
