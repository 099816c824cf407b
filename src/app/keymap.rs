//! The one table of key bindings: for every screen, each action, its default key and what it
//! does. Dispatch (a typed key stands for its action's default key on that screen), the
//! footer, the help, clicks on the footer and `vigie keys` all read it; the config's `[keys]`
//! remaps any of it (`new = "a"` on the lists, `[keys.detail] edit = "E"`, `[keys.form]
//! save = "f2"`). Keys that type or edit text (a filter, a form's field) stay text.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use super::action::Act;

/// A screen with keys of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The tabs' lists (their action names go without a prefix in the config).
    List,
    /// A record's detail (a site's with its equipements, an individu's…).
    Detail,
    /// A Maarch user's detail, with its groups, entities and Parapheur link.
    Maarch,
    Account,
    /// A form: only keys that type no text (Ctrl-…) are bound here.
    Form,
    Confirm,
    Raw,
    Help,
    Restore,
    /// An edit that met a change made on the server meanwhile.
    Conflict,
    /// `:journal`.
    Journal,
    /// A bulk action's question, progress and results.
    Bulk,
    /// `F`: a column's values and their counts.
    Frequency,
    /// `C`: a tab's columns.
    Columns,
    /// `:find`: records across the profiles.
    Find,
}

impl Scope {
    pub const ALL: [Scope; 15] = [
        Scope::List,
        Scope::Detail,
        Scope::Maarch,
        Scope::Account,
        Scope::Form,
        Scope::Confirm,
        Scope::Raw,
        Scope::Help,
        Scope::Restore,
        Scope::Conflict,
        Scope::Journal,
        Scope::Bulk,
        Scope::Frequency,
        Scope::Columns,
        Scope::Find,
    ];

    /// The config's name for it (`[keys.detail]`).
    pub fn name(self) -> &'static str {
        match self {
            Scope::List => "list",
            Scope::Detail => "detail",
            Scope::Maarch => "maarch",
            Scope::Account => "account",
            Scope::Form => "form",
            Scope::Confirm => "confirm",
            Scope::Raw => "raw",
            Scope::Help => "help",
            Scope::Restore => "restore",
            Scope::Conflict => "conflict",
            Scope::Journal => "journal",
            Scope::Bulk => "bulk",
            Scope::Frequency => "frequency",
            Scope::Columns => "columns",
            Scope::Find => "find",
        }
    }
}

pub use crate::keys::Key;

/// One binding: on `scope`, `action` is `key` unless remapped. An action may have more than
/// one row: the first is its key as shown, the others type the same (`Y` beside `y`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Binding {
    pub scope: Scope,
    pub action: Act,
    pub key: Key,
    pub what: &'static str,
    /// Changes records on a server: not offered on a read-only profile.
    pub writes: bool,
    /// The footer's word for it when shorter than `what` ("footer: …" in the table).
    pub footer: Option<&'static str>,
    /// The help's line for it when longer than `what` ("help: …" in the table).
    pub help: Option<&'static str>,
}

/// The table as shipped (`assets/keys.toml`), embedded: the binary stays standalone.
const TABLE: &str = include_str!("../../assets/keys.toml");

/// Every remappable binding as shipped, in the table's order. Fixed keys (Enter, Esc, Tab
/// and arrows, Ctrl-C) are not here.
pub fn bindings() -> &'static [Binding] {
    static PARSED: OnceLock<Vec<Binding>> = OnceLock::new();
    PARSED.get_or_init(|| parse_table(TABLE).expect("assets/keys.toml is valid"))
}

