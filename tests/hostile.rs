//! A hostile core server, in process: escapes and formulas in every field, pages that never
//! end, a count of 10^10 pages, a body too large, bad rows among good ones, redirects of a
//! login and of data to another origin, a token holding `\r\n`, a `Retry-After` of days, a
//! body sent a byte a second. Every output path of vigie stays neutral and every input
//! bounded.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use vigie::api::core::{CoreAuth, CoreClient};
use vigie::api::{ApiError, HttpOptions, Limits};

type Answer = dyn Fn(&str, &HashMap<String, String>) -> Response + Send + Sync;
/// The answer and the requests seen.
type Shared = (Arc<Answer>, Arc<Mutex<Vec<String>>>);

/// A server answering every request with `answer(path, query)`, counting the requests.
#[derive(Clone)]
struct Hostile {
    url: String,
    hits: Arc<Mutex<Vec<String>>>,
}

impl Hostile {
    async fn start(
        answer: impl Fn(&str, &HashMap<String, String>) -> Response + Send + Sync + 'static,
    ) -> Hostile {
        let hits: Arc<Mutex<Vec<String>>> = Arc::default();
        let state: Shared = (Arc::new(answer), hits.clone());
        let app = Router::new()
            .fallback(
                |State((answer, hits)): State<Shared>, req: Request| async move {
                    let path = req.uri().path().to_string();
                    let query: HashMap<String, String> = req
                        .uri()
                        .query()
                        .unwrap_or_default()
                        .split('&')
                        .filter_map(|kv| kv.split_once('='))
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect();
                    hits.lock().unwrap().push(path.clone());
                    answer(&path, &query)
                },
            )
            .with_state(state);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Hostile { url, hits }
    }

    fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }

    fn count(&self, path: &str) -> usize {
        self.hits().iter().filter(|h| *h == path).count()
    }
}

fn json_answer(v: Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_vec(&v).unwrap(),
    )
        .into_response()
}

fn login() -> Response {
    json_answer(json!({
        "access_token": "eyJhbGciOiJIUzI1NiJ9.e30.sig",
        "token_type": "bearer"
    }))
}

/// What no terminal must ever receive, and what a spreadsheet must never run.
const EVIL: &[&str] = &[
    "\u{1b}]52;c;b3duZWQ=\u{7}",
    "\u{1b}]0;pwned\u{7}",
    "\u{1b}[2J",
    "a\u{9b}2Jb",
    "left\u{202e}gnp.exe",
    "run\rrm -rf ~",
    "nul\u{0}cell",
    "\u{1b}[201~echo pasted",
];

const FORMULAS: &[&str] = &[
    "=HYPERLINK(\"http://evil\",\"click\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3",
];

fn hostile_sites() -> Value {
    let mut sites = Vec::new();
    for (i, s) in EVIL.iter().chain(FORMULAS).enumerate() {
        sites.push(json!({
            "site_id": format!("site-{i}"),
            "name": s,
            "latitude": -2.5,
            "longitude": -2,
            "description": s,
            "client": {"client_id": "c1", "nom": s, "code": 984},
            "equipements": [],
        }));
    }
    Value::Array(sites)
}

fn vigie(url: &str, args: &[&str]) -> tokio::process::Command {
    let home = std::env::temp_dir().join(format!("vigie-hostile-{}", std::process::id()));
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_vigie"));
    cmd.args(["--url", url, "--user", "admin"])
        .args(args)
        .env("VIGIE_PASSWORD", "pw")
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", &home)
        .env_remove("VIGIE_CONFIG")
        .env_remove("VIGIE_PROFILE")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd
}

