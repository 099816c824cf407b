//! Chaos mode of the reference server, seen from the typed clients and from raw HTTP: injected
//! 5xx in each family's shape, the global rate limit, latency, truncated bodies and dropped
//! connections. The typed clients may retry GETs, so assertions are on the final error kind
//! (or on POST routes, never retried) and timings only have lower bounds.

mod common;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::Value;
use vigie::api::maarch::{MaarchAuthMode, MaarchClient};
use vigie::api::model::NewRole;
use vigie::api::ocean::OceanClient;
use vigie::api::{ApiError, Credentials};
use vigie::server::chaos::{CHAOS_HEADER, Chaos};

async fn start(spec: &str) -> common::TestServer {
    let chaos: Chaos = spec.parse().expect("chaos spec");
    common::start_with(|cfg| cfg.chaos = Some(chaos)).await
}

fn admin_login(account: &str) -> Credentials {
    Credentials::Password {
        username: account.into(),
        password: SecretString::from("admin-demo".to_string()),
    }
}

fn ocean(url: &str) -> OceanClient {
    OceanClient::new(
        &format!("{url}/ocean"),
        admin_login("admin"),
        Some(1),
        &common::http_options(),
    )
    .expect("ocean client")
}

fn maarch(url: &str) -> MaarchClient {
    MaarchClient::new(
        url,
        admin_login("admin"),
        MaarchAuthMode::Basic,
        &common::http_options(),
    )
    .expect("maarch client")
}

/// Plain HTTP: no compression asked, so the headers are the ones chaos set.
fn raw() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .no_zstd()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn role(name: &str) -> NewRole {
    NewRole {
        name: name.into(),
        description: "chaos".into(),
        permissions: Vec::new(),
    }
}

#[track_caller]
fn assert_server_error<T: std::fmt::Debug>(r: Result<T, ApiError>) -> (u16, String) {
    match r {
        Err(ApiError::Server { status, message }) if matches!(status, 500 | 502 | 503) => {
            assert!(message.contains("chaos"), "{message}");
            (status, message)
        }
        other => panic!("expected an injected 500/502/503, got {other:?}"),
    }
}

#[track_caller]
fn assert_broken<T: std::fmt::Debug>(r: Result<T, ApiError>) {
    match r {
        Err(ApiError::Network(_) | ApiError::Decode { .. }) => {}
        other => panic!("expected a network or decode error, got {other:?}"),
    }
}

/// Sends a raw request and reads its whole body: `Err` when the answer never came whole.
async fn fetch(req: reqwest::RequestBuilder) -> Result<(StatusCode, bool, Value), String> {
    let resp = req.send().await.map_err(|e| format!("send: {e}"))?;
    let status = resp.status();
    let declared = resp.headers().contains_key(reqwest::header::CONTENT_LENGTH);
    let body = resp.bytes().await.map_err(|e| format!("body: {e}"))?;
    let v = serde_json::from_slice(&body).map_err(|e| format!("json: {e}"))?;
    Ok((status, declared, v))
}

#[test]
fn spec_parses_prints_back_and_explains_mistakes() {
    let spec = "latency=800ms,jitter=200ms,error_rate=0.2,drop_rate=0.05,truncate_rate=0.05,\
                rate_limit=5/s,seed=9,spare_login=true";
    let c: Chaos = spec.parse().unwrap();
    assert_eq!(c.latency, Duration::from_millis(800));
    assert_eq!(c.jitter, Duration::from_millis(200));
    assert_eq!(c.error_rate, 0.2);
    assert_eq!(c.drop_rate, 0.05);
    assert_eq!(c.truncate_rate, 0.05);
    assert_eq!(c.rate_limit, Some((5, Duration::from_secs(1))));
    assert_eq!(c.seed, Some(9));
    assert!(c.spare_login);
    assert_eq!(c.to_string(), spec);
    for s in ["latency=2s", "rate_limit=100/min", "error_rate=1,seed=1"] {
        let c: Chaos = s.parse().unwrap();
        assert_eq!(c.to_string(), s);
        assert_eq!(c.to_string().parse::<Chaos>().unwrap(), c);
    }

    let err = |s: &str| s.parse::<Chaos>().unwrap_err();
    assert!(err("x=1").starts_with("unknown key 'x'"));
    assert_eq!(err("error_rate=2"), "error_rate must be between 0 and 1");
    assert_eq!(err("drop_rate=1.01"), "drop_rate must be between 0 and 1");
    assert_eq!(
        err("truncate_rate=-1"),
        "truncate_rate must be between 0 and 1"
    );
    assert_eq!(
        err("latency=80x"),
        "latency: '80x' is not a duration (use 800ms or 2s)"
    );
    assert_eq!(
        err("jitter=fast"),
        "jitter: 'fast' is not a duration (use 800ms or 2s)"
    );
    assert_eq!(
        err("rate_limit=5"),
        "rate_limit: '5' is not a rate (use 5/s or 100/min)"
    );
    assert_eq!(
        err("rate_limit=0/min"),
        "rate_limit must allow at least 1 request"
    );
    assert_eq!(
        err("seed=-1"),
        "seed: '-1' is not a whole number between 0 and 2^64-1"
    );
    assert_eq!(err("latency"), "'latency' has no value (use key=value)");
    assert_eq!(err("seed=1,seed=2"), "key 'seed' is given twice");
    assert!(err("").starts_with("empty chaos spec"));
}

