//! User administration: the list, creation and edition, one user's details, and the links to
//! groups and entities; plus the group and entity pickers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde_json::{Map, Value, json};

use super::super::AppState;
use super::auth::Caller;
use super::{
    MResult, MaarchError, PathParams, RawBody, admin_target, db, optional, parse_body, text,
    valid_login,
};
use crate::api::rules::{email_problem, maarch_phone_accepted};
use crate::server::Like;

mod links;

pub use links::{
    add_entity, add_group, remove_entity, remove_group, set_entity_role, set_group_role,
    set_primary_entity,
};

const MODES: [&str; 4] = ["standard", "rest", "root_visible", "root_invisible"];

/// The fields of `POST` and `PUT /rest/users`, checked in Maarch's order.
struct Profile {
    firstname: String,
    lastname: String,
    initials: Option<String>,
    /// Required on creation; on edition optional (absent writes null, as Maarch).
    mail: Option<String>,
    phone: Option<String>,
    /// Absent: `standard` on creation, unchanged on edition.
    mode: Option<String>,
    /// Edition: `OK` brings a suspended or absent user back; anything else is ignored.
    status_ok: bool,
}

impl Profile {
    /// Maarch 21.03's checks: creation says `Body mail is empty or not valid` and `Body phone
    /// is not valid`, edition `Body mail is not correct` (only for a mail given) and `Body
    /// phone is not correct`. The phone is checked (and written) only for a caller who may
    /// manage personal data, which every user administrator here may.
    fn parse(body: &Map<String, Value>, creating: bool) -> MResult<Self> {
        let firstname = text(body, "firstname")
            .filter(|s| s.chars().count() <= 255)
            .ok_or_else(|| MaarchError::bad("Body firstname is empty or not a string"))?;
        let lastname = text(body, "lastname")
            .filter(|s| s.chars().count() <= 255)
            .ok_or_else(|| MaarchError::bad("Body lastname is empty or not a string"))?;
        let initials = optional_str(
            body,
            "initials",
            |s| s.chars().count() <= 32,
            "Body initials is too long",
        )?;
        let mail_ok = |m: &str| m.len() <= 255 && email_problem(m).is_none();
        let mail = if creating {
            Some(
                text(body, "mail")
                    .filter(|m| mail_ok(m))
                    .ok_or_else(|| MaarchError::bad("Body mail is empty or not valid"))?
                    .to_string(),
            )
        } else {
            optional_str(body, "mail", mail_ok, "Body mail is not correct")?
        };
        let phone_error = if creating {
            "Body phone is not valid"
        } else {
            "Body phone is not correct"
        };
        let phone = optional_str(body, "phone", maarch_phone_accepted, phone_error)?;
        let mode = optional_str(
            body,
            "mode",
            |m| MODES.contains(&m),
            "Body mode is not valid",
        )?;
        Ok(Profile {
            firstname: firstname.to_string(),
            lastname: lastname.to_string(),
            initials,
            mail,
            phone,
            mode,
            status_ok: body.get("status").and_then(Value::as_str) == Some("OK"),
        })
    }
}

/// An optional string field (absent, null or `""` is `None`), trimmed; 400 `error` when it is
/// not a string or fails `ok`.
fn optional_str(
    body: &Map<String, Value>,
    key: &str,
    ok: impl Fn(&str) -> bool,
    error: &str,
) -> MResult<Option<String>> {
    match optional(body, key) {
        None => Ok(None),
        Some(Value::String(s)) if ok(s.trim()) => {
            Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
        }
        Some(_) => Err(MaarchError::bad(error)),
    }
}

/// `GET /rest/users`: every user but the deleted ones to a root caller; to the others, as
/// Maarch, the users of their entities and of the entities below them, and the users of no
/// entity.
pub async fn list(State(st): State<AppState>, caller: Caller) -> MResult<Json<Value>> {
    caller.require_admin()?;
    let users = db(&st, move |c| {
        let mut s = c.prepare_cached(
            "WITH RECURSIVE tree(entity_id) AS (
                 SELECT e.entity_id FROM maarch_user_entities ue
                 JOIN maarch_entities e ON e.id = ue.entity_id WHERE ue.user_id = ?2
                 UNION
                 SELECT e.entity_id FROM maarch_entities e JOIN tree t ON e.parent_entity_id = t.entity_id
             )
             SELECT id, user_id, firstname, lastname, status, mail, mode FROM maarch_users u
             WHERE status <> 'DEL' AND (
                 ?1
                 OR NOT EXISTS (SELECT 1 FROM maarch_user_entities ue WHERE ue.user_id = u.id)
                 OR EXISTS (SELECT 1 FROM maarch_user_entities ue
                            JOIN maarch_entities e ON e.id = ue.entity_id
                            WHERE ue.user_id = u.id AND e.entity_id IN (SELECT entity_id FROM tree)))
             ORDER BY id",
        )?;
        let rows = s.query_map(params![caller.root, caller.id], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "user_id": r.get::<_, String>(1)?,
                "firstname": r.get::<_, String>(2)?,
                "lastname": r.get::<_, String>(3)?,
                "status": r.get::<_, String>(4)?,
                "mail": r.get::<_, Option<String>>(5)?,
                "mode": r.get::<_, String>(6)?,
            }))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    })
    .await?;
    Ok(Json(json!({ "users": users, "quota": [] })))
}

