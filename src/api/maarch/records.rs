//! Maarch's records as its API sends them (decoded loosely: an id as a string, a null as
//! empty) and the bodies it takes.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => String::new(),
        Value::String(s) => s,
        other => other.to_string(),
    })
}

fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| serde::de::Error::custom("id is not an integer")),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("id {s:?} is not an integer"))),
        other => Err(serde::de::Error::custom(format!("bad id {other}"))),
    }
}

/// A user of the list.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct MaarchUser {
    #[serde(deserialize_with = "lenient_id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient_string")]
    pub user_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub firstname: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub lastname: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: String,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Keys an update writes that the answer did not carry (the list has no initials nor
    /// phone; `/details` leaves the phone out for a caller without `view_personal_data`).
    #[serde(skip)]
    pub unseen: Vec<String>,
    /// What is odd about this row as the server sent it (kept and marked, never dropped).
    #[serde(skip)]
    pub problem: Option<Box<str>>,
}

/// What `PUT /rest/users/{id}` writes whatever the body holds (absent: null or empty).
pub const WRITTEN_KEYS: [&str; 5] = ["firstname", "lastname", "initials", "mail", "phone"];

impl MaarchUser {
    /// Decodes one user of an answer, noting which written keys it did not carry.
    pub(super) fn from_answer(v: &Value) -> Result<Self, serde_json::Error> {
        let mut u: MaarchUser = serde_json::from_value(v.clone())?;
        u.unseen = WRITTEN_KEYS
            .iter()
            .filter(|k| v.get(**k).is_none())
            .map(|k| k.to_string())
            .collect();
        Ok(u)
    }
}

impl MaarchUser {
    /// The status in words.
    pub fn status_label(&self) -> &str {
        match self.status.as_str() {
            "OK" => "active",
            "ABS" => "absent",
            "SPD" => "suspended",
            "DEL" => "deleted",
            other => other,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct MaarchGroup {
    #[serde(default, deserialize_with = "lenient_string")]
    pub group_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub group_desc: String,
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct MaarchEntity {
    #[serde(default, deserialize_with = "lenient_string")]
    pub entity_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub entity_label: String,
    #[serde(default)]
    pub user_role: Option<String>,
    #[serde(default)]
    pub primary_entity: Option<String>,
}

impl MaarchEntity {
    pub fn is_primary(&self) -> bool {
        self.primary_entity.as_deref() == Some("Y")
    }
}

/// A user with its groups, entities and Parapheur link (`GET /rest/users/{id}/details`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaarchUserDetails {
    pub user: MaarchUser,
    pub groups: Vec<MaarchGroup>,
    pub entities: Vec<MaarchEntity>,
    /// Maarch Parapheur user id, when linked.
    pub parapheur_id: Option<i64>,
    /// Read from the details route (else only the list's fields are known).
    pub fetched: bool,
}

impl MaarchUserDetails {
    /// A user as the list gives it (its initials and phone not received).
    pub fn from_list(user: MaarchUser) -> Self {
        MaarchUserDetails {
            user,
            ..Default::default()
        }
    }

    /// Whether the server did not send `key` (so it cannot be shown, nor kept by a save).
    pub fn is_unseen(&self, key: &str) -> bool {
        self.user.unseen.iter().any(|k| k == key)
    }

    pub(super) fn from_value(v: Value) -> Result<Self, String> {
        let user = MaarchUser::from_answer(&v).map_err(|e| e.to_string())?;
        let list = |k: &str| v.get(k).cloned().unwrap_or(Value::Array(Vec::new()));
        let groups = serde_json::from_value(list("groups")).unwrap_or_default();
        let entities = serde_json::from_value(list("entities")).unwrap_or_default();
        // `external_id` is an object, or that object as a JSON string in older versions.
        let ext = match v.get("external_id") {
            Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
            Some(other) => other.clone(),
            None => Value::Null,
        };
        let parapheur_id = match ext.get("maarchParapheur") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        Ok(MaarchUserDetails {
            user,
            groups,
            entities,
            parapheur_id,
            fetched: true,
        })
    }
}

/// `POST /rest/users` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewMaarchUser {
    pub user_id: String,
    pub firstname: String,
    pub lastname: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    pub mail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// `PUT /rest/users/{id}` body. Maarch writes `firstname`, `lastname`, `initials` and `mail`
/// from the body whatever it holds (absent is null), and `phone` (absent is empty) for a
/// caller with `manage_personal_data`: every one of them is sent as known. `mode` and `status`
/// are written only when given: sent only when the user changed them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MaarchUserUpdate {
    #[serde(skip)]
    pub id: i64,
    pub firstname: String,
    pub lastname: String,
    pub initials: Option<String>,
    pub mail: Option<String>,
    /// `None`: not known (the save was agreed to erase it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `OK` brings back a suspended or absent user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

pub(super) fn list_of<T: serde::de::DeserializeOwned>(v: &Value, key: &str) -> Vec<T> {
    let items = match v {
        Value::Array(a) => a.clone(),
        other => match other.get(key) {
            Some(Value::Array(a)) => a.clone(),
            _ => Vec::new(),
        },
    };
    items
        .into_iter()
        .filter_map(|x| serde_json::from_value(x).ok())
        .collect()
}

impl From<MaarchUser> for MaarchUserDetails {
    fn from(user: MaarchUser) -> Self {
        MaarchUserDetails::from_list(user)
    }
}