/// Reads the key table. Its texts are kept for the whole run (the table is read once).
fn parse_table(text: &str) -> Result<Vec<Binding>, String> {
    let raw: BTreeMap<String, Vec<Vec<String>>> =
        toml::from_str(text).map_err(|e| e.to_string())?;
    let leak = |s: &str| -> &'static str { Box::leak(s.to_string().into_boxed_str()) };
    let mut out = Vec::new();
    for scope in Scope::ALL {
        for row in raw.get(scope.name()).map(Vec::as_slice).unwrap_or_default() {
            let [action, key, what, extras @ ..] = row.as_slice() else {
                return Err(format!(
                    "{}: {row:?} is not [action, key, what, (\"writes\", \"footer: …\", \"help: …\")]",
                    scope.name()
                ));
            };
            let (mut writes, mut footer, mut help) = (false, None, None);
            for x in extras {
                if x == "writes" {
                    writes = true;
                } else if let Some(w) = x.strip_prefix("footer: ") {
                    footer = Some(leak(w));
                } else if let Some(w) = x.strip_prefix("help: ") {
                    help = Some(leak(w));
                } else {
                    return Err(format!(
                        "{}.{action}: {x:?} is not \"writes\", \"footer: …\" or \"help: …\"",
                        scope.name()
                    ));
                }
            }
            let act = Act::from_name(action)
                .ok_or_else(|| format!("{}: no action {action:?}", scope.name()))?;
            out.push(Binding {
                scope,
                action: act,
                key: Key::parse(key).map_err(|e| format!("{}.{action}: {e}", scope.name()))?,
                what: leak(what),
                writes,
                footer,
                help,
            });
        }
    }
    if let Some(unknown) = raw
        .keys()
        .find(|k| !Scope::ALL.iter().any(|s| s.name() == k.as_str()))
    {
        return Err(format!("no screen {unknown:?}"));
    }
    Ok(out)
}

/// The first binding of `action` on `scope` in a table.
fn first_of(table: &[Binding], scope: Scope, action: Act) -> Option<&Binding> {
    table
        .iter()
        .find(|x| x.scope == scope && x.action == action)
}

/// The config's name of a binding: `new` on the lists, `detail.edit` elsewhere.
pub fn config_name(x: &Binding) -> String {
    if x.scope == Scope::List {
        x.action.name().to_string()
    } else {
        format!("{}.{}", x.scope.name(), x.action.name())
    }
}

/// The key table and the config's remapping of it: which typed key does which action,
/// screen by screen.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyMap {
    table: &'static [Binding],
    to_default: HashMap<(Scope, Key), Key>,
    /// Default keys given away to another action: typing them does nothing.
    freed: HashSet<(Scope, Key)>,
}

impl Default for KeyMap {
    fn default() -> KeyMap {
        KeyMap {
            table: bindings(),
            to_default: HashMap::new(),
            freed: HashSet::new(),
        }
    }
}

impl KeyMap {
    /// From the config's `[keys]` (`action` or `screen.action` → a key); errors name the
    /// binding.
    pub fn from_config(keys: &BTreeMap<String, String>) -> Result<KeyMap, String> {
        Self::remap(KeyMap::default(), keys)
    }

    /// Another key table than the one shipped (`assets/keys.toml` as edited), remapped by
    /// `keys`: what a change of a default does, tested without a rebuild.
    pub fn from_table(table: &str, keys: &BTreeMap<String, String>) -> Result<KeyMap, String> {
        let parsed: &'static [Binding] = Box::leak(parse_table(table)?.into_boxed_slice());
        Self::remap(
            KeyMap {
                table: parsed,
                ..KeyMap::default()
            },
            keys,
        )
    }

