//! A user's links to groups and entities, each with its role, and its primary entity.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::{Map, Value, json};

use super::super::{MResult, MaarchError, PathParams, RawBody, admin_target, db, parse_body, text};
use super::{all_entities, user_entities, user_groups};
use crate::server::AppState;
use crate::server::maarch::auth::Caller;

/// A `role`/`user_role` given with a link: absent or null is `""`; anything but a short
/// string is Maarch's `Bad Request`.
fn link_role(body: &Map<String, Value>) -> MResult<String> {
    match body.get("role") {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) if s.chars().count() <= 255 => Ok(s.trim().to_string()),
        Some(_) => Err(MaarchError::bad("Bad Request")),
    }
}

fn group_pk(c: &Connection, group_id: &str) -> MResult<i64> {
    c.query_row(
        "SELECT id FROM maarch_groups WHERE group_id = ?1",
        [group_id],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| MaarchError::bad("Group not found"))
}

fn entity_pk(c: &Connection, entity_id: &str) -> MResult<i64> {
    c.query_row(
        "SELECT id FROM maarch_entities WHERE entity_id = ?1",
        [entity_id],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| MaarchError::bad("Entity not found"))
}

fn groups_answer(c: &Connection, user: i64) -> MResult<Json<Value>> {
    Ok(Json(
        json!({ "groups": user_groups(c, user)?, "baskets": [] }),
    ))
}

fn entities_answer(c: &Connection, user: i64) -> MResult<Json<Value>> {
    Ok(Json(json!({
        "entities": user_entities(c, user)?,
        "allEntities": all_entities(c, user)?,
    })))
}

/// `POST /rest/users/{id}/groups` `{"groupId"[, "role"]}`.
pub async fn add_group(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
    RawBody(bytes): RawBody,
) -> MResult<Json<Value>> {
    let id = path.user_id()?;
    db(&st, move |c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        admin_target(&tx, id, caller)?;
        let body = parse_body(&bytes)?;
        let group = text(&body, "groupId").ok_or_else(|| MaarchError::bad("Bad Request"))?;
        let role = link_role(&body)?;
        let group = group_pk(&tx, group)?;
        let added = tx.execute(
            "INSERT OR IGNORE INTO maarch_user_groups(user_id, group_id, role) VALUES (?1, ?2, ?3)",
            params![id, group, role],
        )?;
        if added == 0 {
            return Err(MaarchError::bad("L'utilisateur est déjà lié à ce groupe"));
        }
        tx.commit()?;
        groups_answer(c, id)
    })
    .await
}

/// `DELETE /rest/users/{id}/groups/{groupId}`: a link that does not exist is not an error.
pub async fn remove_group(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
) -> MResult<Json<Value>> {
    let id = path.user_id()?;
    let group = path.second().to_string();
    db(&st, move |c| {
        admin_target(c, id, caller)?;
        let group = group_pk(c, &group)?;
        c.execute(
            "DELETE FROM maarch_user_groups WHERE user_id = ?1 AND group_id = ?2",
            [id, group],
        )?;
        groups_answer(c, id)
    })
    .await
}

/// `POST /rest/users/{id}/entities` `{"entityId"[, "role"]}`; the first entity is primary.
pub async fn add_entity(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
    RawBody(bytes): RawBody,
) -> MResult<Json<Value>> {
    let id = path.user_id()?;
    db(&st, move |c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        admin_target(&tx, id, caller)?;
        let body = parse_body(&bytes)?;
        let entity = text(&body, "entityId").ok_or_else(|| MaarchError::bad("Bad Request"))?;
        let role = link_role(&body)?;
        let entity = entity_pk(&tx, entity)?;
        let added = tx.execute(
            "INSERT OR IGNORE INTO maarch_user_entities(user_id, entity_id, user_role, primary_entity)
             SELECT ?1, ?2, ?3, CASE WHEN EXISTS (SELECT 1 FROM maarch_user_entities
                                                   WHERE user_id = ?1) THEN 'N' ELSE 'Y' END",
            params![id, entity, role],
        )?;
        if added == 0 {
            return Err(MaarchError::bad("L'utilisateur est déjà lié à cette entité"));
        }
        tx.commit()?;
        entities_answer(c, id)
    })
    .await
}

