//! The embedded reference server: the documented APIs over a real SQLite database, with real
//! authentication and validation. `vigie serve` runs it alone, `vigie demo` beside the console,
//! and every test of the clients talks to it over loopback HTTP.

pub mod auth;
pub mod chaos;
pub mod core;
pub mod db;
pub mod fastapi;
pub mod maarch;
pub mod ocean;
pub mod seed;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use self::db::Db;
use self::fastapi::HttpError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SeedMode {
    /// The doc's sample records plus generated demo data and the three demo accounts.
    Demo,
    /// Roles only, and one admin with a random password printed once.
    None,
}

/// A reading of a real service the reference server can play, where real deployments differ
/// from the docs or from each other (`vigie serve --like …`); the tests run against each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Like {
    /// Maarch Courrier 21.03 as installed: the admin group may manage personal data but not
    /// view it (the phone is left out of a user's details), 404 and 405 are Apache's HTML
    /// pages, `statusInMaarchParapheur` is GET only, an unlinked `external_id` is `[]`.
    #[value(name = "maarch-21.03")]
    Maarch2103,
    /// Older Maarch Courrier: a created user is answered `{"user": {"id": N}}`.
    #[value(name = "maarch-old")]
    MaarchOld,
    /// Ocean's `changePassword` reads its three passwords from the query string only
    /// (Spring's `@RequestParam`), as its doc's "Paramètres de la requête" suggests.
    #[value(name = "ocean-query")]
    OceanQuery,
    /// Ocean's `changePassword` reads a JSON body only.
    #[value(name = "ocean-body")]
    OceanBody,
    /// A core service whose permission catalogue goes beyond the four ressources and actions
    /// the reference server seeds: `reports:export` and `audit:read` exist and the role
    /// `technicien` holds `reports:export`.
    #[value(name = "core-more-permissions")]
    CoreMorePermissions,
    /// A core whose `/equipements/update` takes no `site_id` (the doc lists none; pydantic
    /// drops unknown keys): an equipement cannot move through the API, the answer shows it
    /// where it was.
    #[value(name = "core-no-move")]
    CoreNoMove,
    /// Answers never compressed, whatever the client accepts (FastAPI, Spring and PHP as
    /// deployed without a compressing middleware or proxy).
    #[value(name = "no-compression")]
    NoCompression,
    /// The core exactly as `core-swagger.txt` shows it and nothing more (FastAPI with
    /// pydantic models, which drop every key they do not declare without a word): sites of
    /// `/client_site/all` (and the update's answer) carry their `client` and no top-level
    /// `client_id`; `/users/update` ignores `role_id`; `/equipements/update` ignores
    /// `site_id`. Per-site list items carry no site and no route reads one equipement, as
    /// in every reading.
    #[value(name = "swagger")]
    Swagger,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub db_path: PathBuf,
    pub seed: SeedMode,
    /// Generated equipements for `--seed demo` (default 2,000).
    pub seed_size: usize,
    /// HS256 secret; a random one is kept in the database when absent.
    pub jwt_secret: Option<String>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub body_limit: usize,
    /// Failed logins allowed per client address and minute.
    pub login_failures_per_minute: u32,
    /// Ocean `X-AUTH-TOKEN` lifetime (12 hours, as the doc says).
    pub ocean_token_ttl: Duration,
    /// Ocean requests allowed per token (or address) and minute before 429.
    pub ocean_requests_per_minute: u32,
    /// Maarch `Token` lifetime (30 minutes in Maarch Courrier).
    pub maarch_token_ttl: Duration,
    pub maarch_refresh_ttl: Duration,
    /// Whether the simulated Maarch Parapheur is enabled (`403 maarchParapheur is not enabled`).
    pub parapheur_enabled: bool,
    /// Latency, injected errors, drops, truncations and a rate limit (`--chaos`); none by default.
    pub chaos: Option<chaos::Chaos>,
    /// The real services' readings to play (`--like`); none by default.
    pub like: Vec<Like>,
}

