//! A change's fields as values: how each kind's record shows a field (`value_of`), when two
//! values are the same (`same`, lenient: servers write numbers as strings, lists as text),
//! and how a value is said to a person (`shown`). Pure: no I/O.

use serde_json::{Map, Value};

use super::Kind;

/// The key of a role's permission field: `perm:ressource:action`, or `perm:#id` for a
/// permission the server gave by its id only.
pub fn perm_key(p: &crate::api::model::Permission) -> String {
    if p.ressource.is_empty() || p.action.is_empty() {
        format!("perm:#{}", p.permission_id)
    } else {
        format!("perm:{}", p.key())
    }
}

/// The key of a Maarch user's group (`group:AGENT`) or entity (`entity:DGS`) link.
pub fn link_key(to: &str, id: &str) -> String {
    format!("{to}:{id}")
}

/// `group:AGENT` → ("group", "AGENT").
pub fn split_link(key: &str) -> Option<(&'static str, &str)> {
    if let Some(id) = key.strip_prefix("group:") {
        return Some(("group", id));
    }
    key.strip_prefix("entity:").map(|id| ("entity", id))
}

/// A record's field as its read shows it; `None`: that read cannot show it (never sent,
/// hidden from this caller), so it is never compared. A link or a permission the record
/// does not hold is `Null` (the read lists them all).
pub fn value_of(kind: Kind, record: &Value, key: &str) -> Option<Value> {
    let obj = record.as_object()?;
    match kind {
        Kind::Site => match key {
            "client_id" => obj
                .get("client")
                .and_then(|c| c.get("client_id"))
                .or_else(|| obj.get("client_id"))
                .cloned(),
            "longitude" => obj
                .get("longitude")
                .or_else(|| obj.get("lonitude"))
                .cloned(),
            _ => obj.get(key).cloned(),
        },
        Kind::Equipement => match key {
            "site_id" => obj
                .get("site_id")
                .filter(|v| !v.is_null())
                .or_else(|| obj.get("client_site").and_then(|s| s.get("site_id")))
                .cloned(),
            _ => obj.get(key).cloned(),
        },
        // The core never sends a user's password back.
        Kind::User if key == "password" => None,
        Kind::User => obj.get(key).cloned(),
        Kind::Role => match key.strip_prefix("perm:") {
            // A value set for the key itself (what an undo saw) wins over the list.
            Some(_) if obj.contains_key(key) => obj.get(key).cloned(),
            Some(p) => {
                let held = obj
                    .get("permissions")
                    .and_then(Value::as_array)
                    .is_some_and(|a| {
                        a.iter().any(|x| {
                            serde_json::from_value::<crate::api::model::Permission>(x.clone())
                                .is_ok_and(|q| perm_key(&q) == format!("perm:{p}"))
                        })
                    });
                Some(Value::Bool(held))
            }
            None => obj.get(key).cloned(),
        },
        Kind::Individu => {
            let mut cur = record;
            for part in key.split('.') {
                match cur.get(part) {
                    Some(v) => cur = v,
                    // Ocean leaves empty parts out: absent is empty, not unseen.
                    None => return Some(Value::Null),
                }
            }
            Some(cur.clone())
        }
        Kind::MaarchUser => {
            if let Some((to, id)) = split_link(key) {
                return maarch_link(record, to, id);
            }
            let unseen = obj
                .get("unseen")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|k| k.as_str() == Some(key)));
            if unseen {
                return None;
            }
            Some(obj.get(key).cloned().unwrap_or(Value::Null))
        }
    }
}

