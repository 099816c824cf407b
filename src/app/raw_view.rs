//! The raw view: a record as JSON, secrets masked, scrollable; copies of a cell or a record.

use crate::app::App;
use crate::app::Effect;
use crate::app::Overlay;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::K::T;
use crate::app::hints::Keys;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::screen::Screen;
use crate::app::target_json;
use crate::i18n::tr;
use crate::i18n::trf;
use crossterm::event::KeyCode;
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
        let text = crate::text::json_safe(serde_json::to_string_pretty(&v).unwrap_or_default());
        self.effects.push(Effect::Copy {
            text,
            what: trf("{} as JSON", &[&title]),
        });
    }

    /// The selected record as JSON, secrets masked.
    pub(super) fn selected_json(&self) -> Option<(String, serde_json::Value)> {
        self.selected_target().map(|t| target_json(&t))
    }

    pub(super) fn show_raw(&mut self, title: String, v: serde_json::Value) {
        let text = crate::text::json_safe(serde_json::to_string_pretty(&v).unwrap_or_default());
        self.overlays.push(Overlay::Raw(Box::new(RawView {
            title,
            lines: text.lines().map(str::to_string).collect(),
            scroll: 0,
        })));
    }

    pub(super) fn raw_key(&mut self, key: KeyEvent) {
        let Some(act) = self.prefs.keymap.action(Scope::Raw, &key) else {
            return;
        };
        let rows = self.viewport_rows.max(1);
        let Some(Overlay::Raw(r)) = self.overlays.last_mut() else {
            return;
        };
        let max = r.lines.len().saturating_sub(rows);
        match act {
            Act::Cancel | Act::Back | Act::Raw => {
                self.overlays.pop();
            }
            Act::Down => r.scroll = (r.scroll + 1).min(max),
            Act::Up => r.scroll = r.scroll.saturating_sub(1),
            Act::PageDown => r.scroll = (r.scroll + rows).min(max),
            Act::PageUp => r.scroll = r.scroll.saturating_sub(rows),
            Act::First => r.scroll = 0,
            Act::Last => r.scroll = max,
            Act::Copy => {
                let title = r.title.clone();
                let text = r.lines.join("\n");
                self.effects.push(Effect::Copy {
                    text,
                    what: trf("{} as JSON", &[&title]),
                });
            }
            _ => {}
        }
    }
}

impl Screen for RawView {
    fn on_key(app: &mut App, key: KeyEvent) {
        app.raw_key(key)
    }

    fn footer(app: &App) -> Vec<Hint> {
        let k = Keys(&app.prefs.keymap);
        match app.overlays.last() {
            Some(Overlay::Raw(_)) => vec![
                k.joined(
                    &[
                        A(Scope::Raw, Act::Down),
                        A(Scope::Raw, Act::Up),
                        T("PgDn", Some(KeyCode::PageDown)),
                        T("PgUp", Some(KeyCode::PageUp)),
                    ],
                    " ",
                    "scroll",
                ),
                k.h(&[A(Scope::Raw, Act::Copy)], "copy as JSON"),
                k.h(&[ESC], "back"),
            ],
            _ => Vec::new(),
        }
    }
}
