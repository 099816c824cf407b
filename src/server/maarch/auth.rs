//! Maarch authentication: HTTP Basic for web-service (`rest`) accounts, and opaque bearer
//! tokens from `POST /rest/authenticate`, renewed with the refresh token.

use std::time::Duration;

use axum::Json;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::super::auth::{url_decode_pairs, verify_password};
use super::super::{AppState, Peer};
use super::{MResult, MaarchError, RawBody, db, parse_body};

/// The authenticated caller of a Maarch route.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    /// `users.id`.
    pub id: i64,
    admin: bool,
    /// Mode `root_visible` or `root_invisible`: sees every user.
    pub root: bool,
    /// Holds `view_personal_data`: sees other users' phones.
    pub view_personal_data: bool,
}

impl Caller {
    fn new(st: &AppState, id: i64, mode: &str, admin: bool) -> Self {
        let root = mode.starts_with("root_");
        Caller {
            id,
            admin,
            root,
            // 21.03's admin group manages personal data without viewing it.
            view_personal_data: root || !st.cfg.is_like(crate::server::Like::Maarch2103),
        }
    }

    /// 403 `Service forbidden` unless the caller holds the user-administration privilege.
    pub fn require_admin(self) -> MResult<()> {
        if self.admin {
            Ok(())
        } else {
            Err(MaarchError::forbidden("Service forbidden"))
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = MaarchError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> MResult<Self> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let (scheme, value) = header.split_once(' ').unwrap_or((header, ""));
        let value = value.trim().to_string();
        if scheme.eq_ignore_ascii_case("bearer") {
            return bearer(st, value).await;
        }
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(MaarchError::auth_failed());
        }
        let Peer(peer) = Peer::from_request_parts(parts, st).await?;
        st.login_limiter.check(&peer)?;
        let dummy = st.dummy_hash.clone();
        let found = db(st, move |c| {
            let Some((login, password)) = basic_credentials(&value) else {
                return Ok(None);
            };
            let account = check_password(c, &login, &password, &dummy)?;
            Ok(account.filter(|a| a.mode == "rest"))
        })
        .await?;
        match found {
            Some(a) => {
                st.login_limiter.succeeded(&peer);
                Ok(Caller::new(st, a.id, &a.mode, a.admin))
            }
            None => {
                st.login_limiter.failed(&peer);
                Err(MaarchError::auth_failed())
            }
        }
    }
}

fn basic_credentials(encoded: &str) -> Option<(String, String)> {
    let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (login, password) = decoded.split_once(':')?;
    Some((login.to_string(), password.to_string()))
}

