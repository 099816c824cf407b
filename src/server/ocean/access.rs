//! Sessions and account routes: login, password change and reset, rights, the demo outbox.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use super::super::AppState;
use super::super::auth::{hash_password, verify_password};
use super::{
    Anonymous, Caller, OceanBody, OceanError, OceanResult, Params, blocking, dates, now_ms, with_db,
};

/// Days a password stays valid after it is set (what `passwordExpirationRemainingDays` counts).
const PASSWORD_VALIDITY_DAYS: i64 = 90;
const MIN_PASSWORD_LEN: usize = 8;

/// The failed-login counter is shared with the core service; Ocean's keys stay apart.
fn limiter_key(peer: &str) -> String {
    format!("ocean:{peer}")
}

/// `POST auth/authenticate2` with `{"login","password"}`.
pub async fn authenticate2(
    State(st): State<AppState>,
    who: Anonymous,
    body: OceanBody,
) -> OceanResult<Json<Value>> {
    let body = body.object()?;
    let field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(login), Some(password)) = (field("login"), field("password")) else {
        return Err(OceanError::bad_request("login and password are required"));
    };
    log_in(&st, &who, login, password).await
}

/// The deprecated `POST auth/authenticate?login=&password=`.
pub async fn authenticate(
    State(st): State<AppState>,
    who: Anonymous,
    RawQuery(query): RawQuery,
) -> OceanResult<Json<Value>> {
    let params = Params::new(query);
    let (Some(login), Some(password)) = (params.get("login"), params.get("password")) else {
        return Err(OceanError::bad_request("login and password are required"));
    };
    log_in(&st, &who, login.to_string(), password.to_string()).await
}

async fn log_in(
    st: &AppState,
    who: &Anonymous,
    login: String,
    password: String,
) -> OceanResult<Json<Value>> {
    let key = limiter_key(&who.peer);
    st.login_limiter.check(&key)?;
    let found =
        with_db(st, move |c| {
            Ok(c.query_row(
            "SELECT id, password_hash, password_changed_at FROM ocean_accounts WHERE login = ?1",
            [&login],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)),
        )
        .optional()?)
        })
        .await?;
    // Unknown logins are checked against a dummy hash, so timing does not tell them apart.
    let hash = found
        .as_ref()
        .map_or_else(|| st.dummy_hash.clone(), |f| f.1.clone());
    let ok = blocking(move || verify_password(&password, &hash)).await?;
    let Some((account, _, changed_at)) = found.filter(|_| ok) else {
        st.login_limiter.failed(&key);
        return Err(OceanError::unauthorized("Bad credentials"));
    };
    st.login_limiter.succeeded(&key);
    let token: String = (0..64)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect();
    let ttl_ms = i64::try_from(st.cfg.ocean_token_ttl.as_millis()).unwrap_or(i64::MAX);
    let stored = token.clone();
    with_db(st, move |c| {
        let now = now_ms();
        c.execute("DELETE FROM ocean_tokens WHERE expires_at <= ?1", [now])?;
        c.execute(
            "INSERT INTO ocean_tokens(token, account_id, expires_at) VALUES (?1, ?2, ?3)",
            params![stored, account, now.saturating_add(ttl_ms)],
        )?;
        Ok(())
    })
    .await?;
    let age_days = (chrono::Utc::now().timestamp() - changed_at) / 86_400;
    Ok(Json(json!({
        "additionalAccountData": {},
        "passwordExpirationRemainingDays": (PASSWORD_VALIDITY_DAYS - age_days).max(0),
        "token": token,
    })))
}

/// String fields from the JSON body, else from the query string.
fn fields(
    query: Option<String>,
    body: &OceanBody,
    names: &[&str],
) -> OceanResult<Vec<Option<String>>> {
    let params = Params::new(query);
    let body = body.json()?;
    Ok(names
        .iter()
        .map(|n| {
            body.as_ref()
                .and_then(|b| b.get(n))
                .and_then(Value::as_str)
                .or_else(|| params.get(n))
                .map(str::to_string)
        })
        .collect())
}

