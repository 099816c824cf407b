//! The Ocean API of the reference server, under `/ocean/restapi/`: opaque `X-AUTH-TOKEN`
//! sessions, per-token rate limiting, Spring Boot error bodies, and the individus stored as the
//! JSON bodies the clients send.

mod access;
pub mod dates;
mod individus;
mod seed;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get, post};
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Value, json};

use super::auth::url_decode_pairs;
use super::fastapi::{HttpError, HttpResult};
use super::{AppState, Peer, SeedMode};

const PREFIX: &str = "/ocean/restapi";
const MINUTE: Duration = Duration::from_secs(60);

/// In-memory state of the Ocean routes: the request counters of the rate limit.
#[derive(Default)]
pub struct OceanState {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl OceanState {
    /// Counts one request of `key` in its current minute; 429 past `per_minute`.
    fn hit(&self, key: &str, per_minute: u32) -> OceanResult<()> {
        let mut map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if map.len() > 10_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < MINUTE);
        }
        let window = map.entry(key.to_string()).or_insert((now, 0));
        let elapsed = now.duration_since(window.0);
        if elapsed >= MINUTE {
            *window = (now, 0);
        } else if window.1 >= per_minute {
            let left = (MINUTE - elapsed).as_secs_f64().ceil() as u64;
            return Err(OceanError::too_many(left.max(1)));
        }
        window.1 += 1;
        Ok(())
    }
}

/// Creates the Ocean tables and, when they are empty, the demo (or bootstrap) accounts.
/// Returns whether `admin` was created with the bootstrap password.
pub fn prepare(c: &mut Connection, seed: SeedMode, bootstrap: Option<&str>) -> HttpResult<bool> {
    seed::prepare(c, seed, bootstrap)
}

pub fn routes() -> Router<AppState> {
    // Each route answers other methods itself: the server-wide 405 has FastAPI's body.
    fn route(m: MethodRouter<AppState>) -> MethodRouter<AppState> {
        m.fallback(method_not_allowed)
    }
    let inner = Router::new()
        .route("/auth/authenticate2", route(post(access::authenticate2)))
        .route("/auth/authenticate", route(post(access::authenticate)))
        .route("/auth/changePassword", route(post(access::change_password)))
        .route(
            "/auth/requestPasswordReset",
            route(post(access::request_password_reset)),
        )
        .route(
            "/authorization/functionalities_detailed",
            route(get(access::functionalities)),
        )
        .route("/demo/outbox", route(get(access::outbox)))
        .route("/individus/list", route(post(individus::list)))
        .route("/individus/create", route(post(individus::create)))
        .route("/individus/update", route(post(individus::update)))
        .route("/individus/delete", route(post(individus::delete)))
        .route(
            "/individus/affectation-entite/add",
            route(post(individus::affectation)),
        )
        .route("/{*rest}", any(not_found));
    Router::new()
        .nest(PREFIX, inner)
        .layer(from_fn(spring_errors))
}

async fn method_not_allowed() -> OceanError {
    OceanError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Request method not supported",
    )
}

async fn not_found() -> OceanError {
    OceanError::new(StatusCode::NOT_FOUND, "No endpoint here")
}

// ---- errors ---------------------------------------------------------------------------------

/// An error answer of an Ocean route; [`spring_errors`] writes its body.
#[derive(Debug)]
pub struct OceanError {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

pub type OceanResult<T> = Result<T, OceanError>;

impl OceanError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        OceanError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    fn too_many(retry_after: u64) -> Self {
        OceanError {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests")
        }
    }

    fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "ocean: internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
    }
}

impl From<rusqlite::Error> for OceanError {
    fn from(e: rusqlite::Error) -> Self {
        OceanError::internal(e)
    }
}

impl From<HttpError> for OceanError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::TooManyRequests(secs) => OceanError::too_many(secs),
            HttpError::TooLarge => {
                OceanError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large")
            }
            other => OceanError::internal(format!("{other:?}")),
        }
    }
}

/// The message of an error answer, for [`spring_errors`].
#[derive(Clone)]
struct ErrorMessage(String);

impl IntoResponse for OceanError {
    fn into_response(self) -> Response {
        let mut r = self.status.into_response();
        if let Some(secs) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        r.extensions_mut().insert(ErrorMessage(self.message));
        r
    }
}

