//! The raw view: a record as JSON, secrets masked, scrollable; copies of a cell or a record.

use crate::app::App;
use crate::app::Effect;
use crate::app::Overlay;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::Keys;
use crate::app::hints::{PGDN, PGUP};
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::target_json;
use crate::app::view::{Cx, Flow, View};
use crate::i18n::tr;
use crate::i18n::trf;
use crossterm::event::KeyEvent;

pub struct RawView {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: usize,
}

impl App {
    pub(super) fn copy_cell(&mut self) {
        let Some((cells, cols)) = self.selected_cells() else {
            return;
        };
        let i = self.real_col().min(cells.len().saturating_sub(1));
        // What reaches the clipboard is pasted into shells: no CR, no escape sequence.
        let text = crate::text::sanitize(cells.get(i).map_or("", String::as_str)).into_owned();
        let what = cols.get(i).map(|c| tr(c.title)).unwrap_or_default();
        self.effects.push(Effect::Copy {
            what: trf("{} “{}”", &[&what, &text]),
            text,
        });
    }

    pub(super) fn copy_json(&mut self, title: &str, v: serde_json::Value) {
        self.effects.push(copy_as_json(title, &v));
    }

    /// The selected record as JSON, secrets masked.
    pub(super) fn selected_json(&self) -> Option<(String, serde_json::Value)> {
        self.selected_target().map(|t| target_json(&t))
    }

    pub(super) fn show_raw(&mut self, title: String, v: serde_json::Value) {
        self.overlays
            .push(Overlay::Raw(Box::new(RawView::of(title, &v))));
    }
}

impl RawView {
    /// A record as JSON, its lines made safe for a terminal.
    pub fn of(title: String, v: &serde_json::Value) -> RawView {
        let text = crate::text::json_safe(serde_json::to_string_pretty(v).unwrap_or_default());
        RawView {
            title,
            lines: text.lines().map(str::to_string).collect(),
            scroll: 0,
        }
    }
}

/// A record copied as JSON (made safe to paste).
pub(super) fn copy_as_json(title: &str, v: &serde_json::Value) -> Effect {
    let text = crate::text::json_safe(serde_json::to_string_pretty(v).unwrap_or_default());
    Effect::Copy {
        text,
        what: trf("{} as JSON", &[&title]),
    }
}

impl View for RawView {
    const SCOPE: Scope = Scope::Raw;

    fn on_key(&mut self, act: Option<Act>, _key: &KeyEvent, cx: &mut Cx) -> Flow {
        let rows = cx.rows.max(1);
        let max = self.lines.len().saturating_sub(rows);
        match act {
            Some(Act::Cancel | Act::Back | Act::Raw) => return Flow::Close,
            Some(Act::Down) => self.scroll = (self.scroll + 1).min(max),
            Some(Act::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(Act::PageDown) => self.scroll = (self.scroll + rows).min(max),
            Some(Act::PageUp) => self.scroll = self.scroll.saturating_sub(rows),
            Some(Act::First) => self.scroll = 0,
            Some(Act::Last) => self.scroll = max,
            Some(Act::Copy) => cx.effects.push(Effect::Copy {
                text: self.lines.join("\n"),
                what: trf("{} as JSON", &[&self.title]),
            }),
            _ => {}
        }
        Flow::Stay
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        vec![
            k.joined(
                &[A(Scope::Raw, Act::Down), A(Scope::Raw, Act::Up), PGDN, PGUP],
                " ",
                "scroll",
            ),
            k.said(A(Scope::Raw, Act::Copy)),
            k.h(&[ESC], "back"),
        ]
    }

    fn help(&self, _k: &Keys) -> Vec<(String, &'static str)> {
        // The help over a raw view is the lists' (it says `v` and `Y`).
        Vec::new()
    }
}