/// `POST /rest/users` → `{"id": N}`.
pub async fn create(
    State(st): State<AppState>,
    caller: Caller,
    RawBody(bytes): RawBody,
) -> MResult<Json<Value>> {
    caller.require_admin()?;
    let body = parse_body(&bytes)?;
    if body.is_empty() {
        return Err(MaarchError::bad("Body is empty"));
    }
    let login = body
        .get("userId")
        .and_then(Value::as_str)
        .filter(|s| valid_login(s))
        .ok_or_else(|| MaarchError::bad("Body userId is empty, not a string or not valid"))?
        .to_string();
    let p = Profile::parse(&body, true)?;
    let old_answer = st.cfg.is_like(Like::MaarchOld);
    let id = db(&st, move |c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, status FROM maarch_users WHERE user_id = ?1",
                [&login],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let mode = p.mode.as_deref().unwrap_or("standard");
        let id = match existing {
            // As Maarch does, a deleted account's login brings the account back.
            Some((id, status)) if status == "DEL" => {
                tx.execute(
                    "UPDATE maarch_users SET firstname = ?1, lastname = ?2, initials = ?3,
                     mail = ?4, phone = ?5, mode = ?6, status = 'OK' WHERE id = ?7",
                    params![p.firstname, p.lastname, p.initials, p.mail, p.phone, mode, id],
                )?;
                id
            }
            Some(_) => return Err(MaarchError::bad("L'identifiant utilisateur existe déjà")),
            None => {
                tx.execute(
                    "INSERT INTO maarch_users(user_id, firstname, lastname, initials, mail, phone, mode)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![login, p.firstname, p.lastname, p.initials, p.mail, p.phone, mode],
                )?;
                tx.last_insert_rowid()
            }
        };
        tx.commit()?;
        Ok(id)
    })
    .await?;
    // Older versions wrap it: `{"user": {"id": N}}`.
    Ok(Json(if old_answer {
        json!({ "user": { "id": id } })
    } else {
        json!({ "id": id })
    }))
}

