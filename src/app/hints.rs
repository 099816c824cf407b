//! What each screen offers in the footer and in its help, written against the key table: a
//! remapped key shows as remapped, a click on a hint's key runs that key, a read-only profile
//! is not offered what it would refuse.

use std::ops::Range;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::UnicodeWidthStr;

use super::keymap::{KeyMap, Scope, binding};
use super::{App, DetailTarget, Overlay, Tab, form};

/// A key shown in a hint: an action of the table (shown as mapped now), or fixed text (with
/// the key a click on it gives, when it is one).
#[derive(Debug, Clone, Copy)]
enum K {
    A(Scope, &'static str),
    T(&'static str, Option<KeyCode>),
}

use K::*;

const ENTER: K = T("Enter", Some(KeyCode::Enter));
const ESC: K = T("Esc", Some(KeyCode::Esc));
const TAB: K = T("Tab", Some(KeyCode::Tab));

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

fn hint(km: &KeyMap, keys: &[K], sep: &str, what: &'static str) -> Hint {
    let mut text = String::new();
    let mut hits = Vec::new();
    let mut actions = 0;
    let mut writes = 0;
    let mut vital = false;
    let alone = keys.len() == 1;
    for k in keys {
        let (shown, key) = match *k {
            A(scope, action) => {
                actions += 1;
                if binding(scope, action).is_some_and(|b| b.writes) {
                    writes += 1;
                }
                vital |= alone && matches!(action, "help" | "quit" | "close");
                match km.key_of_in(scope, action) {
                    Some(key) => (key.label(), Some(key.event())),
                    None => continue,
                }
            }
            T(t, code) => {
                vital |= alone && t == "Esc";
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

/// The footer's hints of the screen on top.
pub fn footer(app: &App) -> Vec<Hint> {
    let km = &app.keymap;
    let h = |keys: &[K], what| hint(km, keys, "/", what);
    let hints = match app.overlays.last() {
        // A question waits: its own keys.
        Some(Overlay::Form(fm)) if fm.confirm_discard => vec![
            h(&[T("y", Some(KeyCode::Char('y')))], "discard"),
            h(&[T("other key", None)], "keep editing"),
        ],
        Some(Overlay::Form(fm)) if fm.asking.is_some() => vec![
            h(&[T("y", Some(KeyCode::Char('y')))], "yes, go on"),
            h(&[T("other key", None)], "back to the form"),
        ],
        Some(Overlay::Form(fm)) => form_footer(km, fm),
        Some(Overlay::Detail(d)) => {
            let d_ = |a| A(Scope::Detail, a);
            let m = |a| A(Scope::Maarch, a);
            match d.target {
                DetailTarget::MaarchUser(_) => vec![
                    h(&[ESC], "back"),
                    h(&[m("edit")], "edit"),
                    h(&[m("add_group")], "add group"),
                    h(&[m("add_entity")], "add entity"),
                    h(&[m("remove")], "remove"),
                    h(
                        &[m("link"), m("create_link"), m("unlink")],
                        "Parapheur link/create/unlink",
                    ),
                    h(&[m("status")], "status"),
                    h(&[m("help")], "help"),
                ],
                DetailTarget::Individu(_) => vec![
                    h(&[ESC], "back"),
                    h(&[d_("edit")], "edit"),
                    h(&[d_("assign")], "assign entity"),
                    h(&[d_("delete")], "delete"),
                    h(&[d_("help")], "help"),
                ],
                DetailTarget::Site(_) => vec![
                    h(&[ESC], "back"),
                    h(&[d_("edit")], "edit"),
                    h(&[d_("delete")], "delete"),
                    h(&[d_("new")], "new equipement"),
                    h(&[d_("next_page")], "next page"),
                    h(&[d_("help")], "help"),
                ],
                _ => vec![
                    h(&[ESC], "back"),
                    h(&[d_("edit")], "edit"),
                    h(&[d_("delete")], "delete"),
                    h(&[d_("reveal")], "reveal"),
                    h(&[d_("help")], "help"),
                ],
            }
        }
        Some(Overlay::Account(_)) => {
            let a = |x| A(Scope::Account, x);
            vec![
                h(&[T("←→", None)], "element type"),
                h(&[a("change_password")], "change password"),
                h(&[a("request_reset")], "request reset"),
                h(&[a("reload")], "reload"),
                h(&[ESC], "close"),
            ]
        }
        Some(Overlay::Confirm(_)) => vec![
            h(&[A(Scope::Confirm, "yes")], "confirm"),
            h(&[A(Scope::Confirm, "no"), ESC], "cancel"),
        ],
        Some(Overlay::Palette(_)) => vec![
            h(&[ENTER], "run"),
            h(&[T("↑↓", None)], "choose"),
            h(&[ESC], "close"),
        ],
        Some(Overlay::Login(_)) => vec![
            h(&[ENTER], "log in"),
            h(&[TAB], "next field"),
            h(&[ESC], "close"),
        ],
        Some(Overlay::Help) => vec![
            hint(
                km,
                &[
                    A(Scope::Help, "down"),
                    A(Scope::Help, "up"),
                    T("PgDn", Some(KeyCode::PageDown)),
                    T("PgUp", Some(KeyCode::PageUp)),
                ],
                " ",
                "scroll",
            ),
            h(&[ESC], "close help"),
        ],
        Some(Overlay::Restore(_)) => vec![
            h(&[A(Scope::Restore, "restore")], "restore"),
            h(&[A(Scope::Restore, "discard")], "discard"),
        ],
        Some(Overlay::Raw(_)) => vec![
            hint(
                km,
                &[
                    A(Scope::Raw, "down"),
                    A(Scope::Raw, "up"),
                    T("PgDn", Some(KeyCode::PageDown)),
                    T("PgUp", Some(KeyCode::PageUp)),
                ],
                " ",
                "scroll",
            ),
            h(&[A(Scope::Raw, "copy")], "copy as JSON"),
            h(&[ESC], "back"),
        ],
        None => list_footer(app),
    };
    if app.session.read_only {
        // A read-only profile refuses these: not offered.
        hints.into_iter().filter(|x| !x.writes).collect()
    } else {
        hints
    }
}

fn list_footer(app: &App) -> Vec<Hint> {
    let km = &app.keymap;
    let h = |keys: &[K], what| hint(km, keys, "/", what);
    let l = |a| A(Scope::List, a);
    if !app.session.has(app.tab_service(app.tab)) {
        return vec![
            h(&[TAB], "other tab"),
            h(&[l("palette")], "palette"),
            h(&[l("help")], "help"),
            h(&[l("quit")], "quit"),
        ];
    }
    match app.tab {
        Tab::Individus => vec![
            h(&[ENTER], "open"),
            h(&[l("filter")], "filter"),
            h(&[l("new")], "new"),
            h(&[l("edit")], "edit"),
            h(&[l("assign")], "assign entity"),
            h(&[l("delete")], "delete"),
            h(&[l("account")], "account"),
            h(&[l("help")], "help"),
            h(&[l("quit")], "quit"),
        ],
        Tab::Users => vec![
            h(&[ENTER], "open"),
            h(&[l("filter")], "filter"),
            h(&[l("users_directory")], "core/Maarch"),
            h(&[l("new")], "new"),
            h(&[l("edit")], "edit"),
            h(&[l("refresh")], "refresh"),
            h(&[l("help")], "help"),
            h(&[l("quit")], "quit"),
        ],
        _ => vec![
            h(&[ENTER], "open"),
            h(&[l("filter")], "filter"),
            h(&[l("copy"), l("copy_record")], "copy"),
            h(&[l("export")], "export"),
            h(&[l("new"), l("edit"), l("delete")], "new/edit/delete"),
            h(&[l("refresh")], "refresh"),
            h(&[l("help")], "help"),
            h(&[l("quit")], "quit"),
        ],
    }
}

/// A form's keys: only those that do something on this form and field.
fn form_footer(km: &KeyMap, fm: &form::Form) -> Vec<Hint> {
    use form::FieldKind;
    let h = |keys: &[K], what| hint(km, keys, "/", what);
    let f = |a| A(Scope::Form, a);
    let mut v = Vec::new();
    if fm.fields.len() > 1 {
        v.push(h(&[TAB], "next field"));
    }
    v.push(h(&[f("save")], "save"));
    match fm.fields.get(fm.focus).map(|x| &x.kind) {
        Some(FieldKind::Open { options, .. }) if !options.is_empty() => {
            v.push(h(&[T("←→", None)], "known values"))
        }
        Some(FieldKind::Choice { .. }) => v.push(h(&[T("type/←→", None)], "pick")),
        _ => {}
    }
    if fm.folded_count() > 0 {
        v.push(h(
            &[f("advanced")],
            if fm.show_advanced {
                "fewer fields"
            } else {
                "more fields"
            },
        ));
    }
    if fm.has_secret() {
        v.push(h(&[f("reveal")], "reveal"));
    }
    v.push(h(&[ESC], "cancel"));
    v
}

/// The help of the screen under the help window: (keys, what they do).
pub fn help(app: &App) -> Vec<(String, &'static str)> {
    let km = &app.keymap;
    // Keys joined as the help writes them: "e", "j k ↑ ↓", "n / e / d".
    let sp = |keys: &[K], what| {
        let x = hint(km, keys, " ", what);
        (x.keys, x.what)
    };
    let sl = |keys: &[K], what| {
        let x = hint(km, keys, " / ", what);
        (x.keys, x.what)
    };
    let fixed = |t: &'static str, what: &'static str| (t.to_string(), what);
    let under = app
        .overlays
        .iter()
        .rev()
        .find(|o| !matches!(o, Overlay::Help));
    let d = |a| A(Scope::Detail, a);
    let m = |a| A(Scope::Maarch, a);
    let a = |x| A(Scope::Account, x);
    let l = |x| A(Scope::List, x);
    let arrows = T("↑ ↓", None);
    match under {
        Some(Overlay::Detail(x)) if matches!(x.target, DetailTarget::MaarchUser(_)) => vec![
            sl(&[ESC, m("back")], "back"),
            sp(&[m("edit")], "edit the user (mode, names, mail…)"),
            sp(&[m("down"), m("up"), arrows], "select a group or entity"),
            sp(&[m("add_group")], "add to a group"),
            sp(&[m("add_entity")], "add to an entity"),
            sl(
                &[m("remove"), T("Delete", Some(KeyCode::Delete))],
                "remove the selected group or entity",
            ),
            sp(&[m("link")], "link to a Maarch Parapheur user (by id)"),
            sp(&[m("create_link")], "create in Maarch Parapheur and link"),
            sp(&[m("unlink")], "unlink from Maarch Parapheur"),
            sp(&[m("status")], "ask the Parapheur status"),
            sp(&[m("reload")], "read the user again"),
        ],
        Some(Overlay::Detail(x)) if matches!(x.target, DetailTarget::Individu(_)) => vec![
            sl(&[ESC, d("back")], "back"),
            sp(&[d("edit")], "edit the individu"),
            sp(&[d("assign")], "assign to an entity for a period"),
            sp(&[d("delete")], "delete (asks first)"),
        ],
        Some(Overlay::Account(_)) => vec![
            sp(
                &[T("← →", None), a("prev_type"), a("next_type")],
                "element type of the rights listed",
            ),
            sp(&[a("down"), a("up"), arrows], "move in the rights"),
            sp(&[a("change_password")], "change my Ocean password"),
            sp(
                &[a("request_reset")],
                "request a password reset for a login",
            ),
            sp(&[a("reload")], "read again"),
            sl(&[ESC, a("close")], "close"),
        ],
        Some(Overlay::Detail(_)) => vec![
            sl(&[ESC, d("back")], "back to where you were"),
            sp(&[d("edit")], "edit this record"),
            sp(&[d("delete")], "delete (deactivate a user)"),
            sp(&[d("reveal")], "reveal / hide credentials"),
            sp(
                &[d("down"), d("up"), arrows],
                "move in the site's equipements",
            ),
            sp(
                &[d("next_page"), d("prev_page"), T("PgDn PgUp", None)],
                "next / previous page of equipements",
            ),
            sp(&[ENTER], "open the selected equipement"),
            sp(&[d("new")], "new equipement on this site"),
            sp(&[d("palette")], "command palette"),
            fixed("Ctrl-C", "quit"),
        ],
        _ => vec![
            fixed("Tab / Shift-Tab / 1-5", "switch tab"),
            sp(
                &[l("users_directory")],
                "Users tab: core / Maarch directory",
            ),
            sp(&[l("assign")], "Individus tab: assign to an entity"),
            sp(&[l("account")], "my Ocean account: rights, password"),
            sp(&[l("down"), l("up"), arrows], "move"),
            sp(
                &[l("next_page"), l("prev_page"), T("PgDn PgUp", None)],
                "next / previous page",
            ),
            sl(&[l("first"), l("last")], "first / last"),
            sp(&[ENTER], "open the detail"),
            sp(&[ESC], "back, clear the filter"),
            sp(
                &[l("filter")],
                "filter as you type (equipements: loads every page)",
            ),
            sp(&[l("sort")], "sort: next column / direction"),
            sp(&[l("load_all")], "load every equipement (equipements tab)"),
            sp(&[l("palette")], "command palette (:site LOUM)"),
            sl(&[l("new"), l("edit"), l("delete")], "new / edit / delete"),
            sp(&[l("refresh")], "refresh"),
            sp(
                &[T("← →", None), l("cell_left"), l("cell_right")],
                "choose the cell y copies",
            ),
            sl(
                &[l("copy"), l("copy_record")],
                "copy the cell / the record as JSON (OSC 52: works over SSH)",
            ),
            sp(&[l("raw")], "the record as JSON, secrets masked"),
            sp(
                &[l("export")],
                "export the view (every page, filter applied) to CSV or JSON",
            ),
            sp(&[l("mouse")], "mouse on / off (clicks, wheel)"),
            sp(&[l("edit_in_editor")], "edit as JSON in $EDITOR"),
            sp(&[l("help")], "this help"),
            fixed(":messages", "the recent status messages, whole"),
            fixed("Esc (loading)", "stop loading every equipement"),
            fixed("Ctrl-Z", "suspend (fg brings it back)"),
            sl(&[l("quit"), T("Ctrl-C", None)], "quit"),
            form_help(km),
        ],
    }
}

/// The forms' keys in one line of the help.
fn form_help(km: &KeyMap) -> (String, &'static str) {
    let key = |a| {
        km.key_of_in(Scope::Form, a)
            .map(|k| k.label())
            .unwrap_or_else(|| "-".into())
    };
    let defaults = ["save", "reveal", "advanced"].iter().all(|a| {
        binding(Scope::Form, a).is_some_and(|b| km.key_of_in(Scope::Form, a) == Some(b.key))
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
        &[&key("save"), &key("reveal"), &key("advanced")],
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
