//! Chaos mode of the reference server (`vigie serve --chaos SPEC`): added latency, injected
//! 500/502/503 answers, a global rate limit, dropped connections and truncated bodies, so the
//! clients and the console can be tried against a bad network or a struggling service.
//!
//! The spec is a comma-separated list of `key=value`:
//! `latency=800ms,jitter=200ms,error_rate=0.2,drop_rate=0.05,truncate_rate=0.05,rate_limit=5/s,seed=42,spare_login=true`,
//! and `bandwidth=2.5MB/s`: every answer's body (compressed, when it is) goes through one
//! link of that speed shared by all the connections, as a WAN link would be.
//!
//! Per request, in this order: spared logins pass untouched; the latency (plus a random part of
//! the jitter) is waited; the rate limit is counted; then a drop, an error and a truncation are
//! each drawn in turn with their own probability (the first that hits wins). Injected errors
//! and half of the drops never reach the handler; the other drops and the truncations run it
//! (the change is made, the answer is lost).

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// Routes that log in, left alone with `spare_login=true` (with Ocean's deprecated login).
pub const LOGIN_PATHS: [&str; 4] = [
    "/auth/login",
    "/ocean/restapi/auth/authenticate2",
    "/ocean/restapi/auth/authenticate",
    "/rest/authenticate",
];

/// Header naming what chaos did to an answer (absent on answers it left alone).
pub const CHAOS_HEADER: &str = "x-vigie-chaos";

/// A chaos spec: what to inflict on the requests. The default inflicts nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chaos {
    /// Waited before every request reaches its handler.
    pub latency: Duration,
    /// Up to this much more, drawn uniformly per request (the latency is a lower bound).
    pub jitter: Duration,
    /// Share of requests answered 500, 502 or 503 without reaching the handler.
    pub error_rate: f64,
    /// Share of requests whose connection is closed without a complete answer.
    pub drop_rate: f64,
    /// Share of requests whose answer body is cut short.
    pub truncate_rate: f64,
    /// At most this many requests (all clients together) per window; beyond, 429.
    pub rate_limit: Option<(u32, Duration)>,
    /// Seed of the random draws, for reproducible runs.
    pub seed: Option<u64>,
    /// Leaves the three login routes alone (for tests).
    pub spare_login: bool,
    /// Bytes a second of answer bodies, all connections together.
    pub bandwidth: Option<u64>,
}

impl Chaos {
    /// Whether this spec changes anything at all.
    pub fn is_noop(&self) -> bool {
        self.latency.is_zero()
            && self.jitter.is_zero()
            && self.error_rate == 0.0
            && self.drop_rate == 0.0
            && self.truncate_rate == 0.0
            && self.rate_limit.is_none()
            && self.bandwidth.is_none()
    }
}

fn parse_duration(key: &str, v: &str) -> Result<Duration, String> {
    let bad = || format!("{key}: '{v}' is not a duration (use 800ms or 2s)");
    let (num, unit) = if let Some(n) = v.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000)
    } else {
        return Err(bad());
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u64 = num.parse().map_err(|_| bad())?;
    let ms = n.checked_mul(unit).ok_or_else(bad)?;
    if ms > 3_600_000 {
        return Err(format!("{key} must be at most 1 hour"));
    }
    Ok(Duration::from_millis(ms))
}

fn parse_rate(key: &str, v: &str) -> Result<f64, String> {
    let r: f64 = v
        .parse()
        .map_err(|_| format!("{key}: '{v}' is not a number (use e.g. 0.2)"))?;
    if !(0.0..=1.0).contains(&r) {
        return Err(format!("{key} must be between 0 and 1"));
    }
    Ok(r)
}

fn parse_rate_limit(v: &str) -> Result<(u32, Duration), String> {
    let bad = || format!("rate_limit: '{v}' is not a rate (use 5/s or 100/min)");
    let (n, per) = v.split_once('/').ok_or_else(bad)?;
    let window = match per {
        "s" | "sec" => Duration::from_secs(1),
        "min" => Duration::from_secs(60),
        // Any other window, as a duration: 10/30s, 1/500ms.
        _ => match parse_duration("rate_limit", per) {
            Ok(d) if !d.is_zero() => d,
            _ => return Err(bad()),
        },
    };
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u32 = n.parse().map_err(|_| bad())?;
    if n == 0 {
        return Err("rate_limit must allow at least 1 request".into());
    }
    Ok((n, window))
}

