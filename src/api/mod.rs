//! Typed clients of the three API families, sharing one error type and one HTTP setup.

pub mod core;
pub mod error;
pub mod items;
pub mod maarch;
pub mod model;
pub mod ocean;
pub mod rules;
pub mod token_cache;
mod transport;

use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use secrecy::SecretString;
use serde::de::DeserializeOwned;

pub use error::{ApiError, FieldError};
use error::{Family, classify, excerpt};
pub use transport::RowsWatch;
use transport::too_large;
pub(crate) use transport::{
    Answer, read_whole, send_reading, send_retrying, stream_rows, stream_rows_watched,
};

/// How a client logs in.
#[derive(Clone)]
pub enum Credentials {
    /// A login (email or matricule for core) and its password.
    Password {
        username: String,
        password: SecretString,
    },
    /// A ready token (no renewal possible).
    Token(SecretString),
    /// Not logged in yet: the console will ask.
    None,
}

impl Credentials {
    pub fn username(&self) -> Option<&str> {
        match self {
            Credentials::Password { username, .. } => Some(username),
            _ => None,
        }
    }
}

/// A token as a server gave it, checked before it is kept: one holding a control character or
/// a space (`\r\n`) could never be sent back in a header, and would fail every request after.
pub fn usable_token(t: &str, family: Family) -> Result<(), ApiError> {
    if t.is_empty() || t.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(ApiError::Decode {
            status: 200,
            message: format!(
                "the {family} login answered a token that cannot be used (empty, or holding spaces or control characters): refused"
            ),
            excerpt: String::new(),
        });
    }
    Ok(())
}

/// The credentials a client holds, shared by its clones and replaced by the login form.
#[derive(Clone)]
pub(crate) struct SharedCredentials(std::sync::Arc<std::sync::Mutex<Credentials>>);

impl SharedCredentials {
    pub fn new(c: Credentials) -> Self {
        SharedCredentials(std::sync::Arc::new(std::sync::Mutex::new(c)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Credentials> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self) -> Credentials {
        self.lock().clone()
    }

    pub fn is_set(&self) -> bool {
        !matches!(*self.lock(), Credentials::None)
    }

    pub fn username(&self) -> Option<String> {
        self.lock().username().map(str::to_string)
    }

    pub fn set_password(&self, username: &str, password: SecretString) {
        *self.lock() = Credentials::Password {
            username: username.to_string(),
            password,
        };
    }

    /// After a password change: the next login uses the new one.
    pub fn replace_password(&self, new: &SecretString) {
        if let Credentials::Password { password, .. } = &mut *self.lock() {
            *password = new.clone();
        }
    }
}

/// How to reach a server: timeouts, retries and TLS trust, from the profile.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// The whole request: every attempt and retry of it, its body included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub ca_file: Option<PathBuf>,
    pub danger_accept_invalid_certs: bool,
    pub retry: RetryPolicy,
    pub limits: Limits,
    /// Ask for compressed answers: `None` decides by the server's address (not over loopback,
    /// where bytes cost nothing and compressing them costs both ends CPU).
    pub compress: Option<bool>,
}

impl HttpOptions {
    /// The limits, the whole-request bound being the timeout.
    pub fn request_limits(&self) -> Limits {
        Limits {
            total: self.timeout,
            ..self.limits
        }
    }
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            ca_file: None,
            danger_accept_invalid_certs: false,
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            compress: None,
        }
    }
}

#[test]
fn loopback_addresses() {
    for u in [
        "http://127.0.0.1:8000",
        "http://localhost/api",
        "https://[::1]:8443",
        "http://127.9.9.9",
    ] {
        assert!(is_loopback(u), "{u}");
    }
    for u in [
        "https://core.example.cm",
        "http://10.0.0.1",
        "http://[2001:db8::1]",
        "not a url",
    ] {
        assert!(!is_loopback(u), "{u}");
    }
}

/// Whether a base URL names this machine (`localhost`, 127.0.0.0/8, `::1`).
pub fn is_loopback(base_url: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(base_url) else {
        return false;
    };
    match u.host_str() {
        Some(h) if h.eq_ignore_ascii_case("localhost") => true,
        Some(h) => h
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

/// What a server may make a client hold or ask: an answer's size, a list's rows and pages.
/// Whatever a server announces, these bound memory and requests; past one, the client stops
/// with an error naming the limit (and the profile key that raises it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest answer body, bytes (`max_body_mb`).
    pub max_body: usize,
    /// Most rows a list walk keeps (`max_rows`).
    pub max_rows: usize,
    /// Most pages a list walk asks (`max_pages`).
    pub max_pages: u32,
    /// The whole request, retries included (`timeout_secs`).
    pub total: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 256 << 20,
            max_rows: 2_000_000,
            max_pages: 50_000,
            total: Duration::from_secs(30),
        }
    }
}

