//! Requests on the wire: a read sent again when the server fails for a moment, each answer
//! read whole or row by row, within the limits.

use reqwest::StatusCode;

use super::error::{self, Family};
use super::{ApiError, Limits, Raw, RetryPolicy, items};

/// Worth another try: the server was busy or failed for a moment, or the network dropped.
fn transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

/// An answer as read: whole (a failure, or any answer when nothing streams it), or what a
/// successful one's body became as it came.
pub(crate) enum Answer<O> {
    Raw(Raw),
    Streamed(O),
}

/// Sends a request, retrying a read (`idempotent`) on transient failures per `policy`, all
/// of it within `limits.total` (a slow server is not waited for once per attempt).
pub(crate) async fn send_retrying(
    req: reqwest::RequestBuilder,
    family: Family,
    policy: RetryPolicy,
    idempotent: bool,
    limits: Limits,
) -> Result<Raw, ApiError> {
    let whole = move |resp| read_whole(resp, family, limits.max_body);
    send_reading(req, policy, idempotent, limits, &whole)
        .await
        .map(Answer::into_raw)
}

/// An answer read whole, whatever its status (nothing streams it).
pub(crate) async fn read_whole(
    resp: reqwest::Response,
    family: Family,
    max_body: usize,
) -> Result<Answer<std::convert::Infallible>, ApiError> {
    Raw::read_within(resp, family, max_body)
        .await
        .map(Answer::Raw)
}

impl Answer<std::convert::Infallible> {
    /// The whole answer (nothing can have streamed it).
    pub(crate) fn into_raw(self) -> Raw {
        match self {
            Answer::Raw(raw) => raw,
            Answer::Streamed(never) => match never {},
        }
    }
}

/// `send_retrying`, each attempt's answer read by `read` (a fresh reading at each attempt).
pub(crate) async fn send_reading<O, F, Fut>(
    req: reqwest::RequestBuilder,
    policy: RetryPolicy,
    idempotent: bool,
    limits: Limits,
    read: &F,
) -> Result<Answer<O>, ApiError>
where
    F: Fn(reqwest::Response) -> Fut,
    Fut: Future<Output = Result<Answer<O>, ApiError>>,
{
    let total = limits.total;
    match tokio::time::timeout(total, attempts(req, policy, idempotent, read)).await {
        Ok(r) => r,
        Err(_) => Err(ApiError::Network(format!(
            "timed out after {}s (timeout_secs: the whole request, retries included)",
            total.as_secs_f32()
        ))),
    }
}

/// Reads a successful answer's body into a `RowStream` as it comes (a failure whole, for its
/// words), within `max_body`.
pub(crate) async fn stream_rows<T: items::Tolerant>(
    resp: reqwest::Response,
    family: Family,
    keys: &'static [&'static str],
    limits: Limits,
) -> Result<Answer<items::Rows<T>>, ApiError> {
    stream_rows_watched(resp, family, keys, limits, None).await
}

/// Told the rows decoded so far while an answer streams in: the index of the first one given
/// (0 again when a retry starts over) and the rows since the last time.
pub type RowsWatch<'a, T> = &'a (dyn Fn(usize, &[T]) + Send + Sync);

/// Time between two `RowsWatch` calls.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// Time the body may take before its first rows are handed over: an answer quicker than
/// that lands whole (no list growing under the user's keys for a few milliseconds).
const WATCH_FIRST: std::time::Duration = std::time::Duration::from_millis(10);

/// `stream_rows`, telling `watch` the rows as they are decoded.
pub(crate) async fn stream_rows_watched<T: items::Tolerant>(
    mut resp: reqwest::Response,
    family: Family,
    keys: &'static [&'static str],
    limits: Limits,
    watch: Option<RowsWatch<'_, T>>,
) -> Result<Answer<items::Rows<T>>, ApiError> {
    let status = resp.status();
    if !status.is_success() {
        return Raw::read_within(resp, family, limits.max_body)
            .await
            .map(Answer::Raw);
    }
    // A list decoded as it comes is bounded by its rows (`max_rows`) and by what it holds at
    // once (`max_body_mb`), not by its bytes: a fleet's sites list embeds every equipement.
    // What comes outside the rows (an answer that is no list) is capped by bytes.
    let mut rows = items::RowStream::<T>::new(keys, limits.max_rows)
        .status(status.as_u16())
        .held_at_most(limits.max_body);
    let mut outside = 0usize;
    let mut told = 0usize;
    let started = tokio::time::Instant::now();
    let mut last: Option<tokio::time::Instant> = None;
    loop {
        // With rows not yet handed over, the next chunk is awaited only until they are due:
        // a server that pauses mid-list still has its first rows shown.
        let untold = watch.is_some() && rows.decoded().len() > told;
        let due_at = match last {
            None => started + WATCH_FIRST,
            Some(t) => t + WATCH_EVERY,
        };
        let next = if untold {
            match tokio::time::timeout_at(due_at, resp.chunk()).await {
                Ok(next) => next,
                Err(_) => Ok(Some(bytes::Bytes::new())),
            }
        } else {
            resp.chunk().await
        };
        let Some(chunk) = next.map_err(ApiError::from_reqwest)? else {
            break;
        };
        if !rows.in_rows() {
            outside += chunk.len();
            if outside > limits.max_body {
                return Err(too_large(limits.max_body));
            }
        }
        rows.feed(&chunk)?;
        if let Some(watch) = watch {
            let now = rows.decoded().len();
            if now > told && tokio::time::Instant::now() >= due_at {
                watch(told, &rows.decoded()[told..]);
                told = now;
                last = Some(tokio::time::Instant::now());
            }
        }
    }
    rows.finish().map(Answer::Streamed)
}

pub(super) fn too_large(max_body: usize) -> ApiError {
    ApiError::Config(format!(
        "the answer is larger than {} MB (max_body_mb of the profile): not read",
        max_body >> 20
    ))
}

async fn attempts<O, F, Fut>(
    req: reqwest::RequestBuilder,
    policy: RetryPolicy,
    idempotent: bool,
    read: &F,
) -> Result<Answer<O>, ApiError>
where
    F: Fn(reqwest::Response) -> Fut,
    Fut: Future<Output = Result<Answer<O>, ApiError>>,
{
    let mut retry = 0;
    loop {
        let attempt = match req.try_clone() {
            Some(r) if idempotent => r,
            // A body that cannot be replayed, or a write: one attempt only.
            _ => {
                let resp = req.send().await.map_err(ApiError::from_reqwest)?;
                return read(resp).await;
            }
        };
        let result = match attempt.send().await {
            Ok(resp) => read(resp).await,
            Err(e) => Err(ApiError::from_reqwest(e)),
        };
        let retry_after = match &result {
            Ok(Answer::Raw(raw)) if transient(raw.status) => error::retry_after(&raw.headers),
            Err(ApiError::Network(_)) => None,
            _ => return result,
        };
        retry += 1;
        match policy.wait(retry, retry_after) {
            Some(d) => {
                tracing::debug!(retry, wait_ms = d.as_millis() as u64, "retrying a read");
                tokio::time::sleep(d).await;
            }
            None => return result,
        }
    }
}
