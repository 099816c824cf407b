//! What a form's save asks the change room to do: the fields the user changed, each with
//! its value as the form opened it and as typed, in the API's own terms.

use crate::app::Form;
use crate::app::form::Field;
use crate::app::form::FieldKind;
use crate::app::form::show_date;

use serde_json::Value;

use crate::change::{self, Change, Edit, FieldChange, Kind, Op};

impl Form {
    /// The key the API gives a field (Ocean's entity is written whole).
    pub fn change_key(field: &Field) -> String {
        if field.key == "entite.id" {
            "entite".into()
        } else {
            field.key.to_string()
        }
    }

    /// An edit of the record: every changed field converted by `conv` (`None` leaves it
    /// out), with its value as the form opened it — from the record as read, else (a
    /// restored draft) from the text the form started from; fields left alone are watched.
    pub(crate) fn edit_change(
        &self,
        kind: Kind,
        conv: impl Fn(&Field, &str) -> Option<Value>,
    ) -> Option<Change> {
        let id = self.record_id.clone()?;
        let mut edit = Edit::default();
        for f in &self.fields {
            if matches!(f.kind, FieldKind::Grid { .. }) {
                continue;
            }
            let key = Form::change_key(f);
            let Some(wanted) = conv(f, &f.value()) else {
                continue;
            };
            let seen = self.seen_value(kind, &key, || {
                if f.unknown { None } else { conv(f, &f.initial) }
            });
            if f.changed() {
                edit.fields.push(FieldChange::new(key, seen, wanted));
            } else if let Some(s) = seen
                && !matches!(f.kind, FieldKind::Password { .. })
            {
                edit.watch.push((key, s));
            }
        }
        let site = (kind == Kind::Equipement)
            .then(|| self.field("site_id").map(|f| f.initial.clone()))
            .flatten();
        Some(Change::new(kind, id, Op::Edit(edit)).on_site(site))
    }

    /// What the form saw of `key`: a value set since it opened (`set_seen`), else the
    /// record as read, else (a restored draft) `initial()`.
    pub(crate) fn seen_value(
        &self,
        kind: Kind,
        key: &str,
        initial: impl FnOnce() -> Option<Value>,
    ) -> Option<Value> {
        if let Some((_, v)) = self.seen_over.iter().find(|(k, _)| k == key) {
            return Some(v.clone());
        }
        match &self.seen {
            Some(r) => change::value_of(kind, r, key),
            None => initial(),
        }
    }

    /// Sets the value the form saw for `key` (a conflict resolved, an undo): the next save
    /// compares with it.
    pub fn set_seen(&mut self, _kind: Kind, key: &str, v: Value) {
        self.seen_over.retain(|(k, _)| k != key);
        self.seen_over.push((key.to_string(), v));
    }

    /// A value as this field shows it (a conflict's side put in the form).
    pub fn text_of(field: &Field, v: &Value) -> String {
        let v = match (field.key.as_ref(), v) {
            ("entite.id", Value::Object(m)) => m.get("id").cloned().unwrap_or(Value::Null),
            _ => v.clone(),
        };
        let plain = match &v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Array(a) => a
                .iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    Value::Object(o) => o
                        .get("idFonctionnalite")
                        .map(|i| i.to_string())
                        .unwrap_or_else(|| x.to_string()),
                    o => o.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            o => o.to_string(),
        };
        match &field.kind {
            FieldKind::List if field.key == "sources" => {
                serde_json::from_value::<crate::api::model::Sources>(v.clone())
                    .map(|s| s.joined())
                    .unwrap_or(plain)
            }
            FieldKind::Date => show_date(&plain),
            _ => plain,
        }
    }
}

/// Text as the API takes it: trimmed.
pub(crate) fn trimmed(s: &str) -> Value {
    Value::String(s.trim().to_string())
}

/// A number typed, or `None` (the form refused it before).
pub(crate) fn integer(s: &str) -> Option<Value> {
    s.trim().parse::<i64>().ok().map(Value::from)
}
