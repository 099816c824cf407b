//! A server across a slow link: answers compressed as the client asks (or never, as FastAPI
//! serves by default), the chaos mode's bandwidth shared by every connection, and the sites
//! list handed over as it streams in.

mod common;

use std::time::{Duration, Instant};

use serde_json::Value;
use vigie::server::Like;
use vigie::server::chaos::Chaos;

/// A client that decodes nothing by itself, to see what the server sends.
fn raw() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .no_zstd()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn compressing_client(url: &str) -> vigie::api::core::CoreClient {
    vigie::api::core::CoreClient::new(
        url,
        vigie::api::Credentials::Password {
            username: "admin@vigie.local".into(),
            password: secrecy::SecretString::from("admin-demo".to_string()),
        },
        &vigie::api::HttpOptions {
            compress: Some(true),
            ..common::http_options()
        },
    )
    .unwrap()
}

async fn sites_as(url: &str, token: &str, encoding: &str) -> (Option<String>, Vec<u8>) {
    let resp = raw()
        .get(format!("{url}/client_site/all"))
        .bearer_auth(token)
        .header("accept-encoding", encoding)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    let enc = resp
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_string());
    (enc, resp.bytes().await.unwrap().to_vec())
}

fn decoded(enc: Option<&str>, body: &[u8]) -> Value {
    use std::io::Read;
    let mut out = Vec::new();
    match enc {
        None => out = body.to_vec(),
        Some("gzip") => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .unwrap();
        }
        Some("zstd") => out = zstd::decode_all(body).unwrap(),
        Some("br") => {
            brotli::Decompressor::new(body, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        Some(other) => panic!("unexpected encoding {other}"),
    }
    serde_json::from_slice(&out).unwrap()
}

/// The reference server compresses with what the client accepts (zstd first for vigie's own
/// client), the same data; with `--like no-compression` it never does, and the typed client
/// reads both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_compressed_as_asked_unless_the_server_never_does() {
    let srv = common::start().await;
    let url = srv.url();
    let token = common::raw_token(&url, ("admin@vigie.local", "admin-demo")).await;
    let (none, plain) = sites_as(&url, &token, "identity").await;
    assert_eq!(none, None);
    let want = decoded(None, &plain);
    for enc in ["gzip", "br", "zstd"] {
        let (got, body) = sites_as(&url, &token, enc).await;
        assert_eq!(got.as_deref(), Some(enc));
        assert!(
            body.len() * 3 < plain.len(),
            "{enc}: {} of {}",
            body.len(),
            plain.len()
        );
        assert_eq!(decoded(got.as_deref(), &body), want, "{enc}");
    }
    let (got, _) = sites_as(&url, &token, vigie::api::ACCEPT_ENCODING).await;
    assert_eq!(got.as_deref(), Some("zstd"), "vigie's own preference");
    // The typed client, asking compression even over loopback (by default it does not: bytes
    // cost nothing there), decodes the zstd answer.
    assert!(vigie::api::is_loopback(&url));
    let typed = compressing_client(&url)
        .list_site_summaries()
        .await
        .unwrap();
    assert_eq!(typed.len(), want.as_array().unwrap().len());

    let plain_srv = common::start_with(|cfg| cfg.like = vec![Like::NoCompression]).await;
    let url = plain_srv.url();
    let token = common::raw_token(&url, ("admin@vigie.local", "admin-demo")).await;
    let (got, body) = sites_as(&url, &token, "zstd, br, gzip").await;
    assert_eq!(got, None, "never compressed");
    assert_eq!(decoded(None, &body), want);
    let typed = compressing_client(&url)
        .list_site_summaries()
        .await
        .unwrap();
    assert_eq!(typed.len(), want.as_array().unwrap().len());
}

/// `bandwidth=` holds every answer's body to that speed, all connections sharing it: two
/// answers at once take as long as both one after the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bandwidth_is_one_link_shared_by_every_connection() {
    let chaos: Chaos = "bandwidth=400KB/s".parse().unwrap();
    let srv = common::start_with(|cfg| {
        cfg.chaos = Some(chaos);
        cfg.like = vec![Like::NoCompression];
    })
    .await;
    let url = srv.url();
    let token = common::raw_token(&url, ("admin@vigie.local", "admin-demo")).await;
    let started = Instant::now();
    let (_, body) = sites_as(&url, &token, "identity").await;
    let one = started.elapsed();
    let floor = Duration::from_secs_f64(body.len() as f64 / 400_000.0);
    assert!(
        one >= floor.mul_f64(0.9),
        "{one:?} for {} bytes",
        body.len()
    );
    let started = Instant::now();
    let (a, b) = tokio::join!(
        sites_as(&url, &token, "identity"),
        sites_as(&url, &token, "identity")
    );
    assert_eq!(a.1.len() + b.1.len(), 2 * body.len());
    let both = started.elapsed();
    assert!(both >= floor.mul_f64(1.8), "{both:?}: one link, not two");
}

/// The sites list is handed over as it streams in: the server sends its first sites and
/// waits until the client has seen them (a list decoded only at its end would never be
/// finished), then sends the rest; the whole list comes after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_are_handed_over_as_they_stream_in() {
    use axum::body::Body;
    use axum::response::IntoResponse;
    use std::sync::{Arc, Mutex};
    let (seen_tx, seen_rx) = tokio::sync::oneshot::channel::<()>();
    let gate = Arc::new(Mutex::new(Some(seen_rx)));
    let site = |i: usize| {
        serde_json::json!({"site_id": format!("s{i}"), "name": format!("SITE {i}"), "equipements": []})
            .to_string()
    };
    let head = format!("[{},{},", site(1), site(2));
    let tail = format!("{}]", site(3));
    let app = axum::Router::new()
        .route(
            "/auth/login",
            axum::routing::post(|| async {
                axum::Json(serde_json::json!({
                    "access_token": "eyJhbGciOiJIUzI1NiJ9.e30.sig",
                    "token_type": "bearer"
                }))
            }),
        )
        .route(
            "/client_site/all",
            axum::routing::get(move || {
                let gate = gate.lock().unwrap().take();
                let (head, tail) = (head.clone(), tail.clone());
                async move {
                    let first = futures::stream::once(async move {
                        Ok::<_, std::io::Error>(bytes::Bytes::from(head))
                    });
                    let rest = futures::stream::once(async move {
                        if let Some(g) = gate {
                            let _ = g.await;
                        }
                        Ok(bytes::Bytes::from(tail))
                    });
                    (
                        [("content-type", "application/json")],
                        Body::from_stream(futures::StreamExt::chain(first, rest)),
                    )
                        .into_response()
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = common::client_for(&url, "admin", "pw");
    let seen_tx = Mutex::new(Some(seen_tx));
    let handed: Mutex<Vec<(usize, Vec<String>)>> = Mutex::default();
    let watch = |offset: usize, rows: &[vigie::api::model::SiteSummary]| {
        handed
            .lock()
            .unwrap()
            .push((offset, rows.iter().map(|s| s.name.clone()).collect()));
        if let Some(tx) = seen_tx.lock().unwrap().take() {
            let _ = tx.send(());
        }
    };
    let all = tokio::time::timeout(
        Duration::from_secs(10),
        client.list_site_summaries_watched(&watch),
    )
    .await
    .expect("the first sites were handed over before the answer ended")
    .unwrap();
    assert_eq!(all.len(), 3);
    let handed = handed.into_inner().unwrap();
    assert_eq!(handed[0].0, 0);
    assert!(
        !handed[0].1.is_empty() && handed[0].1.len() <= 2,
        "{handed:?}"
    );
}