impl ServerConfig {
    pub fn new(db_path: PathBuf) -> Self {
        ServerConfig {
            db_path,
            seed: SeedMode::None,
            seed_size: 2000,
            jwt_secret: None,
            access_ttl: Duration::from_secs(30 * 60),
            refresh_ttl: Duration::from_secs(7 * 24 * 3600),
            body_limit: 1024 * 1024,
            login_failures_per_minute: 10,
            ocean_token_ttl: Duration::from_secs(12 * 3600),
            ocean_requests_per_minute: 600,
            maarch_token_ttl: Duration::from_secs(30 * 60),
            maarch_refresh_ttl: Duration::from_secs(24 * 3600),
            parapheur_enabled: true,
            chaos: None,
            like: Vec::new(),
        }
    }

    /// Whether the server plays this reading.
    pub fn is_like(&self, l: Like) -> bool {
        self.like.contains(&l)
    }
}

pub struct Inner {
    pub db: Db,
    pub cfg: ServerConfig,
    pub keys: auth::Keys,
    pub dummy_hash: String,
    pub login_limiter: LoginLimiter,
    pub callers: auth::Callers,
    pub ocean: ocean::OceanState,
    pub maarch: maarch::MaarchState,
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// The raw body of a request, with an over-limit body answered as a JSON 413.
pub struct Body(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = HttpError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    HttpError::TooLarge
                } else {
                    HttpError::BadRequest(e.body_text())
                }
            })
    }
}

/// The peer address (for login rate limiting).
pub struct Peer(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = HttpError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_default(),
        ))
    }
}

/// Counts failed logins per address; past the limit, logins get 429 until the minute ends.
#[derive(Default)]
pub struct LoginLimiter {
    per_minute: u32,
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl LoginLimiter {
    fn new(per_minute: u32) -> Self {
        LoginLimiter {
            per_minute,
            failures: Mutex::default(),
        }
    }

    pub fn check(&self, who: &str) -> Result<(), HttpError> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((since, n)) = map.get(who) {
            let elapsed = since.elapsed();
            if elapsed < Duration::from_secs(60) && *n >= self.per_minute {
                return Err(HttpError::TooManyRequests(60 - elapsed.as_secs()));
            }
        }
        Ok(())
    }

    pub fn failed(&self, who: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let e = map.entry(who.to_string()).or_insert((Instant::now(), 0));
        if e.0.elapsed() >= Duration::from_secs(60) {
            *e = (Instant::now(), 0);
        }
        e.1 += 1;
        if map.len() > 10_000 {
            map.retain(|_, (t, _)| t.elapsed() < Duration::from_secs(60));
        }
    }

    pub fn succeeded(&self, who: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(who);
    }
}

/// What opening the database did, for the operator.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Password of the admin created on an empty database without demo data (shown once).
    pub bootstrap_password: Option<String>,
    /// Password of the Ocean and Maarch `admin` created on a database whose core admin existed.
    pub service_password: Option<String>,
    pub seeded_demo: bool,
}

