//! Authentication of the core service: argon2 password hashes, HS256 JWTs with the claims of
//! the doc's sample, the bearer extractor and role-based permission checks.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::{Json, http::HeaderMap};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::AppState;
use super::fastapi::{HttpError, HttpResult, err_item};

pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// Constant-time check inside argon2's verifier.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct TokenClaims {
    pub sub: String,
    pub email: String,
    pub user_id: String,
    pub role_name: String,
    pub role_id: String,
    pub jti: String,
    pub token_type: String,
    pub exp: i64,
}

pub struct Keys {
    enc: EncodingKey,
    dec: DecodingKey,
}

impl Keys {
    pub fn new(secret: &[u8]) -> Self {
        Keys {
            enc: EncodingKey::from_secret(secret),
            dec: DecodingKey::from_secret(secret),
        }
    }
}

struct UserRow {
    user_id: String,
    matricule: i64,
    email: String,
    role_id: String,
    role_name: String,
    status: String,
}

fn issue(state: &AppState, u: &UserRow) -> HttpResult<Value> {
    let now = chrono::Utc::now().timestamp();
    let mut claims = TokenClaims {
        sub: u.matricule.to_string(),
        email: u.email.clone(),
        user_id: u.user_id.clone(),
        role_name: u.role_name.clone(),
        role_id: u.role_id.clone(),
        jti: uuid::Uuid::new_v4().to_string(),
        token_type: "access".into(),
        exp: now + state.cfg.access_ttl.as_secs() as i64,
    };
    let enc = |c: &TokenClaims| {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), c, &state.keys.enc)
            .map_err(|e| HttpError::Internal(e.to_string()))
    };
    let access = enc(&claims)?;
    claims.token_type = "refresh".into();
    claims.jti = uuid::Uuid::new_v4().to_string();
    claims.exp = now + state.cfg.refresh_ttl.as_secs() as i64;
    let refresh = enc(&claims)?;
    Ok(json!({ "access_token": access, "refresh_token": refresh, "token_type": "bearer" }))
}

fn decode_token(state: &AppState, token: &str, kind: &str) -> Option<TokenClaims> {
    let mut v = Validation::new(Algorithm::HS256);
    v.leeway = 0;
    v.set_required_spec_claims(&["exp"]);
    let data = jsonwebtoken::decode::<TokenClaims>(token, &state.keys.dec, &v).ok()?;
    (data.claims.token_type == kind).then_some(data.claims)
}

const USER_SELECT: &str =
    "SELECT u.user_id, u.matricule, u.email, u.role_id, r.name, u.status, u.password_hash
     FROM users u JOIN roles r ON r.role_id = u.role_id";

fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    url_decode_pairs(body)
}

/// `application/x-www-form-urlencoded` pairs.
pub fn url_decode_pairs(body: &[u8]) -> Vec<(String, String)> {
    let s = String::from_utf8_lossy(body);
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (pct_decode(k), pct_decode(v))
        })
        .collect()
}

fn pct_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'+', _, _) => out.push(b' '),
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `POST /auth/login`: OAuth2 password form, `username` is an email or a matricule.
pub async fn login(
    State(state): State<AppState>,
    super::Peer(client): super::Peer,
    super::Body(body): super::Body,
) -> HttpResult<Json<Value>> {
    state.login_limiter.check(&client)?;
    let fields = form_fields(&body);
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (username, password) = (get("username"), get("password"));
    let mut errs = Vec::new();
    for (name, val) in [("username", &username), ("password", &password)] {
        if val.is_none() {
            errs.push(err_item(
                "missing",
                &[json!("body"), json!(name)],
                "Field required",
                Value::Null,
                None,
            ));
        }
    }
    if !errs.is_empty() {
        return Err(HttpError::Validation(errs));
    }
    let username = username.unwrap_or_default();
    let password = password.unwrap_or_default();
    let found = state
        .db
        .call(move |c| {
            let by_matricule = username.trim().parse::<i64>().ok();
            let row = c
                .query_row(
                    &format!("{USER_SELECT} WHERE u.email = ?1 OR u.matricule = ?2"),
                    rusqlite::params![username.trim(), by_matricule],
                    |r| {
                        Ok((
                            UserRow {
                                user_id: r.get(0)?,
                                matricule: r.get(1)?,
                                email: r.get(2)?,
                                role_id: r.get(3)?,
                                role_name: r.get(4)?,
                                status: r.get(5)?,
                            },
                            r.get::<_, String>(6)?,
                        ))
                    },
                )
                .optional()?;
            Ok(row)
        })
        .await?;
    // Verify against a dummy hash when the user is unknown, so timing does not tell.
    let (user, ok) = match found {
        Some((u, hash)) => {
            let ok = verify_password(&password, &hash);
            (Some(u), ok)
        }
        None => {
            verify_password(&password, &state.dummy_hash);
            (None, false)
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        state.login_limiter.failed(&client);
        return Err(HttpError::Unauthorized(
            "Incorrect username or password".into(),
        ));
    };
    if user.status != "activated" {
        return Err(HttpError::BadRequest("Inactive user".into()));
    }
    state.login_limiter.succeeded(&client);
    Ok(Json(issue(&state, &user)?))
}

/// `POST /auth/refresh`: the refresh token in a JSON body, a form, or as the bearer.
pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    super::Body(body): super::Body,
) -> HttpResult<Json<Value>> {
    let from_json = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
        v.get("refresh_token")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let from_form = || {
        form_fields(&body)
            .into_iter()
            .find(|(k, _)| k == "refresh_token")
            .map(|(_, v)| v)
    };
    let token = from_json
        .or_else(from_form)
        .or_else(|| bearer(&headers).map(str::to_string));
    let Some(token) = token else {
        return Err(HttpError::Validation(vec![err_item(
            "missing",
            &[json!("body"), json!("refresh_token")],
            "Field required",
            Value::Null,
            None,
        )]));
    };
    let claims = decode_token(&state, &token, "refresh")
        .ok_or_else(|| HttpError::Unauthorized("Invalid or expired refresh token".into()))?;
    let user_id = claims.user_id.clone();
    let user = state
        .db
        .call(move |c| {
            Ok(c.query_row(
                &format!("{USER_SELECT} WHERE u.user_id = ?1"),
                [user_id],
                |r| {
                    Ok(UserRow {
                        user_id: r.get(0)?,
                        matricule: r.get(1)?,
                        email: r.get(2)?,
                        role_id: r.get(3)?,
                        role_name: r.get(4)?,
                        status: r.get(5)?,
                    })
                },
            )
            .optional()?)
        })
        .await?
        .filter(|u| u.status == "activated")
        .ok_or_else(|| HttpError::Unauthorized("Invalid or expired refresh token".into()))?;
    Ok(Json(issue(&state, &user)?))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The authenticated caller of a core route, with the permissions of their current role.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    who: Arc<Who>,
}

