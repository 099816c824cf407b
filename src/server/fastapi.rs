//! What a FastAPI/pydantic v2 service answers: error bodies, and validation of JSON bodies,
//! query strings and path ids with pydantic's own error types and messages.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

mod validator;

pub use validator::Validator;

/// An error answer of the core service.
#[derive(Debug)]
pub enum HttpError {
    Unauthorized(String),
    Forbidden(String),
    NotFound(String),
    Conflict(String),
    BadRequest(String),
    Validation(Vec<Value>),
    TooLarge,
    TooManyRequests(u64),
    Internal(String),
}

pub type HttpResult<T> = Result<T, HttpError>;

impl HttpError {
    pub fn not_authenticated() -> Self {
        HttpError::Unauthorized("Not authenticated".into())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let (status, detail) = match self {
            HttpError::Unauthorized(d) => {
                let mut r =
                    (StatusCode::UNAUTHORIZED, Json(json!({ "detail": d }))).into_response();
                r.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                return r;
            }
            HttpError::Forbidden(d) => (StatusCode::FORBIDDEN, json!(d)),
            HttpError::NotFound(d) => (StatusCode::NOT_FOUND, json!(d)),
            HttpError::Conflict(d) => (StatusCode::CONFLICT, json!(d)),
            HttpError::BadRequest(d) => (StatusCode::BAD_REQUEST, json!(d)),
            HttpError::Validation(errs) => (StatusCode::UNPROCESSABLE_ENTITY, Value::Array(errs)),
            HttpError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!("Request body too large"),
            ),
            HttpError::TooManyRequests(secs) => {
                let mut r = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(json!({ "detail": "Too many requests, retry later" })),
                )
                    .into_response();
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                return r;
            }
            HttpError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!("Internal Server Error"),
                )
            }
        };
        (status, Json(json!({ "detail": detail }))).into_response()
    }
}

impl From<rusqlite::Error> for HttpError {
    fn from(e: rusqlite::Error) -> Self {
        HttpError::Internal(e.to_string())
    }
}

/// One pydantic error item.
pub fn err_item(kind: &str, loc: &[Value], msg: &str, input: Value, ctx: Option<Value>) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!(kind));
    m.insert("loc".into(), Value::Array(loc.to_vec()));
    m.insert("msg".into(), json!(msg));
    m.insert("input".into(), input);
    if let Some(c) = ctx {
        m.insert("ctx".into(), c);
    }
    Value::Object(m)
}

/// Parses a JSON body as FastAPI does, or answers its 422 `json_invalid`.
pub fn parse_json(bytes: &[u8]) -> HttpResult<Value> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(HttpError::Validation(vec![err_item(
            "missing",
            &[json!("body")],
            "Field required",
            Value::Null,
            None,
        )]));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        // pydantic reports the byte offset of the error.
        let offset = byte_offset(bytes, e.line(), e.column());
        HttpError::Validation(vec![err_item(
            "json_invalid",
            &[json!("body"), json!(offset)],
            "JSON decode error",
            json!({}),
            Some(json!({ "error": json_error_words(&e) })),
        )])
    })
}

fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut cur_line = 1;
    for (i, b) in bytes.iter().enumerate() {
        if cur_line == line {
            return (i + column.saturating_sub(1)).min(bytes.len());
        }
        if *b == b'\n' {
            cur_line += 1;
        }
    }
    bytes.len()
}

fn json_error_words(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => "Expecting value",
        Category::Syntax => "Expecting ',' delimiter",
        _ => "Invalid JSON",
    }
}

pub use crate::api::rules::email_problem;

/// `page`/`size` of fastapi-pagination from a query string.
pub fn page_params(query: &[(String, String)]) -> HttpResult<(u32, u32)> {
    let mut errors = Vec::new();
    let mut get = |name: &str, default: i64, le: Option<i64>| -> i64 {
        let Some((_, raw)) = query.iter().rev().find(|(k, _)| k == name) else {
            return default;
        };
        let loc = [json!("query"), json!(name)];
        match raw.trim().parse::<i64>() {
            Err(_) => {
                errors.push(err_item(
                    "int_parsing",
                    &loc,
                    "Input should be a valid integer, unable to parse string as an integer",
                    json!(raw),
                    None,
                ));
                default
            }
            Ok(n) if n < 1 => {
                errors.push(err_item(
                    "greater_than_equal",
                    &loc,
                    "Input should be greater than or equal to 1",
                    json!(raw),
                    Some(json!({ "ge": 1 })),
                ));
                default
            }
            Ok(n) if le.is_some_and(|le| n > le) => {
                let le = le.unwrap_or_default();
                errors.push(err_item(
                    "less_than_equal",
                    &loc,
                    &format!("Input should be less than or equal to {le}"),
                    json!(raw),
                    Some(json!({ "le": le })),
                ));
                default
            }
            Ok(n) => n,
        }
    };
    let page = get("page", 1, Some(i64::from(u32::MAX)));
    let size = get("size", 50, Some(100));
    if errors.is_empty() {
        Ok((page as u32, size as u32))
    } else {
        Err(HttpError::Validation(errors))
    }
}

/// A UUID path parameter.
pub fn path_uuid(name: &str, raw: &str) -> HttpResult<String> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|e| {
            HttpError::Validation(vec![err_item(
                "uuid_parsing",
                &[json!("path"), json!(name)],
                &format!("Input should be a valid UUID, {e}"),
                json!(raw),
                Some(json!({ "error": e.to_string() })),
            )])
        })
}

/// A path parameter; one that is not UTF-8 gets FastAPI's 422, not axum's plain-text 400.
pub struct PathId(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PathId {
    type Rejection = HttpError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(s)) => Ok(PathId(s)),
            Err(e) => {
                // axum names the parameter between backticks.
                let text = e.body_text();
                let name = text.split('`').nth(1).unwrap_or("id").to_string();
                Err(HttpError::Validation(vec![err_item(
                    "uuid_parsing",
                    &[json!("path"), json!(name)],
                    "Input should be a valid UUID, invalid UTF-8 in the path",
                    Value::Null,
                    None,
                )]))
            }
        }
    }
}

/// A fastapi-pagination page body (`items,total,page,size,pages`), serialised straight from
/// its items.
#[derive(serde::Serialize)]
pub struct PageBody<T> {
    items: Vec<T>,
    total: u64,
    page: u32,
    size: u32,
    pages: u64,
}

impl<T> PageBody<T> {
    pub fn new(items: Vec<T>, total: u64, page: u32, size: u32) -> Self {
        PageBody {
            items,
            total,
            page,
            size,
            pages: total.div_ceil(u64::from(size)),
        }
    }
}

#[cfg(test)]
mod tests;
