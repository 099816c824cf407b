//! Client of Maarch Courrier's user administration: users, their groups and entities, and the
//! link of each user to Maarch Parapheur.

use std::sync::Arc;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};
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

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => String::new(),
        Value::String(s) => s,
        other => other.to_string(),
    })
}

fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| serde::de::Error::custom("id is not an integer")),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("id {s:?} is not an integer"))),
        other => Err(serde::de::Error::custom(format!("bad id {other}"))),
    }
}

/// A user of the list.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct MaarchUser {
    #[serde(deserialize_with = "lenient_id")]
    pub id: i64,
    #[serde(default, deserialize_with = "lenient_string")]
    pub user_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub firstname: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub lastname: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub status: String,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Keys an update writes that the answer did not carry (the list has no initials nor
    /// phone; `/details` leaves the phone out for a caller without `view_personal_data`).
    #[serde(skip)]
    pub unseen: Vec<String>,
    /// What is odd about this row as the server sent it (kept and marked, never dropped).
    #[serde(skip)]
    pub problem: Option<Box<str>>,
}

/// What `PUT /rest/users/{id}` writes whatever the body holds (absent: null or empty).
pub const WRITTEN_KEYS: [&str; 5] = ["firstname", "lastname", "initials", "mail", "phone"];

impl MaarchUser {
    /// Decodes one user of an answer, noting which written keys it did not carry.
    fn from_answer(v: &Value) -> Result<Self, serde_json::Error> {
        let mut u: MaarchUser = serde_json::from_value(v.clone())?;
        u.unseen = WRITTEN_KEYS
            .iter()
            .filter(|k| v.get(**k).is_none())
            .map(|k| k.to_string())
            .collect();
        Ok(u)
    }
}

