//! Client of the core FastAPI service. Login, refresh and a second try after a 401 happen
//! inside: callers just call the route.

use std::sync::Arc;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use super::error::{ApiError, Family};
use super::items::{Rows, Tolerant};
use super::model::*;
use super::{
    Answer, HttpOptions, Limits, Raw, RetryPolicy, SharedCredentials, http_client, join_url,
    read_whole, seg, send_reading, stream_rows,
};

/// Largest page the API accepts.
pub const MAX_PAGE_SIZE: u32 = 100;

/// How the core client logs in (the shared shape of every family).
pub use super::Credentials as CoreAuth;
pub use pages::{Paged, Walked, too_many_pages, too_many_rows};

mod pages;

#[derive(Default)]
struct Session {
    access: Option<SecretString>,
    refresh: Option<SecretString>,
    claims: Option<Claims>,
}

#[derive(Clone)]
pub struct CoreClient {
    http: reqwest::Client,
    base: String,
    auth: SharedCredentials,
    session: Arc<Mutex<Session>>,
    /// Held while a token is obtained: requests sent together (at start, who am I and the
    /// sites) wait for one login instead of each logging in.
    renewing: Arc<Mutex<()>>,
    retry: RetryPolicy,
    limits: Limits,
    /// Where the access token of a password login is kept between runs.
    tokens: Option<Arc<super::token_cache::TokenCache>>,
}

impl std::fmt::Debug for CoreClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl CoreClient {
    pub fn new(base_url: &str, auth: CoreAuth, opts: &HttpOptions) -> Result<Self, ApiError> {
        let http = http_client(opts, base_url)?;
        Ok(Self::with_http(http, base_url, auth)
            .with_retry(opts.retry)
            .with_limits(opts.request_limits()))
    }

    pub fn with_http(http: reqwest::Client, base_url: &str, auth: CoreAuth) -> Self {
        let session = match &auth {
            CoreAuth::Token(t) => Session {
                claims: Claims::from_jwt(t.expose_secret()),
                access: Some(t.clone()),
                refresh: None,
            },
            _ => Session::default(),
        };
        CoreClient {
            http,
            base: base_url.trim_end_matches('/').to_string(),
            auth: SharedCredentials::new(auth),
            session: Arc::new(Mutex::new(session)),
            renewing: Arc::new(Mutex::new(())),
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            tokens: None,
        }
    }

