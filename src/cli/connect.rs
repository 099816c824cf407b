//! Connecting to a profile's services: credentials from the config, the environment or a prompt.

use std::io::IsTerminal;

use crate::api::Credentials;
use crate::api::core::CoreClient;
use crate::api::maarch::MaarchClient;
use crate::api::ocean::OceanClient;
use crate::cli::Global;
use crate::cli::config_path;
use crate::cli::settings::load_config;
use crate::config::Config;
use crate::config::Profile;
use crate::config::Secret;
use crate::config::ServiceConfig;
use crate::protocol::Service;
use crate::worker::Clients;
use secrecy::SecretString;

use crate::api::token_cache::TokenCache;

/// The clients of a profile (or of `--url/--user`), ready for the console.
pub struct Connection {
    pub profile_name: String,
    pub profile: Profile,
    pub clients: Clients,
    /// The core client has credentials (else the console asks).
    pub core_logged_in: bool,
    /// What `config check` would warn about (readable secrets, unverified TLS).
    pub warnings: Vec<String>,
    /// Palette aliases of the config.
    pub aliases: Vec<(String, String)>,
    pub mouse: bool,
    pub keymap: crate::app::keymap::KeyMap,
    /// Row commands of the config.
    pub commands: Vec<crate::commands::RowCommand>,
    /// Seconds between two reads of a watched list.
    pub watch_secs: Option<u64>,
    /// The config's profile names (`:profile NAME` switches).
    pub profiles: Vec<String>,
}

/// A ready core client and the profile it came from.
pub struct CoreConnection {
    pub profile_name: String,
    pub profile: Profile,
    pub client: CoreClient,
}

/// The core client alone (commands that only talk to core).
pub fn connect_core(g: &Global, prompt: bool) -> Result<CoreConnection, String> {
    let c = connect(g, prompt.then_some(Service::Core))?;
    let name = c.profile_name.clone();
    let client = c
        .clients
        .core
        .ok_or_else(|| format!("profile {name} has no [profiles.{name}.core] section"))?;
    Ok(CoreConnection {
        profile_name: c.profile_name,
        profile: c.profile,
        client,
    })
}

/// Credentials of a service section. `prompt`: ask on the terminal when nothing is set.
pub(super) fn credentials(svc: &ServiceConfig, prompt: bool) -> Result<Credentials, String> {
    Ok(match svc.resolve_secret()? {
        Secret::Token(t) => Credentials::Token(t),
        Secret::Password(p) => Credentials::Password {
            username: svc.username.clone().unwrap_or_default(),
            password: p,
        },
        Secret::None => match &svc.username {
            Some(u) => password_auth(u, prompt)?,
            None => Credentials::None,
        },
    })
}

/// Builds a client per service of `--url/--user` or the chosen profile. A missing password
/// is asked on the terminal for the service `prompt` names only; for the others it leaves a
/// client logged out (the console asks in its login form).
pub fn connect(g: &Global, prompt: Option<Service>) -> Result<Connection, String> {
    let asks = |s: Service| prompt == Some(s);
    if let Some(url) = &g.url {
        return connect_url(g, url, asks);
    }
    let (path, cfg) = load_config(g)?;
    if let (None, Some(l)) = (g.lang, cfg.lang) {
        crate::i18n::set_lang(l);
    }
    crate::ui::theme::init(cfg.theme);
    let warnings = cfg.warnings(path.as_deref());
    for w in &warnings {
        eprintln!("vigie: warning: {}", crate::text::sanitize(w));
    }
    if path.is_none() {
        // `vigie demo` only where this build has it.
        let demo = if cfg!(feature = "server") {
            "try `vigie demo`, or "
        } else {
            ""
        };
        return Err(format!(
            "no config file at {} and no --url: {demo}pass --url URL --user LOGIN",
            config_path(g)
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ));
    }
    let (name, mut profile) = cfg
        .profile(g.profile.as_deref())
        .map_err(|e| e.to_string())?;
    profile.read_only |= g.read_only;
    if profile.core.is_none() && profile.ocean.is_none() && profile.maarch.is_none() {
        return Err(format!(
            "profile {name} declares no service: add [profiles.{name}.core], .ocean or .maarch"
        ));
    }
    let (clients, core_logged_in) = profile_clients(&profile, &name, asks)?;
    let keymap = crate::app::keymap::KeyMap::from_config(&cfg.key_bindings())?;
    Ok(Connection {
        profile_name: name,
        profile,
        clients,
        core_logged_in,
        warnings,
        aliases: cfg.aliases.clone().into_iter().collect(),
        mouse: cfg.mouse,
        commands: keymap.row_commands(&cfg.commands)?,
        keymap,
        watch_secs: cfg.watch_secs,
        profiles: cfg.profiles.keys().cloned().collect(),
    })
}