/// A Maarch user's link as a value: `null` when not linked, else `{role}` for a group,
/// `{user_role, primary}` for an entity; `None` when the links were not read.
fn maarch_link(record: &Value, to: &str, id: &str) -> Option<Value> {
    let (list, idk) = if to == "group" {
        ("groups", "group_id")
    } else {
        ("entities", "entity_id")
    };
    let Some(found) = record
        .get(list)?
        .as_array()?
        .iter()
        .find(|x| x.get(idk).and_then(Value::as_str) == Some(id))
    else {
        return Some(Value::Null);
    };
    let text = |k: &str| match found.get(k) {
        Some(Value::String(s)) => Value::String(s.clone()),
        _ => Value::String(String::new()),
    };
    if to == "group" {
        let mut m = Map::new();
        m.insert("role".into(), text("role"));
        Some(Value::Object(m))
    } else {
        let mut m = Map::new();
        m.insert("user_role".into(), text("user_role"));
        let primary = matches!(found.get("primary_entity"), Some(Value::String(s)) if s == "Y")
            || found.get("primary_entity") == Some(&Value::Bool(true));
        m.insert("primary".into(), Value::Bool(primary));
        Some(Value::Object(m))
    }
}

/// A number however it was sent.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Bool(b) => !b,
        _ => false,
    }
}