/// `2.5MB/s`, `300KB/s`, `20Mbit/s`, `1000B/s` (decimal units, as links are sold).
fn parse_bandwidth(v: &str) -> Result<u64, String> {
    let bad = || format!("bandwidth: '{v}' is not a speed (use 2.5MB/s, 300KB/s or 20Mbit/s)");
    let per_sec = v.strip_suffix("/s").ok_or_else(bad)?;
    let split = per_sec
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(bad)?;
    let (num, unit) = per_sec.split_at(split);
    let factor = match unit {
        "B" => 1.0,
        "KB" | "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "kbit" | "Kbit" => 1e3 / 8.0,
        "Mbit" => 1e6 / 8.0,
        "Gbit" => 1e9 / 8.0,
        _ => return Err(bad()),
    };
    let n: f64 = num.parse().map_err(|_| bad())?;
    let bytes = n * factor;
    if !(bytes.is_finite() && bytes >= 1.0) {
        return Err("bandwidth must be at least 1B/s".into());
    }
    Ok(bytes.min(1e12) as u64)
}

fn fmt_bandwidth(b: u64) -> String {
    if b % 1_000_000 == 0 {
        format!("{}MB/s", b / 1_000_000)
    } else if b % 1000 == 0 {
        format!("{}KB/s", b / 1000)
    } else {
        format!("{b}B/s")
    }
}

fn parse_bool(key: &str, v: &str) -> Result<bool, String> {
    match v {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!("{key}: '{v}' is not true or false")),
    }
}

impl FromStr for Chaos {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut c = Chaos::default();
        let mut seen: Vec<&str> = Vec::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k.trim(), v.trim()),
                // A bare flag means true.
                None if item == "spare_login" => (item, "true"),
                None => return Err(format!("'{item}' has no value (use key=value)")),
            };
            if seen.contains(&key) {
                return Err(format!("key '{key}' is given twice"));
            }
            seen.push(key);
            match key {
                "latency" => c.latency = parse_duration(key, value)?,
                "jitter" => c.jitter = parse_duration(key, value)?,
                "error_rate" => c.error_rate = parse_rate(key, value)?,
                "drop_rate" => c.drop_rate = parse_rate(key, value)?,
                "truncate_rate" => c.truncate_rate = parse_rate(key, value)?,
                "rate_limit" => c.rate_limit = Some(parse_rate_limit(value)?),
                "seed" => {
                    c.seed = Some(value.parse().map_err(|_| {
                        format!("seed: '{value}' is not a whole number between 0 and 2^64-1")
                    })?)
                }
                "spare_login" => c.spare_login = parse_bool(key, value)?,
                "bandwidth" => c.bandwidth = Some(parse_bandwidth(value)?),
                _ => {
                    return Err(format!(
                        "unknown key '{key}' (known: latency, jitter, error_rate, drop_rate, \
                         truncate_rate, rate_limit, bandwidth, seed, spare_login)"
                    ));
                }
            }
        }
        if seen.is_empty() {
            return Err(
                "empty chaos spec (e.g. latency=800ms,error_rate=0.2,rate_limit=5/s)".into(),
            );
        }
        Ok(c)
    }
}

fn fmt_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms > 0 && ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

impl fmt::Display for Chaos {
    /// The spec syntax, with only the keys that differ from the default (`latency=0ms` when
    /// none does), so that parsing it back gives the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if !self.latency.is_zero() {
            parts.push(format!("latency={}", fmt_duration(self.latency)));
        }
        if !self.jitter.is_zero() {
            parts.push(format!("jitter={}", fmt_duration(self.jitter)));
        }
        for (key, rate) in [
            ("error_rate", self.error_rate),
            ("drop_rate", self.drop_rate),
            ("truncate_rate", self.truncate_rate),
        ] {
            if rate != 0.0 {
                parts.push(format!("{key}={rate}"));
            }
        }
        if let Some((n, window)) = self.rate_limit {
            let per = if window == Duration::from_secs(1) {
                "s".to_string()
            } else if window == Duration::from_secs(60) {
                "min".to_string()
            } else {
                fmt_duration(window)
            };
            parts.push(format!("rate_limit={n}/{per}"));
        }
        if let Some(b) = self.bandwidth {
            parts.push(format!("bandwidth={}", fmt_bandwidth(b)));
        }
        if let Some(seed) = self.seed {
            parts.push(format!("seed={seed}"));
        }
        if self.spare_login {
            parts.push("spare_login=true".into());
        }
        if parts.is_empty() {
            parts.push("latency=0ms".into());
        }
        f.write_str(&parts.join(","))
    }
}

