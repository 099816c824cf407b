//! Routes of the core service: users, roles, client sites, equipements.

use super::Body;
use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Value, json};

use super::AppState;
use super::auth::{Caller, hash_password};
use super::db::{is_unique_violation, new_id, now_ts};
use super::fastapi::{
    HttpError, HttpResult, PageBody, PathId, Validator, err_item, page_params, parse_json,
    path_uuid,
};

pub const RESSOURCES: [&str; 4] = ["users", "roles", "client_site", "equipements"];
pub const ACTIONS: [&str; 4] = ["read", "create", "update", "delete"];

type Q = Query<Vec<(String, String)>>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(super::auth::login))
        .route("/auth/refresh", post(super::auth::refresh))
        .route("/users/list", get(list_users))
        .route("/users/create", post(create_user))
        .route("/users/update", put(update_user))
        .route("/users/delete/{user_id}", delete(deactivate_user))
        .route("/users/{user_id}", get(get_user))
        .route("/roles/create", post(create_role))
        .route("/roles/update", put(update_role))
        .route("/roles/add_permissions", post(add_permissions))
        .route("/roles/list", get(list_roles))
        .route("/roles/{role_id}", delete(delete_role))
        .route("/client_site/register", post(register_site))
        .route("/client_site/all", get(all_sites))
        .route("/client_site/update", put(update_site))
        .route(
            "/client_site/{site_id}/all_equipements",
            get(site_equipements),
        )
        .route("/client_site/{site_id}", delete(delete_site))
        .route("/equipements/register", post(register_equipement))
        .route("/equipements/all", get(all_equipements))
        .route("/equipements/update", put(update_equipement))
        .route("/equipements/{equipement_id}", delete(delete_equipement))
}

fn not_found(what: &str) -> HttpError {
    HttpError::NotFound(format!("{what} not found"))
}

// ---- users ----------------------------------------------------------------------------------

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

async fn list_users(State(st): State<AppState>, caller: Caller) -> HttpResult<Json<Value>> {
    caller.require("users", "read")?;
    st.db
        .call(|c| {
            let mut s = c.prepare_cached(&format!("SELECT {USER_COLS} ORDER BY u.matricule"))?;
            let v = s.query_map([], user_json)?.collect::<Result<Vec<_>, _>>()?;
            Ok(Json(Value::Array(v)))
        })
        .await
}

