//! The Maarch Courrier API of the reference server: user administration under `/rest/`, with
//! Maarch's `{"errors": "…"}` answers, HTTP Basic and token authentication, and a simulated
//! Maarch Parapheur directory to link users to.

mod auth;
mod parapheur;
mod store;
mod users;

pub use crate::api::rules::valid_phone;

use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, delete, get, post, put};
use axum::{Json, body::Bytes};
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value, json};

use super::AppState;
use super::fastapi::HttpError;

pub use store::prepare;

/// In-memory state of the Maarch routes: none, tokens live in the database and survive restarts.
#[derive(Default)]
pub struct MaarchState {}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rest/authenticate", on(post(auth::authenticate)))
        .route("/rest/authenticate/token", on(get(auth::refresh)))
        .route("/rest/users", on(get(users::list).post(users::create)))
        .route("/rest/users/{id}", on(put(users::update)))
        .route("/rest/users/{id}/details", on(get(users::details)))
        .route("/rest/users/{id}/groups", on(post(users::add_group)))
        .route(
            "/rest/users/{id}/groups/{group_id}",
            on(delete(users::remove_group).put(users::set_group_role)),
        )
        .route("/rest/users/{id}/entities", on(post(users::add_entity)))
        .route(
            "/rest/users/{id}/entities/{entity_id}",
            on(delete(users::remove_entity).put(users::set_entity_role)),
        )
        .route(
            "/rest/users/{id}/entities/{entity_id}/primaryEntity",
            on(put(users::set_primary_entity)),
        )
        .route(
            "/rest/users/{id}/linkToMaarchParapheur",
            on(put(parapheur::link)),
        )
        .route(
            "/rest/users/{id}/unlinkToMaarchParapheur",
            on(put(parapheur::unlink)),
        )
        .route(
            "/rest/users/{id}/createInMaarchParapheur",
            on(put(parapheur::create)),
        )
        // GET in the real service, PUT in the doc (not in 21.03).
        .route(
            "/rest/users/{id}/statusInMaarchParapheur",
            on(get(parapheur::status).put(parapheur::status_by_put)),
        )
        .route("/rest/groups", on(get(users::groups)))
        .route("/rest/entities", on(get(users::entities)))
        .route("/rest", any(route_not_found))
        .route("/rest/{*path}", any(route_not_found))
}

/// A route whose other methods answer Maarch's way rather than the core service's.
fn on(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(method_not_allowed)
}

async fn method_not_allowed(State(st): State<AppState>) -> Response {
    not_routed(&st, StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
}

async fn route_not_found(State(st): State<AppState>) -> Response {
    not_routed(&st, StatusCode::NOT_FOUND, "Route not found")
}

/// What a request no route takes gets: Maarch's JSON, or with `--like maarch-21.03` the web
/// server's HTML page, as a real installation answers before PHP is reached.
pub(crate) fn not_routed(st: &AppState, status: StatusCode, message: &str) -> Response {
    if !st.cfg.is_like(crate::server::Like::Maarch2103) {
        return MaarchError::new(status, message).into_response();
    }
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let page = format!(
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>{code} {reason}</title>\n</head><body>\n<h1>{reason}</h1>\n<p>The requested URL was not served by this method.</p>\n<hr>\n<address>Apache/2.4.38 (Debian) Server</address>\n</body></html>\n"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=iso-8859-1")],
        page,
    )
        .into_response()
}

/// A Maarch error answer: `{"errors": message}` with its status.
#[derive(Debug)]
pub struct MaarchError {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

type MResult<T> = Result<T, MaarchError>;

impl MaarchError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        MaarchError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    fn auth_failed() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Authentication Failed")
    }
}

impl IntoResponse for MaarchError {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(json!({ "errors": self.message }))).into_response();
        if let Some(secs) = self.retry_after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        r
    }
}

/// The shared plumbing (body reading, rate limiting, database) speaks the core service's
/// errors; here they become Maarch answers.
impl From<HttpError> for MaarchError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::TooLarge => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large")
            }
            HttpError::TooManyRequests(secs) => MaarchError {
                retry_after: Some(secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many requests, retry later",
                )
            },
            HttpError::BadRequest(message) => Self::bad(message),
            other => {
                tracing::error!(error = ?other, "internal error");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
        }
    }
}