/// What the database says of a user: read for a request, kept for the next ones while no row
/// has changed (a role's permissions, a user's role or status are rows too).
#[derive(Debug)]
pub struct Who {
    role_name: String,
    status: String,
    perms: HashSet<(String, String)>,
}

/// The users last seen, each with the generation they were read at.
#[derive(Default)]
pub struct Callers(Mutex<HashMap<String, (u64, Arc<Who>)>>);

impl Callers {
    fn get(&self, user_id: &str, generation: u64) -> Option<Arc<Who>> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(user_id)
            .filter(|(g, _)| *g == generation)
            .map(|(_, who)| who.clone())
    }

    /// Keeps `who`, read after `generation` was read; entries of older generations go (those
    /// kept are the users of the moment: a few).
    fn keep(&self, user_id: &str, generation: u64, who: Arc<Who>) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|_, (g, _)| *g >= generation);
        // A slower request read at an older generation does not replace a newer entry.
        if kept.get(user_id).is_none_or(|(g, _)| *g <= generation) {
            kept.insert(user_id.to_string(), (generation, who));
        }
    }
}

impl Caller {
    /// 403 unless the caller's role grants `action` on `ressource`.
    pub fn require(&self, ressource: &str, action: &str) -> HttpResult<()> {
        if self
            .who
            .perms
            .contains(&(ressource.to_string(), action.to_string()))
        {
            Ok(())
        } else {
            Err(HttpError::Forbidden(format!(
                "Permission denied: role '{}' cannot {} {}",
                self.who.role_name, action, ressource
            )))
        }
    }
}

impl<S> FromRequestParts<S> for Caller
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let token = bearer(&parts.headers).ok_or_else(HttpError::not_authenticated)?;
        let claims = decode_token(&state, token, "access")
            .ok_or_else(|| HttpError::Unauthorized("Could not validate credentials".into()))?;
        // Checked against commits made elsewhere too (another process on the same file).
        let generation = state.db.generation_now();
        let known = state.callers.get(&claims.user_id, generation);
        let who = match known {
            Some(who) => who,
            None => {
                let user_id = claims.user_id.clone();
                let who = state
                    .db
                    .call(move |c| {
                        // Every request asks: the statement is kept prepared.
                        let Some((role_id, role_name, status)) = c
                            .prepare_cached(
                                "SELECT u.role_id, r.name, u.status FROM users u
                                 JOIN roles r ON r.role_id = u.role_id WHERE u.user_id = ?1",
                            )?
                            .query_row([&user_id], |r| {
                                Ok((
                                    r.get::<_, String>(0)?,
                                    r.get::<_, String>(1)?,
                                    r.get::<_, String>(2)?,
                                ))
                            })
                            .optional()?
                        else {
                            return Ok(None);
                        };
                        let mut st = c.prepare_cached(
                            "SELECT p.ressource, p.action FROM role_permissions rp
                             JOIN permissions p ON p.permission_id = rp.permission_id
                             WHERE rp.role_id = ?1",
                        )?;
                        let perms = st
                            .query_map([&role_id], |r| Ok((r.get(0)?, r.get(1)?)))?
                            .collect::<Result<HashSet<(String, String)>, _>>()?;
                        Ok(Some(Arc::new(Who {
                            role_name,
                            status,
                            perms,
                        })))
                    })
                    .await?
                    .ok_or_else(|| {
                        HttpError::Unauthorized("Could not validate credentials".into())
                    })?;
                state.callers.keep(&claims.user_id, generation, who.clone());
                who
            }
        };
        if who.status != "activated" {
            return Err(HttpError::Unauthorized("Inactive user".into()));
        }
        Ok(Caller {
            user_id: claims.user_id,
            who,
        })
    }
}
