//! What each screen offers in the footer and in its help, written against the key table: a
//! remapped key shows as remapped, a click on a hint's key runs that key, a read-only profile
//! is not offered what it would refuse.

use std::ops::Range;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::UnicodeWidthStr;

use super::App;
use super::keymap::{Act, KeyMap, Scope};

/// A key shown in a hint: an action of the table (shown as mapped now), or fixed text (with
/// the key a click on it gives, when it is one).
#[derive(Debug, Clone, Copy)]
pub enum K {
    A(Scope, Act),
    T(&'static str, Option<KeyCode>),
}

use K::*;

pub const ENTER: K = T("Enter", Some(KeyCode::Enter));
pub const ESC: K = T("Esc", Some(KeyCode::Esc));
pub const TAB: K = T("Tab", Some(KeyCode::Tab));
pub const PGDN: K = T("PgDn", Some(KeyCode::PageDown));
pub const PGUP: K = T("PgUp", Some(KeyCode::PageUp));
pub const DELETE: K = T("Delete", Some(KeyCode::Delete));
/// The `y` of a form's own question (discard, go on), answered as a confirmation is.
pub const Y: K = T("y", Some(KeyCode::Char('y')));

/// A hint as shown: its keys' text, what it does, and the span of each key in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    pub keys: String,
    pub what: &'static str,
    /// Columns of `keys` a click runs, and the key it runs.
    pub hits: Vec<(Range<usize>, KeyEvent)>,
    /// Kept in the footer whatever its width (help, quit, back).
    pub vital: bool,
    /// Every key of it writes to a server.
    pub writes: bool,
}

pub(super) fn hint(km: &KeyMap, keys: &[K], sep: &str, what: &'static str) -> Hint {
    let mut text = String::new();
    let mut hits = Vec::new();
    let mut actions = 0;
    let mut writes = 0;
    let mut vital = false;
    for k in keys {
        let (shown, key) = match *k {
            A(scope, action) => {
                actions += 1;
                if km.binding(scope, action).is_some_and(|b| b.writes) {
                    writes += 1;
                }
                // How to save, to get help and to get out stay at any width.
                vital |= matches!(
                    action,
                    Act::Help | Act::Quit | Act::Close | Act::Save | Act::Back | Act::No
                );
                match km.key_of_in(scope, action) {
                    Some(key) => (key.label(), Some(key.event())),
                    None => continue,
                }
            }
            T(t, code) => {
                vital |= t == "Esc";
                (
                    t.to_string(),
                    code.map(|c| KeyEvent::new(c, KeyModifiers::NONE)),
                )
            }
        };
        if !text.is_empty() {
            text.push_str(sep);
        }
        let start = text.width();
        text.push_str(&shown);
        if let Some(key) = key {
            hits.push((start..text.width(), key));
        }
    }
    Hint {
        keys: text,
        what,
        hits,
        vital,
        writes: actions > 0 && writes == actions,
    }
}

/// Hints and help lines written against the key table.
pub struct Keys<'a>(pub &'a KeyMap);

impl Keys<'_> {
    /// A footer hint: its keys joined by `/`.
    pub fn h(&self, keys: &[K], what: &'static str) -> Hint {
        hint(self.0, keys, "/", what)
    }

    /// A footer hint, its keys joined by `sep`.
    pub fn joined(&self, keys: &[K], sep: &str, what: &'static str) -> Hint {
        hint(self.0, keys, sep, what)
    }

    /// A help line, its keys joined by a space: "j k ↑ ↓".
    pub fn sp(&self, keys: &[K], what: &'static str) -> (String, &'static str) {
        let x = hint(self.0, keys, " ", what);
        (x.keys, x.what)
    }

    /// A footer hint of one action, worded as the key table says (its footer word, else
    /// what it does).
    pub fn said(&self, key: K) -> Hint {
        let what = self.row(key).map_or("", |b| b.footer.unwrap_or(b.what));
        hint(self.0, &[key], "/", what)
    }

    /// A help line of one action, worded as the key table says (its help line, else what it
    /// does).
    pub fn said_line(&self, key: K) -> (String, &'static str) {
        let what = self.row(key).map_or("", |b| b.help.unwrap_or(b.what));
        self.sp(&[key], what)
    }

    /// The table's row of an action (fixed text has none).
    fn row(&self, key: K) -> Option<&'static crate::app::keymap::Binding> {
        match key {
            A(scope, act) => self.0.binding(scope, act),
            T(..) => None,
        }
    }

    /// A help line, its keys joined by " / ": "n / e / d".
    pub fn sl(&self, keys: &[K], what: &'static str) -> (String, &'static str) {
        let x = hint(self.0, keys, " / ", what);
        (x.keys, x.what)
    }
}

/// A help line with fixed keys.
pub(super) fn fixed(t: &'static str, what: &'static str) -> (String, &'static str) {
    (t.to_string(), what)
}

/// The footer's hints of the screen on top; a read-only profile is not offered what it
/// would refuse.
pub fn footer(app: &App) -> Vec<Hint> {
    let hints = app.screen_footer();
    if app.session.read_only {
        hints.into_iter().filter(|x| !x.writes).collect()
    } else {
        hints
    }
}

/// The help of the screen under the help window: (keys, what they do).
pub fn help(app: &App) -> Vec<(String, &'static str)> {
    app.screen_help()
}

/// The forms' keys in one line of the help.
pub(super) fn form_help(km: &KeyMap) -> (String, &'static str) {
    let key = |a| km.label_of(Scope::Form, a);
    let defaults = [Act::Save, Act::Reveal, Act::Advanced].iter().all(|a| {
        km.binding(Scope::Form, *a)
            .is_some_and(|b| km.key_of_in(Scope::Form, *a) == Some(b.key))
    });
    if defaults {
        return (
            "In forms".into(),
            "Tab/arrows move, Ctrl-S saves, Ctrl-R reveals, Ctrl-O more fields, Esc cancels",
        );
    }
    // Remapped: the line names the keys as they are now (leaked once per distinct text: the
    // help's lines are `&'static str`, and a keymap changes only at start).
    let text = crate::i18n::trf(
        "Tab/arrows move, {} saves, {} reveals, {} more fields, Esc cancels",
        &[&key(Act::Save), &key(Act::Reveal), &key(Act::Advanced)],
    );
    ("In forms".into(), intern(text))
}

/// One `&'static str` per distinct text: bounded by the keymaps a run sees (one).
fn intern(text: String) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(s) = seen.get(text.as_str()) {
        return s;
    }
    let s: &'static str = Box::leak(text.into_boxed_str());
    seen.insert(s);
    s
}
