//! Shared by the benches: the reference server seeded with N generated equipements (in this
//! process or as a `vigie serve` child), and its data read back through the real client.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use vigie::api::HttpOptions;
use vigie::api::core::{CoreAuth, CoreClient};
use vigie::api::model::{Equipement, SiteSummary};
use vigie::server::{RunningServer, SeedMode, ServerConfig};

pub const ADMIN: (&str, &str) = ("admin@vigie.local", "admin-demo");

/// Equipements of the budgets (`vigie serve --seed demo --seed-size 100000`).
pub fn seed_size() -> usize {
    std::env::var("VIGIE_BENCH_SEED_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

pub fn client(url: &str) -> CoreClient {
    CoreClient::new(
        url,
        CoreAuth::Password {
            username: ADMIN.0.into(),
            password: SecretString::from(ADMIN.1.to_string()),
        },
        &HttpOptions {
            timeout: Duration::from_secs(120),
            // A million equipements make a 317 MB sites list.
            limits: vigie::api::Limits {
                max_body: 4 << 30,
                ..Default::default()
            },
            ..HttpOptions::default()
        },
    )
    .expect("client")
}

/// A server running in this process on a temp database.
pub struct InProcess {
    pub running: RunningServer,
    pub dir: tempfile::TempDir,
}

pub async fn start_in_process(seed_size: usize) -> InProcess {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cfg = ServerConfig::new(dir.path().join("bench.db"));
    cfg.seed = SeedMode::Demo;
    cfg.seed_size = seed_size;
    cfg.jwt_secret = Some("bench-secret".into());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let running = vigie::server::start(cfg, listener)
        .await
        .expect("server start");
    InProcess { running, dir }
}

/// Every equipement and site summary of a freshly seeded in-process server, through the
/// console's own loader.
pub fn dataset(seed_size: usize) -> (Vec<Equipement>, Vec<SiteSummary>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let t = Instant::now();
        let srv = start_in_process(seed_size).await;
        let core = client(&srv.running.url());
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let items = vigie::worker::load_all(&core, 1, &tx)
            .await
            .expect("load all");
        let sites = core.list_site_summaries().await.expect("sites");
        eprintln!(
            "bench data: {} equipements, {} sites ({:.1} s to seed and read)",
            items.len(),
            sites.len(),
            t.elapsed().as_secs_f64()
        );
        srv.running.stop().await;
        (items, sites)
    })
}

/// The `vigie` binary of this build (release under `cargo bench`).
pub fn vigie_bin() -> PathBuf {
    std::env::var_os("VIGIE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(option_env!("CARGO_BIN_EXE_vigie").unwrap_or("target/release/vigie"))
        })
}

/// `vigie serve --seed demo --seed-size N` as a child process on a free loopback port; killed
/// on drop.
pub struct ServeChild {
    pub child: Child,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl Drop for ServeChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub fn spawn_serve(seed_size: usize) -> ServeChild {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("serve.db");
    let seed = [
        "--seed".to_string(),
        "demo".into(),
        "--seed-size".into(),
        seed_size.to_string(),
    ];
    spawn_serve_on(dir, &db, &seed)
}

/// `vigie serve --db DB ARGS…` as a child process on a free loopback port (a database already
/// seeded is served as it is).
pub fn spawn_serve_on(dir: tempfile::TempDir, db: &std::path::Path, args: &[String]) -> ServeChild {
    let port = free_port();
    let child = Command::new(vigie_bin())
        .arg("serve")
        .args(args)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--db"])
        .arg(db)
        .env("VIGIE_JWT_SECRET", "bench-secret")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn vigie serve");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "vigie serve did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    ServeChild { child, url, dir }
}

/// Median, and the slowest, of some durations, in milliseconds.
pub fn summary(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(v[0]), ms(v[v.len() / 2]), ms(v[v.len() - 1]))
}

/// The JSON answer to `req`, on a runtime of its own.
pub fn json_of(req: reqwest::RequestBuilder) -> serde_json::Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async { req.send().await.expect("an answer").json().await })
        .expect("JSON")
}

/// A token for the console's token profile (no login round trip at start).
pub fn token(url: &str) -> String {
    let login = reqwest::Client::new()
        .post(format!("{url}/auth/login"))
        .form(&[("username", ADMIN.0), ("password", ADMIN.1)]);
    json_of(login)["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// The count of equipements the server announces (the seed's rows and the doc's sample).
pub fn equipements_total(url: &str) -> u64 {
    let page = reqwest::Client::new()
        .get(format!("{url}/equipements/all?page=1&size=1"))
        .bearer_auth(token(url));
    json_of(page)["total"].as_u64().expect("total")
}