/// `DELETE /rest/users/{id}/entities/{entityId}`: removing the primary entity makes the
/// oldest remaining one primary.
pub async fn remove_entity(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
) -> MResult<Json<Value>> {
    let id = path.user_id()?;
    let entity = path.second().to_string();
    db(&st, move |c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        admin_target(&tx, id, caller)?;
        let entity = entity_pk(&tx, &entity)?;
        tx.execute(
            "DELETE FROM maarch_user_entities WHERE user_id = ?1 AND entity_id = ?2",
            [id, entity],
        )?;
        tx.execute(
            "UPDATE maarch_user_entities SET primary_entity = 'Y'
             WHERE rowid = (SELECT rowid FROM maarch_user_entities WHERE user_id = ?1
                            ORDER BY rowid LIMIT 1)
               AND NOT EXISTS (SELECT 1 FROM maarch_user_entities
                               WHERE user_id = ?1 AND primary_entity = 'Y')",
            [id],
        )?;
        tx.commit()?;
        entities_answer(c, id)
    })
    .await
}

/// `PUT /rest/users/{id}/groups/{groupId}` `{"role"}`: the user's role in a group it is in.
pub async fn set_group_role(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
    RawBody(bytes): RawBody,
) -> MResult<StatusCode> {
    let id = path.user_id()?;
    let group = path.second().to_string();
    db(&st, move |c| {
        admin_target(c, id, caller)?;
        let body = parse_body(&bytes)?;
        let role = link_role(&body)?;
        let group = group_pk(c, &group)?;
        let n = c.execute(
            "UPDATE maarch_user_groups SET role = ?1 WHERE user_id = ?2 AND group_id = ?3",
            params![role, id, group],
        )?;
        if n == 0 {
            return Err(MaarchError::bad("User is not in this group"));
        }
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// `PUT /rest/users/{id}/entities/{entityId}` `{"user_role"}`.
pub async fn set_entity_role(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
    RawBody(bytes): RawBody,
) -> MResult<StatusCode> {
    let id = path.user_id()?;
    let entity = path.second().to_string();
    db(&st, move |c| {
        admin_target(c, id, caller)?;
        let body = parse_body(&bytes)?;
        let role = match body.get("user_role") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) if s.chars().count() <= 255 => s.trim().to_string(),
            Some(_) => return Err(MaarchError::bad("Bad Request")),
        };
        let entity = entity_pk(c, &entity)?;
        let n = c.execute(
            "UPDATE maarch_user_entities SET user_role = ?1 WHERE user_id = ?2 AND entity_id = ?3",
            params![role, id, entity],
        )?;
        if n == 0 {
            return Err(MaarchError::bad("User is not in this entity"));
        }
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// `PUT /rest/users/{id}/entities/{entityId}/primaryEntity`: that entity becomes the user's
/// primary one (the others are not).
pub async fn set_primary_entity(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
) -> MResult<Json<Value>> {
    let id = path.user_id()?;
    let entity = path.second().to_string();
    db(&st, move |c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        admin_target(&tx, id, caller)?;
        let entity = entity_pk(&tx, &entity)?;
        let held: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM maarch_user_entities WHERE user_id = ?1 AND entity_id = ?2",
                [id, entity],
                |r| r.get(0),
            )
            .optional()?;
        if held.is_none() {
            return Err(MaarchError::bad("User is not in this entity"));
        }
        tx.execute(
            "UPDATE maarch_user_entities SET primary_entity = CASE WHEN entity_id = ?2
             THEN 'Y' ELSE 'N' END WHERE user_id = ?1",
            [id, entity],
        )?;
        tx.commit()?;
        entities_answer(c, id)
    })
    .await
}
