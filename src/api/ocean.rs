//! Client of Ocean: individus (badge holders), their entities, and the account's access routes.
//! The token (`X-AUTH-TOKEN`, 12 hours) is taken and renewed inside: callers just call the route.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};
use tokio::sync::Mutex;

use super::error::Family;
use super::{
    ApiError, Credentials, HttpOptions, Limits, Raw, RetryPolicy, SharedCredentials, http_client,
    join_url, send_retrying,
};

mod individu;

pub use individu::{Individu, id_of};

/// The `criteria` values of `individus/list` (open: others are sent as given).
pub const CRITERIA: [&str; 5] = [
    "WITHOUT_USER",
    "WITH_USER",
    "WITH_ENTITE",
    "WITH_GSM",
    "WITH_VEHICLE",
];

/// Element types of `functionalities_detailed` known to the doc (open).
pub const ELEMENT_TYPES: [&str; 5] = ["ACTION", "ONGLET", "LIEN", "MENU", "WS"];

/// An element type as Ocean compares them: its doc names them "Lien, Onglet, Web service,
/// Action" and its records say "Onglets" or "WsAction"; case, spaces, accents-free plurals
/// and the web-service spellings all come to one key (`ONGLET`, `WS`…).
pub fn element_type_key(s: &str) -> String {
    let letters: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    match letters.as_str() {
        "WS" | "WEBSERVICE" | "WEBSERVICES" | "WSACTION" | "WSACTIONS" => "WS".to_string(),
        other => other
            .strip_suffix('S')
            .filter(|x| x.len() >= 3)
            .unwrap_or(other)
            .to_string(),
    }
}

/// Whether a refusal of `changePassword` says the server reads the passwords from the query
/// string (Spring's "Required request parameter 'actualPassword' … is not present", or a
/// parameter named as missing): the body was not read.
pub fn wants_passwords_in_url(e: &ApiError) -> bool {
    let ApiError::BadRequest(m) = e else {
        return false;
    };
    let m = m.to_lowercase();
    // Spring Boot hides its messages by default: a bare "Bad Request" may mean the same.
    if matches!(
        m.trim(),
        "" | "bad request" | "400 bad request" | "(empty body)"
    ) {
        return true;
    }
    let named = ["actualpassword", "newpassword"]
        .iter()
        .any(|n| m.contains(n));
    named
        && (m.contains("request parameter") || m.contains("required") || m.contains("missing"))
        && !m.contains("request body")
}

/// `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`, as Java writes it (`Z` for UTC).
pub fn iso_date(d: &DateTime<FixedOffset>) -> String {
    if d.offset().local_minus_utc() == 0 {
        d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    } else {
        d.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
    }
}

/// `dd/MM/yyyy HH:mm:ss Z` (affectation dates).
pub fn dmy_date(d: &DateTime<FixedOffset>) -> String {
    d.format("%d/%m/%Y %H:%M:%S %z").to_string()
}

/// One line of a create/update answer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OceanStatus {
    #[serde(deserialize_with = "lenient_string")]
    pub ocean_status: String,
    #[serde(deserialize_with = "lenient_string")]
    pub message: String,
}

impl OceanStatus {
    /// A 2xx whose status still says it failed.
    pub fn is_failure(&self) -> bool {
        let s = self.ocean_status.to_ascii_uppercase();
        ["ERR", "KO", "FAIL", "REJECT", "INVALID"]
            .iter()
            .any(|w| s.contains(w))
    }
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => String::new(),
        Value::String(s) => s,
        other => other.to_string(),
    })
}

/// What a create or update answered: the statuses, whatever shape they came in.
fn statuses(raw: &Raw) -> Result<Vec<OceanStatus>, ApiError> {
    raw.ok()?;
    if raw.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let v: Value = raw.json()?;
    let list = match v {
        Value::Array(items) => items,
        Value::Object(_) => vec![v],
        _ => Vec::new(),
    };
    let out: Vec<OceanStatus> = list
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect();
    if let Some(bad) = out.iter().find(|s| s.is_failure()) {
        return Err(ApiError::BadRequest(if bad.message.is_empty() {
            bad.ocean_status.clone()
        } else {
            format!("{} ({})", bad.message, bad.ocean_status)
        }));
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FonctionnaliteDto {
    pub description: Option<String>,
    pub id_fonctionnalite: Option<i64>,
    pub ordre: Option<i64>,
    pub type_element: Option<String>,
}

/// One right of the logged-in account.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Functionality {
    pub enum_code: String,
    pub fonctionnalite_dto: FonctionnaliteDto,
}

/// A mail the demo server would have sent (reset requests).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct OutboxMail {
    pub to: Option<String>,
    pub login: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub at: Option<String>,
}

/// The login answer, token aside.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OceanLogin {
    pub login: String,
    pub password_expiration_remaining_days: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthAnswer {
    token: String,
    #[serde(default)]
    password_expiration_remaining_days: Option<i64>,
}

