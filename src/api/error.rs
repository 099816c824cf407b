//! One error type for the three API families. It keeps what the server said, so the console can
//! show the server's own words and map 422 field errors back onto form fields.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// One field error of a 422 (FastAPI `loc`) or of a client-side check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The full location as sent by the server, e.g. `["body", "ip"]`.
    pub loc: Vec<String>,
    /// The field the error belongs to: the last non-numeric part of `loc` after the
    /// `body`/`query`/`path` prefix (empty when the error is about the whole body).
    pub field: String,
    pub msg: String,
    pub kind: String,
}

impl FieldError {
    pub fn new(field: &str, msg: impl Into<String>) -> Self {
        FieldError {
            loc: vec!["body".into(), field.into()],
            field: field.into(),
            msg: msg.into(),
            kind: "value_error".into(),
        }
    }

    fn from_loc(loc: Vec<String>, msg: String, kind: String) -> Self {
        let skip = usize::from(matches!(
            loc.first().map(String::as_str),
            Some("body" | "query" | "path" | "header" | "cookie")
        ));
        let field = loc[skip.min(loc.len())..]
            .iter()
            .rev()
            .find(|p| p.parse::<i64>().is_err())
            .cloned()
            .unwrap_or_default();
        FieldError {
            loc,
            field,
            msg,
            kind,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required or refused: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid input: {}", summarize(.0))]
    Validation(Vec<FieldError>),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("rate limited{}: {message}", retry_hint(.retry_after))]
    RateLimited {
        retry_after: Option<Duration>,
        message: String,
    },
    #[error("server error {status}: {message}")]
    Server { status: u16, message: String },
    #[error("network error: {0}")]
    Network(String),
    #[error("undecodable response (HTTP {status}): {message}; body starts with {excerpt:?}")]
    Decode {
        status: u16,
        message: String,
        excerpt: String,
    },
    #[error("HTTP {status}: {message}")]
    Http { status: u16, message: String },
    #[error("{0}")]
    Config(String),
}

fn summarize(errs: &[FieldError]) -> String {
    errs.iter()
        .map(|e| {
            if e.field.is_empty() {
                e.msg.clone()
            } else {
                format!("{}: {}", e.field, e.msg)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn retry_hint(d: &Option<Duration>) -> String {
    d.map(|d| format!(" (retry after {}s)", d.as_secs()))
        .unwrap_or_default()
}

impl ApiError {
    /// HTTP status when the error came from a response.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthorized(_) => Some(401),
            ApiError::Forbidden(_) => Some(403),
            ApiError::NotFound(_) => Some(404),
            ApiError::Conflict(_) => Some(409),
            ApiError::Validation(_) => Some(422),
            ApiError::BadRequest(_) => Some(400),
            ApiError::RateLimited { .. } => Some(429),
            ApiError::Server { status, .. }
            | ApiError::Decode { status, .. }
            | ApiError::Http { status, .. } => Some(*status),
            ApiError::Network(_) | ApiError::Config(_) => None,
        }
    }

    /// Field errors of a validation failure, empty otherwise.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            ApiError::Validation(v) => v,
            _ => &[],
        }
    }

    /// Worth retrying for an idempotent request.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Network(_) | ApiError::RateLimited { .. } | ApiError::Server { .. }
        )
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        // Never keep the URL: Maarch refresh tokens travel in the query string.
        let e = e.without_url();
        if e.is_redirect() {
            // Refused by `redirect_policy`: its words say why; not a fault to retry.
            let mut src = std::error::Error::source(&e);
            let mut last = e.to_string();
            while let Some(s) = src {
                last = s.to_string();
                src = s.source();
            }
            return ApiError::Config(last);
        }
        let kind = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "could not connect"
        } else if e.is_decode() || e.is_body() {
            "connection dropped while reading the answer"
        } else {
            "request failed"
        };
        let mut msg = kind.to_string();
        let mut src = std::error::Error::source(&e);
        // The innermost cause says what really happened (refused, reset, certificate...).
        let mut last = None;
        while let Some(s) = src {
            last = Some(s.to_string());
            src = s.source();
        }
        if let Some(l) = last {
            msg.push_str(": ");
            msg.push_str(&l);
        }
        ApiError::Network(msg)
    }
}

/// Which server family answered: each words its errors differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Core,
    Ocean,
    Maarch,
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::Core => "core",
            Family::Ocean => "Ocean",
            Family::Maarch => "Maarch",
        })
    }
}

/// A short, printable excerpt of a body (for undecodable answers).
pub fn excerpt(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(&body[..body.len().min(64 << 10)]);
    // A body's excerpt is shown and logged: no secret of it.
    let clean: String = crate::text::mask_secret_text(&s)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(120)
        .collect();
    clean.trim().to_string()
}

/// The text of an HTML error page (a web server's 404 or 405 in front of PHP or Java): its
/// title, else its first heading, else its text; never markup.
fn html_message(body: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    let lower = s.to_ascii_lowercase();
    let t = lower.trim_start();
    let is_html = t.starts_with('<')
        && ["<html", "<!doctype", "<title", "<body", "<h1", "<head"]
            .iter()
            .any(|m| lower.contains(m));
    if !is_html {
        return None;
    }
    let inside = |tag: &str| {
        let open = lower.find(&format!("<{tag}"))?;
        let start = open + lower[open..].find('>')? + 1;
        let end = start + lower[start..].find(&format!("</{tag}"))?;
        s.get(start..end).map(str::to_string)
    };
    let text = inside("title")
        .or_else(|| inside("h1"))
        .unwrap_or_else(|| s.to_string());
    // Tags out, entities of the usual kind read, spaces collapsed.
    let mut plain = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                plain.push(' ');
            }
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let plain = plain
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    let words: Vec<&str> = plain.split_whitespace().collect();
    Some(excerpt(words.join(" ").as_bytes()))
}