    /// Every binding of the table, in its order.
    pub fn table(&self) -> &'static [Binding] {
        self.table
    }

    /// The first binding of `action` on `scope`.
    pub fn binding(&self, scope: Scope, action: Act) -> Option<&'static Binding> {
        first_of(self.table, scope, action)
    }

    fn remap(mut m: KeyMap, keys: &BTreeMap<String, String>) -> Result<KeyMap, String> {
        let mut named = HashSet::new();
        for (name, key) in keys {
            let (scope, action) = match name.split_once('.') {
                Some((s, a)) => match Scope::ALL.iter().find(|x| x.name() == s) {
                    Some(scope) => (*scope, a),
                    None => {
                        let known: Vec<&str> = Scope::ALL.iter().map(|s| s.name()).collect();
                        return Err(format!(
                            "keys.{name}: no screen {s:?} (known: {})",
                            known.join(", ")
                        ));
                    }
                },
                None => (Scope::List, name.as_str()),
            };
            let Some(x) = Act::from_name(action).and_then(|a| m.binding(scope, a)) else {
                let mut known: Vec<&str> = m
                    .table
                    .iter()
                    .filter(|x| x.scope == scope)
                    .map(|x| x.action.name())
                    .collect();
                known.dedup();
                return Err(format!(
                    "keys.{name}: no such action (known: {})",
                    known.join(", ")
                ));
            };
            let typed = Key::parse(key).map_err(|why| {
                if key.chars().count() > 1 && !key.contains('-') && Key::parse(key).is_err() {
                    format!("keys.{name}: {key:?} is not a single character")
                } else {
                    format!("keys.{name}: {why}")
                }
            })?;
            if scope == Scope::Form && typed.edits_text() {
                return Err(format!(
                    "keys.{name}: {key:?} types or edits text in a form's field (use f2…, ctrl-t…)"
                ));
            }
            if m.to_default.insert((scope, typed), x.key).is_some() {
                return Err(format!("keys.{name}: {key:?} is bound twice"));
            }
            if !named.insert((scope, action)) {
                return Err(format!("keys.{name}: that action is remapped twice"));
            }
            if typed != x.key {
                m.freed.insert((scope, x.key));
            }
        }
        // A freed key taken by another action is that action's, not nothing.
        let taken: Vec<(Scope, Key)> = m.to_default.keys().copied().collect();
        m.freed.retain(|f| !taken.contains(f));
        Ok(m)
    }

    /// What a typed key does on `scope`: its action in the table as remapped, else what a
    /// fixed key does (Enter, Esc, Tab, arrows); `None` for a key given away or unbound.
    pub fn action(&self, scope: Scope, e: &KeyEvent) -> Option<Act> {
        let k = Key::of(e);
        if self.freed.contains(&(scope, k)) && !self.to_default.contains_key(&(scope, k)) {
            return None;
        }
        if let Some(a) = self.bound_in(scope, k) {
            return Some(a);
        }
        if k.ctrl && matches!(e.code, KeyCode::Char(_)) {
            // A Ctrl-letter no action takes does what the letter does.
            return self.action(scope, &KeyEvent::new(e.code, KeyModifiers::NONE));
        }
        super::action::fixed(e.code)
    }

    /// Every binding as `vigie keys` prints it: its config name, its key now, its default
    /// and what it does (translated).
    pub fn listing(&self) -> String {
        let mut out = format!(
            "{:<24} {:<8} {:<8} {}\n",
            "ACTION", "KEY", "DEFAULT", "WHAT"
        );
        for b in self.table {
            // An alternate key (not its action's first row) does it while nothing took it.
            let now = if self.binding(b.scope, b.action) == Some(b) {
                self.key_of_in(b.scope, b.action)
            } else {
                (self.bound_in(b.scope, b.key) == Some(b.action)).then_some(b.key)
            };
            let key = now.map(|k| k.label()).unwrap_or_else(|| "-".into());
            out.push_str(&format!(
                "{:<24} {key:<8} {:<8} {}\n",
                config_name(b),
                b.key.label(),
                crate::i18n::tr(b.what)
            ));
        }
        out
    }

    /// The key that does `action` on `scope` now.
    pub fn key_of_in(&self, scope: Scope, action: Act) -> Option<Key> {
        let x = self.binding(scope, action)?;
        if let Some(((_, k), _)) = self
            .to_default
            .iter()
            .find(|((s, _), d)| *s == scope && **d == x.key)
        {
            return Some(*k);
        }
        // Its default key given away, or taken by another action: no key does it now.
        let taken = self
            .to_default
            .get(&(scope, x.key))
            .is_some_and(|d| *d != x.key);
        (!self.freed.contains(&(scope, x.key)) && !taken).then_some(x.key)
    }

    /// The key that does `action` on `scope` now, as shown (`-` when none does).
    pub fn label_of(&self, scope: Scope, action: Act) -> String {
        self.key_of_in(scope, action)
            .map(|k| k.label())
            .unwrap_or_else(|| "-".into())
    }

    /// The action `key` does on `scope` now, if any (fixed keys left out).
    pub fn bound_in(&self, scope: Scope, key: Key) -> Option<Act> {
        let default = match self.to_default.get(&(scope, key)) {
            Some(d) => *d,
            None if self.freed.contains(&(scope, key)) => return None,
            None => key,
        };
        self.table
            .iter()
            .find(|b| b.scope == scope && b.key == default)
            .map(|b| b.action)
    }

    /// The key that does a list `action` now (as a character, when it is one).
    pub fn key_of(&self, action: Act) -> Option<char> {
        match self.key_of_in(Scope::List, action)?.code {
            KeyCode::Char(c) => Some(c),
            _ => None,
        }
    }
}

