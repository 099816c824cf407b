//! The list screens' keys, remappable from the config's `[keys]` table; `vigie keys` prints the
//! active map.

use std::collections::{BTreeMap, HashMap};

/// (action, default key, what it does).
pub const BINDINGS: &[(&str, char, &str)] = &[
    ("down", 'j', "move down"),
    ("up", 'k', "move up"),
    ("first", 'g', "first row"),
    ("last", 'G', "last row"),
    ("next_page", ']', "next page"),
    ("prev_page", '[', "previous page"),
    ("filter", '/', "filter as you type"),
    ("palette", ':', "command palette"),
    ("help", '?', "help"),
    ("sort", 's', "sort: next column / direction"),
    ("refresh", 'r', "refresh"),
    ("new", 'n', "new"),
    ("edit", 'e', "edit"),
    ("edit_in_editor", 'E', "edit as JSON in $EDITOR"),
    ("delete", 'd', "delete"),
    ("copy", 'y', "copy the cell"),
    ("copy_record", 'Y', "copy the record as JSON"),
    ("raw", 'v', "the record as JSON"),
    ("export", 'x', "export the view"),
    ("mouse", 'm', "mouse on / off"),
    ("account", '@', "my Ocean account"),
    ("users_directory", 'u', "Users tab: core / Maarch"),
    ("assign", 'a', "Individus tab: assign to an entity"),
    ("load_all", 'A', "load every equipement"),
    ("quit", 'q', "quit"),
];

/// Which typed key stands for which default key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyMap {
    to_default: HashMap<char, char>,
    /// Default keys given away to another action: typing them does nothing.
    freed: Vec<char>,
}

impl KeyMap {
    /// From the config's `[keys]` (action → one character); errors name the action.
    pub fn from_config(keys: &BTreeMap<String, String>) -> Result<KeyMap, String> {
        let mut m = KeyMap::default();
        for (action, key) in keys {
            let Some(&(_, default, _)) = BINDINGS.iter().find(|(a, _, _)| a == action) else {
                let known: Vec<&str> = BINDINGS.iter().map(|(a, _, _)| *a).collect();
                return Err(format!(
                    "keys.{action}: no such action (known: {})",
                    known.join(", ")
                ));
            };
            let mut chars = key.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                return Err(format!("keys.{action}: {key:?} is not a single character"));
            };
            if c.is_control() || c == ' ' {
                return Err(format!("keys.{action}: {key:?} cannot be bound"));
            }
            if m.to_default.insert(c, default).is_some() {
                return Err(format!("keys.{action}: {c:?} is bound twice"));
            }
            if c != default {
                m.freed.push(default);
            }
        }
        // A freed key taken by another action is that action's, not nothing.
        let taken: Vec<char> = m.to_default.keys().copied().collect();
        m.freed.retain(|f| !taken.contains(f));
        Ok(m)
    }

    /// The default key a typed one stands for; `None` when it was given away.
    pub fn translate(&self, c: char) -> Option<char> {
        if let Some(d) = self.to_default.get(&c) {
            return Some(*d);
        }
        (!self.freed.contains(&c)).then_some(c)
    }

    /// The key that does `action` now.
    pub fn key_of(&self, action: &str) -> Option<char> {
        let &(_, default, _) = BINDINGS.iter().find(|(a, _, _)| *a == action)?;
        self.to_default
            .iter()
            .find(|(_, d)| **d == default)
            .map(|(k, _)| *k)
            .or((!self.freed.contains(&default)).then_some(default))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remapped_keys_move_and_free_their_default() {
        let mut cfg = BTreeMap::new();
        cfg.insert("new".to_string(), "a".to_string());
        cfg.insert("assign".to_string(), "N".to_string());
        let m = KeyMap::from_config(&cfg).unwrap();
        assert_eq!(m.translate('a'), Some('n'), "a now creates");
        assert_eq!(m.translate('N'), Some('a'), "N now assigns");
        assert_eq!(m.translate('n'), None, "n was given away");
        assert_eq!(m.translate('j'), Some('j'));
        assert_eq!(m.key_of("new"), Some('a'));
        assert_eq!(m.key_of("assign"), Some('N'));
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
}