/// Retries of reads (never of writes): exponential backoff with full jitter, and the server's
/// `Retry-After` when it gives one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all (1 = no retry).
    pub attempts: u32,
    /// First backoff; doubled at each retry.
    pub base: Duration,
    /// Longest wait between two attempts; a longer `Retry-After` is reported, not waited for.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            base: Duration::from_millis(250),
            max_wait: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    pub const NONE: RetryPolicy = RetryPolicy {
        attempts: 1,
        base: Duration::ZERO,
        max_wait: Duration::ZERO,
    };

    /// The wait before retry number `retry` (1-based), or `None` to give up.
    pub fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if retry >= self.attempts {
            return None;
        }
        if let Some(ra) = retry_after {
            return (ra <= self.max_wait).then_some(ra);
        }
        let cap = self
            .base
            .saturating_mul(1 << (retry - 1).min(16))
            .min(self.max_wait);
        // Full jitter: clients that failed together do not come back together.
        let ms = cap.as_millis() as u64;
        Some(Duration::from_millis(if ms == 0 {
            0
        } else {
            rand::random_range(ms / 2..=ms)
        }))
    }
}

/// The login routes of the three families: a redirect of one of them would re-send
/// credentials to wherever it points.
const LOGIN_PATHS: [&str; 5] = [
    "/auth/login",
    "/auth/refresh",
    "/auth/authenticate2",
    "/auth/authenticate",
    "/rest/authenticate",
];

/// Redirects: credentials and tokens go only to the configured origin. A login is never
/// redirected (its body holds the password); any other request follows a redirect only within
/// the origin it was sent to (what another origin answers is not this server's data).
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let Some(first) = attempt.previous().first().cloned() else {
            return attempt.follow();
        };
        let to = attempt.url().clone();
        let login = LOGIN_PATHS
            .iter()
            .any(|p| first.path().trim_end_matches('/').ends_with(p));
        let describe = |u: &reqwest::Url| u.origin().ascii_serialization();
        if login {
            attempt.error(format!(
                "the server redirected a login to {}{}: refused, credentials go only to the configured server (check base_url)",
                describe(&to),
                to.path()
            ))
        } else if to.origin() != first.origin() {
            attempt.error(format!(
                "the server redirected to another origin ({} → {}): refused, its answer would not be this server's data (check base_url)",
                describe(&first),
                describe(&to)
            ))
        } else if attempt.previous().len() >= 10 {
            attempt.error("too many redirects (10)")
        } else {
            attempt.follow()
        }
    })
}

/// What every request accepts; the answer is decoded as it streams in.
pub const ACCEPT_ENCODING: &str = "zstd, br;q=0.9, gzip;q=0.8";