/// Gives every 4xx/5xx of the Ocean routes Spring Boot's body, with the request's path.
async fn spring_errors(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let status = resp.status();
    if !status.is_client_error() && !status.is_server_error() {
        return resp;
    }
    let (mut parts, _) = resp.into_parts();
    let message = parts
        .extensions
        .remove::<ErrorMessage>()
        .map(|m| m.0)
        .unwrap_or_default();
    let body = json!({
        "timestamp": dates::now_iso(),
        "status": status.as_u16(),
        "error": status.canonical_reason().unwrap_or(""),
        "message": message,
        "path": path,
    });
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, axum::body::Body::from(body.to_string()))
}

// ---- request pieces -------------------------------------------------------------------------

/// The query string's parameters, decoded (`+` reads as a space, as in any query string).
struct Params(Vec<(String, String)>);

impl Params {
    fn new(query: Option<String>) -> Self {
        Params(url_decode_pairs(query.unwrap_or_default().as_bytes()))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// An integer parameter; absent or blank is `None`.
    fn int(&self, name: &str) -> OceanResult<Option<i64>> {
        match self.get(name).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| OceanError::bad_request(format!("{name}: '{v}' is not a number"))),
        }
    }

    fn req_int(&self, name: &str) -> OceanResult<i64> {
        self.int(name)?
            .ok_or_else(|| OceanError::bad_request(format!("{name} is required")))
    }
}

/// The raw request body; over the server's limit it is a 413.
#[derive(Default)]
struct OceanBody(Bytes);

impl<S: Send + Sync> FromRequest<S> for OceanBody {
    type Rejection = OceanError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(OceanBody)
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    OceanError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large")
                } else {
                    OceanError::bad_request(format!(
                        "Cannot read the request body: {}",
                        e.body_text()
                    ))
                }
            })
    }
}

impl OceanBody {
    /// The body as JSON, `None` when empty.
    fn json(&self) -> OceanResult<Option<Value>> {
        if self.0.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        serde_json::from_slice(&self.0)
            .map(Some)
            .map_err(|e| OceanError::bad_request(format!("JSON parse error: {e}")))
    }

    /// A required JSON object.
    fn object(&self) -> OceanResult<Value> {
        match self.json()? {
            None => Err(OceanError::bad_request("Required request body is missing")),
            Some(v) if v.is_object() => Ok(v),
            Some(_) => Err(OceanError::bad_request(
                "JSON parse error: the body must be a JSON object",
            )),
        }
    }
}

/// Runs `f` on a pooled connection, off the async threads.
async fn with_db<T, F>(st: &AppState, f: F) -> OceanResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Connection) -> OceanResult<T> + Send + 'static,
{
    st.db.call(move |c| Ok(f(c))).await?
}

/// Runs argon2 off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> OceanResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(OceanError::internal)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

// ---- callers --------------------------------------------------------------------------------

/// A caller without a session (login routes): rate limited by address.
struct Anonymous {
    peer: String,
}

impl FromRequestParts<AppState> for Anonymous {
    type Rejection = OceanError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, OceanError> {
        let Peer(peer) = Peer::from_request_parts(parts, st).await?;
        st.ocean
            .hit(&format!("addr:{peer}"), st.cfg.ocean_requests_per_minute)?;
        Ok(Anonymous { peer })
    }
}

