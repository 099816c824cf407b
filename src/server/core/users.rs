//! Core users: list, one user, create, update, deactivate.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Value, json};

use super::super::auth::{Caller, hash_password};
use super::super::db::{new_id, now_ts};
use super::super::fastapi::{HttpError, HttpResult, PathId, Validator, err_item, parse_json};
use super::super::{AppState, Body};
use super::roles::role_exists;
use super::{conflict_or_internal, not_found};

const USER_COLS: &str =
    "u.user_id, u.matricule, u.nom, u.email, r.name, u.role_id, u.status, u.timestamp
    FROM users u JOIN roles r ON r.role_id = u.role_id";

fn user_json(r: &Row) -> rusqlite::Result<Value> {
    Ok(json!({
        "user_id": r.get::<_, String>(0)?,
        "matricule": r.get::<_, i64>(1)?,
        "nom": r.get::<_, String>(2)?,
        "email": r.get::<_, String>(3)?,
        // The documented key stays; the password or its hash never leaves the server.
        "password": Value::Null,
        "role_name": r.get::<_, String>(4)?,
        "role_id": r.get::<_, String>(5)?,
        "status": r.get::<_, String>(6)?,
        "timestamp": r.get::<_, String>(7)?,
    }))
}

fn load_user(c: &Connection, user_id: &str) -> HttpResult<Value> {
    c.query_row(
        &format!("SELECT {USER_COLS} WHERE u.user_id = ?1"),
        [user_id],
        user_json,
    )
    .optional()?
    .ok_or_else(|| not_found("User"))
}

