//! `vigie serve` and `vigie demo`: the reference server, alone or behind a console.

use std::process::ExitCode;

use secrecy::SecretString;

use super::{DemoArgs, Global, ServeArgs, no_console};
use crate::api::Credentials;
use crate::api::core::CoreClient;
use crate::api::maarch::{MaarchAuthMode, MaarchClient};
use crate::api::ocean::OceanClient;
use crate::app::Session;
use crate::config;
use crate::server::{self, SeedMode, ServerConfig};
use crate::tui::ConsoleOptions;
use crate::worker::Clients;

/// `vigie demo`: the reference server on loopback, seeded, and a console logged in to it.
pub(super) async fn demo(g: &Global, a: DemoArgs) -> Result<ExitCode, String> {
    if let Some(code) = no_console() {
        return Ok(code);
    }
    let db = a.db.unwrap_or_else(|| config::data_dir().join("demo.db"));
    let mut cfg = ServerConfig::new(db);
    cfg.seed = SeedMode::Demo;
    cfg.seed_size = a.seed_size;
    cfg.chaos = a.chaos;
    cfg.like = a.like;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| format!("cannot listen on loopback: {e}"))?;
    let running = server::start(cfg, listener).await?;
    let url = running.url();
    crate::ui::theme::init(None);
    let opts = crate::api::HttpOptions::default();
    let admin = |login: &str| Credentials::Password {
        username: login.into(),
        password: SecretString::from("admin-demo"),
    };
    let err = |e: crate::api::ApiError| e.to_string();
    let clients = Clients {
        core: Some(CoreClient::new(&url, admin("admin@vigie.local"), &opts).map_err(err)?),
        ocean: Some(
            OceanClient::new(&format!("{url}/ocean"), admin("admin"), Some(1), &opts)
                .map_err(err)?,
        ),
        maarch: Some(
            MaarchClient::new(&url, admin("admin"), MaarchAuthMode::Basic, &opts).map_err(err)?,
        ),
    };
    let session = Session {
        profile: "demo".into(),
        server: url,
        // A new port each run, the same database: one deployment for the journal and drafts.
        files_as: Some("vigie demo".into()),
        user: Some("admin@vigie.local".into()),
        ocean_user: Some("admin".into()),
        maarch_user: Some("admin".into()),
        read_only: g.read_only,
        ..Default::default()
    };
    let r = crate::tui::run(
        clients,
        ConsoleOptions {
            session,
            logged_in: true,
            extra_clients: Vec::new(),
            warnings: Vec::new(),
            aliases: Vec::new(),
            mouse: false,
            keymap: Default::default(),
            commands: Vec::new(),
            watch_secs: None,
            profiles: Vec::new(),
            // The demo's devices are nobody's to probe: it names no network.
            probe: crate::probe::Settings::none(),
            // `:find` searches the demo alone, whatever the config holds.
            finder: Some(crate::protocol::FinderRef(std::sync::Arc::new(
                super::find::ConfigFinder::new(g, Some(Vec::new())),
            ))),
            open: None,
        },
    )
    .await;
    running.stop().await;
    r.map(|_| ExitCode::SUCCESS)
}

/// `vigie serve`: the reference server, until Ctrl-C or SIGTERM.
pub(super) async fn serve(a: ServeArgs) -> Result<ExitCode, String> {
    let db = a.db.unwrap_or_else(|| config::data_dir().join("vigie.db"));
    let mut cfg = ServerConfig::new(db.clone());
    cfg.seed = a.seed;
    cfg.seed_size = a.seed_size;
    cfg.jwt_secret = a.jwt_secret;
    cfg.access_ttl = std::time::Duration::from_secs(a.token_ttl.max(1));
    cfg.ocean_token_ttl = std::time::Duration::from_secs(a.ocean_token_ttl.max(1));
    cfg.ocean_requests_per_minute = a.ocean_rate_limit.max(1);
    cfg.maarch_token_ttl = std::time::Duration::from_secs(a.maarch_token_ttl.max(1));
    cfg.parapheur_enabled = !a.no_parapheur;
    cfg.chaos = a.chaos;
    cfg.like = a.like;
    let cfg_chaos = cfg.chaos.clone();
    let listener = tokio::net::TcpListener::bind(a.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", a.listen))?;
    let running = server::start(cfg, listener).await?;
    eprintln!(
        "vigie serve: listening on {} (database {})",
        running.url(),
        db.display()
    );
    if let Some(c) = &cfg_chaos {
        eprintln!("vigie serve: chaos mode: {c}");
    }
    if running.prepared.seeded_demo {
        eprintln!(
            "vigie serve: demo data seeded; log in as admin@vigie.local / admin-demo \
             (core), admin / admin-demo (Ocean under /ocean, Maarch under /rest)"
        );
    }
    if let Some(p) = &running.prepared.bootstrap_password {
        // Shown once, on the operator's terminal only; never logged.
        eprintln!(
            "vigie serve: created admin@vigie.local (matricule 1000), and the Ocean and Maarch \
             login admin, with password {p}\n\
             vigie serve: it is not shown again; change it with PUT /users/update"
        );
    }
    if let Some(p) = &running.prepared.service_password {
        eprintln!(
            "vigie serve: created the Ocean and Maarch login admin with password {p}\n\
             vigie serve: it is not shown again"
        );
    }
    let token = running.shutdown_token();
    tokio::spawn(async move {
        shutdown_signal().await;
        token.cancel();
    });
    running.wait().await.map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
