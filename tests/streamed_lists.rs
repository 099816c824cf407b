//! Lists are decoded as they stream: a large list answer is never held whole. This binary
//! counts every allocation (its own allocator), so the peak a list load adds is measured,
//! against a server in process sending a 48 MB page a chunk at a time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::{StreamExt, stream};
use tokio::net::TcpListener;
use vigie::api::HttpOptions;
use vigie::api::core::{CoreAuth, CoreClient};

/// The system allocator, keeping the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        IN_USE.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new > l.size() {
                let now = IN_USE.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                IN_USE.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const ROWS: usize = 3000;
/// Bytes of each row the client does not keep (a field it does not read).
const PAD: usize = 16 << 10;

/// Row `i` of the page: a sound equipement with a long field nobody reads, except row 1000,
/// whose port no number type holds (kept, marked).
fn row(i: usize) -> String {
    let port = if i == 1000 {
        "1e400".to_string()
    } else {
        "80".to_string()
    };
    format!(
        r#"{}{{"equipement_id":"e{i}","ip":"10.1.{}.{}","port":{port},"marque":"Axis","modele":"P1375","notes":"{}"}}"#,
        if i == 0 { "" } else { "," },
        i / 256,
        i % 256,
        "x".repeat(PAD)
    )
}

/// One page of `ROWS` rows, made and sent a row at a time (the server holds no more).
fn page() -> Response {
    let head = stream::iter([Ok::<_, std::io::Error>(
        r#"{"total": 3000, "page": 1, "size": 3000, "pages": 1, "items": ["#.to_string(),
    )]);
    let rows = stream::iter((0..ROWS).map(|i| Ok(row(i))));
    let tail = stream::iter([Ok("]}".to_string())]);
    let body = Body::from_stream(head.chain(rows).chain(tail));
    ([("content-type", "application/json")], body).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_list_is_decoded_as_it_streams_not_held_whole() {
    let app = Router::new()
        .route(
            "/auth/login",
            post(|| async {
                axum::Json(serde_json::json!({
                    "access_token": "eyJhbGciOiJIUzI1NiJ9.e30.sig",
                    "token_type": "bearer"
                }))
            }),
        )
        .route("/equipements/all", get(|| async { page() }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let core = CoreClient::new(
        &url,
        CoreAuth::Password {
            username: "admin".into(),
            password: secrecy::SecretString::from("pw".to_string()),
        },
        &HttpOptions {
            timeout: Duration::from_secs(60),
            ..HttpOptions::default()
        },
    )
    .unwrap();
    core.login().await.expect("login");

    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let p = core.list_equipements(1, 3000).await.expect("the page");
    let added = PEAK.load(Ordering::Relaxed).saturating_sub(before);

    let body_size = ROWS * (PAD + 100);
    assert_eq!(p.items.len(), ROWS, "every row kept");
    assert_eq!(p.total, Some(3000));
    assert_eq!(p.items[2999].ip, "10.1.11.183");
    let odd: Vec<_> = p.items.iter().filter(|e| e.problem.is_some()).collect();
    assert_eq!(odd.len(), 1, "the row with a port of 1e400 is kept, marked");
    assert!(
        odd[0].ip.contains("e1000"),
        "shown as sent: {:?}",
        odd[0].ip
    );
    // Held: the rows decoded (a few hundred bytes each), a row being received and the
    // network's buffers; never the answer's text (48 MB).
    assert!(
        added < body_size / 6,
        "a {} MB answer added a peak of {} MB",
        body_size >> 20,
        added >> 20
    );
}