/// Opens, migrates and seeds the database; loads or creates the JWT secret.
pub fn prepare(cfg: &ServerConfig) -> Result<(Db, Prepared, Vec<u8>), String> {
    let db = Db::open(&cfg.db_path)?;
    let seed = cfg.seed;
    let size = cfg.seed_size;
    let configured = cfg.jwt_secret.clone();
    let more_permissions = cfg.is_like(Like::CoreMorePermissions);
    let out = db
        .call_blocking(move |c| {
            seed::ensure_catalogue(c)?;
            if more_permissions {
                seed::more_permissions(c)?;
            }
            let mut prepared = Prepared::default();
            if seed::user_count(c)? == 0 {
                match seed {
                    SeedMode::Demo => {
                        seed::demo(c, size)?;
                        prepared.seeded_demo = true;
                    }
                    SeedMode::None => {
                        prepared.bootstrap_password = Some(seed::bootstrap_admin(c)?);
                    }
                }
            }
            // Ocean and Maarch get their admin with the core one's password; on a database
            // whose core admin exists already, with a new one of their own (shown once).
            let service_password = match (&prepared.bootstrap_password, seed) {
                (Some(p), _) => Some(p.clone()),
                (None, SeedMode::None) => Some(seed::random_password()),
                (None, SeedMode::Demo) => None,
            };
            let pw = service_password.as_deref();
            let created = ocean::prepare(c, seed, pw)? | maarch::prepare(c, seed, pw)?;
            if created && prepared.bootstrap_password.is_none() {
                prepared.service_password = service_password;
            }
            let secret = match configured {
                Some(s) => s.into_bytes(),
                None => {
                    let existing: Option<String> = rusqlite::OptionalExtension::optional(
                        c.query_row("SELECT value FROM meta WHERE key = 'jwt_secret'", [], |r| {
                            r.get(0)
                        }),
                    )?;
                    match existing {
                        Some(s) => s.into_bytes(),
                        None => {
                            let bytes: [u8; 32] = rand::random();
                            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                            c.execute(
                                "INSERT INTO meta(key, value) VALUES ('jwt_secret', ?1)",
                                [&hex],
                            )?;
                            hex.into_bytes()
                        }
                    }
                }
            };
            Ok((prepared, secret))
        })
        .map_err(|e| format!("cannot prepare the database: {e:?}"))?;
    Ok((db, out.0, out.1))
}

pub fn router(state: AppState) -> Router {
    let limit = state.cfg.body_limit;
    let chaos = state.cfg.chaos.clone();
    let app = Router::new()
        .merge(core::routes())
        .merge(ocean::routes())
        .merge(maarch::routes())
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                Json(json!({ "detail": "Not Found" })),
            )
        })
        .method_not_allowed_fallback(|| async {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                Json(json!({ "detail": "Method Not Allowed" })),
            )
                .into_response()
        })
        .layer(DefaultBodyLimit::max(limit));
    // gzip, brotli or zstd as the client asks (what a deployment behind nginx or with
    // FastAPI's GZipMiddleware does); small answers are left alone.
    let app = if state.cfg.is_like(Like::NoCompression) {
        app.with_state(state)
    } else {
        app.layer(tower_http::compression::CompressionLayer::new())
            .with_state(state)
    };
    match chaos {
        // Outermost: it sees every request, whatever route (or none) answers it.
        Some(spec) => app.layer(axum::middleware::from_fn_with_state(
            chaos::ChaosState::new(spec),
            chaos::middleware,
        )),
        None => app,
    }
}

/// A server running in this process.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub prepared: Prepared,
    shutdown: CancellationToken,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish.
    pub async fn stop(self) {
        self.shutdown.cancel();
        let _ = self.handle.await;
    }

    /// Runs until the task ends (for `vigie serve`).
    pub async fn wait(self) -> std::io::Result<()> {
        self.handle
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?
    }

    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }
}

/// Prepares the database and serves on `listener` in a background task.
pub async fn start(cfg: ServerConfig, listener: TcpListener) -> Result<RunningServer, String> {
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let cfg2 = cfg.clone();
    let (db, prepared, secret) = tokio::task::spawn_blocking(move || prepare(&cfg2))
        .await
        .map_err(|e| e.to_string())??;
    let state = AppState(Arc::new(Inner {
        db,
        keys: auth::Keys::new(&secret),
        dummy_hash: auth::hash_password("vigie-timing-equaliser"),
        login_limiter: LoginLimiter::new(cfg.login_failures_per_minute),
        callers: auth::Callers::default(),
        ocean: ocean::OceanState::default(),
        maarch: maarch::MaarchState::default(),
        cfg,
    }));
    let app = router(state);
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let handle = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(token.cancelled_owned())
        .await
    });
    Ok(RunningServer {
        addr,
        prepared,
        shutdown,
        handle,
    })
}
