//! Shared helpers of the integration tests: the reference server in-process on a temp
//! database, and clients logged in as the demo accounts.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use tempfile::TempDir;
use tokio::net::TcpListener;
use vigie::api::HttpOptions;
use vigie::api::core::{CoreAuth, CoreClient};
use vigie::server::{self, RunningServer, SeedMode, ServerConfig};

pub const ADMIN: (&str, &str) = ("admin@vigie.local", "admin-demo");
pub const TECH: (&str, &str) = ("tech@vigie.local", "tech-demo");
pub const LECTEUR: (&str, &str) = ("lecteur@vigie.local", "lecteur-demo");

/// Generated equipements of the demo seed: small, so every test starts fast.
pub const SEED_SIZE: usize = 60;

/// A running server and the temp dir holding its database (removed on drop).
pub struct TestServer {
    pub running: RunningServer,
    pub db_path: PathBuf,
    pub dir: TempDir,
}

impl TestServer {
    pub fn url(&self) -> String {
        self.running.url()
    }

    /// A typed client logged in (lazily) as `account`.
    pub fn client(&self, account: (&str, &str)) -> CoreClient {
        client_for(&self.url(), account.0, account.1)
    }

    pub fn admin(&self) -> CoreClient {
        self.client(ADMIN)
    }

    /// Stops the server, keeping the temp dir (and the database) alive.
    pub async fn stop(self) -> (PathBuf, TempDir) {
        self.running.stop().await;
        (self.db_path, self.dir)
    }
}

pub fn demo_config(db_path: PathBuf) -> ServerConfig {
    let mut cfg = ServerConfig::new(db_path);
    cfg.seed = SeedMode::Demo;
    cfg.seed_size = SEED_SIZE;
    // Fixed secret: no database round trip, same across restarts anyway.
    cfg.jwt_secret = Some("integration-test-secret".into());
    cfg
}

/// Starts a demo server on 127.0.0.1:0 over a fresh temp database.
pub async fn start() -> TestServer {
    start_with(|_| {}).await
}

/// Same, with the configuration adjusted by `tweak` first.
pub async fn start_with(tweak: impl FnOnce(&mut ServerConfig)) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("vigie.db");
    let mut cfg = demo_config(db_path.clone());
    tweak(&mut cfg);
    let running = serve(cfg).await;
    TestServer {
        running,
        db_path,
        dir,
    }
}

/// Starts a server with exactly this configuration.
pub async fn serve(cfg: ServerConfig) -> RunningServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    server::start(cfg, listener).await.expect("server start")
}

pub fn http_options() -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_secs(20),
        ..HttpOptions::default()
    }
}

pub fn client_for(url: &str, username: &str, password: &str) -> CoreClient {
    CoreClient::new(
        url,
        CoreAuth::Password {
            username: username.into(),
            password: SecretString::from(password.to_string()),
        },
        &http_options(),
    )
    .expect("client")
}

/// A raw access token, for requests the typed client cannot make.
pub async fn raw_token(url: &str, account: (&str, &str)) -> String {
    let resp = reqwest::Client::new()
        .post(format!("{url}/auth/login"))
        .form(&[("username", account.0), ("password", account.1)])
        .send()
        .await
        .expect("login request");
    assert_eq!(resp.status(), 200, "login of {}", account.0);
    let v: serde_json::Value = resp.json().await.expect("login body");
    v["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// A site "BANC DE TEST" holding one camera at `addr` (a loopback listener of the test): what
/// a probe may reach when the profile names that address.
pub async fn site_with_device(admin: &CoreClient, addr: std::net::SocketAddr) -> String {
    let site = admin
        .create_site(&vigie::api::model::NewSite {
            client_id: vigie::server::seed::BICEC_ID.into(),
            name: "BANC DE TEST".into(),
            longitude: 9.7,
            latitude: 4.05,
            description: "loopback".into(),
        })
        .await
        .unwrap();
    admin
        .create_equipement(&vigie::api::model::NewEquipement {
            ip: addr.ip().to_string(),
            site_id: site.site_id.clone(),
            marque: "Axis".into(),
            sources: Vec::new(),
            port: i64::from(addr.port()),
            username: "root".into(),
            password: "secret-pass".into(),
            description: "caméra de test".into(),
            modele: "P3245".into(),
        })
        .await
        .unwrap();
    site.site_id
}