    /// Keeps the access token of a password login in `cache` and starts from the one kept
    /// there (when it is this user's and has more than a minute to live): no login at all.
    pub fn with_token_cache(mut self, cache: super::token_cache::TokenCache) -> Self {
        if let Some(user) = self.auth.username()
            && matches!(self.auth.get(), CoreAuth::Password { .. })
            && let Some(token) = cache.load(&user)
            && let Ok(mut s) = self.session.try_lock()
            && s.access.is_none()
        {
            s.claims = Claims::from_jwt(token.expose_secret());
            s.access = Some(token);
        }
        self.tokens = Some(Arc::new(cache));
        self
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

    /// Replaces the credentials (login form of the console) and forgets the session.
    pub async fn set_credentials(&self, username: &str, password: SecretString) {
        self.auth.set_password(username, password);
        *self.session.lock().await = Session::default();
    }

    pub fn has_credentials(&self) -> bool {
        self.auth.is_set()
    }

    /// Claims of the current access token (user, role), if logged in.
    pub async fn claims(&self) -> Option<Claims> {
        self.session.lock().await.claims.clone()
    }

    /// `POST /auth/login` with the configured credentials.
    pub async fn login(&self) -> Result<Claims, ApiError> {
        let auth = self.auth.get();
        let (username, password) = match auth {
            CoreAuth::Password { username, password } => (username, password),
            CoreAuth::Token(_) => {
                return Err(ApiError::Unauthorized(
                    "the configured token was refused and cannot be renewed".into(),
                ));
            }
            CoreAuth::None => return Err(ApiError::Unauthorized("not logged in".into())),
        };
        let form = [
            ("grant_type", "password"),
            ("username", username.as_str()),
            ("password", password.expose_secret()),
        ];
        let resp = self
            .http
            .post(join_url(&self.base, "/auth/login"))
            .form(&form)
            .send()
            .await
            .map_err(ApiError::from_reqwest)?;
        let tokens: Tokens = match decode(resp).await {
            Ok(t) => t,
            Err(e) => {
                // The password no longer logs in: what it got before is not used again.
                if let (Some(cache), ApiError::Unauthorized(_)) = (&self.tokens, &e) {
                    cache.forget(&username);
                }
                return Err(e);
            }
        };
        super::usable_token(&tokens.access_token, Family::Core)?;
        Ok(self.store(tokens).await)
    }

    async fn store(&self, tokens: Tokens) -> Claims {
        let claims = Claims::from_jwt(&tokens.access_token).unwrap_or_default();
        if let (Some(cache), Some(user)) = (&self.tokens, self.auth.username()) {
            let token = SecretString::from(tokens.access_token.clone());
            cache.store(&user, &token, claims.exp);
        }
        let mut s = self.session.lock().await;
        s.access = Some(SecretString::from(tokens.access_token));
        if let Some(r) = tokens.refresh_token {
            s.refresh = Some(SecretString::from(r));
        }
        s.claims = Some(claims.clone());
        claims
    }

    /// `POST /auth/refresh`; falls back to a fresh login when refreshing is refused.
    pub async fn refresh(&self) -> Result<Claims, ApiError> {
        let refresh = self.session.lock().await.refresh.clone();
        if let Some(r) = refresh {
            let resp = self
                .http
                .post(join_url(&self.base, "/auth/refresh"))
                .json(&serde_json::json!({ "refresh_token": r.expose_secret() }))
                .send()
                .await
                .map_err(ApiError::from_reqwest)?;
            match decode::<Tokens>(resp).await {
                Ok(t) => {
                    super::usable_token(&t.access_token, Family::Core)?;
                    return Ok(self.store(t).await);
                }
                Err(
                    ApiError::Unauthorized(_) | ApiError::Validation(_) | ApiError::NotFound(_),
                ) => {}
                Err(e) => return Err(e),
            }
        }
        self.login().await
    }

    /// The access token, unless there is none or it is about to expire and can be renewed.
    async fn usable_access(&self) -> Option<SecretString> {
        let s = self.session.lock().await;
        let a = s.access.as_ref()?;
        // Renew a little before expiry rather than eat a 401.
        let expiring = s
            .claims
            .as_ref()
            .and_then(|c| c.exp)
            .is_some_and(|exp| exp - chrono::Utc::now().timestamp() < 20);
        (!expiring || s.refresh.is_none()).then(|| a.clone())
    }

    async fn bearer(&self) -> Result<SecretString, ApiError> {
        if let Some(a) = self.usable_access().await {
            return Ok(a);
        }
        let _one_at_a_time = self.renewing.lock().await;
        // Another request may have logged in meanwhile.
        if let Some(a) = self.usable_access().await {
            return Ok(a);
        }
        let has_refresh = self.session.lock().await.refresh.is_some();
        if has_refresh {
            self.refresh().await?;
        } else {
            self.login().await?;
        }
        self.session
            .lock()
            .await
            .access
            .clone()
            .ok_or_else(|| ApiError::Unauthorized("not logged in".into()))
    }

    async fn send_raw<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<Raw, ApiError> {
        let max_body = self.limits.max_body;
        let whole = move |resp| read_whole(resp, Family::Core, max_body);
        self.send_with(method, path, query, body, &whole)
            .await
            .map(Answer::into_raw)
    }

    /// Sends a request with the session's token, its answer read by `read`; a refused token
    /// is renewed once and the request sent again.
    async fn send_with<B, O, F, Fut>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
        read: &F,
    ) -> Result<Answer<O>, ApiError>
    where
        B: Serialize + ?Sized,
        F: Fn(reqwest::Response) -> Fut,
        Fut: Future<Output = Result<Answer<O>, ApiError>>,
    {
        let mut retried = false;
        loop {
            let token = self.bearer().await?;
            let mut req = self
                .http
                .request(method.clone(), join_url(&self.base, path))
                .bearer_auth(token.expose_secret());
            if !query.is_empty() {
                req = req.query(query);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let answer =
                send_reading(req, self.retry, method == Method::GET, self.limits, read).await?;
            let refused = matches!(&answer, Answer::Raw(raw)
                if !raw.status.is_success() && matches!(raw.error(), ApiError::Unauthorized(_)));
            if refused && !retried && self.has_credentials() {
                retried = true;
                if let (Some(cache), Some(user)) = (&self.tokens, self.auth.username()) {
                    cache.forget(&user);
                }
                // Requests refused together renew once: the first one in renews, the others
                // find a new token.
                let _one_at_a_time = self.renewing.lock().await;
                let current = self.session.lock().await.access.clone();
                if current.is_some_and(|a| a.expose_secret() == token.expose_secret()) {
                    self.session.lock().await.access = None;
                    self.refresh().await?;
                }
                continue;
            }
            return Ok(answer);
        }
    }

    async fn call<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<T, ApiError> {
        self.send_raw(method, path, query, body).await?.json()
    }

    /// A list (bare or paged) decoded row by row as it comes: a bad row is kept marked, the
    /// answer's text is never held whole.
    async fn call_rows<T: Tolerant>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Rows<T>, ApiError> {
        let limits = self.limits;
        let read = move |resp| stream_rows::<T>(resp, Family::Core, &["items"], limits);
        match self
            .send_with::<(), _, _, _>(Method::GET, path, query, None, &read)
            .await?
        {
            Answer::Streamed(rows) => Ok(rows),
            Answer::Raw(raw) => Err(raw.error()),
        }
    }

    async fn call_empty(&self, method: Method, path: &str) -> Result<(), ApiError> {
        let raw = self.send_raw::<()>(method, path, &[], None).await?;
        if raw.status.is_success() {
            Ok(())
        } else {
            Err(raw.error())
        }
    }

    // ---- users ---------------------------------------------------------------------------

    pub async fn list_users(&self) -> Result<Vec<User>, ApiError> {
        Ok(self.call_rows("/users/list", &[]).await?.items)
    }

    pub async fn get_user(&self, user_id: &str) -> Result<User, ApiError> {
        self.call::<_, ()>(Method::GET, &format!("/users/{}", seg(user_id)), &[], None)
            .await
    }

    pub async fn create_user(&self, u: &NewUser) -> Result<User, ApiError> {
        self.call(Method::POST, "/users/create", &[], Some(u)).await
    }

    pub async fn update_user(&self, u: &UserUpdate) -> Result<User, ApiError> {
        self.call(Method::PUT, "/users/update", &[], Some(u)).await
    }

    /// Deactivates the user (204).
    pub async fn deactivate_user(&self, user_id: &str) -> Result<(), ApiError> {
        self.call_empty(Method::DELETE, &format!("/users/delete/{}", seg(user_id)))
            .await
    }

    // ---- roles ---------------------------------------------------------------------------

    pub async fn list_roles(&self) -> Result<Vec<Role>, ApiError> {
        Ok(self.call_rows("/roles/list", &[]).await?.items)
    }

    pub async fn create_role(&self, r: &NewRole) -> Result<Role, ApiError> {
        self.call(Method::POST, "/roles/create", &[], Some(r)).await
    }

    pub async fn update_role(&self, r: &RoleUpdate) -> Result<Role, ApiError> {
        self.call(Method::PUT, "/roles/update", &[], Some(r)).await
    }

    pub async fn add_permissions(
        &self,
        role_id: &str,
        permissions: &[PermissionRef],
    ) -> Result<Role, ApiError> {
        let body = serde_json::json!({ "role_id": role_id, "permissions": permissions });
        self.call(Method::POST, "/roles/add_permissions", &[], Some(&body))
            .await
    }

    pub async fn delete_role(&self, role_id: &str) -> Result<(), ApiError> {
        self.call_empty(Method::DELETE, &format!("/roles/{}", seg(role_id)))
            .await
    }

    // ---- client sites --------------------------------------------------------------------

    pub async fn list_sites(&self) -> Result<Vec<Site>, ApiError> {
        let l: AnyList<Site> = self
            .call::<_, ()>(Method::GET, "/client_site/all", &[], None)
            .await?;
        Ok(l.0)
    }

    /// Sites with their equipements counted, not kept (the list is kept in the cache dir).
    pub async fn list_site_summaries(&self) -> Result<Vec<SiteSummary>, ApiError> {
        let sites = self.call_rows("/client_site/all", &[]).await?.items;
        self.keep_sites(&sites);
        Ok(sites)
    }

    fn keep_sites(&self, sites: &[SiteSummary]) {
        if let (Some(cache), Some(user)) = (&self.tokens, self.auth.username()) {
            cache.store_sites(&user, sites);
        }
    }

    /// The last sites list read by this user (from the cache dir), and its age.
    pub fn kept_sites(&self) -> Option<(Vec<SiteSummary>, std::time::Duration)> {
        let (cache, user) = (self.tokens.as_ref()?, self.auth.username()?);
        cache.load_sites(&user)
    }

    /// Drops the kept sites list (it no longer says what the server has).
    pub fn forget_kept_sites(&self) {
        if let (Some(cache), Some(user)) = (&self.tokens, self.auth.username()) {
            cache.forget_sites(&user);
        }
    }

    /// `list_site_summaries`, `watch` told the sites as they come (a server that does not
    /// compress sends the 31 MB of a big fleet's list for seconds over a slow link).
    pub async fn list_site_summaries_watched(
        &self,
        watch: super::RowsWatch<'_, SiteSummary>,
    ) -> Result<Vec<SiteSummary>, ApiError> {
        let limits = self.limits;
        let read = move |resp| {
            super::stream_rows_watched::<SiteSummary>(
                resp,
                Family::Core,
                &["items"],
                limits,
                Some(watch),
            )
        };
        match self
            .send_with::<(), _, _, _>(Method::GET, "/client_site/all", &[], None, &read)
            .await?
        {
            Answer::Streamed(rows) => {
                self.keep_sites(&rows.items);
                Ok(rows.items)
            }
            Answer::Raw(raw) => Err(raw.error()),
        }
    }

    pub async fn site_equipements(
        &self,
        site_id: &str,
        page: u32,
        size: u32,
    ) -> Result<Page<Equipement>, ApiError> {
        Ok(self
            .call_rows(
                &format!("/client_site/{}/all_equipements", seg(site_id)),
                &[("page", page.to_string()), ("size", size.to_string())],
            )
            .await?
            .into_page())
    }

    pub async fn create_site(&self, s: &NewSite) -> Result<Site, ApiError> {
        self.call(Method::POST, "/client_site/register", &[], Some(s))
            .await
    }

    pub async fn update_site(&self, s: &SiteUpdate) -> Result<Site, ApiError> {
        self.call(Method::PUT, "/client_site/update", &[], Some(s))
            .await
    }

    pub async fn delete_site(&self, site_id: &str) -> Result<(), ApiError> {
        self.call_empty(Method::DELETE, &format!("/client_site/{}", seg(site_id)))
            .await
    }

    // ---- equipements ---------------------------------------------------------------------

    pub async fn list_equipements(
        &self,
        page: u32,
        size: u32,
    ) -> Result<Page<Equipement>, ApiError> {
        Ok(self
            .call_rows(
                "/equipements/all",
                &[("page", page.to_string()), ("size", size.to_string())],
            )
            .await?
            .into_page())
    }

    pub async fn create_equipement(&self, e: &NewEquipement) -> Result<Equipement, ApiError> {
        self.call(Method::POST, "/equipements/register", &[], Some(e))
            .await
    }

    pub async fn update_equipement(&self, e: &EquipementUpdate) -> Result<Equipement, ApiError> {
        self.call(Method::PUT, "/equipements/update", &[], Some(e))
            .await
    }

    pub async fn delete_equipement(&self, equipement_id: &str) -> Result<(), ApiError> {
        self.call_empty(
            Method::DELETE,
            &format!("/equipements/{}", seg(equipement_id)),
        )
        .await
    }
}

async fn decode<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T, ApiError> {
    Raw::read(resp, Family::Core).await?.json()
}