/// Nothing a terminal acts on: no ESC, no C0 but newlines, no C1, no bidi control, no NUL.
fn assert_neutral(what: &str, out: &str) {
    for (i, c) in out.char_indices() {
        assert!(
            c == '\n' || !vigie::text::is_unsafe(c),
            "{what}: {c:?} at {i} in {out:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_outputs_are_neutral_and_csv_runs_no_formula() {
    let srv = Hostile::start(|path, _| match path {
        "/auth/login" => login(),
        "/client_site/all" => json_answer(hostile_sites()),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    for format in ["table", "csv", "json"] {
        let out = vigie(&srv.url, &["list", "sites", "-o", format])
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8(out.stdout).expect("UTF-8");
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_neutral(format, &stdout);
        assert!(!stdout.contains('\r'), "{format}: a carriage return");
        match format {
            "csv" => {
                let mut r = csv::Reader::from_reader(stdout.as_bytes());
                let names: Vec<String> = r
                    .records()
                    .map(|x| x.unwrap().get(0).unwrap().to_string())
                    .collect();
                for f in FORMULAS {
                    assert!(
                        names.contains(&format!("'{f}")),
                        "{f} neutralised: {names:?}"
                    );
                }
                // Numbers stay numbers.
                assert!(stdout.contains(",-2.5000,"), "{stdout}");
            }
            "json" => {
                // Exact data: the same strings once decoded.
                let v: Value = serde_json::from_str(&stdout).unwrap();
                let names: Vec<&str> = v
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["name"].as_str().unwrap())
                    .collect();
                for s in EVIL.iter().chain(FORMULAS) {
                    assert!(names.contains(s), "{s:?} decoded back");
                }
            }
            _ => {}
        }
    }
}

/// A login answered with a redirect to another origin (from https to http too): the password
/// goes nowhere else; a data request redirected to another origin is refused, not shown as
/// this server's data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_and_data_stay_with_the_configured_origin() {
    let elsewhere = Hostile::start(|path, _| match path {
        "/auth/login" => login(),
        "/client_site/all" => json_answer(json!([{"site_id": "x", "name": "NOT THIS SERVER'S"}])),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let other = elsewhere.url.clone();
    let srv = Hostile::start(move |path, _| {
        let to = format!("{other}{path}");
        let redirect = |code: StatusCode| {
            let mut r = code.into_response();
            r.headers_mut()
                .insert(header::LOCATION, HeaderValue::from_str(&to).unwrap());
            r
        };
        match path {
            "/auth/login" => redirect(StatusCode::TEMPORARY_REDIRECT),
            _ => StatusCode::NOT_FOUND.into_response(),
        }
    })
    .await;
    let out = vigie(&srv.url, &["list", "sites"]).output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("redirected a login"), "{stderr}");
    // Not even within the same origin: the body holds the password.
    let same = Hostile::start(|path, _| match path {
        "/auth/login" => {
            let mut r = StatusCode::TEMPORARY_REDIRECT.into_response();
            r.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_static("/auth/other-login"),
            );
            r
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let out = vigie(&same.url, &["list", "sites"]).output().await.unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("redirected a login"));
    assert_eq!(same.count("/auth/other-login"), 0);
    assert_eq!(
        elsewhere.hits(),
        Vec::<String>::new(),
        "nothing reached the other origin"
    );

    let other = elsewhere.url.clone();
    let data = Hostile::start(move |path, _| match path {
        "/auth/login" => login(),
        "/client_site/all" => {
            let mut r = StatusCode::FOUND.into_response();
            r.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_str(&format!("{other}/client_site/all")).unwrap(),
            );
            r
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let out = vigie(&data.url, &["list", "sites"]).output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("another origin"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(elsewhere.hits(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_holding_a_line_break_is_refused_at_login() {
    let srv = Hostile::start(|path, _| match path {
        "/auth/login" => {
            json_answer(json!({"access_token": "abc\r\nX-Evil: 1", "token_type": "bearer"}))
        }
        "/client_site/all" => json_answer(json!([])),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let out = vigie(&srv.url, &["list", "sites"]).output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("token that cannot be used"), "{stderr}");
    assert_eq!(srv.count("/client_site/all"), 0);
}

fn page_of(page: u64, n: usize, total: Value, pages: Value) -> Response {
    let items: Vec<Value> = (0..n)
        .map(|i| json!({"equipement_id": format!("e{page}-{i}"), "ip": format!("10.0.{page}.{i}"), "port": 80, "marque": "m", "modele": "x"}))
        .collect();
    json_answer(json!({"items": items, "total": total, "page": page, "size": 100, "pages": pages}))
}

fn client(url: &str, limits: Limits) -> CoreClient {
    CoreClient::new(
        url,
        CoreAuth::Password {
            username: "admin".into(),
            password: secrecy::SecretString::from("pw".to_string()),
        },
        &HttpOptions {
            timeout: Duration::from_secs(20),
            limits,
            ..HttpOptions::default()
        },
    )
    .unwrap()
}

/// Pages that never end: a walk stops at `max_pages`, saying so; an empty page or the total
/// reached ends it whatever `pages` says; a count of 10^10 pages is no reason to ask them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_is_bounded_whatever_the_server_announces() {
    let endless = Hostile::start(|path, q| match path {
        "/auth/login" => login(),
        "/equipements/all" => {
            let p: u64 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            page_of(p, 100, Value::Null, Value::Null)
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let limits = Limits {
        max_pages: 20,
        ..Limits::default()
    };
    let c = client(&endless.url, limits);
    let e = c
        .all_pages(|p| c.list_equipements(p, 100))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("max_pages"), "{e}");
    assert_eq!(endless.count("/equipements/all"), 20);
    // The console's load too: no count announced is no reason to stop at page 1.
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let e = vigie::worker::load_all(&c, 1, &tx).await.unwrap_err();
    assert!(e.to_string().contains("max_pages"), "{e}");
    let c = client(
        &endless.url,
        Limits {
            max_rows: 450,
            ..Limits::default()
        },
    );
    let e = c
        .all_pages(|p| c.list_equipements(p, 100))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("max_rows"), "{e}");

    // 10^10 pages announced, the third one empty: two pages of rows, and no more asked.
    let huge = Hostile::start(|path, q| match path {
        "/auth/login" => login(),
        "/equipements/all" => {
            let p: u64 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let n = if p <= 2 { 100 } else { 0 };
            page_of(p, n, json!(1_000_000_000_000u64), json!(10_000_000_000u64))
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let c = client(&huge.url, Limits::default());
    let rows = c.all_pages(|p| c.list_equipements(p, 100)).await.unwrap();
    assert_eq!(rows.len(), 200);
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let loaded = vigie::worker::load_all(&c, 1, &tx).await.unwrap();
    assert_eq!(loaded.len(), 200, "the console's load stops there too");
    let asked = huge.count("/equipements/all");
    assert!(
        asked < 3 + 3 + 2 * vigie::worker::LOAD_ALL_CONCURRENCY,
        "{asked} pages asked"
    );

    // The total reached ends a walk of full pages.
    let total = Hostile::start(|path, q| match path {
        "/auth/login" => login(),
        "/equipements/all" => {
            let p: u64 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            page_of(p, 100, json!(150), Value::Null)
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let c = client(&total.url, Limits::default());
    let rows = c.all_pages(|p| c.list_equipements(p, 100)).await.unwrap();
    assert_eq!(rows.len(), 200);
    assert_eq!(total.count("/equipements/all"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_refused_naming_it() {
    let big = "x".repeat(3 << 20);
    let srv = Hostile::start(move |path, _| match path {
        "/auth/login" => login(),
        "/client_site/all" => json_answer(json!([{"site_id": "a", "name": big}])),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let c = client(
        &srv.url,
        Limits {
            max_body: 1 << 20,
            ..Limits::default()
        },
    );
    let e = c.list_site_summaries().await.unwrap_err();
    assert!(e.to_string().contains("max_body_mb"), "{e}");
    // Within a larger limit, the same answer is read.
    let c = client(&srv.url, Limits::default());
    assert_eq!(c.list_site_summaries().await.unwrap().len(), 1);
}

/// One bad value spoils its row only: every good row is kept, the bad ones marked with what
/// the server sent; out-of-range numbers are shown as sent and flagged, never changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rows_are_kept_marked_among_good_ones() {
    let body = r#"{"total": 8, "page": 1, "size": 100, "pages": 1, "items": [
        {"equipement_id": "ok-1", "ip": "10.0.0.1", "port": 80, "marque": "m", "modele": "x"},
        {"equipement_id": "big", "ip": "10.0.0.2", "port": 1e400, "marque": "m", "modele": "x"},
        {"equipement_id": "num-ip", "ip": 12, "port": 80, "marque": "m", "modele": "x"},
        {"equipement_id": "dup", "ip": "10.0.0.4", "ip": "10.0.0.5", "port": 80},
        {"equipement_id": "surrogate", "ip": "\ud800", "port": 80},
        {"equipement_id": "p70000", "ip": "10.0.0.7", "port": 70000, "marque": "m", "modele": "x"},
        {"equipement_id": "p1.5", "ip": "10.0.0.8", "port": 1.5, "marque": "m", "modele": "x"},
        {"equipement_id": "p2e64", "ip": "10.0.0.9", "port": 18446744073709551616, "marque": "m", "modele": "x"}
    ]}"#;
    let srv = Hostile::start(move |path, _| match path {
        "/auth/login" => login(),
        "/equipements/all" => (
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let c = client(&srv.url, Limits::default());
    let page = c.list_equipements(1, 100).await.expect("the good rows");
    assert_eq!(page.items.len(), 8, "every row kept");
    let good = &page.items[0];
    assert_eq!(
        (good.equipement_id.as_str(), good.problem.as_deref()),
        ("ok-1", None)
    );
    for e in &page.items[1..] {
        assert!(e.problem.is_some(), "marked: {e:?}");
    }
    let p70000 = page
        .items
        .iter()
        .find(|e| e.equipement_id == "p70000")
        .unwrap();
    assert_eq!(p70000.port, Some(70000), "shown as sent");
    for raw in ["1e400", "1.5", "18446744073709551616"] {
        assert!(
            page.items.iter().any(|e| e.ip.contains(raw)),
            "{raw} shown as sent"
        );
    }
    assert!(
        !page
            .items
            .iter()
            .any(|e| e.port == Some(1) || e.port == Some(i64::MAX)),
        "nothing silently changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_reported_as_sent_and_not_slept_on() {
    let srv = Hostile::start(|path, _| match path {
        "/auth/login" => login(),
        _ => {
            let mut h = HeaderMap::new();
            h.insert(header::RETRY_AFTER, HeaderValue::from_static("999999"));
            (StatusCode::TOO_MANY_REQUESTS, h, "slow down").into_response()
        }
    })
    .await;
    let c = client(&srv.url, Limits::default());
    let t = Instant::now();
    let e = c.list_site_summaries().await.unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(5));
    match e {
        ApiError::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(999_999)))
        }
        other => panic!("{other:?}"),
    }
}

/// A body sent a byte a second: `timeout_secs` bounds the whole request, retries included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeout_bounds_the_whole_request() {
    let srv = Hostile::start(|path, _| match path {
        "/auth/login" => login(),
        _ => {
            let stream = futures::stream::unfold(0u32, |n| async move {
                tokio::time::sleep(Duration::from_millis(700)).await;
                Some((
                    Ok::<_, std::io::Error>(bytes::Bytes::from_static(b" ")),
                    n + 1,
                ))
            });
            Response::builder()
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from_stream(stream))
                .unwrap()
        }
    })
    .await;
    let c = CoreClient::new(
        &srv.url,
        CoreAuth::Password {
            username: "admin".into(),
            password: secrecy::SecretString::from("pw".to_string()),
        },
        &HttpOptions {
            timeout: Duration::from_secs(2),
            ..HttpOptions::default()
        },
    )
    .unwrap();
    let t = Instant::now();
    let e = c.list_site_summaries().await.unwrap_err();
    let took = t.elapsed();
    assert!(took < Duration::from_millis(3500), "took {took:?}: {e}");
    assert!(e.to_string().contains("timed out"), "{e}");
}

/// `vigie list equipements` writes pages as they come, in the list's order even when later
/// pages come first; a page refused half way leaves a well-formed JSON array of the rows
/// before it, and an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_streams_pages_in_order_and_ends_well_formed_when_one_fails() {
    fn slow_page(p: u64, refuse: Option<u64>) -> Response {
        if refuse == Some(p) {
            return (StatusCode::FORBIDDEN, "{\"detail\":\"Not allowed\"}").into_response();
        }
        let body = axum::body::to_bytes(
            page_of(p, 100, json!(3000), json!(30)).into_body(),
            usize::MAX,
        );
        // The first pages come last.
        let wait = Duration::from_millis(30u64.saturating_sub(p) * 3);
        let stream = futures::stream::once(async move {
            tokio::time::sleep(wait).await;
            body.await.map_err(std::io::Error::other)
        });
        (
            [(header::CONTENT_TYPE, "application/json")],
            Body::from_stream(stream),
        )
            .into_response()
    }
    let args = vigie::list::ListArgs {
        resource: vigie::list::Resource::Equipements,
        site: None,
        output: vigie::list::Output::Json,
        show_secrets: false,
    };
    for refuse in [None, Some(20)] {
        let srv = Hostile::start(move |path, q| match path {
            "/auth/login" => login(),
            "/equipements/all" => slow_page(
                q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
                refuse,
            ),
            _ => StatusCode::NOT_FOUND.into_response(),
        })
        .await;
        let clients = vigie::worker::Clients {
            core: Some(client(&srv.url, Limits::default())),
            ..Default::default()
        };
        let mut out = Vec::new();
        let done = vigie::list::run(&clients, &args, &mut out).await;
        let rows: Vec<Value> = serde_json::from_slice(&out).expect("a well-formed array");
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r["equipement_id"].as_str().unwrap().to_string())
            .collect();
        let expected: Vec<String> = (1..=30)
            .flat_map(|p| (0..100).map(move |i| format!("e{p}-{i}")))
            .collect();
        match refuse {
            None => {
                done.expect("every page");
                assert_eq!(ids, expected);
            }
            Some(p) => {
                let e = done.unwrap_err();
                assert!(e.contains("Not allowed"), "{e}");
                assert!(ids.len() < (p as usize - 1) * 100 + 1, "{}", ids.len());
                assert_eq!(ids, expected[..ids.len()], "a prefix, in order");
            }
        }
    }
}

/// `vigie import`: a server refusing a row in words that would act on a terminal, and a
/// site whose name would too: the dry run, the run's lines on stderr and the report hold
/// them as text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_output_and_report_are_neutral() {
    let evil = EVIL.join(" ");
    let site_name = format!("EVIL{}", EVIL[0]);
    let name = site_name.clone();
    let srv = Hostile::start(move |path, _| match path {
        "/auth/login" => login(),
        "/client_site/all" => json_answer(json!([
            {"site_id": "s1", "name": name, "equipements": []}
        ])),
        "/client_site/s1/all_equipements" => {
            json_answer(json!({"items": [], "total": 0, "page": 1, "size": 100, "pages": 0}))
        }
        "/equipements/register" => (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_vec(&json!({"detail": evil})).unwrap(),
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rows.csv");
    std::fs::write(&file, "ip;port;marque;modele\n10.0.0.1;80;Axis;Q1\n").unwrap();
    let report = dir.path().join("report.csv");
    for dry in [true, false] {
        let mut args = vec![
            "import",
            "equipements",
            file.to_str().unwrap(),
            "--site",
            "s1",
            "--report",
            report.to_str().unwrap(),
        ];
        if dry {
            args.push("--dry-run");
        }
        let out = vigie(&srv.url, &args).output().await.unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_neutral("import stdout", &stdout);
        assert_neutral("import stderr", &stderr);
        let written = std::fs::read_to_string(&report).unwrap();
        assert_neutral("import report", &written);
        if !dry {
            assert!(!out.status.success(), "a refused row fails the run");
            assert!(
                stderr.contains("pwned") || written.contains("pwned"),
                "{stderr}\n{written}"
            );
        }
    }
}

/// `vigie list equipements` (written page by page as the pages come): hostile values in every
/// text field of two pages of rows reach the table, the CSV and the JSON as text; the JSON
/// decodes back to the same strings, the CSV runs no formula.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_equipements_outputs_are_neutral() {
    fn row(p: u64, i: usize) -> Value {
        let all: Vec<&str> = EVIL.iter().chain(FORMULAS).copied().collect();
        let v = all[(p as usize * 7 + i) % all.len()];
        json!({
            "equipement_id": format!("e{p}-{i}"), "ip": v, "port": 80, "marque": v,
            "modele": v, "username": v, "password": v, "description": v,
            "sources": [v, "rtsp://ok"], "client_site": {"site_id": "s", "name": v}
        })
    }
    let srv = Hostile::start(|path, q| match path {
        "/auth/login" => login(),
        "/equipements/all" => {
            let p: u64 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let items: Vec<Value> = (0..100).map(|i| row(p, i)).collect();
            json_answer(json!({"items": items, "total": 200, "page": p, "size": 100, "pages": 2}))
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    for format in ["table", "csv", "json"] {
        let out = vigie(&srv.url, &["list", "equipements", "-o", format])
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8(out.stdout).expect("UTF-8");
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_neutral(format, &stdout);
        match format {
            "csv" => {
                let mut r = csv::Reader::from_reader(stdout.as_bytes());
                let marques: Vec<String> = r
                    .records()
                    .map(|x| x.unwrap().get(2).unwrap().to_string())
                    .collect();
                assert_eq!(marques.len(), 200);
                for f in FORMULAS {
                    assert!(!marques.iter().any(|m| m == f), "{f} left as a formula");
                }
            }
            "json" => {
                let v: Vec<Value> = serde_json::from_str(&stdout).unwrap();
                assert_eq!(v.len(), 200);
                let marques: Vec<&str> = v.iter().map(|e| e["marque"].as_str().unwrap()).collect();
                for s in EVIL {
                    assert!(marques.contains(s), "{s:?} decoded back");
                }
                assert!(
                    v.iter().all(|e| e["password"] == "••••••••"),
                    "passwords masked"
                );
            }
            _ => assert_eq!(stdout.lines().count(), 201),
        }
    }
}

/// A row that fails to decode is shown as the server sent it — never with its secrets: the
/// table, the CSV and the JSON of `vigie list` (without `--show-secrets`) hold no password of
/// a bad row, whatever its shape.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_row_never_shows_its_password() {
    let body = r#"{"total": 3, "page": 1, "size": 100, "pages": 1, "items": [
        {"equipement_id": "ok", "ip": "10.0.0.1", "port": 80, "marque": "m", "modele": "x", "password": "Good-S3cret"},
        {"equipement_id": "bad", "ip": 12, "port": 80, "password": "Raw-S3cret-1", "api_token": "Raw-T0ken-2"},
        {"equipement_id": "dup", "ip": "10.0.0.3", "ip": "x", "creds": {"Password": "Raw-S3cret-3"}}
    ]}"#;
    let srv = Hostile::start(move |path, _| match path {
        "/auth/login" => login(),
        "/equipements/all" => (
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    for format in ["table", "csv", "json"] {
        let out = vigie(&srv.url, &["list", "equipements", "-o", format])
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("bad") || stdout.contains("12"),
            "{format}: the bad row shown: {stdout}"
        );
        for secret in ["Good-S3cret", "Raw-S3cret-1", "Raw-T0ken-2", "Raw-S3cret-3"] {
            assert!(
                !stdout.contains(secret),
                "{format}: {secret} shown: {stdout}"
            );
        }
    }
}

/// A page answering `"size": 0` (or counters that are no numbers) with 7 rows: a page
/// shorter than the size asked ends the walk, whatever the server says its size is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_page_ends_the_walk_whatever_its_size_says() {
    for (size, pages, total) in [
        (json!(0), json!(50_000), json!(350_000)),
        (json!(100), json!("many"), json!("lots")),
        (json!("x"), Value::Null, Value::Null),
    ] {
        let srv = Hostile::start(move |path, q| match path {
            "/auth/login" => login(),
            "/equipements/all" => {
                let p: u64 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                let items: Vec<Value> = (0..7)
                    .map(|i| json!({"equipement_id": format!("e{p}-{i}"), "ip": format!("10.0.{p}.{i}"), "port": 80, "marque": "m", "modele": "x"}))
                    .collect();
                json_answer(json!({"items": items, "total": total, "page": p, "size": size, "pages": pages}))
            }
            _ => StatusCode::NOT_FOUND.into_response(),
        })
        .await;
        let started = Instant::now();
        let out = vigie(&srv.url, &["list", "equipements", "-o", "csv"])
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout.lines().count(), 8, "7 rows and the header: {stdout}");
        let asked = srv.count("/equipements/all");
        assert!(
            asked <= 1 + vigie::worker::LOAD_ALL_CONCURRENCY,
            "{asked} pages asked ({:?})",
            started.elapsed()
        );
    }
}

/// An answer compressed with gzip that vigie did not ask for (loopback: nothing is asked) is
/// read all the same, as any encoding vigie knows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_compressed_unasked_is_read() {
    use std::io::Write;
    let sites = serde_json::to_vec(&json!([
        {"site_id": "s1", "name": "LOUM", "client": {"client_id": "c", "nom": "BICEC"}, "equipements": [{"ip": "1.1.1.1"}]}
    ]))
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&sites).unwrap();
    let gz = gz.finish().unwrap();
    let srv = Hostile::start(move |path, _| match path {
        "/auth/login" => login(),
        "/client_site/all" => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CONTENT_ENCODING, "gzip"),
            ],
            gz.clone(),
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    })
    .await;
    let out = vigie(&srv.url, &["list", "sites", "-o", "csv"])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("LOUM") && stdout.contains(",1,"),
        "{stdout}"
    );
}
