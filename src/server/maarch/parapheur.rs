//! Links between Maarch Courrier users and the simulated Maarch Parapheur directory.

use axum::Json;
use axum::extract::State;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde_json::{Value, json};

use super::super::AppState;
use super::auth::Caller;
use super::{MResult, MaarchError, PathParams, RawBody, admin_target, db, parse_body};

/// Checked before anything else on these routes.
fn enabled(st: &AppState) -> MResult<()> {
    if st.cfg.parapheur_enabled {
        Ok(())
    } else {
        Err(MaarchError::forbidden("maarchParapheur is not enabled"))
    }
}

fn success() -> Json<Value> {
    Json(json!({ "success": "success" }))
}

fn no_parapheur_id() -> MaarchError {
    MaarchError::bad("User does not have Maarch Parapheur Id")
}

/// `PUT /rest/users/{id}/linkToMaarchParapheur` `{"maarchParapheurUserId": N}`.
pub async fn link(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
    RawBody(bytes): RawBody,
) -> MResult<Json<Value>> {
    enabled(&st)?;
    let id = path.user_id()?;
    db(&st, move |c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        admin_target(&tx, id, caller)?;
        let target = parse_body(&bytes)?
            .get("maarchParapheurUserId")
            .and_then(Value::as_i64)
            .filter(|&n| n != 0)
            .ok_or_else(|| MaarchError::bad("maarchParapheurUserId is empty or not an integer"))?;
        tx.query_row(
            "SELECT 1 FROM maarch_parapheur_users WHERE id = ?1",
            [target],
            |_| Ok(()),
        )
        .optional()?
        .ok_or_else(|| MaarchError::bad("User does not exist in Maarch Parapheur"))?;
        // The user's own link counts too, as in Maarch.
        let taken = tx
            .query_row(
                "SELECT 1 FROM maarch_users WHERE parapheur_id = ?1",
                [target],
                |_| Ok(()),
            )
            .optional()?;
        if taken.is_some() {
            return Err(MaarchError::forbidden(
                "This maarch parapheur user is already linked to someone. Choose another one.",
            ));
        }
        tx.execute(
            "UPDATE maarch_users SET parapheur_id = ?1 WHERE id = ?2",
            [target, id],
        )?;
        tx.commit()?;
        Ok(success())
    })
    .await
}

/// `PUT /rest/users/{id}/unlinkToMaarchParapheur`.
pub async fn unlink(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
) -> MResult<Json<Value>> {
    enabled(&st)?;
    let id = path.user_id()?;
    db(&st, move |c| {
        admin_target(c, id, caller)?;
        // A user not linked is no error: Maarch answers success all the same.
        c.execute(
            "UPDATE maarch_users SET parapheur_id = NULL WHERE id = ?1",
            [id],
        )?;
        Ok(success())
    })
    .await
}

/// `PUT /rest/users/{id}/createInMaarchParapheur` `{"login"}` → `{"externalId": N}`: a new
/// Parapheur account with the user's names, linked to the user.
pub async fn create(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
    RawBody(bytes): RawBody,
) -> MResult<Json<Value>> {
    enabled(&st)?;
    let id = path.user_id()?;
    db(&st, move |c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        admin_target(&tx, id, caller)?;
        let body = parse_body(&bytes)?;
        // Maarch checks only that a login is given.
        let login = body
            .get("login")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| MaarchError::bad("Body login is empty or not a string"))?;
        let exists = tx
            .query_row(
                "SELECT 1 FROM maarch_parapheur_users WHERE login = ?1",
                [login],
                |_| Ok(()),
            )
            .optional()?;
        if exists.is_some() {
            return Err(MaarchError::bad("Login already exists in Maarch Parapheur"));
        }
        tx.execute(
            "INSERT INTO maarch_parapheur_users(login, firstname, lastname)
             SELECT ?1, firstname, lastname FROM maarch_users WHERE id = ?2",
            params![login, id],
        )?;
        let external = tx.last_insert_rowid();
        tx.execute(
            "UPDATE maarch_users SET parapheur_id = ?1 WHERE id = ?2",
            [external, id],
        )?;
        tx.commit()?;
        Ok(Json(json!({ "externalId": external })))
    })
    .await
}

/// `PUT /rest/users/{id}/statusInMaarchParapheur`, as the doc has it; 21.03 serves GET only.
pub async fn status_by_put(
    st: State<AppState>,
    caller: Caller,
    path: PathParams,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if st.cfg.is_like(crate::server::Like::Maarch2103) {
        return super::not_routed(
            &st,
            axum::http::StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed",
        );
    }
    status(st, caller, path).await.into_response()
}

/// `GET` (real) or `PUT` (doc) `/rest/users/{id}/statusInMaarchParapheur` →
/// `{"link": "<Parapheur login>", "errors": ""}`.
pub async fn status(
    State(st): State<AppState>,
    caller: Caller,
    path: PathParams,
) -> MResult<Json<Value>> {
    enabled(&st)?;
    let id = path.user_id()?;
    db(&st, move |c| {
        admin_target(c, id, caller)?;
        let login: String = c
            .query_row(
                "SELECT p.login FROM maarch_users u
                 JOIN maarch_parapheur_users p ON p.id = u.parapheur_id WHERE u.id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(no_parapheur_id)?;
        Ok(Json(json!({ "link": login, "errors": "" })))
    })
    .await
}
