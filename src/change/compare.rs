//! Steps 2, 4 and 5 on the changed fields only: the three-way comparison before the write,
//! the check of each field after it, what the journal keeps; and the fields an undo sends.

use serde_json::{Map, Value};

use super::values::{self, same, satisfies, split_link};
use super::{Clash, Edit, FieldChange, FieldResult, Status};
use crate::journal::Entry;

/// What to do with each changed field, given the record as the server holds it now.
#[derive(Debug, Default, PartialEq)]
pub struct Decision {
    /// Fields to send (indices into the change's fields).
    pub send: Vec<usize>,
    /// Fields already as wanted.
    pub already: Vec<usize>,
    pub clashes: Vec<Clash>,
    /// Watched fields someone else changed.
    pub theirs: Vec<String>,
}

/// Step 2: the three-way comparison of the changed fields only. `now(key)`: the field as
/// the fresh read shows it (`None`: no read shows it).
pub fn decide(edit: &Edit, now: impl Fn(&str) -> Option<Value>) -> Decision {
    let mut d = Decision::default();
    for (i, f) in edit.fields.iter().enumerate() {
        let Some(n) = now(&f.key) else {
            // No read shows it: nothing to compare with, it is sent.
            d.send.push(i);
            continue;
        };
        if satisfies(&f.key, &n, &f.wanted) {
            d.already.push(i);
            continue;
        }
        match &f.seen {
            Some(s) if !same(&f.key, s, &n) => d.clashes.push(Clash {
                key: f.key.clone(),
                seen: Some(s.clone()),
                theirs: n,
                mine: f.wanted.clone(),
            }),
            _ => d.send.push(i),
        }
    }
    for (key, seen) in &edit.watch {
        if let Some(n) = now(key)
            && !same(key, seen, &n)
        {
            d.theirs.push(key.clone());
        }
    }
    d
}

/// Step 4: each field sent, checked against the record after. `before(key)`: the fresh
/// read's value; `after(key)`: the answer's (or the read after it).
pub fn verify(
    sent: &[&FieldChange],
    before: impl Fn(&str) -> Option<Value>,
    after: impl Fn(&str) -> Option<Value>,
) -> Vec<FieldResult> {
    sent.iter()
        .map(|f| {
            let status = match after(&f.key) {
                None => Status::Unchecked,
                Some(a) if satisfies(&f.key, &a, &f.wanted) => Status::Applied,
                Some(a) => match before(&f.key) {
                    Some(b) if same(&f.key, &a, &b) => Status::NotApplied(a),
                    // Asked to remove a link, the server still lists it.
                    _ if f.wanted.is_null() && split_link(&f.key).is_some() => {
                        Status::NotApplied(a)
                    }
                    _ => Status::AppliedAs(a),
                },
            };
            FieldResult {
                key: f.key.clone(),
                status,
            }
        })
        .collect()
}

/// Step 5: the journal's before and after of the fields the server changed, as it held
/// them just before and just after (a secret is never kept).
pub fn journal_states(
    results: &[FieldResult],
    before: impl Fn(&str) -> Option<Value>,
    after: impl Fn(&str) -> Option<Value>,
) -> Option<(Value, Value)> {
    let mut b = Map::new();
    let mut a = Map::new();
    for r in results {
        if !matches!(r.status, Status::Applied | Status::AppliedAs(_)) || values::secret(&r.key) {
            continue;
        }
        let (Some(x), Some(y)) = (before(&r.key), after(&r.key)) else {
            continue;
        };
        b.insert(r.key.clone(), x);
        a.insert(r.key.clone(), y);
    }
    (!b.is_empty()).then(|| (Value::Object(b), Value::Object(a)))
}

/// The fields an edit journaled, to undo: for each, the value it had before (wanted back)
/// and after (what the server must still hold, else someone changed it since). Whole
/// records (journals written before the change room) give the fields that differ.
pub fn undo_fields(e: &Entry) -> Vec<FieldChange> {
    let obj = |v: &Option<Value>| v.as_ref().and_then(Value::as_object).cloned();
    let (b, a) = (
        obj(&e.before).unwrap_or_default(),
        obj(&e.after).unwrap_or_default(),
    );
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out: Vec<FieldChange> = keys
        .into_iter()
        .filter(|k| !values::secret(k) && !matches!(k.as_str(), "timestamp" | "unseen"))
        .filter_map(|k| {
            let before = b.get(k).cloned().unwrap_or(Value::Null);
            let after = a.get(k).cloned().unwrap_or(Value::Null);
            (!same(k, &before, &after)).then(|| FieldChange::new(k.clone(), Some(after), before))
        })
        .collect();
    // An old entry's link: added → remove it; removed → add it back (its role unknown).
    if let Some(l) = &e.link {
        let key = values::link_key(&l.to, &l.id);
        out.retain(|f| f.key != key);
        let member = Value::Object(Map::new());
        out.push(if l.added {
            FieldChange::new(key, Some(member), Value::Null)
        } else {
            FieldChange::new(key, Some(Value::Null), member)
        });
    }
    out
}