/// A connection to `--url` as `--user`, without a profile.
fn connect_url(
    g: &Global,
    url: &str,
    asks: impl Fn(Service) -> bool,
) -> Result<Connection, String> {
    // No profile, but the config's own choices (keys, theme, language, aliases, mouse)
    // are the administrator's whatever the server; a config that cannot be read is said,
    // not fatal here.
    let (cfg, mut warnings) = match load_config(g) {
        Ok((_, cfg)) => (cfg, Vec::new()),
        Err(e) => (Config::default(), vec![format!("config not read: {e}")]),
    };
    if let (None, Some(l)) = (g.lang, cfg.lang) {
        crate::i18n::set_lang(l);
    }
    crate::ui::theme::init(cfg.theme);
    let keymap = match crate::app::keymap::KeyMap::from_config(&cfg.key_bindings()) {
        Ok(k) => k,
        Err(e) => {
            warnings.push(e);
            Default::default()
        }
    };
    let commands = match keymap.row_commands(&cfg.commands) {
        Ok(c) => c,
        Err(e) => {
            warnings.push(e);
            Vec::new()
        }
    };
    let profile = Profile {
        read_only: g.read_only,
        core: Some(ServiceConfig {
            base_url: url.to_string(),
            username: g.user.clone(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let auth = match &g.user {
        Some(u) => password_auth(u, asks(Service::Core))?,
        None => Credentials::None,
    };
    let core_logged_in = !matches!(auth, Credentials::None);
    let client = CoreClient::new(url, auth, &crate::api::HttpOptions::of(&profile))
        .map_err(|e| e.to_string())?
        .with_token_cache(TokenCache::in_cache_dir("(command line)", url));
    Ok(Connection {
        profile_name: "(command line)".into(),
        profile,
        clients: Clients {
            core: Some(client),
            ..Default::default()
        },
        core_logged_in,
        warnings,
        aliases: cfg.aliases.clone().into_iter().collect(),
        mouse: cfg.mouse,
        keymap,
        commands,
        watch_secs: cfg.watch_secs,
        profiles: Vec::new(),
    })
}

/// The clients of a profile's services, and whether the core one has credentials.
pub(super) fn profile_clients(
    profile: &Profile,
    name: &str,
    asks: impl Fn(Service) -> bool,
) -> Result<(Clients, bool), String> {
    let opts = crate::api::HttpOptions::of(profile);
    let mut clients = Clients::default();
    let mut core_logged_in = false;
    if let Some(svc) = &profile.core {
        let auth = credentials(svc, asks(Service::Core))?;
        core_logged_in = !matches!(auth, Credentials::None);
        clients.core = Some(
            CoreClient::new(&svc.base_url, auth, &opts)
                .map_err(|e| e.to_string())?
                .with_token_cache(TokenCache::in_cache_dir(name, &svc.base_url)),
        );
    }
    if let Some(svc) = &profile.ocean {
        clients.ocean = Some(
            OceanClient::new(
                &svc.base_url,
                credentials(svc, asks(Service::Ocean))?,
                svc.customer_id,
                &opts,
            )
            .map_err(|e| e.to_string())?,
        );
    }
    if let Some(svc) = &profile.maarch {
        clients.maarch = Some(
            MaarchClient::new(
                &svc.base_url,
                credentials(svc, asks(Service::Maarch))?,
                svc.auth.unwrap_or_default(),
                &opts,
            )
            .map_err(|e| e.to_string())?,
        );
    }
    Ok((clients, core_logged_in))
}

pub(super) fn password_auth(user: &str, prompt: bool) -> Result<Credentials, String> {
    if !prompt && std::env::var_os("VIGIE_PASSWORD").is_none() {
        return Ok(Credentials::None);
    }
    Ok(Credentials::Password {
        username: user.to_string(),
        password: password_from_env_or_prompt(user)?,
    })
}

pub(super) fn password_from_env_or_prompt(user: &str) -> Result<SecretString, String> {
    if let Ok(p) = std::env::var("VIGIE_PASSWORD") {
        return Ok(SecretString::from(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!("no password for {user}: set VIGIE_PASSWORD"));
    }
    rpassword::prompt_password(format!("Password for {user}: "))
        .map(SecretString::from)
        .map_err(|e| format!("cannot read the password: {e}"))
}
