//! Core roles and their permissions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::super::auth::Caller;
use super::super::db::{new_id, now_ts};
use super::super::fastapi::{
    HttpError, HttpResult, PathId, Validator, err_item, parse_json, path_uuid,
};
use super::super::{AppState, Body};
use super::{ACTIONS, RESSOURCES, conflict_or_internal, not_found};

fn role_json(c: &Connection, role_id: &str) -> HttpResult<Value> {
    let (name, description, ts): (String, String, String) = c
        .query_row(
            "SELECT name, description, timestamp FROM roles WHERE role_id = ?1",
            [role_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| not_found("Role"))?;
    Ok(json!({
        "role_id": role_id,
        "name": name,
        "description": description,
        "permissions": role_permissions(c, role_id)?,
        "timestamp": ts,
    }))
}

fn role_permissions(c: &Connection, role_id: &str) -> HttpResult<Vec<Value>> {
    let mut s = c.prepare_cached(
        "SELECT p.permission_id, p.ressource, p.action FROM role_permissions rp
         JOIN permissions p ON p.permission_id = rp.permission_id
         WHERE rp.role_id = ?1 ORDER BY p.ressource, p.action",
    )?;
    let v = s
        .query_map([role_id], |r| {
            Ok(json!({
                "permission_id": r.get::<_, String>(0)?,
                "ressource": r.get::<_, String>(1)?,
                "action": r.get::<_, String>(2)?,
            }))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// A permission reference of a request: `{ressource, action}`, `{permission_id}`, a permission
/// id, or `"ressource:action"`. Resolved against the permission catalogue.
enum PermRef {
    Pair(String, String),
    Id(String),
}

fn permission_refs(v: &mut Validator, required: bool) -> Option<Vec<PermRef>> {
    let raw = match v.raw("permissions") {
        None => {
            if required {
                v.str_list("permissions", true);
            }
            return None;
        }
        Some(Value::Null) if !required => return None,
        Some(r) => r.clone(),
    };
    let Value::Array(items) = &raw else {
        v.error_at(
            "permissions",
            "list_type",
            "Input should be a valid list",
            &raw,
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (i, it) in items.iter().enumerate() {
        let parsed = match it {
            Value::String(s) => Some(match s.split_once(':') {
                Some((r, a)) => PermRef::Pair(r.trim().into(), a.trim().into()),
                None => PermRef::Id(s.trim().into()),
            }),
            Value::Object(m) => {
                let s = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
                match (
                    s("ressource").or(s("resource")),
                    s("action"),
                    s("permission_id"),
                ) {
                    (Some(r), Some(a), _) => Some(PermRef::Pair(r, a)),
                    (_, _, Some(id)) => Some(PermRef::Id(id)),
                    _ => None,
                }
            }
            _ => None,
        };
        match parsed {
            Some(p) => out.push(p),
            None => {
                ok = false;
                v.errors.push(err_item(
                    "value_error",
                    &[json!("body"), json!("permissions"), json!(i)],
                    "Value error, a permission is {\"ressource\": ..., \"action\": ...}, a permission_id or \"ressource:action\"",
                    it.clone(),
                    None,
                ));
            }
        }
    }
    ok.then_some(out)
}

fn resolve_perms(c: &Connection, refs: &[PermRef]) -> HttpResult<Vec<String>> {
    let mut ids = Vec::new();
    let mut errs = Vec::new();
    for (i, p) in refs.iter().enumerate() {
        let found: Option<String> = match p {
            PermRef::Pair(r, a) => c
                .query_row(
                    "SELECT permission_id FROM permissions WHERE ressource = ?1 AND action = ?2",
                    params![r, a],
                    |r| r.get(0),
                )
                .optional()?,
            PermRef::Id(id) => c
                .query_row(
                    "SELECT permission_id FROM permissions WHERE permission_id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?,
        };
        match found {
            Some(id) => {
                if !ids.contains(&id) {
                    ids.push(id)
                }
            }
            None => {
                let what = match p {
                    PermRef::Pair(r, a) => format!("{r}:{a}"),
                    PermRef::Id(id) => id.clone(),
                };
                errs.push(err_item(
                    "value_error",
                    &[json!("body"), json!("permissions"), json!(i)],
                    &format!(
                        "Value error, unknown permission '{what}' (ressources: {}; actions: {})",
                        RESSOURCES.join(", "),
                        ACTIONS.join(", ")
                    ),
                    json!(what),
                    None,
                ));
            }
        }
    }
    if errs.is_empty() {
        Ok(ids)
    } else {
        Err(HttpError::Validation(errs))
    }
}

pub(super) fn role_exists(c: &Connection, role_id: &str) -> HttpResult<()> {
    let found: Option<i64> = c
        .query_row("SELECT 1 FROM roles WHERE role_id = ?1", [role_id], |r| {
            r.get(0)
        })
        .optional()?;
    found.map(|_| ()).ok_or_else(|| not_found("Role"))
}

fn role_name_taken(c: &Connection, name: &str, except: &str) -> HttpResult<()> {
    let taken: Option<String> = c
        .query_row(
            "SELECT role_id FROM roles WHERE name = ?1 AND role_id <> ?2",
            params![name, except],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(_) => Err(HttpError::Conflict(format!(
            "A role named '{name}' already exists"
        ))),
        None => Ok(()),
    }
}

pub(super) async fn create_role(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<Value>> {
    caller.require("roles", "create")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let name = v.req_str("name", 1, 100);
    let description = v.opt_str("description", 0, 500);
    let perms = permission_refs(&mut v, false);
    v.finish()?;
    let name = name.unwrap_or_default();
    st.db
        .call(move |c| {
            role_name_taken(c, &name, "")?;
            let ids = resolve_perms(c, perms.as_deref().unwrap_or(&[]))?;
            let id = new_id();
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO roles(role_id, name, description, timestamp) VALUES (?1, ?2, ?3, ?4)",
                params![id, name, description.unwrap_or_default(), now_ts()],
            )
            .map_err(conflict_or_internal)?;
            for p in &ids {
                tx.execute(
                    "INSERT INTO role_permissions(role_id, permission_id) VALUES (?1, ?2)",
                    params![id, p],
                )?;
            }
            tx.commit()?;
            Ok(Json(role_json(c, &id)?))
        })
        .await
}

pub(super) async fn update_role(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<Value>> {
    caller.require("roles", "update")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let role_id = v.req_uuid("role_id");
    let name = v.opt_str("name", 1, 100);
    let description = v.opt_str("description", 0, 500);
    let perms = permission_refs(&mut v, false);
    v.finish()?;
    let role_id = role_id.unwrap_or_default();
    st.db
        .call(move |c| {
            role_exists(c, &role_id)?;
            if let Some(n) = &name {
                role_name_taken(c, n, &role_id)?;
            }
            let ids = match &perms {
                Some(p) => Some(resolve_perms(c, p)?),
                None => None,
            };
            let tx = c.transaction()?;
            if let Some(n) = &name {
                tx.execute(
                    "UPDATE roles SET name = ?1 WHERE role_id = ?2",
                    params![n, role_id],
                )?;
            }
            if let Some(d) = &description {
                tx.execute(
                    "UPDATE roles SET description = ?1 WHERE role_id = ?2",
                    params![d, role_id],
                )?;
            }
            if let Some(ids) = &ids {
                tx.execute(
                    "DELETE FROM role_permissions WHERE role_id = ?1",
                    [&role_id],
                )?;
                for p in ids {
                    tx.execute(
                        "INSERT INTO role_permissions(role_id, permission_id) VALUES (?1, ?2)",
                        params![role_id, p],
                    )?;
                }
            }
            tx.commit()?;
            Ok(Json(role_json(c, &role_id)?))
        })
        .await
}

pub(super) async fn add_permissions(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<Value>> {
    caller.require("roles", "update")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let role_id = v.req_uuid("role_id");
    let perms = permission_refs(&mut v, true);
    v.finish()?;
    let role_id = role_id.unwrap_or_default();
    st.db
        .call(move |c| {
            role_exists(c, &role_id)?;
            let ids = resolve_perms(c, perms.as_deref().unwrap_or(&[]))?;
            for p in &ids {
                c.execute(
                    "INSERT OR IGNORE INTO role_permissions(role_id, permission_id) VALUES (?1, ?2)",
                    params![role_id, p],
                )?;
            }
            let full = role_json(c, &role_id)?;
            // The doc's answer for this route: `id` and the permissions as strings.
            let names: Vec<Value> = full["permissions"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            json!(format!(
                                "{}:{}",
                                p["ressource"].as_str().unwrap_or(""),
                                p["action"].as_str().unwrap_or("")
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok(Json(json!({
                "id": role_id,
                "name": full["name"],
                "description": full["description"],
                "permissions": names,
            })))
        })
        .await
}

pub(super) async fn list_roles(
    State(st): State<AppState>,
    caller: Caller,
) -> HttpResult<Json<Value>> {
    caller.require("roles", "read")?;
    st.db
        .call(|c| {
            let ids: Vec<String> = c
                .prepare_cached("SELECT role_id FROM roles ORDER BY name")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let roles = ids
                .iter()
                .map(|id| role_json(c, id))
                .collect::<HttpResult<Vec<_>>>()?;
            Ok(Json(Value::Array(roles)))
        })
        .await
}

pub(super) async fn delete_role(
    State(st): State<AppState>,
    caller: Caller,
    PathId(role_id): PathId,
) -> HttpResult<StatusCode> {
    caller.require("roles", "delete")?;
    let role_id = path_uuid("role_id", &role_id)?;
    st.db
        .call(move |c| {
            role_exists(c, &role_id)?;
            let users: i64 = c.query_row(
                "SELECT COUNT(*) FROM users WHERE role_id = ?1",
                [&role_id],
                |r| r.get(0),
            )?;
            if users > 0 {
                return Err(HttpError::Conflict(format!(
                    "This role is still assigned to {users} user(s): give them another role first"
                )));
            }
            c.execute("DELETE FROM roles WHERE role_id = ?1", [&role_id])?;
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}
