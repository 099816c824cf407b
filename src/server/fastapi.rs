//! What a FastAPI/pydantic v2 service answers: error bodies, and validation of JSON bodies,
//! query strings and path ids with pydantic's own error types and messages.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

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

/// Validates a JSON object field by field, collecting every error like pydantic does.
pub struct Validator<'a> {
    body: &'a Value,
    prefix: Vec<Value>,
    pub errors: Vec<Value>,
}

impl<'a> Validator<'a> {
    /// `None` (with the error recorded) when the body is not an object.
    pub fn new(body: &'a Value) -> Self {
        let mut v = Validator {
            body,
            prefix: vec![json!("body")],
            errors: Vec::new(),
        };
        if !body.is_object() {
            v.errors.push(err_item(
                "model_attributes_type",
                &[json!("body")],
                "Input should be a valid dictionary or object to extract fields from",
                body.clone(),
                None,
            ));
        }
        v
    }

    pub fn finish(self) -> HttpResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(HttpError::Validation(self.errors))
        }
    }

    fn loc(&self, name: &str) -> Vec<Value> {
        let mut l = self.prefix.clone();
        l.push(json!(name));
        l
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.body.as_object().and_then(|m| m.get(name))
    }

    fn missing(&mut self, name: &str) {
        if self.body.is_object() {
            let loc = self.loc(name);
            self.errors.push(err_item(
                "missing",
                &loc,
                "Field required",
                self.body.clone(),
                None,
            ));
        }
    }

    fn push(&mut self, kind: &str, name: &str, msg: &str, input: &Value, ctx: Option<Value>) {
        let loc = self.loc(name);
        self.errors
            .push(err_item(kind, &loc, msg, input.clone(), ctx));
    }

    /// A required string (absent → missing; null or non-string → string_type).
    pub fn req_str(&mut self, name: &str, min_len: usize, max_len: usize) -> Option<String> {
        match self.get(name) {
            None => {
                self.missing(name);
                None
            }
            Some(v) => self.check_str(name, v, min_len, max_len),
        }
    }

    /// An optional string: absent or null → `None`.
    pub fn opt_str(&mut self, name: &str, min_len: usize, max_len: usize) -> Option<String> {
        match self.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => self.check_str(name, v, min_len, max_len),
        }
    }

    /// Whether the field was sent with a non-null value.
    pub fn has(&self, name: &str) -> bool {
        !matches!(self.get(name), None | Some(Value::Null))
    }

    fn check_str(
        &mut self,
        name: &str,
        v: &Value,
        min_len: usize,
        max_len: usize,
    ) -> Option<String> {
        let Value::String(s) = v else {
            self.push(
                "string_type",
                name,
                "Input should be a valid string",
                v,
                None,
            );
            return None;
        };
        let n = s.chars().count();
        if n < min_len {
            let unit = if min_len == 1 {
                "character"
            } else {
                "characters"
            };
            self.push(
                "string_too_short",
                name,
                &format!("String should have at least {min_len} {unit}"),
                v,
                Some(json!({ "min_length": min_len })),
            );
            return None;
        }
        if n > max_len {
            self.push(
                "string_too_long",
                name,
                &format!("String should have at most {max_len} characters"),
                v,
                Some(json!({ "max_length": max_len })),
            );
            return None;
        }
        Some(s.clone())
    }

    pub fn req_int(&mut self, name: &str, ge: i64, le: i64) -> Option<i64> {
        match self.get(name) {
            None => {
                self.missing(name);
                None
            }
            Some(v) => self.check_int(name, v, ge, le),
        }
    }

    pub fn opt_int(&mut self, name: &str, ge: i64, le: i64) -> Option<i64> {
        match self.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => self.check_int(name, v, ge, le),
        }
    }

    fn check_int(&mut self, name: &str, v: &Value, ge: i64, le: i64) -> Option<i64> {
        let n = match v {
            Value::Number(n) => match n.as_i64() {
                Some(i) => i,
                None => match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => f as i64,
                    Some(_) => {
                        self.push(
                            "int_from_float",
                            name,
                            "Input should be a valid integer, got a number with a fractional part",
                            v,
                            None,
                        );
                        return None;
                    }
                    None => {
                        self.push("int_type", name, "Input should be a valid integer", v, None);
                        return None;
                    }
                },
            },
            // pydantic's lax mode accepts numeric strings.
            Value::String(s) => match s.trim().parse::<i64>() {
                Ok(i) => i,
                Err(_) => {
                    self.push(
                        "int_parsing",
                        name,
                        "Input should be a valid integer, unable to parse string as an integer",
                        v,
                        None,
                    );
                    return None;
                }
            },
            _ => {
                self.push("int_type", name, "Input should be a valid integer", v, None);
                return None;
            }
        };
        self.range(
            name,
            v,
            n as f64,
            ge as f64,
            le as f64,
            json!(ge),
            json!(le),
        )
        .map(|_| n)
    }

    pub fn req_float(&mut self, name: &str, ge: f64, le: f64) -> Option<f64> {
        match self.get(name) {
            None => {
                self.missing(name);
                None
            }
            Some(v) => self.check_float(name, v, ge, le),
        }
    }

    pub fn opt_float(&mut self, name: &str, ge: f64, le: f64) -> Option<f64> {
        match self.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => self.check_float(name, v, ge, le),
        }
    }

    fn check_float(&mut self, name: &str, v: &Value, ge: f64, le: f64) -> Option<f64> {
        let f = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => Some(f),
                _ => {
                    self.push(
                        "float_parsing",
                        name,
                        "Input should be a valid number, unable to parse string as a number",
                        v,
                        None,
                    );
                    return None;
                }
            },
            _ => None,
        };
        let Some(f) = f else {
            self.push(
                "float_type",
                name,
                "Input should be a valid number",
                v,
                None,
            );
            return None;
        };
        self.range(name, v, f, ge, le, json!(ge), json!(le))
    }

    #[allow(clippy::too_many_arguments)]
    fn range(
        &mut self,
        name: &str,
        v: &Value,
        x: f64,
        ge: f64,
        le: f64,
        gej: Value,
        lej: Value,
    ) -> Option<f64> {
        if x < ge {
            self.push(
                "greater_than_equal",
                name,
                &format!(
                    "Input should be greater than or equal to {}",
                    num_words(&gej)
                ),
                v,
                Some(json!({ "ge": gej })),
            );
            return None;
        }
        if x > le {
            self.push(
                "less_than_equal",
                name,
                &format!("Input should be less than or equal to {}", num_words(&lej)),
                v,
                Some(json!({ "le": lej })),
            );
            return None;
        }
        Some(x)
    }

    pub fn req_uuid(&mut self, name: &str) -> Option<String> {
        match self.get(name) {
            None => {
                self.missing(name);
                None
            }
            Some(v) => self.check_uuid(name, v),
        }
    }

    pub fn opt_uuid(&mut self, name: &str) -> Option<String> {
        match self.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => self.check_uuid(name, v),
        }
    }

    fn check_uuid(&mut self, name: &str, v: &Value) -> Option<String> {
        let Value::String(s) = v else {
            self.push(
                "uuid_type",
                name,
                "UUID input should be a string, bytes or UUID object",
                v,
                None,
            );
            return None;
        };
        match uuid::Uuid::parse_str(s.trim()) {
            Ok(u) => Some(u.to_string()),
            Err(e) => {
                self.push(
                    "uuid_parsing",
                    name,
                    &format!("Input should be a valid UUID, {e}"),
                    v,
                    Some(json!({ "error": e.to_string() })),
                );
                None
            }
        }
    }

    pub fn req_email(&mut self, name: &str) -> Option<String> {
        let s = self.req_str(name, 0, 320)?;
        self.check_email(name, s)
    }

    pub fn opt_email(&mut self, name: &str) -> Option<String> {
        let s = self.opt_str(name, 0, 320)?;
        self.check_email(name, s)
    }

    fn check_email(&mut self, name: &str, s: String) -> Option<String> {
        match email_problem(&s) {
            None => Some(s.trim().to_string()),
            Some(reason) => {
                self.push(
                    "value_error",
                    name,
                    &format!("value is not a valid email address: {reason}"),
                    &json!(s),
                    Some(json!({ "reason": reason })),
                );
                None
            }
        }
    }

    pub fn req_ip(&mut self, name: &str) -> Option<String> {
        let v = self.get(name);
        let s = self.req_str(name, 0, 100)?;
        self.check_ip(name, s, v)
    }

    pub fn opt_ip(&mut self, name: &str) -> Option<String> {
        let v = self.get(name);
        let s = self.opt_str(name, 0, 100)?;
        self.check_ip(name, s, v)
    }

    fn check_ip(&mut self, name: &str, s: String, v: Option<&Value>) -> Option<String> {
        match s.trim().parse::<std::net::IpAddr>() {
            Ok(ip) => Some(ip.to_string()),
            Err(_) => {
                self.push(
                    "ip_any_address",
                    name,
                    "value is not a valid IPv4 or IPv6 address",
                    v.unwrap_or(&Value::Null),
                    None,
                );
                None
            }
        }
    }

    /// A list of strings; absent → missing when required.
    pub fn str_list(&mut self, name: &str, required: bool) -> Option<Vec<String>> {
        let v = match self.get(name) {
            None => {
                if required {
                    self.missing(name);
                }
                return None;
            }
            Some(Value::Null) if !required => return None,
            Some(v) => v,
        };
        let Value::Array(items) = v else {
            self.push("list_type", name, "Input should be a valid list", v, None);
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, it) in items.iter().enumerate() {
            match it {
                Value::String(s) => out.push(s.clone()),
                other => {
                    ok = false;
                    let mut loc = self.loc(name);
                    loc.push(json!(i));
                    self.errors.push(err_item(
                        "string_type",
                        &loc,
                        "Input should be a valid string",
                        other.clone(),
                        None,
                    ));
                }
            }
        }
        ok.then_some(out)
    }

    /// The raw value of a field, for fields with their own rules.
    pub fn raw(&self, name: &str) -> Option<&'a Value> {
        self.get(name)
    }

    pub fn error_at(&mut self, name: &str, kind: &str, msg: &str, input: &Value) {
        self.push(kind, name, msg, input, None);
    }
}