/// A user id from a path or body: the UUID, or (as the doc's wording suggests) the matricule.
fn resolve_user(c: &Connection, key: &str) -> HttpResult<String> {
    let found = if let Ok(m) = key.trim().parse::<i64>() {
        c.query_row("SELECT user_id FROM users WHERE matricule = ?1", [m], |r| {
            r.get(0)
        })
        .optional()?
    } else {
        c.query_row("SELECT user_id FROM users WHERE user_id = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?
    };
    found.ok_or_else(|| not_found("User"))
}

fn user_key(loc: &[Value], raw: &Value) -> HttpResult<String> {
    match raw {
        Value::Number(n) if n.is_i64() => Ok(n.to_string()),
        Value::String(s) if s.trim().parse::<i64>().is_ok() => Ok(s.trim().to_string()),
        Value::String(s) => match uuid::Uuid::parse_str(s.trim()) {
            Ok(u) => Ok(u.to_string()),
            Err(e) => Err(HttpError::Validation(vec![err_item(
                "uuid_parsing",
                loc,
                &format!("Input should be a valid UUID, {e}"),
                raw.clone(),
                Some(json!({ "error": e.to_string() })),
            )])),
        },
        other => Err(HttpError::Validation(vec![err_item(
            "string_type",
            loc,
            "Input should be a valid string",
            other.clone(),
            None,
        )])),
    }
}

pub(super) async fn list_users(
    State(st): State<AppState>,
    caller: Caller,
) -> HttpResult<Json<Value>> {
    caller.require("users", "read")?;
    st.db
        .call(|c| {
            let mut s = c.prepare_cached(&format!("SELECT {USER_COLS} ORDER BY u.matricule"))?;
            let v = s.query_map([], user_json)?.collect::<Result<Vec<_>, _>>()?;
            Ok(Json(Value::Array(v)))
        })
        .await
}

pub(super) async fn get_user(
    State(st): State<AppState>,
    caller: Caller,
    PathId(user_id): PathId,
) -> HttpResult<Json<Value>> {
    caller.require("users", "read")?;
    let key = user_key(&[json!("path"), json!("user_id")], &json!(user_id))?;
    st.db
        .call(move |c| {
            let id = resolve_user(c, &key)?;
            Ok(Json(load_user(c, &id)?))
        })
        .await
}

fn user_conflict(
    c: &Connection,
    matricule: Option<i64>,
    email: Option<&str>,
    except: &str,
) -> HttpResult<()> {
    if let Some(m) = matricule {
        let taken: Option<String> = c
            .query_row(
                "SELECT user_id FROM users WHERE matricule = ?1 AND user_id <> ?2",
                params![m, except],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(HttpError::Conflict(format!(
                "A user with matricule {m} already exists"
            )));
        }
    }
    if let Some(e) = email {
        let taken: Option<String> = c
            .query_row(
                "SELECT user_id FROM users WHERE email = ?1 AND user_id <> ?2",
                params![e, except],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(HttpError::Conflict(format!(
                "A user with email {e} already exists"
            )));
        }
    }
    Ok(())
}

pub(super) async fn create_user(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<Value>> {
    caller.require("users", "create")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let matricule = v.req_int("matricule", 1, i64::from(i32::MAX));
    let nom = v.req_str("nom", 1, 200);
    let email = v.req_email("email");
    let password = v.req_str("password", 8, 128);
    let role_id = v.req_uuid("role_id");
    v.finish()?;
    let (matricule, nom, email, password, role_id) = (
        matricule.unwrap_or_default(),
        nom.unwrap_or_default(),
        email.unwrap_or_default(),
        password.unwrap_or_default(),
        role_id.unwrap_or_default(),
    );
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| HttpError::Internal(e.to_string()))?;
    st.db
        .call(move |c| {
            role_exists(c, &role_id)?;
            user_conflict(c, Some(matricule), Some(&email), "")?;
            let id = new_id();
            c.execute(
                "INSERT INTO users(user_id, matricule, nom, email, password_hash, role_id, status, timestamp)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'activated', ?7)",
                params![id, matricule, nom, email, hash, role_id, now_ts()],
            )
            .map_err(conflict_or_internal)?;
            Ok(Json(load_user(c, &id)?))
        })
        .await
}

pub(super) async fn update_user(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<Value>> {
    caller.require("users", "update")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let key = match v.raw("user_id") {
        None => {
            v.req_str("user_id", 1, 64);
            None
        }
        Some(raw) => match user_key(&[json!("body"), json!("user_id")], raw) {
            Ok(k) => Some(k),
            Err(HttpError::Validation(e)) => {
                v.errors.extend(e);
                None
            }
            Err(e) => return Err(e),
        },
    };
    let matricule = v.opt_int("matricule", 1, i64::from(i32::MAX));
    let nom = v.opt_str("nom", 1, 200);
    let email = v.opt_email("email");
    let password = v.opt_str("password", 8, 128);
    // Not in the swagger's model: pydantic drops it without a word.
    let role_id = if st.cfg.is_like(crate::server::Like::Swagger) {
        None
    } else {
        v.opt_uuid("role_id")
    };
    v.finish()?;
    let key = key.unwrap_or_default();
    let hash = match password {
        Some(p) => Some(
            tokio::task::spawn_blocking(move || hash_password(&p))
                .await
                .map_err(|e| HttpError::Internal(e.to_string()))?,
        ),
        None => None,
    };
    st.db
        .call(move |c| {
            let id = resolve_user(c, &key)?;
            if let Some(r) = &role_id {
                role_exists(c, r)?;
            }
            user_conflict(c, matricule, email.as_deref(), &id)?;
            let tx = c.transaction()?;
            if let Some(m) = matricule {
                tx.execute(
                    "UPDATE users SET matricule = ?1 WHERE user_id = ?2",
                    params![m, id],
                )?;
            }
            if let Some(n) = &nom {
                tx.execute(
                    "UPDATE users SET nom = ?1 WHERE user_id = ?2",
                    params![n, id],
                )?;
            }
            if let Some(e) = &email {
                tx.execute(
                    "UPDATE users SET email = ?1 WHERE user_id = ?2",
                    params![e, id],
                )?;
            }
            if let Some(h) = &hash {
                tx.execute(
                    "UPDATE users SET password_hash = ?1 WHERE user_id = ?2",
                    params![h, id],
                )?;
            }
            if let Some(r) = &role_id {
                tx.execute(
                    "UPDATE users SET role_id = ?1 WHERE user_id = ?2",
                    params![r, id],
                )?;
            }
            tx.commit().map_err(conflict_or_internal)?;
            Ok(Json(load_user(c, &id)?))
        })
        .await
}

pub(super) async fn deactivate_user(
    State(st): State<AppState>,
    caller: Caller,
    PathId(user_id): PathId,
) -> HttpResult<StatusCode> {
    caller.require("users", "delete")?;
    let key = user_key(&[json!("path"), json!("user_id")], &json!(user_id))?;
    let me = caller.user_id.clone();
    st.db
        .call(move |c| {
            let id = resolve_user(c, &key)?;
            if id == me {
                return Err(HttpError::Conflict(
                    "You cannot deactivate your own account".into(),
                ));
            }
            c.execute(
                "UPDATE users SET status = 'deactivated' WHERE user_id = ?1",
                [&id],
            )?;
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}