/// The human message carried by an error body of any family.
pub fn body_message(body: &[u8]) -> String {
    if let Some(m) = html_message(body) {
        return m;
    }
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        let e = excerpt(body);
        return if e.is_empty() {
            "(empty body)".into()
        } else {
            e
        };
    };
    message_of(&v).unwrap_or_else(|| excerpt(body))
}

fn message_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(message_of).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Object(map) => {
            for key in ["detail", "errors", "message", "error", "msg"] {
                if let Some(m) = map.get(key).and_then(message_of)
                    && !m.is_empty()
                {
                    return Some(m);
                }
            }
            None
        }
        _ => None,
    }
}

/// FastAPI 422 `detail` list into field errors; `None` when the body is not of that shape.
pub fn parse_validation(body: &[u8]) -> Option<Vec<FieldError>> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let list = v.get("detail")?.as_array()?;
    let mut out = Vec::new();
    for item in list {
        let loc = item
            .get("loc")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .map(|p| match p {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let msg = item
            .get("msg")
            .and_then(Value::as_str)
            .unwrap_or("invalid value")
            .to_string();
        let kind = item
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        out.push(FieldError::from_loc(loc, msg, kind));
    }
    Some(out)
}

pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    if let Ok(secs) = v.trim().parse::<u64>() {
        // Reported as sent; what is waited for is bounded elsewhere (`RetryPolicy::wait`).
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v.trim()).ok()?;
    let secs = (when.timestamp() - chrono::Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(secs as u64))
}

/// Turns a non-success answer into an error, keeping the server's message.
pub fn classify(family: Family, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ApiError {
    let code = status.as_u16();
    let mut msg = body_message(body);
    if msg.is_empty() || msg == "(empty body)" {
        // An HTML page without words, or nothing at all: the status says it.
        msg = format!("{code} {}", status.canonical_reason().unwrap_or(""))
            .trim()
            .to_string();
    }
    match code {
        401 => ApiError::Unauthorized(msg),
        // FastAPI before 0.122 answered a missing token with 403 "Not authenticated".
        403 if family == Family::Core && msg == "Not authenticated" => ApiError::Unauthorized(msg),
        403 => ApiError::Forbidden(msg),
        404 => ApiError::NotFound(msg),
        409 => ApiError::Conflict(msg),
        422 => match parse_validation(body) {
            Some(errs) if !errs.is_empty() => ApiError::Validation(errs),
            _ => ApiError::Http {
                status: code,
                message: msg,
            },
        },
        400 => ApiError::BadRequest(msg),
        429 => ApiError::RateLimited {
            retry_after: retry_after(headers),
            message: msg,
        },
        500..=599 => ApiError::Server {
            status: code,
            message: msg,
        },
        _ => ApiError::Http {
            status: code,
            message: msg,
        },
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use reqwest::header::HeaderMap;

    use super::{ApiError, Family, body_message, classify};

    #[test]
    fn validation_maps_loc_to_field() {
        let body = br#"{"detail":[{"type":"less_than_equal","loc":["query","size"],"msg":"Input should be less than or equal to 100","input":"101","ctx":{"le":100}},{"type":"missing","loc":["body","sources",0],"msg":"Field required"}]}"#;
        let e = classify(
            Family::Core,
            StatusCode::UNPROCESSABLE_ENTITY,
            &HeaderMap::new(),
            body,
        );
        let f = e.field_errors();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].field, "size");
        assert_eq!(f[1].field, "sources");
        assert_eq!(f[1].loc, vec!["body", "sources", "0"]);
    }

    #[test]
    fn old_fastapi_403_is_unauthorized() {
        let e = classify(
            Family::Core,
            StatusCode::FORBIDDEN,
            &HeaderMap::new(),
            br#"{"detail":"Not authenticated"}"#,
        );
        assert!(matches!(e, ApiError::Unauthorized(_)));
        let e = classify(
            Family::Core,
            StatusCode::FORBIDDEN,
            &HeaderMap::new(),
            br#"{"detail":"role lecteur cannot delete client_site"}"#,
        );
        assert_eq!(
            e,
            ApiError::Forbidden("role lecteur cannot delete client_site".into())
        );
    }

    #[test]
    fn maarch_and_plain_bodies() {
        assert_eq!(
            body_message(br#"{"errors":"User not found"}"#),
            "User not found"
        );
        assert_eq!(body_message(b"<html>\x1b[2J oops</html>"), "[2J oops");
        assert_eq!(body_message(b"plain \x1b[2J text"), "plain  [2J text");
        // Apache's and nginx's pages: their title, never markup.
        let apache = b"<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>405 Method Not Allowed</title>\n</head><body>\n<h1>Method Not Allowed</h1>\n<p>The requested method PUT is not allowed.</p>\n</body></html>";
        assert_eq!(body_message(apache), "405 Method Not Allowed");
        assert_eq!(
            body_message(
                b"<html><body><h1>404 Not Found</h1><hr><center>nginx</center></body></html>"
            ),
            "404 Not Found"
        );
        let e = classify(
            Family::Maarch,
            StatusCode::METHOD_NOT_ALLOWED,
            &HeaderMap::new(),
            b"<html><body></body></html>",
        );
        assert_eq!(e.to_string(), "HTTP 405: 405 Method Not Allowed");
        assert_eq!(body_message(b""), "(empty body)");
    }
}