impl MaarchUser {
    /// The status in words.
    pub fn status_label(&self) -> &str {
        match self.status.as_str() {
            "OK" => "active",
            "ABS" => "absent",
            "SPD" => "suspended",
            "DEL" => "deleted",
            other => other,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct MaarchGroup {
    #[serde(default, deserialize_with = "lenient_string")]
    pub group_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub group_desc: String,
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct MaarchEntity {
    #[serde(default, deserialize_with = "lenient_string")]
    pub entity_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub entity_label: String,
    #[serde(default)]
    pub user_role: Option<String>,
    #[serde(default)]
    pub primary_entity: Option<String>,
}

impl MaarchEntity {
    pub fn is_primary(&self) -> bool {
        self.primary_entity.as_deref() == Some("Y")
    }
}

/// A user with its groups, entities and Parapheur link (`GET /rest/users/{id}/details`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaarchUserDetails {
    pub user: MaarchUser,
    pub groups: Vec<MaarchGroup>,
    pub entities: Vec<MaarchEntity>,
    /// Maarch Parapheur user id, when linked.
    pub parapheur_id: Option<i64>,
    /// Read from the details route (else only the list's fields are known).
    pub fetched: bool,
}

impl MaarchUserDetails {
    /// A user as the list gives it (its initials and phone not received).
    pub fn from_list(user: MaarchUser) -> Self {
        MaarchUserDetails {
            user,
            ..Default::default()
        }
    }

    /// Whether the server did not send `key` (so it cannot be shown, nor kept by a save).
    pub fn is_unseen(&self, key: &str) -> bool {
        self.user.unseen.iter().any(|k| k == key)
    }

    fn from_value(v: Value) -> Result<Self, String> {
        let user = MaarchUser::from_answer(&v).map_err(|e| e.to_string())?;
        let list = |k: &str| v.get(k).cloned().unwrap_or(Value::Array(Vec::new()));
        let groups = serde_json::from_value(list("groups")).unwrap_or_default();
        let entities = serde_json::from_value(list("entities")).unwrap_or_default();
        // `external_id` is an object, or that object as a JSON string in older versions.
        let ext = match v.get("external_id") {
            Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
            Some(other) => other.clone(),
            None => Value::Null,
        };
        let parapheur_id = match ext.get("maarchParapheur") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        Ok(MaarchUserDetails {
            user,
            groups,
            entities,
            parapheur_id,
            fetched: true,
        })
    }
}

/// `POST /rest/users` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewMaarchUser {
    pub user_id: String,
    pub firstname: String,
    pub lastname: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    pub mail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// `PUT /rest/users/{id}` body. Maarch writes `firstname`, `lastname`, `initials` and `mail`
/// from the body whatever it holds (absent is null), and `phone` (absent is empty) for a
/// caller with `manage_personal_data`: every one of them is sent as known. `mode` and `status`
/// are written only when given: sent only when the user changed them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MaarchUserUpdate {
    #[serde(skip)]
    pub id: i64,
    pub firstname: String,
    pub lastname: String,
    pub initials: Option<String>,
    pub mail: Option<String>,
    /// `None`: not known (the save was agreed to erase it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `OK` brings back a suspended or absent user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

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

    /// `POST /rest/users/{id}/groups` → the user's groups after the change.
    pub async fn add_group(&self, id: i64, group_id: &str) -> Result<Vec<MaarchGroup>, ApiError> {
        self.link(id, "groups", "groupId", group_id).await
    }

    pub async fn remove_group(&self, id: i64, group_id: &str) -> Result<(), ApiError> {
        self.unlink(id, "groups", group_id).await
    }

    /// `POST /rest/users/{id}/entities` → the user's entities after the change.
    pub async fn add_entity(
        &self,
        id: i64,
        entity_id: &str,
    ) -> Result<Vec<MaarchEntity>, ApiError> {
        self.link(id, "entities", "entityId", entity_id).await
    }

    pub async fn remove_entity(&self, id: i64, entity_id: &str) -> Result<(), ApiError> {
        self.unlink(id, "entities", entity_id).await
    }

    /// `POST /rest/users/{id}/{kind}` with `{key: value}` → the user's `kind` after the change.
    async fn link<T: serde::de::DeserializeOwned>(
        &self,
        id: i64,
        kind: &str,
        key: &str,
        value: &str,
    ) -> Result<Vec<T>, ApiError> {
        self.link_with_role(id, kind, key, value, None).await
    }

    /// The same, with the user's `role` in that group or entity (Maarch 21.03 stores an
    /// entity's as `user_role`); the role is left out when `None`.
    async fn link_with_role<T: serde::de::DeserializeOwned>(
        &self,
        id: i64,
        kind: &str,
        key: &str,
        value: &str,
        role: Option<&str>,
    ) -> Result<Vec<T>, ApiError> {
        let mut body = json!({ key: value });
        if let Some(r) = role {
            body["role"] = json!(r);
        }
        let v: Value = self
            .send(
                Method::POST,
                &Self::user_path(id, &format!("/{kind}")),
                Some(&body),
            )
            .await?
            .json()?;
        Ok(list_of(&v, kind))
    }

    /// `POST /rest/users/{id}/groups` `{groupId, role}`.
    pub async fn add_group_as(
        &self,
        id: i64,
        group_id: &str,
        role: Option<&str>,
    ) -> Result<Vec<MaarchGroup>, ApiError> {
        self.link_with_role(id, "groups", "groupId", group_id, role)
            .await
    }

    /// `POST /rest/users/{id}/entities` `{entityId, role}`.
    pub async fn add_entity_as(
        &self,
        id: i64,
        entity_id: &str,
        role: Option<&str>,
    ) -> Result<Vec<MaarchEntity>, ApiError> {
        self.link_with_role(id, "entities", "entityId", entity_id, role)
            .await
    }

    /// `PUT /rest/users/{id}/groups/{groupId}` `{role}`: the user's role in the group.
    pub async fn set_group_role(
        &self,
        id: i64,
        group_id: &str,
        role: &str,
    ) -> Result<(), ApiError> {
        self.send(
            Method::PUT,
            &Self::user_path(id, &format!("/groups/{}", seg(group_id))),
            Some(&json!({ "role": role })),
        )
        .await?
        .ok()
    }

    /// `PUT /rest/users/{id}/entities/{entityId}` `{user_role}`.
    pub async fn set_entity_role(
        &self,
        id: i64,
        entity_id: &str,
        role: &str,
    ) -> Result<(), ApiError> {
        self.send(
            Method::PUT,
            &Self::user_path(id, &format!("/entities/{}", seg(entity_id))),
            Some(&json!({ "user_role": role })),
        )
        .await?
        .ok()
    }

    /// `PUT /rest/users/{id}/entities/{entityId}/primaryEntity`: that entity becomes primary.
    pub async fn set_primary_entity(&self, id: i64, entity_id: &str) -> Result<(), ApiError> {
        self.send(
            Method::PUT,
            &Self::user_path(id, &format!("/entities/{}/primaryEntity", seg(entity_id))),
            None,
        )
        .await?
        .ok()
    }

    /// `DELETE /rest/users/{id}/{kind}/{value}`.
    async fn unlink(&self, id: i64, kind: &str, value: &str) -> Result<(), ApiError> {
        self.send(
            Method::DELETE,
            &Self::user_path(id, &format!("/{kind}/{}", seg(value))),
            None,
        )
        .await?
        .ok()
    }

    /// Every group (`GET /rest/groups`), for pickers.
    pub async fn groups(&self) -> Result<Vec<MaarchGroup>, ApiError> {
        let v: Value = self.send(Method::GET, "groups", None).await?.json()?;
        Ok(list_of(&v, "groups"))
    }

    /// Every entity (`GET /rest/entities`), for pickers.
    pub async fn entities(&self) -> Result<Vec<MaarchEntity>, ApiError> {
        let v: Value = self.send(Method::GET, "entities", None).await?.json()?;
        Ok(list_of(&v, "entities"))
    }

    // ---- Maarch Parapheur --------------------------------------------------------------------

    pub async fn link_parapheur(&self, id: i64, parapheur_user_id: i64) -> Result<(), ApiError> {
        self.send(
            Method::PUT,
            &Self::user_path(id, "/linkToMaarchParapheur"),
            Some(&json!({ "maarchParapheurUserId": parapheur_user_id })),
        )
        .await?
        .ok()
    }

    pub async fn unlink_parapheur(&self, id: i64) -> Result<(), ApiError> {
        self.send(
            Method::PUT,
            &Self::user_path(id, "/unlinkToMaarchParapheur"),
            None,
        )
        .await?
        .ok()
    }

    /// Creates the user in Maarch Parapheur and links it → the Parapheur id.
    pub async fn create_in_parapheur(&self, id: i64, login: &str) -> Result<i64, ApiError> {
        let v: Value = self
            .send(
                Method::PUT,
                &Self::user_path(id, "/createInMaarchParapheur"),
                Some(&json!({ "login": login })),
            )
            .await?
            .json()?;
        v.get("externalId")
            .and_then(|i| i.as_i64().or_else(|| i.as_str()?.parse().ok()))
            .ok_or_else(|| ApiError::Decode {
                status: 200,
                message: "no externalId in the answer".into(),
                excerpt: v.to_string(),
            })
    }

    /// The Parapheur login the user is linked to. GET as the real service; PUT (the doc) when
    /// GET is refused.
    pub async fn parapheur_status(&self, id: i64) -> Result<String, ApiError> {
        let path = Self::user_path(id, "/statusInMaarchParapheur");
        let mut raw = self.send(Method::GET, &path, None).await?;
        if raw.status.as_u16() == 405 {
            raw = self.send(Method::PUT, &path, None).await?;
        }
        let v: Value = raw.json()?;
        let errors = v.get("errors").and_then(Value::as_str).unwrap_or("");
        if !errors.is_empty() {
            return Err(ApiError::BadRequest(errors.to_string()));
        }
        Ok(v.get("link")
            .or_else(|| v.get("linbk"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string())
    }
}

fn list_of<T: serde::de::DeserializeOwned>(v: &Value, key: &str) -> Vec<T> {
    let items = match v {
        Value::Array(a) => a.clone(),
        other => match other.get(key) {
            Some(Value::Array(a)) => a.clone(),
            _ => Vec::new(),
        },
    };
    items
        .into_iter()
        .filter_map(|x| serde_json::from_value(x).ok())
        .collect()
}

impl From<MaarchUser> for MaarchUserDetails {
    fn from(user: MaarchUser) -> Self {
        MaarchUserDetails::from_list(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_and_details_decode_loosely() {
        let u: MaarchUser = serde_json::from_str(
            r#"{"id":"21","user_id":"bwayne","firstname":"Bruce","lastname":"Wayne","status":"SPD","mail":null,"mode":"standard"}"#,
        )
        .unwrap();
        assert_eq!(u.id, 21);
        assert_eq!(u.status_label(), "suspended");
        let d = MaarchUserDetails::from_value(json!({
            "id": 9, "user_id": "bboule", "firstname": "Bruno", "lastname": "BOULE",
            "groups": [{"group_id": "ELU", "group_desc": "Elus"}],
            "entities": [{"entity_id": "PJS", "entity_label": "Pôle", "primary_entity": "Y"}],
            "external_id": "{\"maarchParapheur\":19}"
        }))
        .unwrap();
        assert_eq!(d.groups[0].group_id, "ELU");
        assert!(d.entities[0].is_primary());
        assert_eq!(d.parapheur_id, Some(19));
        let g: Vec<MaarchGroup> = list_of(&json!({"groups":[{"group_id":"A"}, 3]}), "groups");
        assert_eq!(g.len(), 1);
    }

    #[test]
    fn create_body_uses_camel_case() {
        let b = serde_json::to_value(NewMaarchUser {
            user_id: "bwayne".into(),
            mode: Some("rest".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(b["userId"], "bwayne");
        assert!(b.get("phone").is_none());
        let u = serde_json::to_value(MaarchUserUpdate {
            id: 3,
            firstname: "B".into(),
            ..Default::default()
        })
        .unwrap();
        assert!(u.get("id").is_none());
    }
}