// ---- the middleware ------------------------------------------------------------------------

/// A chaos spec with its running state: the random generator and the rate limit's window.
pub struct ChaosState {
    spec: Chaos,
    rng: Mutex<StdRng>,
    /// Instants of the requests let through during the last window (oldest first).
    window: Mutex<VecDeque<Instant>>,
    /// When the shared link is next free (`bandwidth`).
    link: Arc<Mutex<Instant>>,
}

impl ChaosState {
    pub fn new(spec: Chaos) -> Arc<Self> {
        let rng = match spec.seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_os_rng(),
        };
        Arc::new(ChaosState {
            spec,
            rng: Mutex::new(rng),
            window: Mutex::default(),
            link: Arc::new(Mutex::new(Instant::now())),
        })
    }

    fn with_rng<T>(&self, f: impl FnOnce(&mut StdRng) -> T) -> T {
        f(&mut self.rng.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Counts one request; `Err(seconds)` when the window is full.
    fn admit(&self) -> Result<(), u64> {
        let Some((limit, span)) = self.spec.rate_limit else {
            return Ok(());
        };
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        while w.front().is_some_and(|t| now.duration_since(*t) >= span) {
            w.pop_front();
        }
        if w.len() >= limit as usize {
            let oldest = *w.front().expect("a full window is not empty");
            let left = span.saturating_sub(now.duration_since(oldest));
            return Err((left.as_secs_f64().ceil() as u64).max(1));
        }
        w.push_back(now);
        Ok(())
    }
}

/// The API family a path belongs to: each words its errors its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Core,
    Ocean,
    Maarch,
}

fn family(path: &str) -> Family {
    let under = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    if under("/ocean") {
        Family::Ocean
    } else if under("/rest") {
        Family::Maarch
    } else {
        Family::Core
    }
}

/// An injected answer with its status, the family's error body and `Retry-After`.
fn answer(
    fam: Family,
    path: &str,
    status: StatusCode,
    message: &str,
    retry_after: Option<u64>,
    what: &'static str,
) -> Response {
    let body: Value = match fam {
        Family::Core => json!({ "detail": message }),
        Family::Maarch => json!({ "errors": message }),
        Family::Ocean => json!({
            "timestamp": super::ocean::dates::now_iso(),
            "status": status.as_u16(),
            "error": status.canonical_reason().unwrap_or(""),
            "message": message,
            "path": path,
        }),
    };
    let mut r = (status, axum::Json(body)).into_response();
    if let Some(secs) = retry_after {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    r.headers_mut()
        .insert(CHAOS_HEADER, HeaderValue::from_static(what));
    r
}

fn chaos_error(msg: &'static str) -> std::io::Error {
    std::io::Error::other(msg)
}

/// A body that sends `head`, waits a moment (so the bytes leave), then fails: hyper aborts the
/// connection and the client sees an incomplete answer.
fn broken_body(head: Bytes) -> Body {
    let first = futures::stream::iter((!head.is_empty()).then_some(Ok::<_, std::io::Error>(head)));
    let fail = futures::stream::once(async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Err(chaos_error("chaos: connection aborted"))
    });
    Body::from_stream(first.chain(fail))
}

/// No answer at all: a response whose body fails before hyper could send a byte, so the
/// connection is closed (the client reads "connection closed before message completed").
fn dropped_before() -> Response {
    let body = Body::from_stream(futures::stream::once(async {
        Err::<Bytes, _>(chaos_error("chaos: connection dropped"))
    }));
    let mut r = Response::new(body);
    r.headers_mut()
        .insert(CHAOS_HEADER, HeaderValue::from_static("drop"));
    r
}