async fn get_user(
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

fn role_exists(c: &Connection, role_id: &str) -> HttpResult<()> {
    let found: Option<i64> = c
        .query_row("SELECT 1 FROM roles WHERE role_id = ?1", [role_id], |r| {
            r.get(0)
        })
        .optional()?;
    found.map(|_| ()).ok_or_else(|| not_found("Role"))
}

async fn create_user(
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

fn conflict_or_internal(e: rusqlite::Error) -> HttpError {
    if is_unique_violation(&e) {
        HttpError::Conflict("A record with the same unique value already exists".into())
    } else {
        e.into()
    }
}

async fn update_user(
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
    let role_id = v.opt_uuid("role_id");
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

async fn deactivate_user(
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

// ---- roles ----------------------------------------------------------------------------------

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

async fn create_role(
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

async fn update_role(
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

async fn add_permissions(
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

async fn list_roles(State(st): State<AppState>, caller: Caller) -> HttpResult<Json<Value>> {
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

async fn delete_role(
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

// ---- client sites ---------------------------------------------------------------------------

const EQ_COLS: &str = "e.equipement_id, e.ip, e.marque, e.sources, e.port, e.username, e.password, \
                       e.description, e.modele, e.timestamp";
const SITE_COLS: &str =
    "s.site_id, s.client_id, s.name, s.longitude, s.latitude, s.description, s.timestamp";

/// Sites (or the one `only` names) with their client and equipements, as `/client_site/all`
/// shows them.
fn read_sites(c: &Connection, only: Option<&str>) -> HttpResult<Vec<ListedSiteWithEquipements>> {
    let filter = if only.is_some() {
        "WHERE s.site_id = ?1"
    } else {
        ""
    };
    let mut s = c.prepare_cached(&format!(
        "SELECT {SITE_COLS}, c.nom, c.code, c.timestamp FROM sites s
         JOIN clients c ON c.client_id = s.client_id {filter} ORDER BY s.rowid"
    ))?;
    let map = |r: &Row| {
        Ok(ListedSiteWithEquipements {
            site: listed_site(r, 0)?,
            timestamp: r.get(6)?,
            client: ListedClient {
                client_id: r.get(1)?,
                nom: r.get(7)?,
                code: r.get(8)?,
                timestamp: r.get(9)?,
            },
            equipements: Vec::new(),
        })
    };
    let mut sites: Vec<ListedSiteWithEquipements> = match only {
        Some(id) => s.query_map([id], map)?.collect::<Result<_, _>>()?,
        None => s.query_map([], map)?.collect::<Result<_, _>>()?,
    };
    let index: std::collections::HashMap<String, usize> = sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.site.site_id.clone(), i))
        .collect();
    let efilter = if only.is_some() {
        "WHERE e.site_id = ?1"
    } else {
        ""
    };
    let mut e = c.prepare_cached(&format!(
        "SELECT e.site_id, {EQ_COLS} FROM equipements e {efilter} ORDER BY e.rowid"
    ))?;
    let mut rows = match only {
        Some(id) => e.query([id])?,
        None => e.query([])?,
    };
    while let Some(r) = rows.next()? {
        let site_id: String = r.get(0)?;
        if let Some(&i) = index.get(&site_id) {
            sites[i].equipements.push(site_equipement(r, 1)?);
        }
    }
    Ok(sites)
}

/// The one site `site_id` names, as `/client_site/all` shows it.
fn read_site(c: &Connection, site_id: &str) -> HttpResult<ListedSiteWithEquipements> {
    read_sites(c, Some(site_id))?
        .pop()
        .ok_or_else(|| not_found("Site"))
}

fn site_exists(c: &Connection, site_id: &str) -> HttpResult<()> {
    let found: Option<i64> = c
        .query_row("SELECT 1 FROM sites WHERE site_id = ?1", [site_id], |r| {
            r.get(0)
        })
        .optional()?;
    found.map(|_| ()).ok_or_else(|| not_found("Site"))
}

fn site_name_taken(c: &Connection, client_id: &str, name: &str, except: &str) -> HttpResult<()> {
    let taken: Option<String> = c
        .query_row(
            "SELECT site_id FROM sites WHERE client_id = ?1 AND name = ?2 AND site_id <> ?3",
            params![client_id, name, except],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(_) => Err(HttpError::Conflict(format!(
            "This client already has a site named '{name}'"
        ))),
        None => Ok(()),
    }
}

async fn register_site(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<ListedSiteWithEquipements>> {
    caller.require("client_site", "create")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let client_id = v.req_uuid("client_id");
    let name = v.req_str("name", 1, 200);
    let longitude = v.req_float("longitude", -180.0, 180.0);
    let latitude = v.req_float("latitude", -90.0, 90.0);
    let description = v.opt_str("description", 0, 1000);
    v.finish()?;
    let (client_id, name) = (client_id.unwrap_or_default(), name.unwrap_or_default());
    st.db
        .call(move |c| {
            let found: Option<i64> = c
                .query_row("SELECT 1 FROM clients WHERE client_id = ?1", [&client_id], |r| r.get(0))
                .optional()?;
            found.ok_or_else(|| not_found("Client"))?;
            site_name_taken(c, &client_id, &name, "")?;
            let id = new_id();
            let ts = now_ts();
            c.execute(
                "INSERT INTO sites(site_id, client_id, name, longitude, latitude, description, timestamp)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    client_id,
                    name,
                    longitude.unwrap_or_default(),
                    latitude.unwrap_or_default(),
                    description.clone().unwrap_or_default(),
                    ts
                ],
            )?;
            let mut site = read_site(c, &id)?;
            site.site.client_id = client_id;
            Ok(Json(site))
        })
        .await
}

/// A site as `/client_site/all` lists it, serialised straight from the rows (at 100,000
/// equipements a `Value` tree of the whole answer took most of a second and hundreds of
/// megabytes). Field order is the answer's.
#[derive(serde::Serialize)]
struct ListedSiteWithEquipements {
    #[serde(flatten)]
    site: ListedSite,
    timestamp: String,
    client: ListedClient,
    equipements: Vec<SiteEquipement>,
}

#[derive(serde::Serialize)]
struct ListedClient {
    client_id: String,
    nom: String,
    code: i64,
    timestamp: String,
}

/// An equipement as the core routes answer it (`site_id` aside).
#[derive(serde::Serialize)]
struct SiteEquipement {
    equipement_id: String,
    ip: String,
    marque: String,
    sources: Value,
    port: i64,
    username: String,
    password: String,
    description: String,
    modele: String,
    timestamp: String,
}

fn site_equipement(r: &Row, base: usize) -> rusqlite::Result<SiteEquipement> {
    let sources: String = r.get(base + 3)?;
    Ok(SiteEquipement {
        equipement_id: r.get(base)?,
        ip: r.get(base + 1)?,
        marque: r.get(base + 2)?,
        sources: serde_json::from_str::<Value>(&sources).unwrap_or_else(|_| json!([])),
        port: r.get(base + 4)?,
        username: r.get(base + 5)?,
        password: r.get(base + 6)?,
        description: r.get(base + 7)?,
        modele: r.get(base + 8)?,
        timestamp: r.get(base + 9)?,
    })
}

/// Every site with every equipement: at 100,000 equipements 31 MB that take 0.4 s to read and
/// write, asked for by every console at start. Kept, as bytes, until a row changes.
async fn all_sites(State(st): State<AppState>, caller: Caller) -> HttpResult<Response> {
    caller.require("client_site", "read")?;
    const ROUTE: &str = "/client_site/all";
    // Checked against commits made elsewhere too (another process on the same file).
    let generation = st.db.generation_now();
    let body = match st.db.kept_answer(ROUTE, generation) {
        Some(body) => body,
        None => {
            let body = bytes::Bytes::from(st.db.call(read_all_sites).await?);
            st.db.keep_answer(ROUTE, generation, body.clone());
            body
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `/client_site/all`'s answer, serialised.
fn read_all_sites(c: &mut Connection) -> HttpResult<Vec<u8>> {
    let tx = c.transaction()?;
    let sites = read_sites(&tx, None)?;
    serde_json::to_vec(&sites).map_err(|e| HttpError::Internal(e.to_string()))
}

async fn site_equipements(
    State(st): State<AppState>,
    caller: Caller,
    PathId(site_id): PathId,
    Query(q): Q,
) -> HttpResult<Json<PageBody<SiteEquipement>>> {
    caller.require("client_site", "read")?;
    // FastAPI reports path and query errors together.
    let (sid, pg) = (path_uuid("site_id", &site_id), page_params(&q));
    let (site_id, (page, size)) = match (sid, pg) {
        (Ok(s), Ok(p)) => (s, p),
        (Err(HttpError::Validation(mut a)), Err(HttpError::Validation(b))) => {
            a.extend(b);
            return Err(HttpError::Validation(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    st.db
        .call(move |c| {
            site_exists(c, &site_id)?;
            let total: i64 = c.query_row(
                "SELECT COUNT(*) FROM equipements WHERE site_id = ?1",
                [&site_id],
                |r| r.get(0),
            )?;
            let mut s = c.prepare_cached(&format!(
                "SELECT {EQ_COLS} FROM equipements e WHERE e.site_id = ?1
                 ORDER BY e.rowid LIMIT ?2 OFFSET ?3"
            ))?;
            let offset = (i64::from(page) - 1) * i64::from(size);
            let items = s
                .query_map(params![site_id, size, offset], |r| site_equipement(r, 0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Json(PageBody::new(items, total as u64, page, size)))
        })
        .await
}

async fn update_site(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<ListedSiteWithEquipements>> {
    caller.require("client_site", "update")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let site_id = v.req_uuid("site_id");
    let name = v.opt_str("name", 1, 200);
    let longitude = v.opt_float("longitude", -180.0, 180.0);
    let latitude = v.opt_float("latitude", -90.0, 90.0);
    let description = v.opt_str("description", 0, 1000);
    v.finish()?;
    let site_id = site_id.unwrap_or_default();
    st.db
        .call(move |c| {
            let client_id: String = c
                .query_row(
                    "SELECT client_id FROM sites WHERE site_id = ?1",
                    [&site_id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| not_found("Site"))?;
            if let Some(n) = &name {
                site_name_taken(c, &client_id, n, &site_id)?;
            }
            c.execute(
                "UPDATE sites SET name = COALESCE(?1, name), longitude = COALESCE(?2, longitude),
                 latitude = COALESCE(?3, latitude), description = COALESCE(?4, description)
                 WHERE site_id = ?5",
                params![name, longitude, latitude, description, site_id],
            )?;
            Ok(Json(read_site(c, &site_id)?))
        })
        .await
}

async fn delete_site(
    State(st): State<AppState>,
    caller: Caller,
    PathId(site_id): PathId,
) -> HttpResult<StatusCode> {
    caller.require("client_site", "delete")?;
    let site_id = path_uuid("site_id", &site_id)?;
    st.db
        .call(move |c| {
            let name: String = c
                .query_row(
                    "SELECT name FROM sites WHERE site_id = ?1",
                    [&site_id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| not_found("Site"))?;
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM equipements WHERE site_id = ?1",
                [&site_id],
                |r| r.get(0),
            )?;
            if n > 0 {
                return Err(HttpError::Conflict(format!(
                    "Site '{name}' still holds {n} equipement(s): delete or move them first"
                )));
            }
            c.execute("DELETE FROM sites WHERE site_id = ?1", [&site_id])?;
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}

// ---- equipements ----------------------------------------------------------------------------

/// An equipement as its create and update routes answer it: with its `site_id`.
#[derive(serde::Serialize)]
struct EquipementWithSite {
    #[serde(flatten)]
    equipement: SiteEquipement,
    site_id: String,
}

fn load_equipement(c: &Connection, id: &str) -> HttpResult<EquipementWithSite> {
    c.query_row(
        &format!("SELECT {EQ_COLS}, e.site_id FROM equipements e WHERE e.equipement_id = ?1"),
        [id],
        |r| {
            Ok(EquipementWithSite {
                equipement: site_equipement(r, 0)?,
                site_id: r.get(10)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| not_found("Equipement"))
}

fn ip_port_taken(
    c: &Connection,
    site_id: &str,
    ip: &str,
    port: i64,
    except: &str,
) -> HttpResult<()> {
    let taken: Option<String> = c
        .query_row(
            "SELECT equipement_id FROM equipements
             WHERE site_id = ?1 AND ip = ?2 AND port = ?3 AND equipement_id <> ?4",
            params![site_id, ip, port, except],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(_) => Err(HttpError::Conflict(format!(
            "An equipement at {ip}:{port} already exists on this site"
        ))),
        None => Ok(()),
    }
}

async fn register_equipement(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<EquipementWithSite>> {
    caller.require("equipements", "create")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let ip = v.req_ip("ip");
    let site_id = v.req_uuid("site_id");
    let marque = v.req_str("marque", 1, 100);
    let sources = v.str_list("sources", false);
    let port = v.req_int("port", 1, 65535);
    let username = v.opt_str("username", 0, 200);
    let password = v.opt_str("password", 0, 200);
    let description = v.opt_str("description", 0, 1000);
    let modele = v.req_str("modele", 1, 100);
    v.finish()?;
    let (ip, site_id, port) = (
        ip.unwrap_or_default(),
        site_id.unwrap_or_default(),
        port.unwrap_or_default(),
    );
    st.db
        .call(move |c| {
            site_exists(c, &site_id)?;
            ip_port_taken(c, &site_id, &ip, port, "")?;
            let id = new_id();
            c.execute(
                "INSERT INTO equipements(equipement_id, site_id, ip, marque, sources, port, username,
                 password, description, modele, timestamp) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
                params![
                    id,
                    site_id,
                    ip,
                    marque.unwrap_or_default(),
                    json!(sources.unwrap_or_default()).to_string(),
                    port,
                    username.unwrap_or_default(),
                    password.unwrap_or_default(),
                    description.unwrap_or_default(),
                    modele.unwrap_or_default(),
                    now_ts()
                ],
            )?;
            Ok(Json(load_equipement(c, &id)?))
        })
        .await
}

/// An equipement as `/equipements/all` lists it: with its site.
#[derive(serde::Serialize)]
struct ListedEquipement {
    #[serde(flatten)]
    equipement: SiteEquipement,
    client_site: ListedSite,
}

#[derive(serde::Serialize)]
struct ListedSite {
    site_id: String,
    client_id: String,
    name: String,
    longitude: f64,
    latitude: f64,
    description: String,
}

fn listed_site(r: &Row, base: usize) -> rusqlite::Result<ListedSite> {
    Ok(ListedSite {
        site_id: r.get(base)?,
        client_id: r.get(base + 1)?,
        name: r.get(base + 2)?,
        longitude: r.get(base + 3)?,
        latitude: r.get(base + 4)?,
        description: r.get(base + 5)?,
    })
}

fn listed_equipement(r: &Row) -> rusqlite::Result<ListedEquipement> {
    Ok(ListedEquipement {
        equipement: site_equipement(r, 0)?,
        client_site: listed_site(r, 10)?,
    })
}

async fn all_equipements(
    State(st): State<AppState>,
    caller: Caller,
    Query(q): Q,
) -> HttpResult<Json<PageBody<ListedEquipement>>> {
    caller.require("equipements", "read")?;
    let (page, size) = page_params(&q)?;
    let db = st.db.clone();
    st.db
        .call(move |c| {
            // One snapshot for the count, the rowid range and the rows.
            let tx = c.transaction()?;
            let offset = (i64::from(page) - 1) * i64::from(size);
            let (total, bounds) = db.equipement_page(&tx, offset, i64::from(size))?;
            let items = match bounds {
                Some((first, last)) => {
                    let mut s = tx.prepare_cached(&format!(
                        "SELECT {EQ_COLS}, {SITE_COLS} FROM equipements e
                         JOIN sites s ON s.site_id = e.site_id
                         WHERE e.rowid BETWEEN ?1 AND ?2 ORDER BY e.rowid"
                    ))?;
                    s.query_map(params![first, last], listed_equipement)?
                        .collect::<Result<Vec<_>, _>>()?
                }
                None => Vec::new(),
            };
            Ok(Json(PageBody::new(items, total as u64, page, size)))
        })
        .await
}

async fn update_equipement(
    State(st): State<AppState>,
    caller: Caller,
    Body(body): Body,
) -> HttpResult<Json<EquipementWithSite>> {
    caller.require("equipements", "update")?;
    let body = parse_json(&body)?;
    let mut v = Validator::new(&body);
    let id = v.req_uuid("equipement_id");
    let ip = v.opt_ip("ip");
    let site_id = v.opt_uuid("site_id");
    let marque = v.opt_str("marque", 1, 100);
    let sources = v.str_list("sources", false);
    let port = v.opt_int("port", 1, 65535);
    let username = v.opt_str("username", 0, 200);
    let password = v.opt_str("password", 0, 200);
    let description = v.opt_str("description", 0, 1000);
    let modele = v.opt_str("modele", 1, 100);
    v.finish()?;
    let id = id.unwrap_or_default();
    st.db
        .call(move |c| {
            let (cur_site, cur_ip, cur_port): (String, String, i64) = c
                .query_row(
                    "SELECT site_id, ip, port FROM equipements WHERE equipement_id = ?1",
                    [&id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or_else(|| not_found("Equipement"))?;
            if let Some(s) = &site_id {
                site_exists(c, s)?;
            }
            ip_port_taken(
                c,
                site_id.as_deref().unwrap_or(&cur_site),
                ip.as_deref().unwrap_or(&cur_ip),
                port.unwrap_or(cur_port),
                &id,
            )?;
            c.execute(
                "UPDATE equipements SET ip = COALESCE(?1, ip), site_id = COALESCE(?2, site_id),
                 marque = COALESCE(?3, marque), sources = COALESCE(?4, sources),
                 port = COALESCE(?5, port), username = COALESCE(?6, username),
                 password = COALESCE(?7, password), description = COALESCE(?8, description),
                 modele = COALESCE(?9, modele) WHERE equipement_id = ?10",
                params![
                    ip,
                    site_id,
                    marque,
                    sources.map(|s| json!(s).to_string()),
                    port,
                    username,
                    password,
                    description,
                    modele,
                    id
                ],
            )?;
            Ok(Json(load_equipement(c, &id)?))
        })
        .await
}

async fn delete_equipement(
    State(st): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> HttpResult<StatusCode> {
    caller.require("equipements", "delete")?;
    let id = path_uuid("equipement_id", &id)?;
    st.db
        .call(move |c| {
            let n = c.execute("DELETE FROM equipements WHERE equipement_id = ?1", [&id])?;
            if n == 0 {
                return Err(not_found("Equipement"));
            }
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}