#[tokio::test]
async fn injected_errors_fail_every_call_in_each_family_shape() {
    let srv = start("error_rate=1,seed=1,spare_login=true").await;
    let url = srv.url();
    let admin = srv.admin();
    // Logins are spared...
    admin.login().await.expect("spared login");
    ocean(&url).login().await.expect("spared Ocean login");
    // ...nothing else is.
    assert_server_error(admin.list_sites().await);
    assert_server_error(admin.create_role(&role("r0")).await);
    assert_server_error(ocean(&url).list_individus(None).await);
    assert_server_error(maarch(&url).list_users().await);

    // A 503 says when to come back, in its message for the typed client...
    let mut seen_503 = false;
    for i in 1..40 {
        let (status, message) =
            assert_server_error(admin.create_role(&role(&format!("r{i}"))).await);
        if status == 503 {
            assert!(message.contains("retry after 1s"), "{message}");
            seen_503 = true;
            break;
        }
    }
    assert!(seen_503, "no 503 among the injected errors");

    // ...and in Retry-After; every family gets its own body shape.
    let http = raw();
    let mut statuses = Vec::new();
    for _ in 0..30 {
        let resp = http
            .get(format!("{url}/client_site/all"))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        statuses.push(status.as_u16());
        assert_eq!(resp.headers()[CHAOS_HEADER], "error");
        let retry = resp.headers().get("retry-after").cloned();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(retry.unwrap(), "1");
        } else {
            assert!(retry.is_none(), "{status}");
        }
        let v: Value = resp
            .json()
            .await
            .expect("an injected error is a whole answer");
        assert!(v["detail"].as_str().unwrap().starts_with("chaos:"), "{v}");
    }
    for s in [500, 502, 503] {
        assert!(statuses.contains(&s), "{s} never injected: {statuses:?}");
    }
    assert!(statuses.iter().all(|s| matches!(s, 500 | 502 | 503)));

    let path = "/ocean/restapi/individus/list";
    let (status, _, v) = fetch(http.post(format!("{url}{path}"))).await.unwrap();
    assert!(status.is_server_error());
    assert_eq!(v["status"], status.as_u16());
    assert_eq!(v["error"], status.canonical_reason().unwrap());
    assert_eq!(v["path"], path);
    assert!(v["message"].as_str().unwrap().starts_with("chaos:"));
    assert!(v["timestamp"].is_string());

    let (status, _, v) = fetch(http.get(format!("{url}/rest/users"))).await.unwrap();
    assert!(status.is_server_error());
    assert!(v["errors"].as_str().unwrap().starts_with("chaos:"), "{v}");
}

#[tokio::test]
async fn logins_are_not_spared_unless_asked() {
    let srv = start("error_rate=1").await;
    assert_server_error(srv.admin().login().await);
    assert_server_error(ocean(&srv.url()).login().await);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let srv = start("rate_limit=2/s,spare_login=true").await;
    let admin = srv.admin();
    admin.login().await.expect("spared login");
    // POSTs: never retried, one attempt each.
    admin.create_role(&role("one")).await.expect("1st call");
    admin.create_role(&role("two")).await.expect("2nd call");
    let wait = match admin.create_role(&role("three")).await {
        Err(ApiError::RateLimited {
            retry_after: Some(d),
            message,
        }) => {
            assert!(d >= Duration::from_secs(1), "{d:?}");
            assert!(message.contains("chaos"), "{message}");
            d
        }
        other => panic!("expected 429 on the 3rd call, got {other:?}"),
    };
    tokio::time::sleep(wait).await;
    admin
        .create_role(&role("four"))
        .await
        .expect("after the wait");
}