/// `POST auth/changePassword`: `actualPassword`, `newPassword`, `newPasswordConfirmed`.
pub async fn change_password(
    State(st): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    body: OceanBody,
) -> OceanResult<StatusCode> {
    let names = ["actualPassword", "newPassword", "newPasswordConfirmed"];
    // Where the passwords are read: both by default; one place with `--like ocean-query`
    // (Spring's @RequestParam) or `--like ocean-body` (@RequestBody), in Spring's words.
    let (query_only, body_only) = (
        st.cfg.is_like(crate::server::Like::OceanQuery),
        st.cfg.is_like(crate::server::Like::OceanBody),
    );
    if body_only && body.json()?.is_none() {
        return Err(OceanError::bad_request(
            "Required request body is missing: public org.springframework.http.ResponseEntity changePassword(ChangePasswordDto)",
        ));
    }
    let query = if body_only { None } else { query };
    let empty = OceanBody::default();
    let body = if query_only { &empty } else { &body };
    let mut values = fields(query, body, &names)?.into_iter();
    let mut next = |name: &str| {
        values.next().flatten().ok_or_else(|| {
            OceanError::bad_request(if query_only {
                format!(
                    "Required request parameter '{name}' for method parameter type String is not present"
                )
            } else {
                format!("{name} is required")
            })
        })
    };
    let (actual, new, confirmed) = (next(names[0])?, next(names[1])?, next(names[2])?);
    let key = limiter_key(&caller.peer);
    st.login_limiter.check(&key)?;
    let id = caller.id;
    let hash: String = with_db(&st, move |c| {
        Ok(c.query_row(
            "SELECT password_hash FROM ocean_accounts WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?)
    })
    .await?;
    let current = actual.clone();
    if !blocking(move || verify_password(&current, &hash)).await? {
        st.login_limiter.failed(&key);
        return Err(OceanError::forbidden(
            "actualPassword: the current password is wrong",
        ));
    }
    st.login_limiter.succeeded(&key);
    if new != confirmed {
        return Err(OceanError::bad_request(
            "newPasswordConfirmed: differs from newPassword",
        ));
    }
    if new.chars().count() < MIN_PASSWORD_LEN {
        return Err(OceanError::bad_request(format!(
            "newPassword: must have at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    if new == actual {
        return Err(OceanError::bad_request(
            "newPassword: must differ from the current password",
        ));
    }
    let hash = blocking(move || hash_password(&new)).await?;
    with_db(&st, move |c| {
        c.execute(
            "UPDATE ocean_accounts SET password_hash = ?1, password_changed_at = ?2 WHERE id = ?3",
            params![hash, chrono::Utc::now().timestamp(), id],
        )?;
        Ok(())
    })
    .await?;
    Ok(StatusCode::OK)
}

/// `POST auth/requestPasswordReset`: `login` and optional `url`. Always 204, so that nobody
/// learns which logins exist; the mail it would send goes to the outbox.
pub async fn request_password_reset(
    State(st): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
    body: OceanBody,
) -> OceanResult<StatusCode> {
    let values = fields(query, &body, &["login", "url"])?;
    let login = values[0]
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| OceanError::bad_request("login is required"))?
        .to_string();
    let url = values[1]
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string);
    let requested_by = caller.id;
    with_db(&st, move |c| {
        let email: Option<String> = c
            .query_row(
                "SELECT email FROM ocean_accounts WHERE login = ?1",
                [&login],
                |r| r.get(0),
            )
            .optional()?;
        c.execute(
            "INSERT INTO ocean_outbox(login, url, requested_by, at, login_exists, email)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                login,
                url,
                requested_by,
                dates::now_iso(),
                email.is_some(),
                email
            ],
        )?;
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET demo/outbox`: the reset mails the caller asked for or would receive, newest first.
/// Requests for unknown logins send nothing, so they are not listed.
pub async fn outbox(State(st): State<AppState>, caller: Caller) -> OceanResult<Json<Value>> {
    let (id, login) = (caller.id, caller.login);
    with_db(&st, move |c| {
        let mut s = c.prepare_cached(
            "SELECT o.login, o.url, o.at, o.email, a.prenom, a.nom, r.login
             FROM ocean_outbox o
             JOIN ocean_accounts a ON a.login = o.login
             LEFT JOIN ocean_accounts r ON r.id = o.requested_by
             WHERE o.login_exists AND (o.requested_by = ?1 OR o.login = ?2)
             ORDER BY o.id DESC LIMIT 100",
        )?;
        let mails = s
            .query_map(params![id, login], |r| {
                let login: String = r.get(0)?;
                let url: Option<String> = r.get(1)?;
                let (prenom, nom): (String, String) = (r.get(4)?, r.get(5)?);
                let by: Option<String> = r.get(6)?;
                Ok(json!({
                    "to": r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                    "login": login,
                    "subject": "Ocean : réinitialisation de votre mot de passe",
                    "body": reset_mail(&login, &format!("{prenom} {nom}"), url.as_deref(), by.as_deref()),
                    "at": r.get::<_, String>(2)?,
                }))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Json(Value::Array(mails)))
    })
    .await
}

fn reset_mail(login: &str, name: &str, url: Option<&str>, by: Option<&str>) -> String {
    let by = by.map(|b| format!(" par {b}")).unwrap_or_default();
    let action = match url {
        Some(u) => format!("Pour choisir un nouveau mot de passe, ouvrez ce lien :\n{u}"),
        None => "Votre administrateur vous communiquera la marche à suivre.".to_string(),
    };
    let greeting = match name.trim() {
        "" => "Bonjour".to_string(),
        n => format!("Bonjour {n}"),
    };
    format!(
        "{greeting},\n\nLa réinitialisation du mot de passe du compte « {login} » a été \
         demandée{by}.\n{action}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez \
         ce message.\n\nL'équipe Ocean"
    )
}

/// `GET authorization/functionalities_detailed?elementType=`: the caller's rights of that type.
pub async fn functionalities(
    State(st): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> OceanResult<Json<Value>> {
    let params = Params::new(query);
    // Rights belong to the account; a customerId, when given, must still be the caller's.
    if params.int("customerId")?.is_some() {
        caller.customer(&params)?;
    }
    let element_type = params
        .get("elementType")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| OceanError::bad_request("elementType is required"))?
        .to_string();
    let id = caller.id;
    // Any case and spelling of a type: "Onglets", "onglet" and "ONGLET" are one.
    let wanted = crate::api::ocean::element_type_key(&element_type);
    with_db(&st, move |c| {
        let mut s = c.prepare_cached(
            "SELECT f.enum_code, f.description, f.id, f.ordre, f.type_element
             FROM ocean_functionalities f
             JOIN ocean_account_functionalities af ON af.functionality_id = f.id
             WHERE af.account_id = ?1
             ORDER BY f.ordre, f.id",
        )?;
        let rows = s
            .query_map(params![id], |r| {
                Ok(json!({
                    "enumCode": r.get::<_, String>(0)?,
                    "fonctionnaliteDto": {
                        "description": r.get::<_, String>(1)?,
                        "idFonctionnalite": r.get::<_, i64>(2)?,
                        "ordre": r.get::<_, i64>(3)?,
                        "typeElement": r.get::<_, String>(4)?,
                    },
                }))
            })?
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|f| {
                f.pointer("/fonctionnaliteDto/typeElement")
                    .and_then(Value::as_str)
                    .is_some_and(|t| crate::api::ocean::element_type_key(t) == wanted)
            })
            .collect();
        Ok(Json(Value::Array(rows)))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::reset_mail;

    #[test]
    fn reset_mail_has_no_secret_and_names_the_account() {
        let m = reset_mail(
            "lecteur",
            "Lucie Ndzana",
            Some("https://x/reset"),
            Some("admin"),
        );
        assert!(m.starts_with("Bonjour Lucie Ndzana,"));
        assert!(
            m.contains("« lecteur »") && m.contains("par admin") && m.contains("https://x/reset")
        );
        let m = reset_mail("lecteur", " ", None, None);
        assert!(m.starts_with("Bonjour,") && m.contains("administrateur"));
    }
}