/// The handler's answer with its body cut short: either a `Content-Length` of the whole body
/// with part of it sent, or a chunked body without its last chunk; then the connection aborts.
/// `half`: half of the body is sent, else none of it (headers only).
async fn truncated(
    resp: Response,
    declare_length: bool,
    half: bool,
    what: &'static str,
) -> Response {
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return dropped_before();
    };
    let full = bytes.len();
    // An empty body has nothing to cut: promise one byte and send none.
    let declared = full.max(1);
    let head = bytes.slice(..if half { full / 2 } else { 0 });
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::TRANSFER_ENCODING);
    if declare_length || full == 0 {
        parts
            .headers
            .insert(header::CONTENT_LENGTH, HeaderValue::from(declared));
    }
    if matches!(
        parts.status,
        StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
    ) {
        // These may not carry a body; a 200 with a broken one stands for them.
        parts.status = StatusCode::OK;
    }
    parts
        .headers
        .insert(CHAOS_HEADER, HeaderValue::from_static(what));
    Response::from_parts(parts, broken_body(head))
}

/// What one request gets, drawn up front.
enum Fate {
    Pass,
    /// Dropped: `false` before the handler (no answer at all); `true` after it (the answer's
    /// headers arrive, then the connection aborts).
    Drop(bool),
    Error(StatusCode),
    /// Truncated; `true` for a `Content-Length` larger than what is sent, else chunked.
    Truncate(bool),
}

impl ChaosState {
    fn draw(&self) -> (Duration, Fate) {
        let s = &self.spec;
        self.with_rng(|rng| {
            let jitter = if s.jitter.is_zero() {
                Duration::ZERO
            } else {
                Duration::from_millis(rng.random_range(0..=s.jitter.as_millis() as u64))
            };
            let hit = |rng: &mut StdRng, p: f64| p > 0.0 && rng.random::<f64>() < p;
            let fate = if hit(rng, s.drop_rate) {
                Fate::Drop(rng.random_bool(0.5))
            } else if hit(rng, s.error_rate) {
                let status = [
                    StatusCode::INTERNAL_SERVER_ERROR,
                    StatusCode::BAD_GATEWAY,
                    StatusCode::SERVICE_UNAVAILABLE,
                ][rng.random_range(0..3)];
                Fate::Error(status)
            } else if hit(rng, s.truncate_rate) {
                Fate::Truncate(rng.random_bool(0.5))
            } else {
                Fate::Pass
            };
            (s.latency + jitter, fate)
        })
    }
}

/// The middleware (`axum::middleware::from_fn_with_state`).
pub async fn middleware(State(st): State<Arc<ChaosState>>, req: Request, next: Next) -> Response {
    let answer = inflict(&st, req, next).await;
    match st.spec.bandwidth {
        Some(rate) => throttled(answer, rate, st.link.clone()),
        None => answer,
    }
}

/// How late a piece may start and still count as following the one before on a busy link.
const LINK_SLACK: Duration = Duration::from_millis(20);

/// Largest piece of a body sent at once through the slow link (a few ms at WAN speeds).
const LINK_PIECE: usize = 16 * 1024;

/// `resp` with its body sent through the shared link: each piece waits for the link, holds it
/// for its length at `rate`, and leaves when its last byte would have arrived.
fn throttled(resp: Response, rate: u64, link: Arc<Mutex<Instant>>) -> Response {
    let (parts, body) = resp.into_parts();
    let pieces = body.into_data_stream().flat_map(|chunk| {
        let pieces: Vec<Result<Bytes, axum::Error>> = match chunk {
            Ok(mut b) => {
                let mut v = Vec::new();
                while b.len() > LINK_PIECE {
                    v.push(Ok(b.split_to(LINK_PIECE)));
                }
                if !b.is_empty() {
                    v.push(Ok(b));
                }
                v
            }
            Err(e) => vec![Err(e)],
        };
        futures::stream::iter(pieces)
    });
    let paced = pieces.then(move |piece| {
        let link = link.clone();
        async move {
            if let Ok(b) = &piece {
                let hold = Duration::from_secs_f64(b.len() as f64 / rate as f64);
                let done = {
                    let mut free = link.lock().unwrap_or_else(|e| e.into_inner());
                    // A timer wakes a little late: a link busy until a moment ago is still
                    // busy (its late wake-ups are not lost time), an idle one starts now.
                    let now = Instant::now();
                    let start = if *free + LINK_SLACK >= now {
                        *free
                    } else {
                        now
                    };
                    *free = start + hold;
                    *free
                };
                tokio::time::sleep_until(done.into()).await;
            }
            piece
        }
    });
    Response::from_parts(parts, Body::from_stream(paced))
}

