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
use crate::app::view::{Cx, Flow, View};
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
}

impl JournalView {
    /// The selected entry's record before and after, as a raw view.
    fn before_after(&self) -> Option<RawView> {
        let e = self.shown.get(self.selected).map(|&i| &self.entries[i])?;
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
        Some(RawView {
            title: JournalView::line(e),
            lines,
            scroll: 0,
        })
    }
}

impl View for JournalView {
    const SCOPE: Scope = Scope::Journal;

    fn on_key(&mut self, act: Option<Act>, key: &KeyEvent, _cx: &mut Cx) -> Flow {
        if self.filtering {
            // The filter is typed here: only the fixed keys act.
            match crate::app::action::fixed(key.code) {
                Some(Act::Cancel | Act::Open) => self.filtering = false,
                _ => {
                    if let Some(req) = to_input_request(&crossterm::event::Event::Key(*key)) {
                        self.filter.handle(req);
                        self.refilter();
                    }
                }
            }
            return Flow::Stay;
        }
        let n = self.shown.len();
        match act {
            Some(Act::Cancel) if !self.filter.value().is_empty() => {
                self.filter = Input::default();
                self.refilter();
            }
            Some(Act::Cancel | Act::Back) => return Flow::Close,
            Some(Act::Open) => {
                if let Some(r) = self.before_after() {
                    return Flow::Push(Box::new(Overlay::Raw(Box::new(r))));
                }
            }
            Some(Act::Down) => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Some(Act::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Act::Filter) => self.filtering = true,
            _ => {}
        }
        Flow::Stay
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        let j = |a| A(Scope::Journal, a);
        vec![
            k.h(&[j(Act::Down), j(Act::Up)], "move"),
            k.said(j(Act::Filter)),
            k.h(&[ENTER], "before/after"),
            k.h(&[ESC], "back"),
        ]
    }

    fn help(&self, k: &Keys) -> Vec<(String, &'static str)> {
        let j = |a| A(Scope::Journal, a);
        vec![
            k.sp(&[j(Act::Down), j(Act::Up)], "move in the journal"),
            k.said_line(j(Act::Filter)),
            k.sp(&[ENTER], "the entry's record before and after"),
            k.sl(&[ESC, j(Act::Back)], "back"),
        ]
    }
}
