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

mod spec;

pub use spec::Chaos;
use spec::fmt_duration;

/// Routes that log in, left alone with `spare_login=true` (with Ocean's deprecated login).
pub const LOGIN_PATHS: [&str; 4] = [
    "/auth/login",
    "/ocean/restapi/auth/authenticate2",
    "/ocean/restapi/auth/authenticate",
    "/rest/authenticate",
];

/// Header naming what chaos did to an answer (absent on answers it left alone).
pub const CHAOS_HEADER: &str = "x-vigie-chaos";

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
mod tests;