impl From<rusqlite::Error> for MaarchError {
    fn from(e: rusqlite::Error) -> Self {
        HttpError::from(e).into()
    }
}

/// Runs `f` on a pooled connection, off the async threads.
async fn db<T, F>(st: &AppState, f: F) -> MResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Connection) -> MResult<T> + Send + 'static,
{
    st.db.call(move |c| Ok(f(c))).await?
}

/// The raw request body, read before any check but parsed only when its turn comes, so the
/// errors keep Maarch's order (path id, user, rights, then body).
struct RawBody(Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = MaarchError;

    async fn from_request(req: Request, state: &S) -> MResult<Self> {
        Ok(RawBody(super::Body::from_request(req, state).await?.0))
    }
}

/// The path parameters in route order, unparsed for the same reason.
struct PathParams(Vec<String>);

impl<S: Send + Sync> FromRequestParts<S> for PathParams {
    type Rejection = MaarchError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> MResult<Self> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| MaarchError::bad("id must be an integer"))?;
        Ok(PathParams(raw.iter().map(|(_, v)| v.to_owned()).collect()))
    }
}

impl PathParams {
    /// The technical user id (`users.id`) of the route.
    fn user_id(&self) -> MResult<i64> {
        self.0
            .first()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| MaarchError::bad("id must be an integer"))
    }

    /// The second parameter (a group or entity id).
    fn second(&self) -> &str {
        self.0.get(1).map_or("", String::as_str)
    }
}

/// The JSON object of a body. An empty body, or JSON that is not an object, reads as `{}`
/// like PHP's parsed body, so the first field check reports it.
fn parse_body(bytes: &[u8]) -> MResult<Map<String, Value>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Ok(Map::new()),
        Err(_) => Err(MaarchError::bad("Body is not valid JSON")),
    }
}

/// A string field that is not blank (Respect's `stringType()->notEmpty()`), trimmed.
fn text<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// An optional field: `None` when absent, null or `""` (PHP's `empty()`), else the value.
fn optional<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    body.get(key)
        .filter(|v| !v.is_null() && v.as_str() != Some(""))
}

pub use crate::api::rules::valid_login;

/// 400 `User not found` unless the user exists and is not deleted, then 403 unless the caller
/// administers users: Maarch's order for the routes on one user.
fn admin_target(c: &Connection, id: i64, caller: auth::Caller) -> MResult<()> {
    c.query_row(
        "SELECT 1 FROM maarch_users WHERE id = ?1 AND status <> 'DEL'",
        [id],
        |_| Ok(()),
    )
    .optional()?
    .ok_or_else(|| MaarchError::bad("User not found"))?;
    caller.require_admin()
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use serde_json::json;

    use super::{optional, parse_body, text};

    #[test]
    fn bodies_read_like_php() {
        assert!(parse_body(b"").unwrap().is_empty());
        assert!(parse_body(b" \n").unwrap().is_empty());
        assert!(parse_body(b"[1, 2]").unwrap().is_empty());
        assert_eq!(parse_body(br#"{"a":1}"#).unwrap().len(), 1);
        let e = parse_body(b"{\"a\":").unwrap_err();
        assert_eq!(
            (e.status, e.message.as_str()),
            (StatusCode::BAD_REQUEST, "Body is not valid JSON")
        );
    }

    #[test]
    fn optional_fields() {
        let body = parse_body(br#"{"a":null,"b":"","c":"x","d":0}"#).unwrap();
        assert!(optional(&body, "a").is_none());
        assert!(optional(&body, "b").is_none());
        assert!(optional(&body, "z").is_none());
        assert_eq!(optional(&body, "c"), Some(&json!("x")));
        assert_eq!(optional(&body, "d"), Some(&json!(0)));
        assert_eq!(text(&body, "c"), Some("x"));
        assert_eq!(text(&body, "d"), None);
    }
}