/// Whether two values of field `key` are the same as a person would say: numbers however
/// written, sources as a list or as text, `null` and empty alike.
pub fn same(key: &str, a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    if key == "sources" {
        let list = |v: &Value| {
            serde_json::from_value::<crate::api::model::Sources>(v.clone())
                .map(|s| s.0)
                .unwrap_or_default()
        };
        return list(a) == list(b);
    }
    if empty(a) && empty(b) {
        return true;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same(k, v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same("", v, w))
        }
        (Value::String(_), Value::String(_)) => false,
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// Whether the server's value already is what is wanted: the same, or for an object
/// wanted (a link, Ocean's entity) every key it names has the value it names (`{}`: a
/// link whatever its role).
pub fn satisfies(key: &str, now: &Value, wanted: &Value) -> bool {
    match (now, wanted) {
        (Value::Object(n), Value::Object(w)) => w
            .iter()
            .all(|(k, v)| n.get(k).is_some_and(|x| same(k, x, v))),
        _ => same(key, now, wanted),
    }
}

/// Whether a field holds a secret (never journaled, never shown).
pub fn secret(key: &str) -> bool {
    crate::text::is_secret_key(key.rsplit('.').next().unwrap_or(key))
}

/// A value as a person reads it: text as is, lists joined, a link as membership.
pub fn shown(key: &str, v: &Value) -> String {
    if secret(key) {
        return if empty(v) {
            String::new()
        } else {
            crate::text::MASK.into()
        };
    }
    let text = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) if key.starts_with("perm:") => {
            crate::i18n::tr(if *b { "held" } else { "not held" }).into()
        }
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => s.clone(),
                o => o.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(m) if split_link(key).is_some() => {
            let role = m
                .get("role")
                .or_else(|| m.get("user_role"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let mut s = crate::i18n::tr("member").to_string();
            if !role.is_empty() {
                s = crate::i18n::trf("member (role {})", &[&role]);
            }
            if m.get("primary") == Some(&Value::Bool(true)) {
                s = crate::i18n::trf("{}, primary", &[&s]);
            }
            s
        }
        o => o.to_string(),
    };
    if text.is_empty() && split_link(key).is_some() {
        return crate::i18n::tr("not a member").into();
    }
    crate::text::sanitize(&text).into_owned()
}

/// The label a field is shown with, where no form names it (bulk runs, undo, the journal).
pub fn label(key: &str) -> String {
    if let Some(p) = key.strip_prefix("perm:") {
        return crate::i18n::trf("permission {}", &[&p]);
    }
    if let Some((to, id)) = split_link(key) {
        return crate::i18n::trf(
            if to == "group" {
                "group {}"
            } else {
                "entity {}"
            },
            &[&crate::text::sanitize(id)],
        );
    }
    let l = match key {
        "name" => "Name",
        "description" => "Description",
        "longitude" => "Longitude",
        "latitude" => "Latitude",
        "client_id" => "Client",
        "ip" => "IP address",
        "port" => "Port",
        "marque" => "Brand",
        "modele" => "Model",
        "sources" => "Sources",
        "username" => "Username",
        "password" => "Password",
        "site_id" => "Site",
        "matricule" => "Matricule",
        "nom" => "Name",
        "email" => "Email",
        "role_id" => "Role",
        "firstname" => "First name",
        "lastname" => "Last name",
        "initials" => "Initials",
        "mail" => "Email",
        "phone" => "Phone",
        "mode" => "Mode",
        "status" => "Status",
        other => return crate::text::sanitize(other).into_owned(),
    };
    crate::i18n::tr(l).into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{same, satisfies, value_of};
    use crate::change::Kind;

    #[test]
    fn values_compare_as_a_person_reads_them() {
        assert!(same("port", &json!(80), &json!("80")));
        assert!(same("longitude", &json!(26.45), &json!("26.45")));
        assert!(same("description", &json!(null), &json!("")));
        assert!(same("sources", &json!("[\"a\",\"b\"]"), &json!(["a", "b"])));
        assert!(same("sources", &json!("rtsp://x"), &json!(["rtsp://x"])));
        assert!(!same("ip", &json!("10.0.0.1"), &json!("10.0.0.10")));
        assert!(!same("port", &json!(80), &json!(81)));
        assert!(!same("name", &json!("LOUM"), &json!("loum")));
        // A link wanted "whatever its role" is satisfied by any role.
        assert!(satisfies(
            "group:AGENT",
            &json!({"role": "chef"}),
            &json!({})
        ));
        assert!(!satisfies("group:AGENT", &json!(null), &json!({})));
        assert!(satisfies(
            "entity:DGS",
            &json!({"user_role": "x", "primary": true}),
            &json!({"primary": true})
        ));
    }

    #[test]
    fn each_kind_shows_its_fields_where_its_read_puts_them() {
        let site = json!({"site_id": "s", "client": {"client_id": "c1"}, "lonitude": 2.5});
        assert_eq!(value_of(Kind::Site, &site, "client_id"), Some(json!("c1")));
        assert_eq!(value_of(Kind::Site, &site, "longitude"), Some(json!(2.5)));
        let e = json!({"equipement_id": "e", "client_site": {"site_id": "s9"}});
        assert_eq!(value_of(Kind::Equipement, &e, "site_id"), Some(json!("s9")));
        assert_eq!(
            value_of(Kind::User, &json!({"password": null}), "password"),
            None,
            "a core user's password is never read back"
        );
        let role = json!({"permissions": [{"ressource": "users", "action": "read"}, "sites:x"]});
        assert_eq!(
            value_of(Kind::Role, &role, "perm:users:read"),
            Some(json!(true))
        );
        assert_eq!(
            value_of(Kind::Role, &role, "perm:users:delete"),
            Some(json!(false))
        );
        let m = json!({"id": 3, "phone": null, "unseen": ["phone"],
            "groups": [{"group_id": "AGENT", "role": "chef"}],
            "entities": [{"entity_id": "DGS", "user_role": "", "primary_entity": "Y"}]});
        assert_eq!(value_of(Kind::MaarchUser, &m, "phone"), None);
        assert_eq!(
            value_of(Kind::MaarchUser, &m, "group:AGENT"),
            Some(json!({"role": "chef"}))
        );
        assert_eq!(
            value_of(Kind::MaarchUser, &m, "entity:DGS"),
            Some(json!({"user_role": "", "primary": true}))
        );
        assert_eq!(
            value_of(Kind::MaarchUser, &m, "group:COURRIER"),
            Some(json!(null))
        );
        let ind = json!({"individu": {"nomInd": "A"}});
        assert_eq!(
            value_of(Kind::Individu, &ind, "individu.nomInd"),
            Some(json!("A"))
        );
        assert_eq!(
            value_of(Kind::Individu, &ind, "individu.gsm"),
            Some(json!(null))
        );
    }
}