#[derive(Clone)]
pub struct OceanClient {
    http: reqwest::Client,
    base: String,
    customer_id: Option<i64>,
    creds: SharedCredentials,
    token: Arc<Mutex<Option<SecretString>>>,
    retry: RetryPolicy,
    limits: Limits,
}

impl std::fmt::Debug for OceanClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OceanClient")
            .field("base", &self.base)
            .field("customer_id", &self.customer_id)
            .finish_non_exhaustive()
    }
}

impl OceanClient {
    /// `base_url`: the part before `restapi` (`https://HOST/ocean`); a trailing `/restapi` is
    /// accepted too.
    pub fn new(
        base_url: &str,
        creds: Credentials,
        customer_id: Option<i64>,
        opts: &HttpOptions,
    ) -> Result<Self, ApiError> {
        Ok(
            Self::with_http(http_client(opts, base_url)?, base_url, creds, customer_id)
                .with_retry(opts.retry)
                .with_limits(opts.request_limits()),
        )
    }

    pub fn with_http(
        http: reqwest::Client,
        base_url: &str,
        creds: Credentials,
        customer_id: Option<i64>,
    ) -> Self {
        let base = base_url.trim_end_matches('/');
        let base = base.strip_suffix("/restapi").unwrap_or(base);
        let token = match &creds {
            Credentials::Token(t) => Some(t.clone()),
            _ => None,
        };
        OceanClient {
            http,
            base: format!("{base}/restapi"),
            customer_id,
            creds: SharedCredentials::new(creds),
            token: Arc::new(Mutex::new(token)),
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

    pub fn customer_id(&self) -> Option<i64> {
        self.customer_id
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

    /// Replaces the credentials and forgets the token.
    pub async fn set_credentials(&self, username: &str, password: SecretString) {
        self.creds.set_password(username, password);
        *self.token.lock().await = None;
    }

    /// `POST auth/authenticate2`.
    pub async fn login(&self) -> Result<OceanLogin, ApiError> {
        let (username, password) = match self.creds() {
            Credentials::Password { username, password } => (username, password),
            Credentials::Token(_) => {
                return Err(ApiError::Unauthorized(
                    "the configured Ocean token was refused and cannot be renewed".into(),
                ));
            }
            Credentials::None => return Err(ApiError::Unauthorized("not logged in".into())),
        };
        let resp = self
            .http
            .post(join_url(&self.base, "auth/authenticate2"))
            .json(&json!({ "login": username, "password": password.expose_secret() }))
            .send()
            .await
            .map_err(ApiError::from_reqwest)?;
        let a: AuthAnswer = Raw::read(resp, Family::Ocean).await?.json()?;
        super::usable_token(&a.token, Family::Ocean)?;
        *self.token.lock().await = Some(SecretString::from(a.token));
        Ok(OceanLogin {
            login: username,
            password_expiration_remaining_days: a.password_expiration_remaining_days,
        })
    }

    async fn token(&self) -> Result<SecretString, ApiError> {
        if let Some(t) = self.token.lock().await.clone() {
            return Ok(t);
        }
        self.login().await?;
        self.token
            .lock()
            .await
            .clone()
            .ok_or_else(|| ApiError::Unauthorized("not logged in".into()))
    }

    /// Sends with the token; on a 401 logs in again once and retries.
    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Raw, ApiError> {
        let mut query: Vec<(&str, String)> = query.to_vec();
        if let Some(c) = self.customer_id {
            query.insert(0, ("customerId", c.to_string()));
        }
        let mut retried = false;
        loop {
            let token = self.token().await?;
            let mut req = self
                .http
                .request(method.clone(), join_url(&self.base, path))
                .header("X-AUTH-TOKEN", token.expose_secret());
            if !query.is_empty() {
                req = req.query(&query);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            // `individus/list` is a read despite its POST.
            let read = method == Method::GET || path == "individus/list";
            let raw = send_retrying(req, Family::Ocean, self.retry, read, self.limits).await?;
            if raw.status.as_u16() == 401
                && !retried
                && matches!(self.creds(), Credentials::Password { .. })
            {
                retried = true;
                *self.token.lock().await = None;
                continue;
            }
            return Ok(raw);
        }
    }

    // ---- individus ---------------------------------------------------------------------------

    /// `POST individus/list`, optionally narrowed by a `criteria`.
    pub async fn list_individus(&self, criteria: Option<&str>) -> Result<Vec<Individu>, ApiError> {
        let q: Vec<(&str, String)> = criteria
            .map(|c| vec![("criteria", c.to_string())])
            .unwrap_or_default();
        let raw = self.send(Method::POST, "individus/list", &q, None).await?;
        raw.ok()?;
        // A list, or a list wrapped in an object by a proxy or a newer version.
        let v: Value = raw.json()?;
        let items = match v {
            Value::Array(a) => a,
            Value::Object(mut m) => match ["content", "items", "individus", "data"]
                .iter()
                .find_map(|k| m.remove(*k))
            {
                Some(Value::Array(a)) => a,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        Ok(items
            .into_iter()
            .filter_map(|v| match v {
                Value::Object(m) => Some(Individu(m)),
                _ => None,
            })
            .collect())
    }

    /// `POST individus/create`; `entity_start`/`entity_end` open an assignment to `entite.id`.
    pub async fn create_individu(
        &self,
        body: &Individu,
        entity_start: Option<&DateTime<FixedOffset>>,
        entity_end: Option<&DateTime<FixedOffset>>,
    ) -> Result<Vec<OceanStatus>, ApiError> {
        let mut q = Vec::new();
        if let Some(s) = entity_start {
            q.push(("entityStart", iso_date(s)));
        }
        if let Some(e) = entity_end {
            q.push(("entityEnd", iso_date(e)));
        }
        let v = Value::Object(body.0.clone());
        statuses(
            &self
                .send(Method::POST, "individus/create", &q, Some(&v))
                .await?,
        )
    }

    /// `POST individus/update`: the whole record, `individu.id` naming it.
    pub async fn update_individu(&self, body: &Individu) -> Result<Vec<OceanStatus>, ApiError> {
        let v = Value::Object(body.0.clone());
        statuses(
            &self
                .send(Method::POST, "individus/update", &[], Some(&v))
                .await?,
        )
    }

    /// `POST individus/delete?individuId=` (see docs/api-notes.md).
    pub async fn delete_individu(&self, individu_id: i64) -> Result<(), ApiError> {
        self.send(
            Method::POST,
            "individus/delete",
            &[("individuId", individu_id.to_string())],
            None,
        )
        .await?
        .ok()
    }

    /// `POST individus/affectation-entite/add`: success is the 2xx, the body is opaque.
    pub async fn assign_entity(
        &self,
        individu_id: i64,
        entite_id: i64,
        start: &DateTime<FixedOffset>,
        end: Option<&DateTime<FixedOffset>>,
    ) -> Result<(), ApiError> {
        let mut q = vec![
            ("individuId", individu_id.to_string()),
            ("entiteId", entite_id.to_string()),
            ("startDate", dmy_date(start)),
        ];
        if let Some(e) = end {
            q.push(("endDate", dmy_date(e)));
        }
        self.send(Method::POST, "individus/affectation-entite/add", &q, None)
            .await?
            .ok()
    }

    // ---- access ------------------------------------------------------------------------------

    /// `POST auth/changePassword` (JSON body: passwords never sit in a URL).
    pub async fn change_password(
        &self,
        actual: &SecretString,
        new: &SecretString,
        confirmed: &SecretString,
    ) -> Result<(), ApiError> {
        self.change_password_in(actual, new, confirmed, false).await
    }

    /// `POST auth/changePassword`, the passwords in a JSON body or (`in_url`, only when the
    /// user agreed: see `wants_passwords_in_url`) as query parameters.
    pub async fn change_password_in(
        &self,
        actual: &SecretString,
        new: &SecretString,
        confirmed: &SecretString,
        in_url: bool,
    ) -> Result<(), ApiError> {
        let pairs = [
            ("actualPassword", actual.expose_secret().to_string()),
            ("newPassword", new.expose_secret().to_string()),
            (
                "newPasswordConfirmed",
                confirmed.expose_secret().to_string(),
            ),
        ];
        let raw = if in_url {
            self.send(Method::POST, "auth/changePassword", &pairs, None)
                .await?
        } else {
            let body: Map<String, Value> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.clone())))
                .collect();
            self.send(
                Method::POST,
                "auth/changePassword",
                &[],
                Some(&Value::Object(body)),
            )
            .await?
        };
        raw.ok()?;
        self.creds.replace_password(new);
        Ok(())
    }

    /// `POST auth/requestPasswordReset?login=[&url=]`.
    pub async fn request_password_reset(
        &self,
        login: &str,
        url: Option<&str>,
    ) -> Result<(), ApiError> {
        let mut q = vec![("login", login.to_string())];
        if let Some(u) = url.filter(|u| !u.trim().is_empty()) {
            q.push(("url", u.to_string()));
        }
        self.send(Method::POST, "auth/requestPasswordReset", &q, None)
            .await?
            .ok()
    }

    /// `GET authorization/functionalities_detailed?elementType=`.
    pub async fn functionalities(
        &self,
        element_type: &str,
    ) -> Result<Vec<Functionality>, ApiError> {
        self.send(
            Method::GET,
            "authorization/functionalities_detailed",
            &[("elementType", element_type.to_string())],
            None,
        )
        .await?
        .json()
    }

    /// The demo server's outbox; `None` on a server without it (a real Ocean).
    pub async fn outbox(&self) -> Result<Option<Vec<OutboxMail>>, ApiError> {
        let raw = self.send(Method::GET, "demo/outbox", &[], None).await?;
        if matches!(raw.status.as_u16(), 404 | 405) {
            return Ok(None);
        }
        raw.json().map(Some)
    }
}

#[cfg(test)]
mod tests;