/// `PUT /rest/users/{id}` → 204.
pub async fn update(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
    RawBody(bytes): RawBody,
) -> MResult<StatusCode> {
    let id = path.user_id()?;
    db(&st, move |c| {
        admin_target(c, id, caller)?;
        let p = Profile::parse(&parse_body(&bytes)?, false)?;
        // As Maarch: firstname, lastname, initials and mail written from the body (absent is
        // null), the phone too (absent is empty), mode and status only when given.
        c.execute(
            "UPDATE maarch_users SET firstname = ?1, lastname = ?2, initials = ?3, mail = ?4,
             phone = ?5, mode = COALESCE(?6, mode),
             status = CASE WHEN ?7 THEN 'OK' ELSE status END WHERE id = ?8",
            params![
                p.firstname,
                p.lastname,
                p.initials,
                p.mail,
                p.phone.unwrap_or_default(),
                p.mode,
                p.status_ok,
                id
            ],
        )?;
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /rest/users/{id}/details`: the user with groups, entities and Parapheur link.
pub async fn details(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
) -> MResult<Json<Value>> {
    let id = path.user_id()?;
    let empty_external = if st.cfg.is_like(Like::Maarch2103) {
        // PHP's json_decode of '{}' into an array, encoded back.
        json!([])
    } else {
        json!({})
    };
    db(&st, move |c| {
        admin_target(c, id, caller)?;
        let mut user = c.query_row(
            "SELECT id, user_id, firstname, lastname, initials, mail, phone, status, mode,
                    parapheur_id
             FROM maarch_users WHERE id = ?1",
            [id],
            |r| {
                let parapheur: Option<i64> = r.get(9)?;
                Ok(json!({
                    "id": r.get::<_, i64>(0)?,
                    "user_id": r.get::<_, String>(1)?,
                    "firstname": r.get::<_, String>(2)?,
                    "lastname": r.get::<_, String>(3)?,
                    "initials": r.get::<_, Option<String>>(4)?,
                    "mail": r.get::<_, Option<String>>(5)?,
                    "phone": r.get::<_, Option<String>>(6)?,
                    "status": r.get::<_, String>(7)?,
                    "mode": r.get::<_, String>(8)?,
                    "external_id": match parapheur {
                        Some(p) => json!({ "maarchParapheur": p }),
                        None => empty_external.clone(),
                    },
                }))
            },
        )?;
        // Personal data is left out for a caller who may not view it (but sees its own).
        if !caller.view_personal_data
            && caller.id != id
            && let Some(m) = user.as_object_mut()
        {
            m.remove("phone");
        }
        user["groups"] = Value::Array(user_groups(c, id)?);
        user["entities"] = Value::Array(user_entities(c, id)?);
        Ok(Json(user))
    })
    .await
}

fn user_groups(c: &Connection, user: i64) -> MResult<Vec<Value>> {
    let mut s = c.prepare_cached(
        "SELECT g.id, g.group_id, g.group_desc, ug.role FROM maarch_user_groups ug
         JOIN maarch_groups g ON g.id = ug.group_id WHERE ug.user_id = ?1 ORDER BY g.group_id",
    )?;
    let rows = s.query_map([user], |r| {
        Ok(json!({
            "id": r.get::<_, i64>(0)?,
            "group_id": r.get::<_, String>(1)?,
            "group_desc": r.get::<_, String>(2)?,
            "role": r.get::<_, String>(3)?,
        }))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The user's entities, the primary one first, then in the order they were added.
fn user_entities(c: &Connection, user: i64) -> MResult<Vec<Value>> {
    let mut s = c.prepare_cached(
        "SELECT e.id, e.entity_id, e.entity_label, ue.user_role, ue.primary_entity
         FROM maarch_user_entities ue JOIN maarch_entities e ON e.id = ue.entity_id
         WHERE ue.user_id = ?1 ORDER BY ue.primary_entity DESC, ue.rowid",
    )?;
    let rows = s.query_map([user], |r| {
        Ok(json!({
            "id": r.get::<_, i64>(0)?,
            "entity_id": r.get::<_, String>(1)?,
            "entity_label": r.get::<_, String>(2)?,
            "user_role": r.get::<_, String>(3)?,
            "primary_entity": r.get::<_, String>(4)?,
        }))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every entity, marked `selected` when the user belongs to it.
fn all_entities(c: &Connection, user: i64) -> MResult<Vec<Value>> {
    let mut s = c.prepare_cached(
        "SELECT e.id, e.entity_id, e.entity_label, e.parent_entity_id,
                EXISTS (SELECT 1 FROM maarch_user_entities ue
                        WHERE ue.user_id = ?1 AND ue.entity_id = e.id)
         FROM maarch_entities e ORDER BY e.id",
    )?;
    let rows = s.query_map([user], |r| {
        let mut v = entity_json(r)?;
        v["selected"] = json!(r.get::<_, bool>(4)?);
        Ok(v)
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn entity_json(r: &Row) -> rusqlite::Result<Value> {
    Ok(json!({
        "id": r.get::<_, i64>(0)?,
        "entity_id": r.get::<_, String>(1)?,
        "entity_label": r.get::<_, String>(2)?,
        "parent_entity_id": r.get::<_, Option<String>>(3)?,
    }))
}

/// `GET /rest/groups`: the group picker.
pub async fn groups(State(st): State<AppState>, caller: Caller) -> MResult<Json<Value>> {
    caller.require_admin()?;
    db(&st, |c| {
        let mut s =
            c.prepare_cached("SELECT id, group_id, group_desc FROM maarch_groups ORDER BY id")?;
        let rows = s.query_map([], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "group_id": r.get::<_, String>(1)?,
                "group_desc": r.get::<_, String>(2)?,
            }))
        })?;
        Ok(Json(
            json!({ "groups": rows.collect::<Result<Vec<_>, _>>()? }),
        ))
    })
    .await
}

/// `GET /rest/entities`: the entity picker.
pub async fn entities(State(st): State<AppState>, caller: Caller) -> MResult<Json<Value>> {
    caller.require_admin()?;
    db(&st, |c| {
        let mut s = c.prepare_cached(
            "SELECT id, entity_id, entity_label, parent_entity_id FROM maarch_entities ORDER BY id",
        )?;
        let rows = s.query_map([], entity_json)?;
        Ok(Json(
            json!({ "entities": rows.collect::<Result<Vec<_>, _>>()? }),
        ))
    })
    .await
}

#[cfg(test)]
mod tests;
