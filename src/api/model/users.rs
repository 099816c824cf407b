//! Core users, roles and permissions, tokens and their claims, and what changing them sends.

use crate::api::model::lenient_i64;
use crate::api::model::lenient_string;
use crate::api::model::null_default;

use crate::api::model::Timestamp;
use serde::de::Deserializer;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// A permission. Servers send objects; `add_permissions` answers with bare strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default, Hash, PartialOrd, Ord)]
pub struct Permission {
    pub ressource: String,
    pub action: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub permission_id: String,
}

impl Permission {
    pub fn new(ressource: &str, action: &str) -> Self {
        Permission {
            ressource: ressource.into(),
            action: action.into(),
            permission_id: String::new(),
        }
    }
    pub fn key(&self) -> String {
        format!("{}:{}", self.ressource, self.action)
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => match s.split_once(':') {
                Some((r, a)) => Permission::new(r, a),
                None => Permission {
                    permission_id: s,
                    ..Default::default()
                },
            },
            Value::Object(m) => {
                let get = |k: &str| {
                    m.get(k)
                        .map(|v| match v {
                            Value::String(s) => s.clone(),
                            Value::Null => String::new(),
                            o => o.to_string(),
                        })
                        .unwrap_or_default()
                };
                Permission {
                    ressource: {
                        let r = get("ressource");
                        if r.is_empty() { get("resource") } else { r }
                    },
                    action: get("action"),
                    permission_id: {
                        let p = get("permission_id");
                        if p.is_empty() { get("id") } else { p }
                    },
                }
            }
            // A bare id, numeric or not.
            Value::Number(n) => Permission {
                permission_id: n.to_string(),
                ..Default::default()
            },
            _ => Permission::default(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Role {
    #[serde(default, deserialize_with = "lenient_string", alias = "id")]
    pub role_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
    #[serde(default, deserialize_with = "null_default")]
    pub permissions: Vec<Permission>,
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// What is odd about this row as the server sent it (kept and marked, never dropped).
    #[serde(skip)]
    pub problem: Option<Box<str>>,
}

/// A core user. The server's `password` key is ignored on purpose: the client never keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct User {
    #[serde(default, deserialize_with = "lenient_string", alias = "id")]
    pub user_id: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub matricule: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub nom: String,
    #[serde(default, deserialize_with = "null_default")]
    pub email: String,
    #[serde(default, deserialize_with = "null_default")]
    pub role_name: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub role_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub status: String,
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// What is odd about this row as the server sent it (kept and marked, never dropped).
    #[serde(skip)]
    pub problem: Option<Box<str>>,
}

impl User {
    pub fn is_active(&self) -> bool {
        !matches!(
            self.status.to_ascii_lowercase().as_str(),
            "deactivated" | "disabled" | "inactive"
        )
    }
}

#[derive(Clone, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub token_type: Option<String>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tokens(<redacted>)")
    }
}

/// The claims a console needs from the access token (read without verifying it).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Claims {
    #[serde(default, deserialize_with = "lenient_string")]
    pub sub: String,
    #[serde(default, deserialize_with = "null_default")]
    pub email: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub user_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub role_name: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub role_id: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub exp: Option<i64>,
}

impl Claims {
    /// Decodes the payload part of a JWT; `None` if it is not one.
    pub fn from_jwt(token: &str) -> Option<Self> {
        use base64::Engine;
        let payload = token.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

// ---- request bodies -------------------------------------------------------------------------

#[derive(Clone, Serialize, Default, PartialEq)]
pub struct NewUser {
    pub matricule: i64,
    pub nom: String,
    pub email: String,
    pub password: String,
    pub role_id: String,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("matricule", &self.matricule)
            .field("nom", &self.nom)
            .field("email", &self.email)
            .field("role_id", &self.role_id)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Serialize, Default, PartialEq)]
pub struct UserUpdate {
    pub user_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matricule: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nom: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Not in the doc: honoured by the reference server, ignored by a strict one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
}

impl fmt::Debug for UserUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserUpdate")
            .field("user_id", &self.user_id)
            .field("matricule", &self.matricule)
            .field("nom", &self.nom)
            .field("email", &self.email)
            .field(
                "password",
                &self.password.as_ref().map(|_| crate::text::MASK),
            )
            .field("role_id", &self.role_id)
            .finish()
    }
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct PermissionRef {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ressource: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub action: String,
    /// Sent alone for a permission the server gave by its id only.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub permission_id: String,
}

impl From<&Permission> for PermissionRef {
    fn from(p: &Permission) -> Self {
        if p.ressource.is_empty() || p.action.is_empty() {
            PermissionRef {
                permission_id: p.permission_id.clone(),
                ..Default::default()
            }
        } else {
            PermissionRef {
                ressource: p.ressource.clone(),
                action: p.action.clone(),
                permission_id: String::new(),
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct NewRole {
    pub name: String,
    pub description: String,
    pub permissions: Vec<PermissionRef>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct RoleUpdate {
    pub role_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<PermissionRef>>,
}

impl crate::api::items::Marked for User {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
}

impl crate::api::items::Tolerant for User {
    fn undecodable(raw: &str, problem: String) -> Self {
        User {
            nom: raw.to_string(),
            problem: Some(problem.into()),
            ..Default::default()
        }
    }
}

impl crate::api::items::Marked for Role {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
}

impl crate::api::items::Tolerant for Role {
    fn undecodable(raw: &str, problem: String) -> Self {
        Role {
            name: raw.to_string(),
            problem: Some(problem.into()),
            ..Default::default()
        }
    }
}