impl KeyMap {
    /// The row commands, checked; a key already bound on the lists or a site's detail is
    /// refused (with the action that has it).
    pub fn row_commands(
        &self,
        commands: &BTreeMap<String, crate::config::CommandConfig>,
    ) -> Result<Vec<crate::commands::RowCommand>, String> {
        let keymap = self;
        let mut out: Vec<crate::commands::RowCommand> = Vec::new();
        for (name, c) in commands {
            let cmd = crate::commands::RowCommand::from_config(name, c)?;
            if let Some(k) = cmd.key {
                for scope in [Scope::List, Scope::Detail, Scope::Maarch] {
                    if let Some(action) = keymap.bound_in(scope, k) {
                        return Err(format!(
                            "commands.{name}.key: {} already does {}.{}",
                            k.label(),
                            scope.name(),
                            action.name()
                        ));
                    }
                }
                if matches!(k.code, crossterm::event::KeyCode::Char('0'..='9')) && !k.ctrl {
                    return Err(format!("commands.{name}.key: digits switch tabs"));
                }
                if let Some(other) = out.iter().find(|o| o.key == Some(k)) {
                    return Err(format!(
                        "commands.{name}.key: {} is commands.{}'s too",
                        k.label(),
                        other.name
                    ));
                }
            }
            out.push(cmd);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::{Act, Binding, Key, KeyMap, Scope, bindings, parse_table};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::collections::BTreeMap;

    #[test]
    fn remapped_keys_move_and_free_their_default() {
        let mut cfg = BTreeMap::new();
        cfg.insert("new".to_string(), "a".to_string());
        cfg.insert("assign".to_string(), "N".to_string());
        let m = KeyMap::from_config(&cfg).unwrap();
        let t = |c| m.action(Scope::List, &Key::ch(c).event());
        assert_eq!(t('a'), Some(Act::New), "a now creates");
        assert_eq!(t('N'), Some(Act::Assign), "N now assigns");
        assert_eq!(t('n'), None, "n was given away");
        assert_eq!(t('j'), Some(Act::Down));
        assert_eq!(m.key_of(Act::New), Some('a'));
        assert_eq!(m.key_of(Act::Assign), Some('N'));
        cfg.insert("nope".into(), "z".into());
        assert!(KeyMap::from_config(&cfg).unwrap_err().contains("keys.nope"));
        let mut two = BTreeMap::new();
        two.insert("new".to_string(), "ab".to_string());
        assert!(
            KeyMap::from_config(&two)
                .unwrap_err()
                .contains("single character")
        );
    }

    #[test]
    fn every_screen_remaps_and_forms_keep_their_text() {
        let mut cfg = BTreeMap::new();
        cfg.insert("detail.edit".to_string(), "E".to_string());
        cfg.insert("form.save".to_string(), "f2".to_string());
        let m = KeyMap::from_config(&cfg).unwrap();
        let on = |s, k: Key| m.action(s, &k.event());
        assert_eq!(on(Scope::Detail, Key::ch('E')), Some(Act::Edit));
        assert_eq!(on(Scope::Detail, Key::ch('e')), None);
        assert_eq!(
            on(Scope::List, Key::ch('e')),
            Some(Act::Edit),
            "lists apart"
        );
        let f2 = Key::parse("f2").unwrap();
        assert_eq!(on(Scope::Form, f2), Some(Act::Save));
        assert_eq!(m.key_of_in(Scope::Form, Act::Save), Some(f2));
        assert_eq!(Key::ctrl('w').label(), "Ctrl-W");
        assert_eq!(f2.label(), "F2");
        let bad = |k: &str| {
            let mut b = BTreeMap::new();
            b.insert("form.save".to_string(), k.to_string());
            KeyMap::from_config(&b).unwrap_err()
        };
        assert!(bad("w").contains("text"));
        // The line editor's own keys stay its own.
        for k in [
            "ctrl-w",
            "ctrl-u",
            "backspace",
            "delete",
            "home",
            "enter",
            "tab",
        ] {
            assert!(bad(k).contains("text"), "{k}");
        }
        assert!(bad("ctrl-c").contains("quits"));
        assert!(bad("ctrl-z").contains("never reaches"));
        // One action, one key: `new` and `list.new` are the same binding.
        let mut twice = BTreeMap::new();
        twice.insert("new".to_string(), "a".to_string());
        twice.insert("list.new".to_string(), "b".to_string());
        assert!(KeyMap::from_config(&twice).unwrap_err().contains("twice"));
        // A default key taken by another action: the action it was shows no key.
        let mut taken = BTreeMap::new();
        taken.insert("detail.edit".to_string(), "d".to_string());
        let m = KeyMap::from_config(&taken).unwrap();
        assert_eq!(m.key_of_in(Scope::Detail, Act::Edit), Some(Key::ch('d')));
        assert_eq!(m.key_of_in(Scope::Detail, Act::Delete), None);
        let mut unknown = BTreeMap::new();
        unknown.insert("dialog.yes".to_string(), "o".to_string());
        assert!(
            KeyMap::from_config(&unknown)
                .unwrap_err()
                .contains("no screen")
        );
    }

    #[test]
    fn the_table_reads_and_bad_rows_are_named() {
        let m = KeyMap::default();
        assert_eq!(bindings().len(), 153);
        assert_eq!(
            m.binding(Scope::Form, Act::Save).unwrap().key,
            Key::ctrl('s')
        );
        assert!(m.binding(Scope::List, Act::New).unwrap().writes);
        assert!(!m.binding(Scope::List, Act::Export).unwrap().writes);
        assert!(
            parse_table("list = [[\"nope\", \"z\", \"x\"]]")
                .unwrap_err()
                .contains("nope")
        );
        assert!(
            parse_table("list = [[\"a\", \"b\"]]")
                .unwrap_err()
                .contains("list")
        );
        assert!(parse_table("nope = []").unwrap_err().contains("nope"));
        assert!(parse_table("form = [[\"save\", \"ctrl-\", \"x\"]]").is_err());
    }

    #[test]
    fn keys_are_unique_per_screen_and_every_action_is_named() {
        for s in Scope::ALL {
            let mine: Vec<&Binding> = bindings().iter().filter(|x| x.scope == s).collect();
            for (i, x) in mine.iter().enumerate() {
                for y in &mine[i + 1..] {
                    assert_ne!(x.key, y.key, "{s:?}: {:?} and {:?}", x.action, y.action);
                }
            }
        }
        for a in Act::ALL {
            assert_eq!(Act::from_name(a.name()), Some(*a));
        }
    }

    #[test]
    fn a_key_does_its_action_and_alternates_and_fixed_keys_too() {
        let m = KeyMap::default();
        let on = |s, e: KeyEvent| m.action(s, &e);
        assert_eq!(on(Scope::List, Key::ch('j').event()), Some(Act::Down));
        assert_eq!(on(Scope::List, Key::ch('3').event()), Some(Act::Tab3));
        assert_eq!(on(Scope::Confirm, Key::ch('Y').event()), Some(Act::Yes));
        assert_eq!(m.key_of_in(Scope::Confirm, Act::Yes), Some(Key::ch('y')));
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(on(Scope::Raw, down), Some(Act::Down));
        let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(on(Scope::Form, esc), Some(Act::Cancel));
        assert_eq!(on(Scope::List, Key::ch('§').event()), None);
    }
}