fn num_words(v: &Value) -> String {
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 => format!("{}", f as i64),
        _ => v.to_string(),
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
mod tests {
    use super::*;

    fn errs(r: HttpResult<impl std::fmt::Debug>) -> Vec<Value> {
        match r {
            Err(HttpError::Validation(v)) => v,
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn page_errors_like_fastapi() {
        let e = errs(page_params(&[("size".into(), "101".into())]));
        assert_eq!(
            e[0],
            json!({"type":"less_than_equal","loc":["query","size"],"msg":"Input should be less than or equal to 100","input":"101","ctx":{"le":100}})
        );
        let e = errs(page_params(&[
            ("page".into(), "0".into()),
            ("size".into(), "x".into()),
        ]));
        assert_eq!(e.len(), 2);
        assert_eq!(e[0]["type"], "greater_than_equal");
        assert_eq!(e[1]["type"], "int_parsing");
        assert_eq!(page_params(&[]).unwrap(), (1, 50));
    }

    #[test]
    fn body_validation_collects_all() {
        let body = json!({"latitude": 91, "longitude": "x", "email": "nope", "ip": "1.2.3", "port": 70000});
        let mut v = Validator::new(&body);
        v.req_str("name", 1, 100);
        v.req_float("latitude", -90.0, 90.0);
        v.req_float("longitude", -180.0, 180.0);
        v.req_email("email");
        v.req_ip("ip");
        v.req_int("port", 1, 65535);
        let e = errs(v.finish());
        let kinds: Vec<&str> = e.iter().map(|x| x["type"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "missing",
                "less_than_equal",
                "float_parsing",
                "value_error",
                "ip_any_address",
                "less_than_equal"
            ]
        );
        assert_eq!(e[1]["msg"], "Input should be less than or equal to 90");
        assert_eq!(e[5]["ctx"], json!({"le": 65535}));
    }

    #[test]
    fn bad_json_is_json_invalid() {
        let e = errs(parse_json(b"{\"a\": }"));
        assert_eq!(e[0]["type"], "json_invalid");
        assert_eq!(e[0]["loc"][0], "body");
        assert!(path_uuid("site_id", "abc").is_err());
        assert!(email_problem("a@b.cm").is_none());
        assert!(email_problem("a@b").is_some());
    }
}