async fn bearer(st: &AppState, token: String) -> MResult<Caller> {
    let (id, mode, admin): (i64, String, bool) = db(st, move |c| {
        Ok(c.query_row(
            "SELECT u.id, u.mode, u.is_admin FROM maarch_tokens t JOIN maarch_users u ON u.id = t.user_id
                 WHERE t.token = ?1 AND t.kind = 'access' AND t.expires_at > ?2 AND u.status IN ('OK', 'ABS')",
            params![token, now_ms()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
    })
    .await?
    .ok_or_else(MaarchError::auth_failed)?;
    Ok(Caller::new(st, id, &mode, admin))
}

struct Account {
    id: i64,
    mode: String,
    admin: bool,
}

/// The active account `login` (case-insensitive, as Maarch) if `password` is its password.
/// An unknown login is checked against a dummy hash, so timing does not tell.
fn check_password(
    c: &Connection,
    login: &str,
    password: &str,
    dummy_hash: &str,
) -> MResult<Option<Account>> {
    let row = c
        .query_row(
            "SELECT id, mode, is_admin, password_hash FROM maarch_users
                 WHERE user_id = ?1 AND status IN ('OK', 'ABS') AND password_hash IS NOT NULL",
            [login],
            |r| {
                Ok((
                    Account {
                        id: r.get(0)?,
                        mode: r.get(1)?,
                        admin: r.get(2)?,
                    },
                    r.get::<_, String>(3)?,
                ))
            },
        )
        .optional()?;
    Ok(match row {
        Some((account, hash)) => verify_password(password, &hash).then_some(account),
        None => {
            verify_password(password, dummy_hash);
            None
        }
    })
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A new random token of `kind` for `user`, stored until `ttl` has passed.
fn issue(c: &Connection, user: i64, kind: &str, ttl: Duration) -> MResult<String> {
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let now = now_ms();
    let ttl = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
    c.execute("DELETE FROM maarch_tokens WHERE expires_at <= ?1", [now])?;
    c.execute(
        "INSERT INTO maarch_tokens(token, user_id, kind, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token, user, kind, now.saturating_add(ttl)],
    )?;
    Ok(token)
}

/// `POST /rest/authenticate` `{"login","password"}` → 204 with `Token` and `Refresh-Token`.
pub async fn authenticate(
    State(st): State<AppState>,
    Peer(peer): Peer,
    RawBody(bytes): RawBody,
) -> MResult<Response> {
    st.login_limiter.check(&peer)?;
    let body = parse_body(&bytes)?;
    let credentials = |k| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let (Some(login), Some(password)) = (credentials("login"), credentials("password")) else {
        return Err(MaarchError::bad("Bad Request"));
    };
    let (login, password) = (login.to_string(), password.to_string());
    let dummy = st.dummy_hash.clone();
    let (access_ttl, refresh_ttl) = (st.cfg.maarch_token_ttl, st.cfg.maarch_refresh_ttl);
    let tokens = db(&st, move |c| {
        let Some(account) = check_password(c, &login, &password, &dummy)? else {
            return Ok(None);
        };
        // Web-service accounts authenticate with HTTP Basic only: Maarch refuses them a token.
        if account.mode == "rest" {
            return Err(MaarchError::forbidden("Authentication Failed"));
        }
        let tx = c.transaction()?;
        let access = issue(&tx, account.id, "access", access_ttl)?;
        let refresh = issue(&tx, account.id, "refresh", refresh_ttl)?;
        tx.commit()?;
        Ok(Some((access, refresh)))
    })
    .await?;
    let Some((access, refresh)) = tokens else {
        st.login_limiter.failed(&peer);
        return Err(MaarchError::auth_failed());
    };
    st.login_limiter.succeeded(&peer);
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    // URL-safe base64 is always a valid header value.
    for (name, token) in [("token", access), ("refresh-token", refresh)] {
        if let Ok(v) = HeaderValue::try_from(token) {
            headers.insert(name, v);
        }
    }
    Ok(response)
}

/// `GET /rest/authenticate/token?refreshToken=…` → `{"token": "…"}`.
pub async fn refresh(
    State(st): State<AppState>,
    RawQuery(query): RawQuery,
) -> MResult<Json<Value>> {
    let refresh = url_decode_pairs(query.unwrap_or_default().as_bytes())
        .into_iter()
        .find(|(k, v)| k == "refreshToken" && !v.is_empty())
        .map(|(_, v)| v)
        .ok_or_else(|| MaarchError::bad("Refresh Token is empty"))?;
    let ttl = st.cfg.maarch_token_ttl;
    let token = db(&st, move |c| {
        let user: Option<i64> = c
            .query_row(
                "SELECT u.id FROM maarch_tokens t JOIN maarch_users u ON u.id = t.user_id
                     WHERE t.token = ?1 AND t.kind = 'refresh' AND t.expires_at > ?2
                       AND u.status IN ('OK', 'ABS')",
                params![refresh, now_ms()],
                |r| r.get(0),
            )
            .optional()?;
        user.map(|id| issue(c, id, "access", ttl)).transpose()
    })
    .await?
    .ok_or_else(MaarchError::auth_failed)?;
    Ok(Json(json!({ "token": token })))
}