/// The account behind a valid `X-AUTH-TOKEN`, rate limited by token. Requests without a valid
/// token count against their address.
struct Caller {
    id: i64,
    login: String,
    customers: Vec<i64>,
    read_only: bool,
    peer: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = OceanError;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, OceanError> {
        let Peer(peer) = Peer::from_request_parts(parts, st).await?;
        let limit = st.cfg.ocean_requests_per_minute;
        let token = parts
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        let Some(token) = token else {
            st.ocean.hit(&format!("addr:{peer}"), limit)?;
            return Err(OceanError::unauthorized(
                "Full authentication is required to access this resource",
            ));
        };
        let key = token.clone();
        let found = with_db(st, move |c| {
            let row = c
                .query_row(
                    "SELECT a.id, a.login, a.read_only, t.expires_at FROM ocean_tokens t
                     JOIN ocean_accounts a ON a.id = t.account_id WHERE t.token = ?1",
                    [&key],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, bool>(2)?,
                            r.get::<_, i64>(3)?,
                        ))
                    },
                )
                .optional()?;
            let Some((id, login, read_only, expires_at)) = row else {
                return Ok(None);
            };
            if expires_at <= now_ms() {
                c.execute("DELETE FROM ocean_tokens WHERE token = ?1", [&key])?;
                return Ok(Some(Err("Token expired")));
            }
            let mut s = c.prepare_cached(
                "SELECT customer_id FROM ocean_account_customers
                 WHERE account_id = ?1 ORDER BY customer_id",
            )?;
            let customers = s
                .query_map([id], |r| r.get(0))?
                .collect::<Result<Vec<i64>, _>>()?;
            Ok(Some(Ok((id, login, read_only, customers))))
        })
        .await?;
        match found {
            Some(Ok((id, login, read_only, customers))) => {
                st.ocean.hit(&format!("token:{token}"), limit)?;
                Ok(Caller {
                    id,
                    login,
                    customers,
                    read_only,
                    peer,
                })
            }
            Some(Err(why)) => {
                st.ocean.hit(&format!("addr:{peer}"), limit)?;
                Err(OceanError::unauthorized(why))
            }
            None => {
                st.ocean.hit(&format!("addr:{peer}"), limit)?;
                Err(OceanError::unauthorized("Invalid token"))
            }
        }
    }
}

impl Caller {
    /// The customer a call works on: `customerId`, required when the account has several.
    fn customer(&self, params: &Params) -> OceanResult<i64> {
        match params.int("customerId")? {
            Some(id) if self.customers.contains(&id) => Ok(id),
            Some(id) => Err(OceanError::forbidden(format!(
                "Customer {id} is not accessible to this user"
            ))),
            None => match self.customers.as_slice() {
                [only] => Ok(*only),
                [] => Err(OceanError::forbidden("This user has no customer")),
                _ => Err(OceanError::bad_request(
                    "customerId is required for a multi-client user",
                )),
            },
        }
    }

    /// 403 for read-only accounts.
    fn require_write(&self, what: &str) -> OceanResult<()> {
        if self.read_only {
            Err(OceanError::forbidden(format!(
                "Read-only user {}: {what} is not allowed",
                self.login
            )))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::{Caller, OceanState, Params};

    #[test]
    fn rate_limit_counts_per_key_and_minute() {
        let st = OceanState::default();
        for _ in 0..3 {
            st.hit("a", 3).unwrap();
        }
        let e = st.hit("a", 3).unwrap_err();
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(matches!(e.retry_after, Some(1..=60)));
        st.hit("b", 3).unwrap();
    }

    #[test]
    fn params_decode_and_check_numbers() {
        let p = Params::new(Some(
            "customerId=2&startDate=27%2F11%2F2025+08%3A00%3A00+%2B0100&x=".into(),
        ));
        assert_eq!(p.int("customerId").unwrap(), Some(2));
        assert_eq!(p.get("startDate"), Some("27/11/2025 08:00:00 +0100"));
        assert_eq!(p.int("x").unwrap(), None);
        assert_eq!(p.int("missing").unwrap(), None);
        let p = Params::new(Some("customerId=abc".into()));
        let e = p.int("customerId").unwrap_err();
        assert_eq!(e.message, "customerId: 'abc' is not a number");
        assert!(p.req_int("individuId").is_err());
    }

    fn caller(customers: Vec<i64>) -> Caller {
        Caller {
            id: 1,
            login: "x".into(),
            customers,
            read_only: true,
            peer: String::new(),
        }
    }

    #[test]
    fn customer_rule() {
        let multi = caller(vec![1, 2]);
        let none = Params::new(None);
        assert_eq!(
            multi.customer(&none).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            multi
                .customer(&Params::new(Some("customerId=2".into())))
                .unwrap(),
            2
        );
        let single = caller(vec![1]);
        assert_eq!(single.customer(&none).unwrap(), 1);
        let e = single
            .customer(&Params::new(Some("customerId=2".into())))
            .unwrap_err();
        assert_eq!(e.status, StatusCode::FORBIDDEN);
        assert_eq!(
            single.require_write("x").unwrap_err().status,
            StatusCode::FORBIDDEN
        );
    }
}
