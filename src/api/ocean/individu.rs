//! An individu as Ocean sends it: the whole nested record kept as is, read and written by
//! path.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// One individu as Ocean sends it: the whole nested record (individu, entite, utilisateur,
/// groupe, fonctionnalites, propSpecifiqueDTO, vehicleFieldsDTO, and anything else), kept as is
/// so an update sends back every key it did not touch.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Individu(pub Map<String, Value>);

impl<'de> Deserialize<'de> for Individu {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Object(m) => Ok(Individu(m)),
            other => Err(serde::de::Error::custom(format!(
                "expected an object, got {}",
                kind(&other)
            ))),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An id sent as a number, a numeric string or `""`.
pub fn id_of(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl Individu {
    /// The value at a dotted path (`individu.nomInd`).
    pub fn get(&self, path: &str) -> Option<&Value> {
        let mut parts = path.split('.');
        let mut cur = self.0.get(parts.next()?)?;
        for p in parts {
            cur = cur.get(p)?;
        }
        Some(cur)
    }

    /// The value at a path as text ("" when absent or null).
    pub fn text(&self, path: &str) -> String {
        match self.get(path) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            Some(other) => other.to_string(),
        }
    }

    /// Sets the value at a dotted path, creating the objects on the way.
    pub fn set(&mut self, path: &str, value: Value) {
        let parts: Vec<&str> = path.split('.').collect();
        let Some((last, head)) = parts.split_last() else {
            return;
        };
        let mut cur = &mut self.0;
        for p in head {
            let slot = cur
                .entry(p.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            let Value::Object(m) = slot else { return };
            cur = m;
        }
        cur.insert(last.to_string(), value);
    }

    pub fn id(&self) -> Option<i64> {
        id_of(self.get("individu.id"))
    }

    pub fn nom(&self) -> String {
        self.text("individu.nomInd")
    }

    pub fn prenom(&self) -> String {
        self.text("individu.prenomInd")
    }

    pub fn matricule(&self) -> String {
        self.text("individu.matriculeInd")
    }

    pub fn entite_id(&self) -> Option<i64> {
        id_of(self.get("entite.id"))
    }

    pub fn entite_nom(&self) -> String {
        self.text("entite.nom")
    }

    pub fn login(&self) -> String {
        self.text("utilisateur.loginUti")
    }
}
