//! Client of Maarch Courrier's user administration: users, their groups and entities, and the
//! link of each user to Maarch Parapheur.

use std::sync::Arc;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::error::Family;
use super::{
    ApiError, Credentials, HttpOptions, Limits, Raw, RetryPolicy, SharedCredentials, http_client,
    join_url, seg, send_retrying,
};

/// User modes, as documented.
pub const MODES: [&str; 4] = ["standard", "rest", "root_visible", "root_invisible"];

pub use crate::config::MaarchAuthMode;
pub use records::{
    MaarchEntity, MaarchGroup, MaarchUser, MaarchUserDetails, MaarchUserUpdate, NewMaarchUser,
    WRITTEN_KEYS,
};

mod links;
mod records;

#[derive(Default)]
struct Session {
    token: Option<SecretString>,
    refresh: Option<SecretString>,
}

#[derive(Clone)]
pub struct MaarchClient {
    http: reqwest::Client,
    base: String,
    mode: MaarchAuthMode,
    creds: SharedCredentials,
    session: Arc<Mutex<Session>>,
    retry: RetryPolicy,
    limits: Limits,
}

impl std::fmt::Debug for MaarchClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaarchClient")
            .field("base", &self.base)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl MaarchClient {
    /// `base_url`: the part before `rest` (`https://HOST/maarch_courrier`); a trailing `/rest`
    /// is accepted too.
    pub fn new(
        base_url: &str,
        creds: Credentials,
        mode: MaarchAuthMode,
        opts: &HttpOptions,
    ) -> Result<Self, ApiError> {
        Ok(
            Self::with_http(http_client(opts, base_url)?, base_url, creds, mode)
                .with_retry(opts.retry)
                .with_limits(opts.request_limits()),
        )
    }

    pub fn with_http(
        http: reqwest::Client,
        base_url: &str,
        creds: Credentials,
        mode: MaarchAuthMode,
    ) -> Self {
        let base = base_url.trim_end_matches('/');
        let base = base.strip_suffix("/rest").unwrap_or(base);
        let token = match &creds {
            Credentials::Token(t) => Some(t.clone()),
            _ => None,
        };
        MaarchClient {
            http,
            base: format!("{base}/rest"),
            mode,
            creds: SharedCredentials::new(creds),
            session: Arc::new(Mutex::new(Session {
                token,
                refresh: None,
            })),
            retry: RetryPolicy::default(),
            limits: Limits::default(),
        }
    }

    /// How reads are retried (writes never are).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// What a server may make this client hold or ask (see `Limits`).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn auth_mode(&self) -> MaarchAuthMode {
        self.mode
    }

    fn creds(&self) -> Credentials {
        self.creds.get()
    }

    pub fn has_credentials(&self) -> bool {
        self.creds.is_set()
    }

    pub fn username(&self) -> Option<String> {
        self.creds.username()
    }

    pub async fn set_credentials(&self, username: &str, password: SecretString) {
        self.creds.set_password(username, password);
        *self.session.lock().await = Session::default();
    }

    /// `POST /rest/authenticate`: 204 with the tokens in the `Token`/`Refresh-Token` headers.
    pub async fn login(&self) -> Result<(), ApiError> {
        let (username, password) = match self.creds() {
            Credentials::Password { username, password } => (username, password),
            Credentials::Token(_) => {
                return Err(ApiError::Unauthorized(
                    "the configured Maarch token was refused and cannot be renewed".into(),
                ));
            }
            Credentials::None => return Err(ApiError::Unauthorized("not logged in".into())),
        };
        let resp = self
            .http
            .post(join_url(&self.base, "authenticate"))
            .json(&json!({ "login": username, "password": password.expose_secret() }))
            .send()
            .await
            .map_err(ApiError::from_reqwest)?;
        let raw = Raw::read(resp, Family::Maarch).await?;
        raw.ok().map_err(|e| match e {
            // Maarch refuses token logins to users of mode `rest`: they use HTTP Basic.
            ApiError::Forbidden(m) => ApiError::Forbidden(format!(
                "{m} — Maarch refuses a token login to users of mode rest: set auth = \"basic\" in the profile's [maarch] section"
            )),
            other => other,
        })?;
        let header = |name: &str| {
            raw.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|s| SecretString::from(s.to_string()))
        };
        let token = header("Token").ok_or_else(|| ApiError::Decode {
            status: raw.status.as_u16(),
            message: "no Token header in the login answer".into(),
            excerpt: String::new(),
        })?;
        super::usable_token(token.expose_secret(), Family::Maarch)?;
        let mut s = self.session.lock().await;
        s.token = Some(token);
        s.refresh = header("Refresh-Token");
        Ok(())
    }

    /// `GET /rest/authenticate/token?refreshToken=`, falling back to a fresh login.
    async fn renew(&self) -> Result<(), ApiError> {
        let refresh = self.session.lock().await.refresh.clone();
        if let Some(r) = refresh {
            let resp = self
                .http
                .get(join_url(&self.base, "authenticate/token"))
                .query(&[("refreshToken", r.expose_secret())])
                .send()
                .await
                .map_err(ApiError::from_reqwest)?;
            let raw = Raw::read(resp, Family::Maarch).await?;
            if let Ok(v) = raw.json::<Value>()
                && let Some(t) = v.get("token").and_then(Value::as_str)
                && super::usable_token(t, Family::Maarch).is_ok()
            {
                self.session.lock().await.token = Some(SecretString::from(t.to_string()));
                return Ok(());
            }
        }
        self.login().await
    }

    async fn authorize(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, ApiError> {
        let creds = self.creds();
        if self.mode == MaarchAuthMode::Basic
            && let Credentials::Password { username, password } = &creds
        {
            return Ok(req.basic_auth(username, Some(password.expose_secret())));
        }
        let token = self.session.lock().await.token.clone();
        let token = match token {
            Some(t) => t,
            None => {
                self.login().await?;
                self.session
                    .lock()
                    .await
                    .token
                    .clone()
                    .ok_or_else(|| ApiError::Unauthorized("not logged in".into()))?
            }
        };
        Ok(req.bearer_auth(token.expose_secret()))
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Raw, ApiError> {
        let mut retried = false;
        loop {
            let mut req = self
                .http
                .request(method.clone(), join_url(&self.base, path));
            if let Some(b) = body {
                req = req.json(b);
            }
            let req = self.authorize(req).await?;
            let raw = send_retrying(
                req,
                Family::Maarch,
                self.retry,
                method == Method::GET,
                self.limits,
            )
            .await?;
            let token_mode =
                self.mode == MaarchAuthMode::Token || matches!(self.creds(), Credentials::Token(_));
            if raw.status.as_u16() == 401 && token_mode && !retried && self.has_credentials() {
                retried = true;
                self.session.lock().await.token = None;
                self.renew().await?;
                continue;
            }
            return Ok(raw);
        }
    }

    fn user_path(id: i64, rest: &str) -> String {
        format!("users/{}{rest}", seg(&id.to_string()))
    }

    // ---- users -------------------------------------------------------------------------------

    /// `GET /rest/users` (users with status DEL are not listed by the server).
    pub async fn list_users(&self) -> Result<Vec<MaarchUser>, ApiError> {
        let v: Value = self.send(Method::GET, "users", None).await?.json()?;
        let users = match v {
            Value::Object(mut m) => m.remove("users").unwrap_or(Value::Array(Vec::new())),
            Value::Array(a) => Value::Array(a),
            _ => Value::Array(Vec::new()),
        };
        let Value::Array(items) = users else {
            return Ok(Vec::new());
        };
        // One odd record must not hide the others: it is kept, marked.
        Ok(items
            .iter()
            .map(|u| {
                MaarchUser::from_answer(u).unwrap_or_else(|e| MaarchUser {
                    user_id: super::error::excerpt(u.to_string().as_bytes())
                        .chars()
                        .take(60)
                        .collect(),
                    problem: Some(e.to_string().into()),
                    ..Default::default()
                })
            })
            .collect())
    }

    /// `GET /rest/users/{id}/details`; `None` when the server has no such route.
    pub async fn user_details(&self, id: i64) -> Result<Option<MaarchUserDetails>, ApiError> {
        let raw = self
            .send(Method::GET, &Self::user_path(id, "/details"), None)
            .await?;
        if matches!(raw.status.as_u16(), 404 | 405) {
            return Ok(None);
        }
        let v: Value = raw.json()?;
        MaarchUserDetails::from_value(v)
            .map(Some)
            .map_err(|message| ApiError::Decode {
                status: raw.status.as_u16(),
                message,
                excerpt: super::error::excerpt(&raw.body),
            })
    }

    /// `POST /rest/users` → the new technical id.
    pub async fn create_user(&self, u: &NewMaarchUser) -> Result<i64, ApiError> {
        let body = serde_json::to_value(u).unwrap_or_default();
        let v: Value = self
            .send(Method::POST, "users", Some(&body))
            .await?
            .json()?;
        // `{"id": N}`; older versions answer `{"user": {"id": N}}`.
        v.get("id")
            .or_else(|| v.pointer("/user/id"))
            .and_then(|i| i.as_i64().or_else(|| i.as_str()?.trim().parse().ok()))
            .ok_or_else(|| ApiError::Decode {
                status: 200,
                message: "no id in the answer".into(),
                excerpt: super::error::excerpt(v.to_string().as_bytes()),
            })
    }

    /// `PUT /rest/users/{id}` (204).
    pub async fn update_user(&self, u: &MaarchUserUpdate) -> Result<(), ApiError> {
        let body = serde_json::to_value(u).unwrap_or_default();
        self.send(Method::PUT, &Self::user_path(u.id, ""), Some(&body))
            .await?
            .ok()
    }
}

#[cfg(test)]
mod tests;