/// One reqwest client (rustls, platform roots plus `ca_file`), following redirects only as
/// `redirect_policy` allows.
pub fn http_client(opts: &HttpOptions, base_url: &str) -> Result<reqwest::Client, ApiError> {
    let mut b = reqwest::Client::builder().user_agent(concat!("vigie/", env!("CARGO_PKG_VERSION")));
    // What is asked depends on the link; what is decoded does not: an answer compressed
    // unasked (a proxy, a server that always compresses) is read all the same.
    let asked = if opts.compress.unwrap_or_else(|| !is_loopback(base_url)) {
        // zstd first: as small as the others here and several times cheaper for the server
        // to make (its 31 MB sites list: 0.1 s against 0.6 s for gzip or brotli).
        ACCEPT_ENCODING
    } else {
        "identity"
    };
    b = b.default_headers(reqwest::header::HeaderMap::from_iter([(
        reqwest::header::ACCEPT_ENCODING,
        reqwest::header::HeaderValue::from_static(asked),
    )]));
    let mut b = b
        .timeout(opts.timeout)
        .connect_timeout(opts.connect_timeout)
        .pool_idle_timeout(Duration::from_secs(60))
        .redirect(redirect_policy())
        .tls_danger_accept_invalid_certs(opts.danger_accept_invalid_certs);
    if let Some(path) = &opts.ca_file {
        let pem = std::fs::read(path).map_err(|e| {
            ApiError::Config(format!("cannot read ca_file {}: {e}", path.display()))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| ApiError::Config(format!("ca_file {} is not PEM: {e}", path.display())))?;
        b = b.tls_certs_merge(certs);
    }
    b.build()
        .map_err(|e| ApiError::Config(format!("cannot set up HTTP client: {e}")))
}

/// Joins a base URL and a route without doubling or dropping the slash.
pub fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// A path segment, percent-encoded so an id cannot change the route.
pub fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Largest body allocated up front from its `Content-Length` (a bigger one grows as it comes).
const BODY_PREALLOC_MAX: u64 = 64 << 20;

/// Past this, a growing buffer takes its limit at once: address space, not memory, until it
/// is written. Doubling a large buffer copies it, and an allocator keeps what it freed for a
/// while: a body refused at 256 MB cost 560 MB that way.
const GROW_TO_LIMIT_PAST: usize = 1 << 20;

/// Makes room for `need` bytes in `v`, never past `max` (unless `need` is past it):
/// doubling while small, the limit at once when large. A refused body never costs more than
/// its limit plus a chunk.
pub(crate) fn grow_within(v: &mut Vec<u8>, need: usize, max: usize) {
    if need <= v.capacity() {
        return;
    }
    let max = max.max(need);
    let want = if need > GROW_TO_LIMIT_PAST {
        max
    } else {
        need.max(v.capacity() * 2).min(max)
    };
    v.reserve_exact(want - v.len());
}

/// A whole answer, read once, with the family that words its errors.
pub(crate) struct Raw {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: bytes::Bytes,
    pub family: Family,
}

impl Raw {
    /// The whole answer, within the default body limit.
    pub async fn read(resp: reqwest::Response, family: Family) -> Result<Raw, ApiError> {
        Self::read_within(resp, family, Limits::default().max_body).await
    }

    /// The whole answer; a body over `max_body` bytes is refused as it comes (announced or
    /// not), naming the limit.
    pub async fn read_within(
        mut resp: reqwest::Response,
        family: Family,
        max_body: usize,
    ) -> Result<Raw, ApiError> {
        let status = resp.status();
        let headers = resp.headers().clone();
        if resp.content_length().is_some_and(|n| n > max_body as u64) {
            return Err(too_large(max_body));
        }
        // Into one buffer of the announced size: collecting the chunks first and copying them
        // out held a large answer (`/client_site/all`: 31 MB at 100,000 equipements) twice,
        // and left the heap that much larger for the rest of the session.
        let announced = resp.content_length().unwrap_or(0).min(BODY_PREALLOC_MAX) as usize;
        let mut body = Vec::with_capacity(announced);
        while let Some(chunk) = resp.chunk().await.map_err(ApiError::from_reqwest)? {
            let need = body.len() + chunk.len();
            if need > max_body {
                return Err(too_large(max_body));
            }
            grow_within(&mut body, need, max_body);
            body.extend_from_slice(&chunk);
        }
        let body = bytes::Bytes::from(body);
        Ok(Raw {
            status,
            headers,
            body,
            family,
        })
    }

    pub fn error(&self) -> ApiError {
        classify(self.family, self.status, &self.headers, &self.body)
    }

    /// Success with no body worth reading, or the classified failure.
    pub fn ok(&self) -> Result<(), ApiError> {
        if self.status.is_success() {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// Decodes a success body, or classifies the failure.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.ok()?;
        // The body checked as UTF-8 once: `from_slice` checks every string on its own, a
        // tenth of the decoding time of a page of equipements. An invalid body still gets
        // `from_slice`'s own message, with the position.
        let decoded = match std::str::from_utf8(&self.body) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(&self.body),
        };
        decoded.map_err(|e| ApiError::Decode {
            status: self.status.as_u16(),
            message: e.to_string(),
            excerpt: excerpt(&self.body),
        })
    }
}

impl HttpOptions {
    /// What a profile sets: timeouts, TLS, retries and limits, the rest as by default.
    pub fn of(p: &crate::config::Profile) -> HttpOptions {
        let d = HttpOptions::default();
        HttpOptions {
            timeout: p.timeout_secs.map(Duration::from_secs).unwrap_or(d.timeout),
            connect_timeout: p
                .connect_timeout_secs
                .map(Duration::from_secs)
                .unwrap_or(d.connect_timeout),
            ca_file: p.ca_file.clone(),
            danger_accept_invalid_certs: p.danger_accept_invalid_certs,
            retry: RetryPolicy {
                attempts: p.retries.map(|r| r + 1).unwrap_or(d.retry.attempts),
                ..d.retry
            },
            limits: Limits {
                max_body: p
                    .max_body_mb
                    .map(|m| (m.clamp(1, 1 << 20) << 20) as usize)
                    .unwrap_or(d.limits.max_body),
                max_rows: p.max_rows.unwrap_or(d.limits.max_rows).max(1),
                max_pages: p.max_pages.unwrap_or(d.limits.max_pages).max(1),
                ..d.limits
            },
            compress: p.compress,
        }
    }
}

/// The services a profile declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Core,
    Ocean,
    Maarch,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Core => "core",
            Service::Ocean => "Ocean",
            Service::Maarch => "Maarch",
        }
    }

    /// The profile section that configures it.
    pub fn section(self) -> &'static str {
        match self {
            Service::Core => "core",
            Service::Ocean => "ocean",
            Service::Maarch => "maarch",
        }
    }
}

#[cfg(test)]
mod tests;