async fn inflict(st: &ChaosState, req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.0.path().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    if st.spec.spare_login && LOGIN_PATHS.contains(&path.trim_end_matches('/')) {
        return next.run(req).await;
    }
    let (delay, fate) = st.draw();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let fam = family(&path);
    if let Err(secs) = st.admit() {
        let (n, window) = st.spec.rate_limit.unwrap_or_default();
        let per = match window.as_millis() {
            1000 => "second".to_string(),
            60_000 => "minute".to_string(),
            _ => fmt_duration(window),
        };
        let msg =
            format!("chaos: rate limit of {n} request(s) per {per} reached; retry after {secs}s");
        return answer(
            fam,
            &path,
            StatusCode::TOO_MANY_REQUESTS,
            &msg,
            Some(secs),
            "rate_limit",
        );
    }
    match fate {
        Fate::Pass => next.run(req).await,
        Fate::Drop(false) => dropped_before(),
        Fate::Drop(true) => truncated(next.run(req).await, true, false, "drop").await,
        Fate::Error(status) => {
            let reason = status.canonical_reason().unwrap_or("");
            let (msg, retry) = if status == StatusCode::SERVICE_UNAVAILABLE {
                (
                    format!(
                        "chaos: injected {} {reason}; retry after 1s",
                        status.as_u16()
                    ),
                    Some(1),
                )
            } else {
                (
                    format!("chaos: injected {} {reason}", status.as_u16()),
                    None,
                )
            };
            answer(fam, &path, status, &msg, retry, "error")
        }
        Fate::Truncate(declare_length) => {
            truncated(next.run(req).await, declare_length, true, "truncate").await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Chaos, String> {
        s.parse()
    }

    #[test]
    fn full_spec() {
        let c = parse(
            "latency=800ms, jitter=2s,error_rate=0.2,drop_rate=0.05,truncate_rate=0.05,\
             rate_limit=5/s,seed=42,spare_login=true",
        )
        .unwrap();
        assert_eq!(
            c,
            Chaos {
                latency: Duration::from_millis(800),
                jitter: Duration::from_secs(2),
                error_rate: 0.2,
                drop_rate: 0.05,
                truncate_rate: 0.05,
                rate_limit: Some((5, Duration::from_secs(1))),
                seed: Some(42),
                spare_login: true,
                bandwidth: None,
            }
        );
        assert_eq!(
            c.to_string(),
            "latency=800ms,jitter=2s,error_rate=0.2,drop_rate=0.05,truncate_rate=0.05,\
             rate_limit=5/s,seed=42,spare_login=true"
        );
        assert_eq!(parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn bandwidth_units() {
        for (spec, bytes) in [
            ("2.5MB/s", 2_500_000),
            ("20Mbit/s", 2_500_000),
            ("300KB/s", 300_000),
            ("1000B/s", 1000),
        ] {
            let c = parse(&format!("bandwidth={spec}")).unwrap();
            assert_eq!(c.bandwidth, Some(bytes), "{spec}");
            assert!(!c.is_noop());
        }
        for bad in [
            "2.5MB", "fast/s", "0MB/s", "2.5XB/s", "/s", "-1MB/s", "NaNMB/s",
        ] {
            assert!(parse(&format!("bandwidth={bad}")).is_err(), "{bad}");
        }
    }

    #[test]
    fn round_trips() {
        for s in [
            "latency=0ms",
            "latency=1500ms",
            "latency=3s",
            "error_rate=1",
            "error_rate=0.333",
            "rate_limit=100/min",
            "rate_limit=1/s,seed=0",
            "rate_limit=10/30s",
            "rate_limit=1/500ms",
            "drop_rate=1,spare_login=true",
            "bandwidth=2500KB/s",
            "latency=50ms,bandwidth=3MB/s",
            "bandwidth=1234B/s",
        ] {
            let c = parse(s).unwrap();
            assert_eq!(c.to_string(), s);
            assert_eq!(parse(&c.to_string()).unwrap(), c);
        }
        assert_eq!(Chaos::default().to_string(), "latency=0ms");
        assert!(parse("latency=0ms").unwrap().is_noop());
        assert_eq!(
            parse("spare_login").unwrap().to_string(),
            "spare_login=true"
        );
        assert_eq!(
            parse("rate_limit=3/sec").unwrap().to_string(),
            "rate_limit=3/s"
        );
    }

    #[test]
    fn errors_are_precise() {
        let err = |s: &str| parse(s).unwrap_err();
        assert!(err("x=1").starts_with("unknown key 'x'"), "{}", err("x=1"));
        assert_eq!(err("error_rate=1.5"), "error_rate must be between 0 and 1");
        assert_eq!(err("drop_rate=-0.1"), "drop_rate must be between 0 and 1");
        assert_eq!(
            err("truncate_rate=NaN"),
            "truncate_rate must be between 0 and 1"
        );
        assert_eq!(
            err("error_rate=lots"),
            "error_rate: 'lots' is not a number (use e.g. 0.2)"
        );
        assert_eq!(
            err("latency=80x"),
            "latency: '80x' is not a duration (use 800ms or 2s)"
        );
        assert_eq!(
            err("jitter=200"),
            "jitter: '200' is not a duration (use 800ms or 2s)"
        );
        assert_eq!(
            err("latency=-5ms"),
            "latency: '-5ms' is not a duration (use 800ms or 2s)"
        );
        assert_eq!(
            err("rate_limit=5"),
            "rate_limit: '5' is not a rate (use 5/s or 100/min)"
        );
        assert_eq!(
            err("rate_limit=5/h"),
            "rate_limit: '5/h' is not a rate (use 5/s or 100/min)"
        );
        assert_eq!(
            err("rate_limit=0/s"),
            "rate_limit must allow at least 1 request"
        );
        assert_eq!(
            err("seed=abc"),
            "seed: 'abc' is not a whole number between 0 and 2^64-1"
        );
        assert_eq!(
            err("spare_login=maybe"),
            "spare_login: 'maybe' is not true or false"
        );
        assert_eq!(err("latency"), "'latency' has no value (use key=value)");
        assert_eq!(err("latency=1s,latency=2s"), "key 'latency' is given twice");
        assert!(err("").starts_with("empty chaos spec"));
        assert!(err(" , ").starts_with("empty chaos spec"));
        assert_eq!(
            err("latency=2h"),
            "latency: '2h' is not a duration (use 800ms or 2s)"
        );
        assert_eq!(err("latency=7200s"), "latency must be at most 1 hour");
    }

    #[test]
    fn families_by_path() {
        assert_eq!(family("/ocean/restapi/individus/list"), Family::Ocean);
        assert_eq!(family("/rest/users"), Family::Maarch);
        assert_eq!(family("/rest"), Family::Maarch);
        assert_eq!(family("/restaurants"), Family::Core);
        assert_eq!(family("/client_site/all"), Family::Core);
    }

    #[test]
    fn window_admits_n_then_says_when() {
        let st = ChaosState::new(parse("rate_limit=2/min").unwrap());
        assert_eq!(st.admit(), Ok(()));
        assert_eq!(st.admit(), Ok(()));
        let secs = st.admit().unwrap_err();
        assert!((59..=60).contains(&secs), "{secs}");
        let st = ChaosState::new(parse("latency=1ms").unwrap());
        for _ in 0..100 {
            assert_eq!(st.admit(), Ok(()));
        }
    }

    #[test]
    fn seeded_draws_repeat() {
        let spec = parse("error_rate=0.5,drop_rate=0.2,jitter=100ms,seed=7").unwrap();
        let run = || {
            let st = ChaosState::new(spec.clone());
            (0..50)
                .map(|_| {
                    let (d, fate) = st.draw();
                    let f = match fate {
                        Fate::Pass => 0,
                        Fate::Drop(_) => 1,
                        Fate::Error(s) => s.as_u16(),
                        Fate::Truncate(_) => 2,
                    };
                    (d, f)
                })
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        assert!(a.iter().all(|(d, _)| *d <= Duration::from_millis(100)));
        assert!(a.iter().any(|(_, f)| *f == 0));
        assert!(a.iter().any(|(_, f)| *f >= 500));
    }
}