#[tokio::test]
async fn rate_limit_counts_all_clients_and_words_each_family() {
    let srv = start("rate_limit=1/min").await;
    let url = srv.url();
    let http = raw();
    // The one request of the minute (a 401: chaos lets it through, the route refuses it).
    let first = http.get(format!("{url}/users/list")).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    assert!(first.headers().get(CHAOS_HEADER).is_none());

    for path in [
        "/users/list",
        "/ocean/restapi/individus/list",
        "/rest/users",
    ] {
        let resp = reqwest::Client::new()
            .get(format!("{url}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        let secs: u64 = resp.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&secs), "{secs}");
        let v: Value = resp.json().await.unwrap();
        let message = match path {
            "/users/list" => &v["detail"],
            "/rest/users" => &v["errors"],
            _ => {
                assert_eq!(v["status"], 429);
                assert_eq!(v["error"], "Too Many Requests");
                assert_eq!(v["path"], path);
                &v["message"]
            }
        };
        assert!(message.as_str().unwrap().contains("rate limit"), "{v}");
    }
    // Logins count too, unless spared.
    match srv.admin().login().await {
        Err(ApiError::RateLimited {
            retry_after: Some(_),
            ..
        }) => {}
        other => panic!("expected 429, got {other:?}"),
    }
}

#[tokio::test]
async fn latency_comes_before_every_answer() {
    let srv = start("latency=300ms,jitter=50ms,spare_login=true").await;
    let admin = srv.admin();
    admin.login().await.expect("spared login");
    let t = Instant::now();
    admin.list_sites().await.expect("slow but fine");
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    admin
        .create_role(&role("lent"))
        .await
        .expect("slow but fine");
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn truncated_bodies_are_never_a_success() {
    let srv = start("truncate_rate=1,seed=3,spare_login=true").await;
    let url = srv.url();
    let admin = srv.admin();
    admin.login().await.expect("spared login");
    assert_broken(admin.list_sites().await);
    assert_broken(admin.create_role(&role("coupé")).await);
    assert_broken(ocean(&url).list_individus(None).await);

    let token = common::raw_token(&url, common::ADMIN).await;
    let http = raw();
    let (mut declared, mut chunked) = (0, 0);
    for _ in 0..12 {
        let resp = http
            .get(format!("{url}/client_site/all"))
            .bearer_auth(&token)
            .send()
            .await;
        let Ok(resp) = resp else { continue };
        assert_eq!(resp.status(), StatusCode::OK);
        if resp.headers().contains_key(reqwest::header::CONTENT_LENGTH) {
            declared += 1;
        } else {
            chunked += 1;
        }
        let body = resp.bytes().await;
        assert!(body.is_err(), "a truncated body read as whole: {body:?}");
    }
    assert!(declared > 0 && chunked > 0, "{declared} {chunked}");
}

#[tokio::test]
async fn dropped_connections_are_network_errors() {
    let srv = start("drop_rate=1,seed=5,spare_login=true").await;
    let url = srv.url();
    let admin = srv.admin();
    admin.login().await.expect("spared login");
    for r in [
        admin.list_sites().await.map(|_| ()),
        admin.create_role(&role("perdu")).await.map(|_| ()),
        ocean(&url).list_individus(None).await.map(|_| ()),
        maarch(&url).list_users().await.map(|_| ()),
    ] {
        match r {
            Err(ApiError::Network(_)) => {}
            other => panic!("expected a network error, got {other:?}"),
        }
    }
    let http = raw();
    for _ in 0..8 {
        let r = fetch(http.get(format!("{url}/roles/list"))).await;
        assert!(r.is_err(), "a dropped answer arrived whole: {r:?}");
    }
}

#[tokio::test]
async fn without_chaos_nothing_changes() {
    for chaos in [None, Some(Chaos::default())] {
        let noop = chaos.is_some();
        let srv = common::start_with(|cfg| cfg.chaos = chaos).await;
        let admin = srv.admin();
        for i in 0..5 {
            assert!(!admin.list_sites().await.unwrap().is_empty());
            admin
                .create_role(&role(&format!("calme{i}")))
                .await
                .unwrap();
        }
        let resp = raw()
            .get(format!("{}/users/list", srv.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "noop spec: {noop}");
        assert!(resp.headers().get(CHAOS_HEADER).is_none());
    }
}
